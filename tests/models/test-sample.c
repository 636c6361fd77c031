/* test-sample.c — the DDPM σ(t) schedule and the DDIM sampler. */
#include "synth.h"

/* σ(t) from its definition, with a plain product of (1 − β). */
static double
closed_sigma (guint t)
{
  long double ab = 1;
  for (guint s = 0; s <= t; s++)
    ab *= 1.0L - (1e-4L + (0.02L - 1e-4L) * s / 999.0L);
  return (double) (0.5L * sqrtl ((1 - ab) / ab));
}

static void
test_sigma_schedule (void)
{
  static const guint ts[] = { 0, 1, 10, 100, 250, 500, 999 };
  for (guint i = 0; i < G_N_ELEMENTS (ts); i++)
    {
      double want = closed_sigma (ts[i]), got = adiff_ddpm_sigma (ts[i]);
      g_assert_cmpfloat (fabs (got - want), <=, 1e-9 * MAX (1.0, want));
      g_assert_cmpuint (adiff_ddpm_t_for_sigma (got), ==, ts[i]);
    }
  /* t = 0: β₀ = 1e-4 gives σ = ½√(β₀/(1−β₀)). */
  g_assert_cmpfloat (fabs (adiff_ddpm_sigma (0) - 0.5 * sqrt (1e-4 / (1 - 1e-4))), <, 1e-12);
  for (guint t = 1; t < ADIFF_DDPM_T; t++)
    g_assert_cmpfloat (adiff_ddpm_sigma (t), >, adiff_ddpm_sigma (t - 1));
  g_assert_cmpuint (adiff_ddpm_t_for_sigma (1e-9), ==, 0);
  g_assert_cmpuint (adiff_ddpm_t_for_sigma (1e9), ==, ADIFF_DDPM_T - 1);
  /* 25/255 on the 0–255 scale sits between its two neighbours. */
  guint t = adiff_ddpm_t_for_sigma (25.0 / 255);
  g_assert_cmpfloat (fabs (adiff_ddpm_sigma (t) - 25.0 / 255), <=,
                     fabs (adiff_ddpm_sigma (t + 1) - 25.0 / 255));
  g_assert_cmpfloat (fabs (adiff_ddpm_sigma (t) - 25.0 / 255), <=,
                     fabs (adiff_ddpm_sigma (t - 1) - 25.0 / 255));
}

static void
sample_one (AdiffBundle *b, AdiffMethod method, guint64 seed, double eta, float *out)
{
  AdiffParams m;
  adiff_params_init (&m);
  m.method = method;
  AdiffSampleParams sp;
  adiff_sample_params_init (&sp);
  g_assert_cmpuint (sp.steps, ==, 10);
  g_assert_cmpfloat (sp.eta, ==, 0.0);
  sp.seed = seed;
  sp.eta = eta;
  GError *error = NULL;
  g_assert_true (adiff_sample (b, &m, &sp, out, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_seeded (void)
{
  AdiffBundle *b = synth_bundle (4, 3, 1, 50, 0, 5);
  gsize d = b->dim;
  for (int eta = 0; eta <= 1; eta++)
    {
      float a[12], a2[12], c[12];
      sample_one (b, ADIFF_METHOD_OPTIMAL, 42, eta, a);
      sample_one (b, ADIFF_METHOD_OPTIMAL, 42, eta, a2);
      sample_one (b, ADIFF_METHOD_OPTIMAL, 43, eta, c);
      g_assert_cmpmem (a, sizeof a, a2, sizeof a2);
      g_assert_false (memcmp (a, c, sizeof a) == 0);
      for (gsize p = 0; p < d; p++)
        g_assert_true (isfinite (a[p]));
    }
  adiff_bundle_unref (b);
}

/* With the Wiener model of a Gaussian, DDIM draws from (nearly) that
 * Gaussian: the empirical mean of K samples is within 5 standard errors
 * of μ in every coordinate, and the spread is of the right order. */
static void
test_wiener_gaussian (gconstpointer data)
{
  double eta = *(const double *) data;
  AdiffBundle *b = synth_bundle (4, 3, 1, 10, 0, 9);
  gsize d = b->dim;
  enum { K = 300 };
  double *sum = g_new0 (double, d), *sq = g_new0 (double, d);
  float x[12];
  for (guint s = 0; s < K; s++)
    {
      sample_one (b, ADIFF_METHOD_WIENER, 1000 + s, eta, x);
      for (gsize p = 0; p < d; p++)
        {
          sum[p] += x[p];
          sq[p] += (double) x[p] * x[p];
        }
    }
  g_test_message ("η = %g: variance of coordinate 0 is %g (true 0.02)", eta,
                  sq[0] / K - (sum[0] / K) * (sum[0] / K));
  for (gsize p = 0; p < d; p++)
    {
      double mean = sum[p] / K, var = sq[p] / K - mean * mean;
      double sd_true = sqrt (0.02);  /* the synthetic marginal variance */
      g_assert_cmpfloat (fabs (mean - b->mean[p]), <=, 5 * sd_true / sqrt (K));
      /* Ten DDIM steps under-disperse a Gaussian (the last step from
       * σ ≈ 0.17 is a posterior mean): the exact recursion gives a
       * variance ratio of about 0.36 at η = 0. */
      g_assert_cmpfloat (var, >, 0.15 * 0.02);
      g_assert_cmpfloat (var, <, 1.5 * 0.02);
    }
  g_free (sum);
  g_free (sq);
  adiff_bundle_unref (b);
}

static void
test_bad_params (void)
{
  AdiffBundle *b = synth_bundle (3, 3, 1, 5, 0, 1);
  AdiffParams m;
  adiff_params_init (&m);
  AdiffSampleParams sp;
  adiff_sample_params_init (&sp);
  float out[9];
  GError *error = NULL;
  sp.steps = 0;
  g_assert_false (adiff_sample (b, &m, &sp, out, NULL, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  sp.steps = 10;
  sp.eta = -1;
  g_assert_false (adiff_sample (b, &m, &sp, out, NULL, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  adiff_bundle_unref (b);
}

/* A batch: window 0 is adiff_sample's window for the seed (η = 0), the
 * others are new samples. */
static void
test_windows (void)
{
  AdiffBundle *b = synth_bundle (4, 3, 1, 50, 0, 5);
  gsize d = b->dim;
  AdiffParams m;
  AdiffSampleParams sp;
  float one[12], batch[3 * 12];
  GError *error = NULL;

  adiff_params_init (&m);
  m.method = ADIFF_METHOD_ANALYTIC;
  adiff_sample_params_init (&sp);
  sp.seed = 11;
  g_assert_true (adiff_sample (b, &m, &sp, one, NULL, NULL, &error));
  g_assert_true (adiff_sample_windows (b, &m, &sp, 3, batch, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (one, sizeof one, batch, sizeof one);
  g_assert_false (memcmp (batch, batch + d, d * sizeof (float)) == 0);
  g_assert_false (memcmp (batch + d, batch + 2 * d, d * sizeof (float)) == 0);
  adiff_bundle_unref (b);
}

/* An image larger than the window: reproducible by seed, finite, about
 * the bundle's mean level; an empty size is refused. */
static void
test_image (void)
{
  AdiffBundle *b = synth_bundle (4, 3, 1, 50, 0, 5);
  enum { W = 13, H = 9, N = W * H };
  AdiffParams m;
  AdiffSampleParams sp;
  float a[N], a2[N], c[N];
  double sum = 0, mean = 0;
  GError *error = NULL;

  adiff_params_init (&m);
  m.method = ADIFF_METHOD_WIENER;
  adiff_sample_params_init (&sp);
  sp.seed = 3;
  g_assert_true (adiff_sample_image (b, &m, &sp, W, H, a, NULL, NULL, &error));
  g_assert_true (adiff_sample_image (b, &m, &sp, W, H, a2, NULL, NULL, &error));
  sp.seed = 4;
  g_assert_true (adiff_sample_image (b, &m, &sp, W, H, c, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (a, sizeof a, a2, sizeof a2);
  g_assert_false (memcmp (a, c, sizeof a) == 0);
  for (gsize p = 0; p < N; p++)
    {
      g_assert_true (isfinite (a[p]));
      sum += a[p];
    }
  for (gsize p = 0; p < b->dim; p++)
    mean += b->mean[p] / b->dim;
  g_assert_cmpfloat (fabs (sum / N - mean), <, 0.1);
  g_assert_false (adiff_sample_image (b, &m, &sp, 0, H, a, NULL, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  adiff_bundle_unref (b);
}

int
main (int argc, char **argv)
{
  static const double eta0 = 0, eta1 = 1;
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sample/sigma-schedule", test_sigma_schedule);
  g_test_add_func ("/sample/seeded", test_seeded);
  g_test_add_data_func ("/sample/wiener-gaussian-ddim", &eta0, test_wiener_gaussian);
  g_test_add_data_func ("/sample/wiener-gaussian-eta1", &eta1, test_wiener_gaussian);
  g_test_add_func ("/sample/bad-params", test_bad_params);
  g_test_add_func ("/sample/windows", test_windows);
  g_test_add_func ("/sample/image", test_image);
  return g_test_run ();
}
