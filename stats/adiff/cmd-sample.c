/* cmd-sample.c — `adiff sample`: new images from noise with the DDIM
 * sampler of libadiff (adiff_sample) and any of the models. */
#include <math.h>
#include "adiff-commands.h"
#include "canvas.h"

#define COMMAND "sample"
#define MAX_COUNT 100000

typedef struct
{
  CliModelOptions model;
  gint     steps, count, scale;
  gint64   seed;
  double   eta;
  char   **files;
} Options;

/* K windows in a grid of ⌈√K⌉ columns with a 2-pixel white gap. */
static gboolean
save_grid (const char *out, const float *items, guint k, guint w, guint h, guint c,
           guint scale, GError **error)
{
  guint cols = (guint) ceil (sqrt ((double) k)), rows = (k + cols - 1) / cols, gap = 2;
  guint width = gap + cols * (w * scale + gap), height = gap + rows * (h * scale + gap);
  static const float white[3] = { 1, 1, 1 };
  CliCanvas cv;
  cli_canvas_init (&cv, width, height, white);
  for (guint i = 0; i < k; i++)
    cli_canvas_blit (&cv, gap + (i % cols) * (w * scale + gap),
                     gap + (i / cols) * (h * scale + gap),
                     items + (gsize) i * w * h * c, w, h, c, scale);
  AdiffIoImage img = { .width = width, .height = height, .channels = 3, .bit_depth = 8,
                       .data = cv.rgb };
  gboolean ok = adiff_io_image_save (out, &img, 8, error);
  cli_canvas_clear (&cv);
  return ok;
}

static gboolean
save (const char *out, float *items, guint k, AdiffBundle *b, guint scale, GError **error)
{
  guint w = adiff_bundle_get_width (b), h = adiff_bundle_get_height (b);
  guint c = adiff_bundle_get_channels (b);
  if (k > 1 && !cli_path_is_npy (out))
    return save_grid (out, items, k, w, h, c, MAX (scale, 1u), error);
  CliImages img = { .n = k, .width = w, .height = h, .channels = c, .data = items,
                    .bit_depth = 8, .npy_ndim = k > 1 ? 4 : 3 };
  if (scale > 1 && !cli_path_is_npy (out))
    return save_grid (out, items, 1, w, h, c, scale, error);
  return cli_images_save (out, &img, error);
}

static int
run (Options *o)
{
  GError *error = NULL;
  AdiffParams params;
  AdiffSampleParams sp;
  if (!o->files || g_strv_length (o->files) != 1)
    return cli_fail (CLI_EXIT_USAGE, _("expected one output file (OUT); see --help"));
  const char *out = o->files[0];
  if (o->count < 1 || o->count > MAX_COUNT)
    return cli_fail (CLI_EXIT_USAGE, _("--count %d is outside 1–%d"), o->count, MAX_COUNT);
  if (o->steps < 1 || o->steps > ADIFF_DDPM_T)
    return cli_fail (CLI_EXIT_USAGE, _("--steps %d is outside 1–%d"), o->steps, ADIFF_DDPM_T);
  if (!isfinite (o->eta) || o->eta < 0 || o->eta > 1)
    return cli_fail (CLI_EXIT_USAGE, _("--eta %g is outside [0, 1]"), o->eta);
  if (o->seed < 0 || o->scale < 0 || o->scale > 64)
    return cli_fail (CLI_EXIT_USAGE, _("--seed must be ≥ 0 and --scale within 0–64"));
  if (!cli_model_params (&o->model, &params, &error) || !cli_check_output (NULL, out, &error))
    return cli_fail_error (&error, CLI_EXIT_USAGE);
  AdiffBundle *bundle = cli_open_bundle (o->model.bundle, &error);
  if (!bundle)
    return cli_fail_error (&error, cli_input_code (error));
  if (adiff_method_needs_exemplars (params.method) && adiff_bundle_get_n_exemplars (bundle) == 0)
    {
      adiff_bundle_unref (bundle);
      return cli_fail (CLI_EXIT_ERROR,
                       _("the %s model needs exemplars and the bundle “%s” has none"),
                       adiff_method_to_string (params.method), o->model.bundle);
    }

  adiff_sample_params_init (&sp);
  sp.steps = (guint) o->steps;
  sp.eta = o->eta;
  gsize d = adiff_bundle_get_dim (bundle);
  float *items = g_new (float, (gsize) o->count * d);
  CliProgress *progress = cli_progress_new (_("sampling"), (guint) o->count, FALSE);
  int code = CLI_EXIT_OK;
  for (guint i = 0; i < (guint) o->count && code == CLI_EXIT_OK; i++)
    {
      sp.seed = (guint64) o->seed + i;      /* item i is reproducible alone */
      cli_progress_set_item (progress, i);
      if (!adiff_sample (bundle, &params, &sp, items + i * d, cli_progress_func, progress, &error))
        code = CLI_EXIT_ERROR;      /* unsuitable bundle or processing; 4 when cancelled */
      else if (cli_interrupted ())
        code = CLI_EXIT_INTERRUPTED;
    }
  cli_progress_free (progress);
  if (code == CLI_EXIT_OK && !save (out, items, (guint) o->count, bundle, (guint) o->scale, &error))
    code = CLI_EXIT_OUTPUT;
  if (code != CLI_EXIT_OK)
    code = cli_fail_error (&error, code);
  g_clear_error (&error);
  g_free (items);
  adiff_bundle_unref (bundle);
  return code;
}

int
cmd_sample (int argc, char **argv)
{
  Options o = { .steps = 10, .count = 1, .seed = 0, .eta = 0.0 };
  cli_model_options_init (&o.model);
  GOptionEntry *model = cli_model_entries (&o.model, FALSE);
  const GOptionEntry entries[] = {
    { "steps", 'n', 0, G_OPTION_ARG_INT, &o.steps, N_("DDIM steps (default 10)"), N_("N") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o.seed,
      N_("Random seed (default 0); image i uses seed + i"), N_("S") },
    { "eta", 0, 0, G_OPTION_ARG_DOUBLE, &o.eta,
      N_("DDIM η in [0,1]: 0 deterministic (default), 1 DDPM-like"), N_("E") },
    { "count", 'k', 0, G_OPTION_ARG_INT, &o.count,
      N_("Number of images (default 1): a grid in PNG, (K,H,W,C) in .npy"), N_("K") },
    { "scale", 0, 0, G_OPTION_ARG_INT, &o.scale,
      N_("Enlarge PNG output N times (nearest neighbour)"), N_("N") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files, NULL, NULL },
    { NULL }
  };
  GOptionContext *context = cli_context_new (_("OUT"),
    _("Generate images of the bundle’s window size from pure noise with a DDIM sampler "
      "(linear β schedule, T = 1000, evenly spaced steps) using one of the models as "
      "the denoiser.\n\n"
      "Example:\n  adiff sample --bundle data/natural-gray-8x8.adstats --method analytic --steps 10 "
      "--seed 1 --count 16 grid.png"),
    model);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  int code = cli_parse (context, &argc, &argv) ? run (&o) : CLI_EXIT_USAGE;
  g_free (model);
  g_strfreev (o.files);
  cli_model_options_clear (&o.model);
  return code;
}
