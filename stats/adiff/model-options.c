/* model-options.c — the options of the `adiff` commands that build a
 * denoiser: bundle, method, noise level, threads. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "adiff-commands.h"

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads (int n);
#endif

/* ---- model options ------------------------------------------------------- */

void
cli_model_options_init (CliModelOptions *o)
{
  memset (o, 0, sizeof *o);
  o->t = -1;
  o->tau = 0.02;
  o->patch = 0;
  o->threads = 0;
}

void
cli_model_options_clear (CliModelOptions *o)
{
  g_free (o->bundle);
  g_free (o->method);
  g_free (o->sigma);
}

GOptionEntry *
cli_model_entries (CliModelOptions *o, gboolean with_sigma)
{
  const GOptionEntry model[] = {
    { "bundle", 'b', 0, G_OPTION_ARG_FILENAME, &o->bundle,
      N_("Statistics bundle (.adstats) to use"), N_("FILE") },
    { "method", 'm', 0, G_OPTION_ARG_STRING, &o->method,
      N_("Denoiser: photo, wiener, optimal, analytic or patch (adiff denoise: default "
         "photo; the other commands: default wiener)"), N_("NAME") },
    { "tau", 0, 0, G_OPTION_ARG_DOUBLE, &o->tau,
      N_("Analytic mask threshold τ in (0,1] (default 0.02)"), N_("X") },
    { "patch", 0, 0, G_OPTION_ARG_INT, &o->patch,
      N_("Patch baseline: odd patch size k (default: calibrated for σ)"), N_("K") },
    { "non-equivariant", 0, 0, G_OPTION_ARG_NONE, &o->no_equivariant,
      N_("Patch baseline: compare patches at the same position only"), NULL },
    { "exact", 0, 0, G_OPTION_ARG_NONE, &o->exact,
      N_("Exact mode (slower; the default fast mode has a bounded error)"), NULL },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &o->threads,
      N_("Worker threads (default: all cores)"), N_("N") },
  };
  const GOptionEntry sigma[] = {
    { "sigma", 's', 0, G_OPTION_ARG_STRING, &o->sigma,
      N_("Noise level σ on the 0–255 scale"), N_("S") },
    { "t", 0, 0, G_OPTION_ARG_INT, &o->t,
      N_("Noise level as a DDPM timestep t in 0–999 (linear β schedule)"), N_("T") },
  };
  guint n = G_N_ELEMENTS (model) + (with_sigma ? G_N_ELEMENTS (sigma) : 0);
  GOptionEntry *e = g_new0 (GOptionEntry, n + 1);
  memcpy (e, model, sizeof model);
  if (with_sigma)
    memcpy (e + G_N_ELEMENTS (model), sigma, sizeof sigma);
  return e;
}

gboolean
cli_model_params (const CliModelOptions *o, AdiffParams *params, GError **error)
{
  adiff_params_init (params);
  if (!o->bundle)
    return cli_bad_argument (error, FALSE, _("--bundle FILE is required"));
  if (o->method && !adiff_method_from_string (o->method, &params->method))
    return cli_bad_argument (error, FALSE,
                             _("--method “%s” is not one of wiener, optimal, analytic, patch"),
                             o->method);
  if (!isfinite (o->tau) || o->tau <= 0 || o->tau > 1)
    return cli_bad_argument (error, FALSE, _("--tau %g is outside (0, 1]"), o->tau);
  if (o->patch < 0 || (o->patch > 0 && o->patch % 2 == 0))
    return cli_bad_argument (error, FALSE, _("--patch %d must be a positive odd number"), o->patch);
  if (!cli_model_threads (o, &params->n_threads, error))
    return FALSE;
  params->tau = o->tau;
  params->patch_size = (guint) o->patch;
  params->equivariant = !o->no_equivariant;
  params->exact = o->exact;
  return TRUE;
}

gboolean
cli_model_threads (const CliModelOptions *o, guint *n_threads, GError **error)
{
  if (o->threads < 0 || o->threads > 1024)
    return cli_bad_argument (error, FALSE, _("--threads %d is outside 0–1024"), o->threads);
  *n_threads = (guint) o->threads;
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  if (o->threads > 0)
    openblas_set_num_threads (o->threads);
#endif
  return TRUE;
}

void
cli_blas_single_thread (void)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  openblas_set_num_threads (1);
#endif
}

gboolean
cli_check_sigma255 (double s, const char *name, GError **error)
{
  if (!isfinite (s) || s <= 0 || s > 255)
    return cli_bad_argument (error, FALSE, _("%s %g is not a noise level in (0, 255]"), name, s);
  return TRUE;
}

gboolean
cli_model_has_sigma (const CliModelOptions *o)
{
  return o->sigma != NULL || o->t != -1;
}

gboolean
cli_model_sigma (const CliModelOptions *o, double *sigma, GError **error)
{
  gboolean has_sigma = o->sigma != NULL, has_t = o->t != -1;
  if (has_sigma && has_t)
    return cli_bad_argument (error, FALSE, _("give either --sigma or --t, not both"));
  if (has_t)
    {
      if (o->t < 0 || o->t >= ADIFF_DDPM_T)
        return cli_bad_argument (error, FALSE, _("--t %d is outside 0–%d"), o->t, ADIFF_DDPM_T - 1);
      *sigma = adiff_ddpm_sigma ((guint) o->t);
      return TRUE;
    }
  if (!has_sigma)
    return cli_bad_argument (error, FALSE,
                             _("a noise level is required: --sigma S (0–255) or --t T"));
  char *end;
  double s = g_ascii_strtod (o->sigma, &end);
  if (end == o->sigma || *end)
    return cli_bad_argument (error, FALSE, _("--sigma “%s” is not a number"), o->sigma);
  if (!cli_check_sigma255 (s, "--sigma", error))
    return FALSE;
  *sigma = s / 255.0;
  return TRUE;
}

char *
cli_find_installed_bundle (const char *name)
{
  const char *dirs[] = { g_getenv ("ADIFF_BUNDLE_DIR"), ADIFF_DATADIR };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (dirs[i] && *dirs[i])
      {
        char *path = g_build_filename (dirs[i], name, NULL);
        if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
          return path;
        g_free (path);
      }
  return NULL;
}

AdiffBundle *
cli_open_bundle (const char *path, GError **error)
{
  if (!path)
    {
      cli_bad_argument (error, FALSE, _("--bundle FILE is required"));
      return NULL;
    }
  cli_exit_on_interrupt_begin ();
  AdiffBundle *bundle = adiff_bundle_open (path, NULL, error);
  cli_exit_on_interrupt_end ();
  return bundle;
}
