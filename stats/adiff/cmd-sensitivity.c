/* cmd-sensitivity.c — `adiff sensitivity`: which input pixels drive one
 * output pixel.  The field is ∂x̂_q/∂z over the window that holds the pixel
 * (adiff_window_for_pixel): row q of W_σ for Wiener, the Jacobian row at the
 * input for the nonlinear models.  PNG output is a montage over noise
 * levels, like the paper's figures; .npy output holds the raw values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "adiff-commands.h"
#include "canvas.h"

#define COMMAND "sensitivity"
#define PANEL_MIN 256     /* panels are upscaled to at least this many pixels */
#define GAP 12
#define TEXT 2            /* font scale: 14-pixel labels */

typedef struct
{
  CliModelOptions model;
  char    *pixel, *sigmas, *input, *colormap;
  gint     channel;
  gboolean signed_;
  gint     scale;
  char   **files;
} Options;

/* What the command computes, once the options are checked. */
typedef struct
{
  AdiffBundle *bundle;
  guint        ww, wh, bc;         /* window */
  guint        px, py;             /* the pixel, in image coordinates */
  guint        left, top;          /* the window in the image */
  gsize        q;                  /* output coordinate in the window */
  float       *z;                  /* the input window (NULL without --input) */
  double      *sigmas;             /* [n] in [0,1] units */
  guint        n;
  double      *fields;             /* [n·d] */
} Job;

static guint
mirror (guint i, guint n)
{
  i %= 2 * n;
  return i < n ? i : 2 * n - 1 - i;
}

static gboolean
parse_pixel (const char *s, guint *x, guint *y, GError **error)
{
  char *end;
  if (!s)
    return cli_bad_argument (error, FALSE, _("--pixel X,Y is required"));
  gint64 a = g_ascii_strtoll (s, &end, 10);
  if (end == s || *end != ',')
    return cli_bad_argument (error, FALSE, _("--pixel “%s” is not of the form X,Y"), s);
  const char *t = end + 1;
  gint64 b = g_ascii_strtoll (t, &end, 10);
  if (end == t || *end || a < 0 || b < 0 || a > G_MAXINT || b > G_MAXINT)
    return cli_bad_argument (error, FALSE,
                             _("--pixel “%s” is not of the form X,Y with X, Y ≥ 0"), s);
  *x = (guint) a;
  *y = (guint) b;
  return TRUE;
}

/* The noise levels: --sigmas S1,S2,…, or the single --sigma / --t. */
static gboolean
parse_sigmas (const Options *o, Job *job, GError **error)
{
  if (!o->sigmas)
    {
      job->n = 1;
      job->sigmas = g_new (double, 1);
      return cli_model_sigma (&o->model, job->sigmas, error);
    }
  if (cli_model_has_sigma (&o->model))
    return cli_bad_argument (error, FALSE, _("give either --sigmas or --sigma/--t, not both"));
  char **parts = g_strsplit (o->sigmas, ",", -1);
  job->n = g_strv_length (parts);
  job->sigmas = g_new (double, job->n + 1);
  gboolean ok = job->n > 0 && job->n <= 64;
  if (!ok)
    cli_bad_argument (error, FALSE, _("--sigmas needs 1 to 64 comma-separated values"));
  for (guint i = 0; ok && i < job->n; i++)
    {
      char *end;
      double s = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end)
        ok = cli_bad_argument (error, FALSE, _("--sigmas: “%s” is not a number"), parts[i]);
      else
        ok = cli_check_sigma255 (s, "--sigmas", error);
      job->sigmas[i] = s / 255.0;
    }
  g_strfreev (parts);
  return ok;
}

/* Locate the window and q, and cut the input window when there is one.
 * Returns an exit code. */
static int
locate (const Options *o, Job *job, GError **error)
{
  guint c = (guint) MAX (o->channel, 0);
  if (!o->input)
    {
      if (job->px >= job->ww || job->py >= job->wh)
        return cli_bad_argument (error, CLI_EXIT_USAGE,
                                 _("--pixel %u,%u is outside the %u×%u window "
                                   "(give --input to address an image)"),
                                 job->px, job->py, job->ww, job->wh);
      if (c >= job->bc)
        return cli_bad_argument (error, CLI_EXIT_USAGE,
                                 _("--channel %u: the bundle has %u channel(s)"),
                                 c, job->bc);
      job->q = ((gsize) job->py * job->ww + job->px) * job->bc + c;
      return CLI_EXIT_OK;
    }
  CliImages img;
  if (!cli_images_load (o->input, NULL, &img, error))
    return cli_input_code (*error);
  int code = CLI_EXIT_OK;
  if (img.n != 1)
    code = cli_bad_argument (error, CLI_EXIT_ERROR, _("“%s” holds %u images; give one"),
                             o->input, img.n);
  else if (job->bc != img.channels && job->bc != 1)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("“%s” has %u colour channel(s) but the bundle “%s” has %u"),
                   o->input, img.channels, adiff_bundle_get_name (job->bundle), job->bc);
      code = CLI_EXIT_ERROR;
    }
  else if (job->px >= img.width || job->py >= img.height)
    code = cli_bad_argument (error, CLI_EXIT_USAGE,
                             _("--pixel %u,%u is outside the %u×%u image “%s”"),
                             job->px, job->py, img.width, img.height, o->input);
  else if (c >= img.channels)
    code = cli_bad_argument (error, CLI_EXIT_USAGE,
                             _("--channel %u: “%s” has %u channel(s)"), c,
                             o->input, img.channels);
  if (code != CLI_EXIT_OK)
    {
      cli_images_clear (&img);
      return code;
    }
  adiff_window_for_pixel (img.width, img.height, job->ww, job->wh, job->px, job->py,
                          &job->left, &job->top);
  /* A gray bundle on a colour image looks at channel c alone. */
  guint plane = job->bc == 1 ? c : 0;
  job->q = ((gsize) (job->py - job->top) * job->ww + (job->px - job->left)) * job->bc +
           (job->bc == 1 ? 0 : c);
  job->z = g_new (float, (gsize) job->ww * job->wh * job->bc);
  for (guint y = 0; y < job->wh; y++)
    for (guint x = 0; x < job->ww; x++)
      {
        /* Images smaller than the window are mirrored, as in the tiler. */
        guint iy = mirror (job->top + y, img.height), ix = mirror (job->left + x, img.width);
        for (guint k = 0; k < job->bc; k++)
          job->z[((gsize) y * job->ww + x) * job->bc + k] =
            img.data[((gsize) iy * img.width + ix) * img.channels + plane + k];
      }
  cli_images_clear (&img);
  return CLI_EXIT_OK;
}

/* One field per noise level.  Returns an exit code. */
static int
compute (AdiffParams *params, Job *job, GError **error)
{
  gsize d = adiff_bundle_get_dim (job->bundle);
  job->fields = g_new (double, job->n * d);
  if (params->method != ADIFF_METHOD_WIENER && !job->z)
    return cli_bad_argument (error, CLI_EXIT_USAGE,
                             _("the %s model’s sensitivity depends on the input: give "
                               "--input IMG"),
                             adiff_method_to_string (params->method));
  for (guint i = 0; i < job->n; i++)
    {
      params->sigma = job->sigmas[i];
      if (params->method == ADIFF_METHOD_WIENER)
        {
          /* Linear: the row of W_σ, independent of the input. */
          adiff_wiener_row (job->bundle, params->sigma, job->q, job->fields + i * d);
          continue;
        }
      AdiffDenoiser *den = adiff_denoiser_new (job->bundle, params, error);
      if (!den)
        return cli_input_code (*error);
      gboolean ok = adiff_sensitivity (den, job->z, job->q, job->fields + i * d, error);
      adiff_denoiser_free (den);
      if (!ok)
        return CLI_EXIT_ERROR;
      if (cli_interrupted ())
        return CLI_EXIT_INTERRUPTED;
    }
  return CLI_EXIT_OK;
}

static gboolean
save_npy (const char *out, const Job *job, GError **error)
{
  gsize n = job->n * adiff_bundle_get_dim (job->bundle);
  float *v = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    v[i] = (float) job->fields[i];
  guint64 shape[4] = { job->n, job->wh, job->ww, job->bc };
  gboolean ok = job->n > 1 ? adiff_io_npy_save (out, v, 4, shape, error)
                           : adiff_io_npy_save (out, v, 3, shape + 1, error);
  g_free (v);
  return ok;
}

/* ---- the montage ----------------------------------------------------------- */

static const float white[3] = { 1, 1, 1 }, ink[3] = { 0.1f, 0.1f, 0.1f };

static void
draw_colorbar (CliCanvas *cv, gint x, gint y, guint h, gboolean signed_, AdiffColormap map)
{
  for (guint i = 0; i < h; i++)
    {
      float rgb[3];
      adiff_colormap_lookup (map, 1.0 - (i + 0.5) / h, rgb);
      for (guint k = 0; k < 16; k++)
        cli_canvas_blit (cv, x + k, y + i, rgb, 1, 1, 3, 1);
    }
  cli_canvas_rect (cv, x, y, 16, h, 1, ink);
  gint tx = x + 22;
  cli_canvas_text (cv, tx, y, signed_ ? "+max" : "max", TEXT, ink);
  if (signed_)
    {
      cli_canvas_text (cv, tx, y + (gint) h / 2 - 7, "0", TEXT, ink);
      cli_canvas_text (cv, tx, y + (gint) h - 14, "\xe2\x88\x92max", TEXT, ink);
    }
  else
    cli_canvas_text (cv, tx, y + (gint) h - 14, "0", TEXT, ink);
}

/* The field of one panel as one value per pixel: the signed sum over input
 * channels, or the sum of magnitudes. */
static void
panel_values (const Job *job, const double *field, gboolean signed_, double *v)
{
  for (gsize p = 0; p < (gsize) job->ww * job->wh; p++)
    {
      double s = 0;
      for (guint k = 0; k < job->bc; k++)
        s += signed_ ? field[p * job->bc + k] : fabs (field[p * job->bc + k]);
      v[p] = s;
    }
}

static gboolean
save_montage (const char *out, const Options *o, const Job *job, AdiffColormap map,
              GError **error)
{
  guint big = MAX (job->ww, job->wh);
  guint scale = o->scale > 0 ? (guint) o->scale : MAX (1u, (PANEL_MIN + big - 1) / big);
  guint pw = job->ww * scale, ph = job->wh * scale;
  guint panels = job->n + (job->z ? 1 : 0);
  guint label_h = 7 * TEXT + 8;
  guint width = GAP + panels * (pw + GAP) + 16 + 22 + cli_canvas_text_width ("-max", TEXT) + GAP;
  guint height = GAP + label_h + ph + GAP;
  CliCanvas cv;
  cli_canvas_init (&cv, width, height, white);
  gint x = GAP, y = GAP + label_h;
  gsize n = (gsize) job->ww * job->wh, d = adiff_bundle_get_dim (job->bundle);
  double *v = g_new (double, n);
  float *rgb = g_new (float, n * 3);
  gint mx = (gint) ((job->px - job->left) * scale), my = (gint) ((job->py - job->top) * scale);
  float mark[3] = { 0, 1, 1 };            /* cyan stands out on inferno and viridis */
  if (map == ADIFF_COLORMAP_COOLWARM)
    mark[0] = mark[1] = mark[2] = 0;

  if (job->z)
    {
      cli_canvas_blit (&cv, x, y, job->z, job->ww, job->wh, job->bc, scale);
      cli_canvas_rect (&cv, x + mx, y + my, scale, scale, MAX (1u, scale / 8), (float[3]) { 1, 0, 0 });
      cli_canvas_text (&cv, x, GAP, "input", TEXT, ink);
      x += pw + GAP;
    }
  for (guint i = 0; i < job->n; i++, x += pw + GAP)
    {
      panel_values (job, job->fields + i * d, o->signed_, v);
      adiff_render_field (v, job->ww, job->wh, o->signed_, map, rgb);
      cli_canvas_blit (&cv, x, y, rgb, job->ww, job->wh, 3, scale);
      cli_canvas_rect (&cv, x + mx, y + my, scale, scale, MAX (1u, scale / 8), mark);
      char label[64];
      g_snprintf (label, sizeof label, "\xcf\x83=%g", job->sigmas[i] * 255);
      cli_canvas_text (&cv, x, GAP, label, TEXT, ink);
    }
  draw_colorbar (&cv, x, y, ph, o->signed_, map);
  AdiffIoImage img = { .width = width, .height = height, .channels = 3, .bit_depth = 8,
                       .data = cv.rgb };
  gboolean ok = adiff_io_image_save (out, &img, 8, error);
  cli_canvas_clear (&cv);
  g_free (v);
  g_free (rgb);
  return ok;
}

/* ---- the command ----------------------------------------------------------- */

static void
job_clear (Job *job)
{
  if (job->bundle)
    adiff_bundle_unref (job->bundle);
  g_free (job->z);
  g_free (job->sigmas);
  g_free (job->fields);
}

static int
run (Options *o)
{
  GError *error = NULL;
  AdiffParams params;
  AdiffColormap map = o->signed_ ? ADIFF_COLORMAP_COOLWARM : ADIFF_COLORMAP_INFERNO;
  Job job = { 0 };
  if (!o->files || g_strv_length (o->files) != 1)
    return cli_fail (CLI_EXIT_USAGE, _("expected one output file (OUT); see --help"));
  const char *out = o->files[0];
  if (o->colormap && !adiff_colormap_from_string (o->colormap, &map))
    return cli_fail (CLI_EXIT_USAGE,
                     _("--colormap “%s” is not one of inferno, viridis, coolwarm"), o->colormap);
  if (o->channel < 0 || o->scale < 0 || o->scale > 256)
    return cli_fail (CLI_EXIT_USAGE, _("--channel and --scale must be ≥ 0 (scale ≤ 256)"));
  int code = CLI_EXIT_USAGE;
  if (cli_model_params (&o->model, &params, &error) &&
      parse_pixel (o->pixel, &job.px, &job.py, &error) &&
      parse_sigmas (o, &job, &error) &&
      cli_check_output (o->input, out, &error))
    {
      job.bundle = cli_open_bundle (o->model.bundle, &error);
      code = job.bundle ? CLI_EXIT_OK : cli_input_code (error);
    }
  if (code == CLI_EXIT_OK)
    {
      job.ww = adiff_bundle_get_width (job.bundle);
      job.wh = adiff_bundle_get_height (job.bundle);
      job.bc = adiff_bundle_get_channels (job.bundle);
      code = locate (o, &job, &error);
    }
  if (code == CLI_EXIT_OK)
    code = compute (&params, &job, &error);
  if (code == CLI_EXIT_OK &&
      !(cli_path_is_npy (out) ? save_npy (out, &job, &error)
                              : save_montage (out, o, &job, map, &error)))
    code = CLI_EXIT_OUTPUT;
  if (code != CLI_EXIT_OK)
    code = cli_fail_error (&error, code);
  g_clear_error (&error);
  job_clear (&job);
  return code;
}

int
cmd_sensitivity (int argc, char **argv)
{
  Options o = { 0 };
  cli_model_options_init (&o.model);
  GOptionEntry *model = cli_model_entries (&o.model, TRUE);
  const GOptionEntry entries[] = {
    { "pixel", 'p', 0, G_OPTION_ARG_STRING, &o.pixel,
      N_("The output pixel, in the input image (or in the window without --input)"), N_("X,Y") },
    { "channel", 'c', 0, G_OPTION_ARG_INT, &o.channel,
      N_("Output channel (default 0)"), N_("C") },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &o.input,
      N_("Input image: needed by the nonlinear models, locates the window"), N_("IMG") },
    { "sigmas", 0, 0, G_OPTION_ARG_STRING, &o.sigmas,
      N_("Several noise levels (0–255) side by side, e.g. 5,25,80"), N_("S1,S2,…") },
    { "colormap", 0, 0, G_OPTION_ARG_STRING, &o.colormap,
      N_("inferno (default), viridis or coolwarm (default with --signed)"), N_("NAME") },
    { "signed", 0, 0, G_OPTION_ARG_NONE, &o.signed_,
      N_("Show signed values (diverging map) instead of magnitudes"), NULL },
    { "scale", 0, 0, G_OPTION_ARG_INT, &o.scale,
      N_("Screen pixels per window pixel (default: panels of at least 256)"), N_("N") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files, NULL, NULL },
    { NULL }
  };
  GOptionContext *context = cli_context_new (_("OUT"),
    _("Render the sensitivity field ∂x̂_q/∂z of one output pixel q over the window that "
      "holds it: the row of the Wiener matrix W_σ, or the Jacobian row of the optimal or "
      "analytic model at the input.  OUT.png is a heat map (one panel per noise level, the "
      "pixel outlined, a colour bar); OUT.npy holds the raw values, shape (H,W,C) or "
      "(S,H,W,C).\n\n"
      "Examples:\n"
      "  adiff sensitivity --bundle data/cifar10-rgb-32.adstats --sigmas 5,25,80 --pixel 16,16 field.png\n"
      "  adiff sensitivity --bundle data/cifar10-rgb-32.adstats --method analytic --input cat.png \\\n"
      "        --sigma 25 --pixel 10,12 --signed field.png"),
    model);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  int code = cli_parse (context, &argc, &argv) ? run (&o) : CLI_EXIT_USAGE;
  g_free (model);
  g_free (o.pixel); g_free (o.sigmas); g_free (o.input); g_free (o.colormap);
  g_strfreev (o.files);
  cli_model_options_clear (&o.model);
  return code;
}
