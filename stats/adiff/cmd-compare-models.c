/* cmd-compare-models.c — `adiff compare`: how well each model predicts a
 * reference denoiser (e.g. a trained diffusion network) from the same noisy
 * inputs, as in the paper's benchmark:
 *
 *   R² = 1 − Σ_p (x_p − y_p)² / (D · var(y))   per sample, averaged,
 *   MSE = Σ_p (x_p − y_p)² / D                   per sample, averaged,
 *
 * with x the model's x̂0, y the reference prediction, D values per sample and
 * var(y) the variance of the sample's D reference values. */
#include <math.h>
#include <stdio.h>
#include "adiff-commands.h"

#define COMMAND "compare"
#define CHUNK 64       /* windows per denoiser call: progress and Ctrl-C between */

typedef struct
{
  CliModelOptions model;
  char    *reference, *noisy, *methods;
  gboolean json;
  char   **files;
} Options;

typedef struct
{
  AdiffMethod method;
  double      r2, mse, seconds;
  guint       n_r2;            /* samples with var(y) > 0 */
} Result;

/* N windows of the bundle's shape from a .npy of shape (N,H,W,C), (H,W,C),
 * (N,H,W) for gray bundles, or (H,W). */
static gboolean
load_windows (const char *path, AdiffBundle *b, AdiffNpy *npy, guint *n, GError **error)
{
  cli_exit_on_interrupt_begin ();            /* no cancel hook in the loader; nothing written */
  gboolean loaded = adiff_io_npy_load (path, npy, error);
  cli_exit_on_interrupt_end ();
  if (!loaded)
    return FALSE;
  guint64 w = adiff_bundle_get_width (b), h = adiff_bundle_get_height (b);
  guint64 c = adiff_bundle_get_channels (b);
  const guint64 *s = npy->shape;
  guint64 count = 0;
  if (npy->ndim == 4 && s[1] == h && s[2] == w && s[3] == c)
    count = s[0];
  else if (npy->ndim == 3 && s[0] == h && s[1] == w && s[2] == c)
    count = 1;
  else if (npy->ndim == 3 && c == 1 && s[1] == h && s[2] == w)
    count = s[0];
  else if (npy->ndim == 2 && c == 1 && s[0] == h && s[1] == w)
    count = 1;
  if (count == 0 || count > G_MAXINT)
    {
      GString *shape = g_string_new ("(");
      for (guint i = 0; i < npy->ndim; i++)
        g_string_append_printf (shape, i ? ",%" G_GUINT64_FORMAT : "%" G_GUINT64_FORMAT, s[i]);
      g_string_append (shape, ")");
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("“%s” has shape %s; the bundle’s windows need (N,%u,%u,%u)"),
                   path, shape->str, (guint) h, (guint) w, (guint) c);
      g_string_free (shape, TRUE);
      adiff_io_npy_clear (npy);
      return FALSE;
    }
  gsize total = (gsize) count * w * h * c;
  for (gsize i = 0; i < total; i++)
    if (!isfinite (npy->data[i]))
      {
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
                     _("“%s” holds a non-finite value at index %lu"), path, (gulong) i);
        adiff_io_npy_clear (npy);
        return FALSE;
      }
  *n = (guint) count;
  return TRUE;
}

/* The methods to compare: --methods a,b,… or all the bundle supports. */
static gboolean
parse_methods (const char *list, AdiffBundle *b, GArray *methods, GError **error)
{
  if (!list)
    {
      AdiffMethod all[] = { ADIFF_METHOD_WIENER, ADIFF_METHOD_OPTIMAL,
                            ADIFF_METHOD_ANALYTIC, ADIFF_METHOD_PATCH };
      for (guint i = 0; i < G_N_ELEMENTS (all); i++)
        if (!adiff_method_needs_exemplars (all[i]) || adiff_bundle_get_n_exemplars (b) > 0)
          g_array_append_val (methods, all[i]);
      return TRUE;
    }
  char **parts = g_strsplit (list, ",", -1);
  gboolean ok = parts[0] != NULL;
  for (guint i = 0; ok && parts[i]; i++)
    {
      AdiffMethod m;
      ok = adiff_method_from_string (g_strstrip (parts[i]), &m);
      if (ok)
        g_array_append_val (methods, m);
      else
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                     _("--methods: “%s” is not one of wiener, optimal, analytic, patch"),
                     parts[i]);
    }
  if (!parts[0])
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT, _("--methods is empty"));
  g_strfreev (parts);
  return ok;
}

static void
score (const float *x, const float *y, guint n, gsize d, Result *r)
{
  double r2 = 0, mse = 0;
  r->n_r2 = 0;
  for (guint i = 0; i < n; i++)
    {
      const float *xi = x + i * d, *yi = y + i * d;
      double mean = 0, var = 0, se = 0;
      for (gsize p = 0; p < d; p++)
        mean += yi[p];
      mean /= d;
      for (gsize p = 0; p < d; p++)
        {
          var += (yi[p] - mean) * (yi[p] - mean);
          se += ((double) xi[p] - yi[p]) * ((double) xi[p] - yi[p]);
        }
      mse += se / d;
      if (var > 0)               /* var = Σ(y−ȳ)², i.e. D·var(y) */
        {
          r2 += 1 - se / var;
          r->n_r2++;
        }
    }
  r->mse = mse / n;
  r->r2 = r->n_r2 ? r2 / r->n_r2 : NAN;
}

/* Run one model over all windows.  Returns an exit code. */
static int
evaluate (AdiffBundle *b, AdiffParams *params, const float *z, const float *ref, guint n,
          CliProgress *progress, Result *r, GError **error)
{
  gsize d = adiff_bundle_get_dim (b);
  AdiffDenoiser *den = adiff_denoiser_new (b, params, error);
  if (!den)
    return cli_input_code (*error);
  float *x = g_new (float, (gsize) n * d);
  gint64 t0 = g_get_monotonic_time ();
  int code = CLI_EXIT_OK;
  for (guint i = 0; i < n && code == CLI_EXIT_OK; i += CHUNK)
    {
      guint m = MIN (CHUNK, n - i);
      if (!adiff_denoiser_apply (den, z + (gsize) i * d, m, x + (gsize) i * d, error))
        code = CLI_EXIT_ERROR;
      else if (!cli_progress_func ((double) (i + m) / n, progress))
        code = CLI_EXIT_INTERRUPTED;
    }
  r->seconds = (g_get_monotonic_time () - t0) / 1e6;
  r->method = params->method;
  if (code == CLI_EXIT_OK)
    score (x, ref, n, d, r);
  g_free (x);
  adiff_denoiser_free (den);
  return code;
}

static void
print_results (const Options *o, const Result *res, guint n_methods, guint n, double sigma)
{
  if (o->json)
    {
      printf ("{\"sigma\": %.6g, \"sigma255\": %.6g, ", sigma, sigma * 255);
      if (o->model.t != -1)
        printf ("\"t\": %d, ", o->model.t);
      printf ("\"n\": %u, \"results\": [", n);
      for (guint i = 0; i < n_methods; i++)
        {
          const Result *r = &res[i];
          printf ("%s{\"method\": \"%s\", \"r2\": ", i ? ", " : "",
                  adiff_method_to_string (r->method));
          if (isnan (r->r2))
            printf ("null");
          else
            printf ("%.9g", r->r2);
          printf (", \"mse\": %.9g, \"seconds\": %.4f}", r->mse, r->seconds);
        }
      printf ("]}\n");
      return;
    }
  printf (_("%u samples, σ = %.4g (%.2f on the 0–255 scale)\n"), n, sigma, sigma * 255);
  printf ("%-10s %10s %12s %10s\n", _("method"), "R²", "MSE", _("seconds"));
  for (guint i = 0; i < n_methods; i++)
    printf ("%-10s %10.6f %12.4e %10.3f\n", adiff_method_to_string (res[i].method),
            res[i].r2, res[i].mse, res[i].seconds);
}

static int
run (Options *o)
{
  GError *error = NULL;
  AdiffParams params;
  double sigma;
  if (o->files && g_strv_length (o->files) > 0)
    return cli_fail (CLI_EXIT_USAGE, _("unexpected argument “%s”; see --help"),
                     o->files[0]);
  if (!o->reference || !o->noisy)
    return cli_fail (CLI_EXIT_USAGE, _("--reference and --noisy are required"));
  if (!cli_model_params (&o->model, &params, &error) ||
      !cli_model_sigma (&o->model, &sigma, &error))
    return cli_fail_error (&error, CLI_EXIT_USAGE);
  AdiffBundle *b = cli_open_bundle (o->model.bundle, &error);
  if (!b)
    return cli_fail_error (&error, cli_input_code (error));
  GArray *methods = g_array_new (FALSE, FALSE, sizeof (AdiffMethod));
  AdiffNpy ref = { 0 }, z = { 0 };
  guint n_ref = 0, n_z = 0;
  int code = CLI_EXIT_OK;
  if (!parse_methods (o->methods, b, methods, &error))
    code = CLI_EXIT_USAGE;
  else if (!load_windows (o->reference, b, &ref, &n_ref, &error) ||
           !load_windows (o->noisy, b, &z, &n_z, &error))
    code = CLI_EXIT_ERROR;
  else if (n_ref != n_z)
    {
      g_set_error (&error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("“%s” holds %u samples and “%s” %u"), o->reference, n_ref, o->noisy, n_z);
      code = CLI_EXIT_ERROR;
    }
  Result *res = g_new0 (Result, methods->len + 1);
  CliProgress *progress = cli_progress_new (_("comparing"), methods->len, FALSE);
  params.sigma = sigma;
  for (guint i = 0; i < methods->len && code == CLI_EXIT_OK; i++)
    {
      params.method = g_array_index (methods, AdiffMethod, i);
      cli_progress_set_item (progress, i);
      code = evaluate (b, &params, z.data, ref.data, n_z, progress, &res[i], &error);
    }
  cli_progress_free (progress);
  if (code == CLI_EXIT_OK)
    print_results (o, res, methods->len, n_z, sigma);
  else
    code = cli_fail_error (&error, code);
  g_clear_error (&error);
  g_free (res);
  adiff_io_npy_clear (&ref);
  adiff_io_npy_clear (&z);
  g_array_free (methods, TRUE);
  adiff_bundle_unref (b);
  return code;
}

int
cmd_compare_models (int argc, char **argv)
{
  Options o = { 0 };
  cli_model_options_init (&o.model);
  GOptionEntry *model = cli_model_entries (&o.model, TRUE);
  const GOptionEntry entries[] = {
    { "reference", 'r', 0, G_OPTION_ARG_FILENAME, &o.reference,
      N_("Reference predictions x̂0, .npy (N,H,W,C) in [0,1]"), N_("REF.npy") },
    { "noisy", 'z', 0, G_OPTION_ARG_FILENAME, &o.noisy,
      N_("The noisy inputs z = x0 + σε they were made from, same shape"), N_("Z.npy") },
    { "methods", 0, 0, G_OPTION_ARG_STRING, &o.methods,
      N_("Comma-separated models (default: all the bundle supports)"), N_("LIST") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print JSON instead of a table"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files, NULL, NULL },
    { NULL }
  };
  GOptionContext *context = cli_context_new ("",
    _("Compare each model’s x̂0 with a reference denoiser’s predictions on the same noisy "
      "windows: R² = 1 − Σ(x − y)²/(D·var(y)) and MSE per sample, averaged (the paper’s "
      "benchmark).  Noisy inputs are in [0,1] units: z = x0 + σε; with --t, σ = "
      "½·√((1−ᾱ_t)/ᾱ_t).\n\n"
      "Example:\n  adiff compare --bundle data/cifar10-rgb-32.adstats --reference unet.npy --noisy z.npy "
      "--t 500 --methods wiener,analytic"),
    model);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  int code = cli_parse (context, &argc, &argv) ? run (&o) : CLI_EXIT_USAGE;
  g_free (model);
  g_free (o.reference); g_free (o.noisy); g_free (o.methods);
  g_strfreev (o.files);
  cli_model_options_clear (&o.model);
  return code;
}
