/* test-vst.c — the generalised Anscombe transform and its exact unbiased
 * inverse (core/noise/vst.c) against a brute-force double reference written
 * here: the forward transform against Mäkitalo and Foi's formula in long
 * double; the inverse against the definition, E[f(z) | x] summed over the
 * Poisson–Gaussian distribution (every Poisson count k, and for each the
 * Gaussian integral by a plain midpoint rule from the square root's zero),
 * for a grid of x and noise models from pure Poisson to nearly Gaussian. */
#include <math.h>
#include "adiff/adiff.h"

/* The x the inverse must recover to (absolute, [0,1] units). */
#define INVERSE_TOLERANCE 1e-6

typedef struct
{
  double a, b;
} Model;

/* f(z) − 2√a/b as M&F write it, in long double. */
static long double
ref_forward (Model m, double z)
{
  if (m.b == 0)
    return z / sqrtl (m.a);
  long double r = (long double) m.b * z + 0.375L * m.b * m.b + m.a;
  return 2.0L / m.b * (r > 0 ? sqrtl (r) : 0) - 2.0L * sqrtl (m.a) / m.b;
}

/* E[2√max(0, k + 3/8 + σ'² + σ'u)], u standard normal: midpoint rule over
 * [max(−12, zero of the root), 12]. */
static double
ref_gauss (double k, double sn)
{
  double c = k + 0.375 + sn * sn;
  if (sn == 0)
    return 2 * sqrt (c);
  double u0 = fmax (-12, -c / sn), sum = 0;
  int n = u0 > -12 ? 40000 : 4000;
  double h = (12 - u0) / n;
  for (int i = 0; i < n; i++)
    {
      double u = u0 + (i + 0.5) * h;
      sum += 2 * sqrt (fmax (0, c + sn * u)) * exp (-0.5 * u * u);
    }
  return sum * h / sqrt (2 * G_PI);
}

/* E[f(z) | x] − 2σ' in counts-based units (the API's shifted transform). */
static double
ref_expectation (Model m, double x)
{
  double y = x / m.b, sn = sqrt (m.a) / m.b, sum = 0;
  double reach = 15 * sqrt (y) + 40;
  int k0 = (int) fmax (0, floor (y - reach)), k1 = (int) ceil (y + reach);
  for (int k = k0; k <= k1; k++)
    {
      double pmf = y == 0 ? (k == 0) : exp (k * log (y) - y - lgamma (k + 1.0));
      if (pmf > 1e-300)
        sum += pmf * (ref_gauss (k, sn) - 2 * sn);
    }
  return sum;
}

static AdiffVst *
vst_of (Model m)
{
  AdiffNoiseModel nm = { m.a, m.b };
  GError *error = NULL;
  AdiffVst *vst = adiff_vst_new (&nm, &error);
  g_assert_no_error (error);
  return vst;
}

static void
test_forward (void)
{
  const Model models[] = { { 1e-4, 1e-2 }, { 0, 1e-2 }, { 4e-4, 2e-2 }, { 1e-4, 0 },
                           { 1e-2, 5e-5 }, { 1, 1 } };
  const double zs[] = { -0.5, -0.01, -0.001, 0, 1e-4, 0.01, 0.3, 0.999, 1.5 };
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      AdiffVst *vst = vst_of (models[i]);
      for (guint j = 0; j < G_N_ELEMENTS (zs); j++)
        {
          double got = adiff_vst_forward (vst, zs[j]);
          long double want = ref_forward (models[i], zs[j]);
          g_assert_cmpfloat (fabs (got - (double) want), <=, 1e-9 * (1 + fabsl (want)));
        }
      /* the σ the photo model sees: 1/(f(1) − f(0)), refused above 1 */
      AdiffNoiseModel nm = { models[i].a, models[i].b };
      double lo, hi, photo_sigma;
      GError *error = NULL;
      adiff_vst_range (vst, &lo, &hi);
      if (adiff_noise_model_photo_sigma (&nm, &photo_sigma, &error))
        {
          long double span = ref_forward (models[i], 1) - ref_forward (models[i], 0);
          g_assert_cmpfloat (fabs (photo_sigma * (double) span - 1), <=, 1e-9);
          g_assert_cmpfloat (fabs (photo_sigma * (hi - lo) - 1), <=, 1e-12);
        }
      else
        {
          g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
          g_assert_cmpfloat (hi - lo, <, 1);
          g_clear_error (&error);
        }
      adiff_vst_free (vst);
    }
}

/* The unit variance it promises, by Monte Carlo-free summation: the
 * variance of f(z) at x = 0.5 within 2 % of 1 for moderate noise. */
static double
ref_variance (Model m, double x)
{
  double y = x / m.b, sn = sqrt (m.a) / m.b, mean = 0, sq = 0;
  double reach = 15 * sqrt (y) + 40;
  for (int k = (int) fmax (0, y - reach); k <= (int) (y + reach); k++)
    {
      double pmf = exp (k * log (y) - y - lgamma (k + 1.0));
      double c = k + 0.375 + sn * sn;
      /* E[f²] = 4·E[max(0, c + σ'u)] = 4c when the zero is far */
      mean += pmf * ref_gauss (k, sn);
      sq += pmf * 4 * c;
    }
  return sq - mean * mean;
}

static void
test_unit_variance (void)
{
  const Model models[] = { { 1e-4, 1e-2 }, { 0, 1e-2 }, { 4e-4, 2e-2 }, { 1e-4, 1e-3 } };
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      double v = ref_variance (models[i], 0.5);
      g_test_message ("a = %g, b = %g: variance of f at x = 0.5: %.5f", models[i].a,
                      models[i].b, v);
      g_assert_cmpfloat (fabs (v - 1), <=, 0.02);
    }
}

static void
test_inverse (void)
{
  /* σ' = √a/b: 1, 0, 1, 1, 10, 100 (above the table's 1000 counts from
   * x = 0.1), 2000 (no table) */
  const Model models[] = { { 1e-4, 1e-2 }, { 0, 1e-2 }, { 4e-4, 2e-2 }, { 1e-6, 1e-3 },
                           { 1e-4, 1e-3 }, { 1e-4, 1e-4 }, { 1e-2, 5e-5 } };
  const double xs[] = { 0, 1e-4, 5e-4, 0.002, 0.005, 0.01, 0.03, 0.1, 0.25, 0.5, 0.8, 1 };
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      Model m = models[i];
      AdiffVst *vst = vst_of (m);
      double worst = 0, at = 0;
      for (guint j = 0; j < G_N_ELEMENTS (xs); j++)
        {
          if (m.b < 1e-4 && xs[j] > 0.1)
            continue;            /* 20 000 counts and more: the sum gets slow */
          double x = adiff_vst_inverse (vst, ref_expectation (m, xs[j]));
          if (fabs (x - xs[j]) > worst)
            worst = fabs (x - xs[j]), at = xs[j];
        }
      g_test_message ("a = %g, b = %g: worst |xhat - x| = %.3g at x = %g", m.a, m.b, worst, at);
      g_assert_cmpfloat (worst, <=, INVERSE_TOLERANCE);
      adiff_vst_free (vst);
    }
}

/* Gaussian noise (b = 0): the transform is z/√a, its inverse is exact. */
static void
test_gaussian_limit (void)
{
  AdiffVst *vst = vst_of ((Model) { 4e-4, 0 });
  for (double x = 0; x <= 1; x += 0.125)
    g_assert_cmpfloat (fabs (adiff_vst_inverse (vst, adiff_vst_forward (vst, x)) - x), <=, 1e-12);
  g_assert_cmpfloat (adiff_vst_inverse (vst, -3), ==, 0);
  adiff_vst_free (vst);
}

static void
test_inverse_edges (void)
{
  AdiffVst *vst = vst_of ((Model) { 1e-4, 1e-2 });
  g_assert_cmpfloat (adiff_vst_inverse (vst, -1e9), ==, 0);
  g_assert_cmpfloat (adiff_vst_inverse (vst, NAN), ==, 0);
  double prev = -1;
  for (double d = -2; d < 30; d += 0.01)   /* monotone across the table's end */
    {
      double x = adiff_vst_inverse (vst, d);
      g_assert_cmpfloat (x, >=, prev);
      prev = x;
    }
  adiff_vst_free (vst);
}

static void
test_bad_models (void)
{
  const Model bad[] = { { NAN, 0.01 }, { 1e-4, INFINITY }, { -1e-4, 0.01 }, { 1e-4, -0.01 },
                        { 1.5, 0 }, { 0, 2 }, { 0, 0 } };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      AdiffNoiseModel nm = { bad[i].a, bad[i].b };
      GError *error = NULL;
      g_assert_null (adiff_vst_new (&nm, &error));
      g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", error->message);
      g_clear_error (&error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/noise/vst/forward", test_forward);
  g_test_add_func ("/noise/vst/unit-variance", test_unit_variance);
  g_test_add_func ("/noise/vst/inverse-exact-unbiased", test_inverse);
  g_test_add_func ("/noise/vst/gaussian-limit", test_gaussian_limit);
  g_test_add_func ("/noise/vst/inverse-edges", test_inverse_edges);
  g_test_add_func ("/noise/vst/bad-models", test_bad_models);
  return g_test_run ();
}
