/* test-wiener.c — the Wiener filter against a brute-force reference.
 *
 * Data: a Gaussian over a small window with a known covariance
 * C_pq = v·ρ^(|Δx|+|Δy|) (a stationary, spatially correlated model).  The
 * reference solves x̂ = μ + C (C + σ²I)⁻¹ (z − μ) directly with LAPACK's
 * Cholesky solver; libadiff goes through the eigenpairs.  They must agree.
 */
#include <lapacke.h>
#include <math.h>
#include "adiff/adiff.h"

typedef struct
{
  guint w, h, c;
  double sigma;
  guint keep;         /* components kept (0 = all) */
} Case;

static double *
make_covariance (guint w, guint h, guint c, double v, double rho)
{
  gsize d = (gsize) w * h * c;
  double *cov = g_new0 (double, d * d);
  for (gsize p = 0; p < d; p++)
    for (gsize q = 0; q < d; q++)
      {
        gint px = (p / c) % w, py = (p / c) / w, pc = p % c;
        gint qx = (q / c) % w, qy = (q / c) / w, qc = q % c;
        double chan = pc == qc ? 1.0 : 0.5;
        cov[p * d + q] = v * chan * pow (rho, abs (px - qx) + abs (py - qy));
      }
  return cov;
}

/* Eigenpairs of cov, descending, rows = eigenvectors. */
static AdiffBundle *
bundle_from_covariance (const Case *t, const double *cov, const double *mean)
{
  gsize d = (gsize) t->w * t->h * t->c;
  double *a = g_memdup2 (cov, d * d * sizeof (double));
  double *ev = g_new (double, d);
  g_assert_cmpint (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'V', 'U', d, a, d, ev), ==, 0);
  guint k = t->keep ? t->keep : d;
  double *vals = g_new (double, k);
  double *vecs = g_new (double, k * d);
  double rest = 0;
  for (guint i = 0; i < d; i++)
    {
      guint src = d - 1 - i;               /* dsyev sorts ascending */
      if (i < k)
        {
          vals[i] = ev[src];
          for (gsize p = 0; p < d; p++)
            vecs[i * d + p] = a[p * d + src];
        }
      else
        rest += ev[src];
    }
  AdiffBundleData data = {
    .width = t->w, .height = t->h, .channels = t->c, .n_items = 1000,
    .mean = mean, .n_components = k, .eigenvalues = vals, .eigenvectors = vecs,
    .residual_variance = k < d ? rest / (d - k) : 0,
  };
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_new_from_data (&data, &error);
  g_assert_no_error (error);
  g_free (a); g_free (ev); g_free (vals); g_free (vecs);
  return b;
}

/* The covariance a compact bundle stands for: the k leading eigenpairs kept,
 * the other d−k directions given their mean variance r.  Equals cov when
 * keep is 0. */
static double *
compact_covariance (const double *cov, gsize d, guint keep)
{
  double *a = g_memdup2 (cov, d * d * sizeof (double));
  if (keep == 0)
    return a;
  double *ev = g_new (double, d);
  g_assert_cmpint (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'V', 'U', d, a, d, ev), ==, 0);
  double rest = 0;
  for (gsize i = 0; i < d - keep; i++)   /* ascending: the d−k smallest */
    rest += ev[i];
  rest /= d - keep;
  double *out = g_new0 (double, d * d);
  for (gsize i = 0; i < d; i++)
    {
      double l = i < d - keep ? rest : ev[i];
      for (gsize p = 0; p < d; p++)
        for (gsize q = 0; q < d; q++)
          out[p * d + q] += l * a[p * d + i] * a[q * d + i];
    }
  g_free (a);
  g_free (ev);
  return out;
}

/* x̂ = μ + C (C + σ²I)⁻¹ (z − μ), solved directly (Cholesky). */
static void
reference (const Case *t, const double *cov, const double *mean, const float *z,
           double *out)
{
  gsize d = (gsize) t->w * t->h * t->c;
  double *a = g_new (double, d * d);
  double *rhs = g_new (double, d);
  for (gsize i = 0; i < d * d; i++)
    a[i] = cov[i];
  for (gsize p = 0; p < d; p++)
    {
      a[p * d + p] += t->sigma * t->sigma;
      rhs[p] = z[p] - mean[p];
    }
  g_assert_cmpint (LAPACKE_dposv (LAPACK_ROW_MAJOR, 'U', d, 1, a, d, rhs, 1), ==, 0);
  for (gsize p = 0; p < d; p++)
    {
      double s = 0;
      for (gsize q = 0; q < d; q++)
        s += cov[p * d + q] * rhs[q];
      out[p] = mean[p] + s;
    }
  g_free (a);
  g_free (rhs);
}

static void
test_against_reference (gconstpointer data)
{
  const Case *t = data;
  gsize d = (gsize) t->w * t->h * t->c;
  double *cov = make_covariance (t->w, t->h, t->c, 0.04, 0.7);
  double *mean = g_new (double, d);
  GRand *rand = g_rand_new_with_seed (7);
  for (gsize p = 0; p < d; p++)
    mean[p] = 0.3 + 0.4 * g_rand_double (rand);
  AdiffBundle *b = bundle_from_covariance (t, cov, mean);

  AdiffParams params;
  adiff_params_init (&params);
  params.sigma = t->sigma;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &params, &error);
  g_assert_no_error (error);

  const gsize n = 5;
  float *z = g_new (float, n * d);
  float *x = g_new (float, n * d);
  for (gsize i = 0; i < n * d; i++)
    z[i] = (float) (mean[i % d] + g_rand_double_range (rand, -0.5, 0.5));
  g_assert_true (adiff_denoiser_apply (den, z, n, x, &error));
  g_assert_no_error (error);

  double *ref = g_new (double, d);
  double *model_cov = compact_covariance (cov, d, t->keep);
  for (gsize j = 0; j < n; j++)
    {
      reference (t, model_cov, mean, z + j * d, ref);
      for (gsize p = 0; p < d; p++)
        g_assert_cmpfloat_with_epsilon (x[j * d + p], ref[p], 1e-5);
    }

  /* Row q of W_σ must be the impulse response of the filter around μ. */
  double *row = g_new (double, d);
  gsize q = d / 2;
  adiff_wiener_row (b, t->sigma, q, row);
  for (gsize p = 0; p < d; p++)
    {
      float *e = g_new (float, d);
      for (gsize r = 0; r < d; r++)
        e[r] = (float) mean[r] + (r == p ? 1.0f : 0.0f);
      float *y = g_new (float, d);
      g_assert_true (adiff_denoiser_apply (den, e, 1, y, &error));
      g_assert_cmpfloat_with_epsilon (y[q] - mean[q], row[p], 1e-5);
      g_free (e);
      g_free (y);
    }

  g_free (model_cov); g_free (row); g_free (ref); g_free (z); g_free (x); g_free (mean); g_free (cov);
  g_rand_free (rand);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
}

/* σ → 0: the filter passes everything through (identity). */
static void
test_small_sigma_is_identity (void)
{
  Case t = { 4, 4, 1, 1e-5, 6 };
  gsize d = 16;
  double *cov = make_covariance (4, 4, 1, 0.04, 0.7);
  double mean[16];
  for (int i = 0; i < 16; i++)
    mean[i] = 0.5;
  AdiffBundle *b = bundle_from_covariance (&t, cov, mean);
  AdiffParams params;
  adiff_params_init (&params);
  params.sigma = t.sigma;
  AdiffDenoiser *den = adiff_denoiser_new (b, &params, NULL);
  float z[16], x[16];
  for (gsize p = 0; p < d; p++)
    z[p] = (float) (p % 5) / 4.0f;
  g_assert_true (adiff_denoiser_apply (den, z, 1, x, NULL));
  for (gsize p = 0; p < d; p++)
    g_assert_cmpfloat_with_epsilon (x[p], z[p], 1e-4);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  g_free (cov);
}

static void
test_bad_sigma (void)
{
  Case t = { 2, 2, 1, 0.1, 0 };
  double *cov = make_covariance (2, 2, 1, 0.04, 0.7);
  double mean[4] = { 0.5, 0.5, 0.5, 0.5 };
  AdiffBundle *b = bundle_from_covariance (&t, cov, mean);
  const double bad[] = { 0, -1, NAN, INFINITY, 1e30 };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      AdiffParams params;
      adiff_params_init (&params);
      params.sigma = bad[i];
      GError *error = NULL;
      g_assert_null (adiff_denoiser_new (b, &params, &error));
      g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  adiff_bundle_unref (b);
  g_free (cov);
}

static const Case cases[] = {
  { 4, 4, 1, 0.1, 0 },
  { 4, 4, 1, 0.5, 0 },
  { 3, 3, 3, 0.2, 0 },
  { 5, 4, 1, 0.1, 8 },       /* compact: 8 of 20 components + residual */
  { 3, 3, 3, 0.05, 10 },
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *path = g_strdup_printf ("/wiener/reference/%ux%ux%u-sigma%.2f-k%u",
                                    cases[i].w, cases[i].h, cases[i].c,
                                    cases[i].sigma, cases[i].keep);
      g_test_add_data_func (path, &cases[i], test_against_reference);
      g_free (path);
    }
  g_test_add_func ("/wiener/small-sigma-is-identity", test_small_sigma_is_identity);
  g_test_add_func ("/wiener/bad-sigma", test_bad_sigma);
  return g_test_run ();
}
