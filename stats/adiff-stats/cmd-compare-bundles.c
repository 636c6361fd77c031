/* cmd-compare-bundles.c — adiff-stats compare: how far apart the Wiener matrices
 * W_σ = U diag(λ/(λ+σ²)) Uᵀ + r/(r+σ²)(I − UUᵀ) of two bundles of the same
 * window are, at several noise levels.  Used to show what compact storage
 * (fewer components, float16 eigenvectors) costs against a full-precision
 * bundle of the same data. */
#include <stdio.h>
#include <cblas.h>
#include <glib/gi18n.h>
#include "stats-commands.h"

/* W ← W + alpha·W_σ(b), as Uᵀ diag(g − s_r) U + s_r I. */
static void
add_wiener (double *w, AdiffBundle *b, double sigma, double alpha)
{
  gsize d = adiff_bundle_get_dim (b);
  guint k = adiff_bundle_get_n_components (b);
  const double *lam = adiff_bundle_get_eigenvalues (b);
  const float *u = adiff_bundle_get_eigenvectors (b);
  double s2 = sigma * sigma, r = adiff_bundle_get_residual_variance (b);
  double sr = r > 0 ? r / (r + s2) : 0;
  double *ud = g_new (double, (gsize) k * d + 1), *vd = g_new (double, (gsize) k * d + 1);
  for (guint i = 0; i < k; i++)
    {
      double g = lam[i] / (lam[i] + s2) - sr;
      for (gsize p = 0; p < d; p++)
        {
          ud[(gsize) i * d + p] = u[(gsize) i * d + p];
          vd[(gsize) i * d + p] = g * u[(gsize) i * d + p];
        }
    }
  if (k)
    cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) d, (int) d, (int) k,
                 alpha, ud, (int) d, vd, (int) d, 1.0, w, (int) d);
  for (gsize p = 0; p < d; p++)
    w[p * d + p] += alpha * sr;
  g_free (ud);
  g_free (vd);
}

static gboolean
parse_sigmas (const char *text, GArray *out, GError **error)
{
  char **parts = g_strsplit (text, ",", -1);
  gboolean ok = parts[0] != NULL;
  for (guint i = 0; ok && parts[i]; i++)
    {
      char *end;
      double v = g_ascii_strtod (parts[i], &end);
      ok = end != parts[i] && *end == 0 && isfinite (v) && v > 0;
      if (ok)
        g_array_append_val (out, v);
    }
  g_strfreev (parts);
  if (!ok)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                 _("--sigma: “%s” is not a comma-separated list of values > 0"), text);
  return ok;
}

int
cmd_compare_bundles (int argc, char **argv)
{
  char *sigma_text = NULL;
  const GOptionEntry entries[] = {
    { "sigma", 's', 0, G_OPTION_ARG_STRING, &sigma_text,
      N_("Noise levels on the 0–255 scale (default 5,25,50)"), N_("LIST") },
    { NULL }
  };
  GOptionContext *ctx = cli_context_new (N_("A B — compare the Wiener matrices of two bundles"),
    N_("Prints max |W_A − W_B| over all entries at each σ, and max |μ_A − μ_B|.  "
       "Typical use: A a compact bundle (--components auto --store-f16), B a "
       "full-precision bundle of the same data."), entries);
  if (!cli_parse (ctx, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc != 3)
    {
      g_free (sigma_text);
      return cli_usage (_("expected two bundle files A and B"));
    }
  GError *error = NULL;
  GArray *sigmas = g_array_new (FALSE, FALSE, sizeof (double));
  if (!parse_sigmas (sigma_text ? sigma_text : "5,25,50", sigmas, &error))
    {
      g_free (sigma_text);
      g_array_unref (sigmas);
      return cli_usage_error (&error);
    }
  g_free (sigma_text);
  AdiffBundle *a = adiff_bundle_open (argv[1], NULL, &error);
  AdiffBundle *b = a ? adiff_bundle_open (argv[2], NULL, &error) : NULL;
  int rc = CLI_EXIT_OK;
  if (!b)
    rc = cli_fail_error (&error, CLI_EXIT_ERROR);
  else if (adiff_bundle_get_width (a) != adiff_bundle_get_width (b) ||
           adiff_bundle_get_height (a) != adiff_bundle_get_height (b) ||
           adiff_bundle_get_channels (a) != adiff_bundle_get_channels (b))
    {
      g_set_error (&error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("%s and %s have different windows"), argv[1], argv[2]);
      rc = cli_fail_error (&error, CLI_EXIT_ERROR);
    }
  else
    {
      gsize d = adiff_bundle_get_dim (a);
      double dmean = 0;
      for (gsize p = 0; p < d; p++)
        dmean = MAX (dmean, fabs (adiff_bundle_get_mean (a)[p] - adiff_bundle_get_mean (b)[p]));
      printf (_("A: %s (%u components)\nB: %s (%u components)\nmax |μ_A − μ_B| = %.3g\n"),
              argv[1], adiff_bundle_get_n_components (a), argv[2],
              adiff_bundle_get_n_components (b), dmean);
      double *w = g_new (double, d * d);
      for (guint i = 0; i < sigmas->len; i++)
        {
          double s255 = g_array_index (sigmas, double, i), sigma = s255 / 255.0;
          memset (w, 0, d * d * sizeof (double));
          add_wiener (w, a, sigma, 1.0);
          add_wiener (w, b, sigma, -1.0);
          double worst = 0;
          for (gsize j = 0; j < d * d; j++)
            worst = MAX (worst, fabs (w[j]));
          printf (_("σ = %g/255: max |W_A − W_B| = %.3g\n"), s255, worst);
        }
      g_free (w);
    }
  if (a)
    adiff_bundle_unref (a);
  if (b)
    adiff_bundle_unref (b);
  g_array_unref (sigmas);
  return rc;
}
