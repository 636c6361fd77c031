/* cmd-denoise.c — `adiff denoise`: denoise an image or a batch of arrays
 * of any size with the photo model (the default; whole images,
 * denoise-photo.c) or one of the window denoisers.  A PNG or binary PGM/PPM
 * going to a PNG or PGM/PPM streams row by row (denoise-rows.c);
 * everything else (.npy, JPEG, TIFF, interlaced PNG, --estimate-sigma,
 * which needs the whole image) is loaded whole and tiled by
 * adiff_denoise_image.  Items of exactly the window's size skip the tiler
 * (denoise-window.c) unless --tile. */
#include <math.h>
#include "adiff-commands.h"

#define COMMAND "denoise"

typedef struct
{
  CliModelOptions model;
  char           *quality;
  char           *noise_model;
  gboolean        estimate;
  gboolean        tile;
  int             overlap;
  char          **files;
} Options;

/* A denoiser for σ, or the one already built for it. */
static gboolean
denoiser_for (AdiffBundle *bundle, AdiffParams *params, double sigma, AdiffDenoiser **den,
              GError **error)
{
  if (*den && sigma == params->sigma)
    return TRUE;
  g_clear_pointer (den, adiff_denoiser_free);
  params->sigma = sigma;
  cli_exit_on_interrupt_begin ();      /* nothing written yet: an interrupt may exit */
  *den = adiff_denoiser_new (bundle, params, error);
  cli_exit_on_interrupt_end ();
  return *den != NULL;
}

/* Denoise items [i, i + *done) in place, which share σ: the whole rest of
 * a batch of windows when σ is given, else item i alone. */
static gboolean
denoise_run (const Options *o, AdiffDenoiser *den, CliImages *img, guint i,
             gboolean exact, CliProgress *progress, guint *done, GError **error)
{
  gsize len = (gsize) img->width * img->height * img->channels;
  float *item = img->data + i * len;
  *done = exact && !o->estimate ? img->n - i : 1;
  if (exact)
    return cli_denoise_windows (den, item, *done, img->channels, progress, i, error);
  cli_progress_set_item (progress, i);
  return adiff_denoise_image (den, item, item, img->width, img->height, img->channels,
                              cli_progress_func, progress, error);
}

/* Denoise every item in place: one window call per item when the items
 * are the bundle's window (the paper's setting) unless --tile, else the
 * tiler.  Returns an exit code. */
static int
denoise_items (const Options *o, const char *in, AdiffBundle *bundle, AdiffParams *params,
               double given_sigma, CliImages *img)
{
  GError *error = NULL;
  AdiffDenoiser *den = NULL;
  gboolean exact = !o->tile && cli_is_window (bundle, img->width, img->height);
  CliProgress *progress = cli_progress_new (_("denoising"), img->n, FALSE);
  int code = CLI_EXIT_OK;
  for (guint i = 0, done = 0; i < img->n && code == CLI_EXIT_OK; i += done)
    {
      double sigma;
      if (!cli_item_sigma (o->estimate, in, img, i, given_sigma, &sigma, &error))
        code = CLI_EXIT_ERROR;
      else if (!denoiser_for (bundle, params, sigma, &den, &error))
        code = cli_input_code (error);
      else if (!denoise_run (o, den, img, i, exact, progress, &done, &error))
        code = CLI_EXIT_ERROR;      /* unsuitable input or processing; 4 when cancelled */
    }
  cli_progress_free (progress);
  if (code == CLI_EXIT_OK && cli_interrupted ())
    {
      g_set_error (&error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED, _("interrupted"));
      code = CLI_EXIT_INTERRUPTED;
    }
  adiff_denoiser_free (den);
  if (code != CLI_EXIT_OK)
    code = cli_fail_error (&error, code);
  g_clear_error (&error);
  return code;
}

/* --noise-model parsed; other than constant, it takes the place of a σ
 * and needs the photo model. */
static gboolean
check_noise_model (const Options *o, CliNoise *noise, GError **error)
{
  if (!cli_noise_parse (o->noise_model, noise, error))
    return FALSE;
  if (noise->kind == CLI_NOISE_CONSTANT)
    return TRUE;
  if (!cli_method_is_photo (o->model.method))
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                 _("--noise-model %s works with the photo model only, not --method %s"),
                 o->noise_model, o->model.method);
  else if (o->estimate || cli_model_has_sigma (&o->model))
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                 _("--noise-model %s excludes --sigma, --t and --estimate-sigma"),
                 o->noise_model);
  return *error == NULL;
}

/* Without --bundle, the bundle follows the input: the installed gray
 * photo bundle (the one opened first, and what a batch of gray windows is
 * read with), and for RGB input the colour one, whose joint statistics
 * keep the channels' errors from showing as colour mottling; the gray one
 * channel by channel when the colour one is not installed. */
static gboolean
follow_input (guint channels, AdiffBundle **bundle, GError **error)
{
  g_autofree char *path = channels == 3 ? cli_find_installed_bundle (CLI_COLOUR_BUNDLE) : NULL;
  if (!path)
    return TRUE;
  AdiffBundle *colour = cli_open_bundle (path, error);
  if (!colour)
    return FALSE;
  adiff_bundle_unref (*bundle);
  *bundle = colour;
  return TRUE;
}

static int
run (Options *o)
{
  GError *error = NULL;
  AdiffParams params;
  double sigma = 0;
  if (!o->files || g_strv_length (o->files) != 2)
    return cli_fail (CLI_EXIT_USAGE,
                     _("expected an input and an output file (IN OUT); see --help"));
  const char *in = o->files[0], *out = o->files[1];
  if (o->estimate && cli_model_has_sigma (&o->model))
    return cli_fail (CLI_EXIT_USAGE, _("--estimate-sigma excludes --sigma and --t"));
  CliNoise noise;
  if (!check_noise_model (o, &noise, &error))
    return cli_fail_error (&error, CLI_EXIT_USAGE);
  if (cli_method_is_photo (o->model.method))
    {
      gboolean constant = noise.kind == CLI_NOISE_CONSTANT;
      if ((constant && !o->estimate && !cli_model_sigma (&o->model, &sigma, &error)) ||
          !cli_check_output (in, out, &error))
        return cli_fail_error (&error, CLI_EXIT_USAGE);
      return cli_denoise_photo (in, out, &o->model, o->quality, &noise, o->estimate, sigma);
    }
  if (o->quality)
    return cli_fail (CLI_EXIT_USAGE, _("--quality is an option of the photo model"));
  gboolean follow = o->model.bundle == NULL;
  if (follow && !(o->model.bundle = cli_find_installed_bundle (CLI_GRAY_BUNDLE)))
    return cli_fail (CLI_EXIT_USAGE,
                     _("--method %s needs a bundle: give --bundle FILE (the default, %s, "
                       "is not installed: looked in $ADIFF_BUNDLE_DIR and %s)"),
                     o->model.method, CLI_GRAY_BUNDLE, ADIFF_DATADIR);
  if (!cli_model_params (&o->model, &params, &error) ||
      (!o->estimate && !cli_model_sigma (&o->model, &sigma, &error)) ||
      !cli_check_output (in, out, &error))
    return cli_fail_error (&error, CLI_EXIT_USAGE);
  if (o->overlap < 2 || o->overlap > ADIFF_MAX_OVERLAP)
    return cli_fail (CLI_EXIT_USAGE, _("--overlap %d is outside 2–%d"), o->overlap,
                     ADIFF_MAX_OVERLAP);
  params.overlap = (guint) o->overlap;

  AdiffBundle *bundle = cli_open_bundle (o->model.bundle, &error);
  if (!bundle)
    return cli_fail_error (&error, cli_input_code (error));
  CliImages img = { 0 };
  int code = CLI_EXIT_OK;
  if (!o->estimate && cli_denoise_rows_possible (in, out))
    {
      params.sigma = sigma;
      if (follow && !follow_input (cli_rows_channels (in), &bundle, &error))
        code = cli_input_code (error);
      else
        code = cli_denoise_rows (in, out, bundle, &params, o->tile, &error);
    }
  else if (!cli_images_load (in, bundle, &img, &error) ||
           (follow && !follow_input (img.channels, &bundle, &error)) ||
           !cli_check_bundle_channels (in, img.channels, bundle, &error))
    code = cli_input_code (error);
  else if (!cli_check_batch_output (in, &img, out, &error))
    code = CLI_EXIT_USAGE;
  else
    {
      code = denoise_items (o, in, bundle, &params, sigma, &img);
      if (code == CLI_EXIT_OK && !cli_images_save (out, &img, &error))
        code = CLI_EXIT_OUTPUT;
    }
  if (error)
    code = cli_fail_error (&error, code);
  cli_images_clear (&img);
  adiff_bundle_unref (bundle);
  g_clear_error (&error);
  return code;
}

int
cmd_denoise (int argc, char **argv)
{
  Options o = { .overlap = 2 };
  cli_model_options_init (&o.model);
  GOptionEntry *model = cli_model_entries (&o.model, TRUE);
  const GOptionEntry entries[] = {
    { "quality", 'q', 0, G_OPTION_ARG_STRING, &o.quality,
      N_("Photo model: default, or best (4 to 7 times the time, a little better; uses "
         "the gray 8×8 bundle: --bundle, else the installed natural-gray-8x8.adstats)"),
      N_("NAME") },
    { "estimate-sigma", 'e', 0, G_OPTION_ARG_NONE, &o.estimate,
      N_("Estimate σ from each image (noise MAD of the finest Haar band)"), NULL },
    { "noise-model", 0, 0, G_OPTION_ARG_STRING, &o.noise_model,
      N_("Photo model: how the noise depends on brightness. constant (the default): one "
         "σ everywhere, from --sigma, --t or --estimate-sigma. auto: noise that grows with "
         "brightness, as in camera photos, measured from each image. A,B: that noise "
         "given, as the variance A + B·x of a pixel of brightness x on the 0–1 scale "
         "(e.g. 0.0001,0.01)"), N_("MODEL") },
    { "overlap", 0, 0, G_OPTION_ARG_INT, &o.overlap,
      N_("Windows over each pixel along each axis, 2–64 (default 2; 4 is smoother and, "
         "for the nonlinear methods, better, at about three to four times the time)"), N_("N") },
    { "tile", 0, 0, G_OPTION_ARG_NONE, &o.tile,
      N_("Blend shifted windows even when the input is exactly the bundle’s window "
         "size (by default such an input, or a batch of them, is denoised as one "
         "window, as the model and adiff compare do)"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files, NULL, NULL },
    { NULL }
  };
  GOptionContext *context = cli_context_new (_("IN OUT"),
    _("Denoise IN (an image: PNG 8/16-bit, JPEG, PNM, TIFF…, or a .npy array (H,W), "
      "(H,W,C) or a batch (N,H,W,C)) and write OUT.\n"
      "The default method, photo, filters groups of similar patches of the image "
      "itself (two passes of local Wiener filters; RGB jointly in an opponent colour "
      "space) and needs no bundle; it loads the whole image.  The other methods use "
      "the statistics of a bundle (--bundle; without it, the installed "
      "natural-gray-8x8.adstats for gray input and natural-rgb-8x8.adstats, joint "
      "colour statistics, for RGB): images of any size are cut into overlapping windows of the bundle’s size, "
      "denoised and blended; an input of exactly the window’s size (or a batch of "
      "them, (N,H,W,C) or (N,H,W)) is denoised as that one window, as in the paper "
      "(--tile blends anyway).  .npy output is unclipped float32; image output is "
      "clipped to [0,1] and keeps the input’s bit depth; alpha passes through.\n\n"
      "Examples:\n  adiff denoise --sigma 25 noisy.png clean.png\n"
      "  adiff denoise --method wiener --bundle natural-gray-8x8.adstats --sigma 25 "
      "noisy.png clean.png"),
    model);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  int code = cli_parse (context, &argc, &argv) ? run (&o) : CLI_EXIT_USAGE;
  g_free (model);
  g_strfreev (o.files);
  g_free (o.quality);
  g_free (o.noise_model);
  cli_model_options_clear (&o.model);
  return code;
}
