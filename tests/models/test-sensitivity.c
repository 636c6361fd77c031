/* test-sensitivity.c — sensitivity fields against central finite
 * differences of the brute-force double references (synth.c) and of the
 * library's own float output; Wiener rows and their σ → 0 limit. */
#include "synth.h"

typedef struct
{
  const char *name;
  AdiffMethod method;
  guint w, h, c, n;
  double sigma, tau;
  guint patch;
  gboolean equivariant;
} Case;

static const Case cases[] = {
  { "optimal-gray",     ADIFF_METHOD_OPTIMAL,  4, 3, 1, 40, 0.3,  0.02, 0, TRUE },
  { "optimal-rgb",      ADIFF_METHOD_OPTIMAL,  3, 3, 3, 30, 0.5,  0.02, 0, TRUE },
  { "analytic-gray",    ADIFF_METHOD_ANALYTIC, 4, 4, 1, 40, 0.2,  0.1,  0, TRUE },
  { "analytic-rgb",     ADIFF_METHOD_ANALYTIC, 3, 3, 3, 30, 0.3,  0.05, 0, TRUE },
  { "patch-equi",       ADIFF_METHOD_PATCH,    4, 4, 1, 10, 0.3,  0.02, 3, TRUE },
  { "patch-local-rgb",  ADIFF_METHOD_PATCH,    3, 3, 3, 20, 0.4,  0.02, 3, FALSE },
};

static void
reference (const Case *tc, AdiffBundle *b, const float *z, double *out)
{
  switch (tc->method)
    {
    case ADIFF_METHOD_OPTIMAL:  ref_optimal (b, tc->sigma, z, out); break;
    case ADIFF_METHOD_ANALYTIC: ref_analytic (b, tc->sigma, tc->tau, z, out); break;
    case ADIFF_METHOD_PATCH:    ref_patch (b, tc->sigma, tc->patch, tc->equivariant, z, out); break;
    default: g_assert_not_reached ();
    }
}

static void
test_case (gconstpointer data)
{
  const Case *tc = data;
  AdiffBundle *b = synth_bundle (tc->w, tc->h, tc->c, tc->n, 0, 31);
  gsize d = b->dim;
  AdiffParams p;
  adiff_params_init (&p);
  p.method = tc->method;
  p.sigma = tc->sigma;
  p.tau = tc->tau;
  p.patch_size = tc->patch;
  p.equivariant = tc->equivariant;
  p.exact = TRUE;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, NULL);
  float *z = g_new (float, d), *zp = g_new (float, d), *zm = g_new (float, d);
  float *xp = g_new (float, d), *xm = g_new (float, d);
  double *field = g_new (double, d), *rp = g_new (double, d), *rm = g_new (double, d);
  synth_noisy (b, tc->sigma, 77, z);
  double worst = 0, worst_lib = 0, scale = 0;
  for (gsize q = 0; q < d; q += 1 + d / 7)
    {
      g_assert_true (adiff_sensitivity (den, z, q, field, NULL));
      for (gsize pp = 0; pp < d; pp++)
        scale = MAX (scale, fabs (field[pp]));
      for (gsize pp = 0; pp < d; pp++)
        {
          memcpy (zp, z, d * sizeof (float));
          memcpy (zm, z, d * sizeof (float));
          zp[pp] += 1e-3f;
          zm[pp] -= 1e-3f;
          double h2 = (double) zp[pp] - zm[pp];
          reference (tc, b, zp, rp);
          reference (tc, b, zm, rm);
          worst = MAX (worst, fabs ((rp[q] - rm[q]) / h2 - field[pp]));
          g_assert_true (adiff_denoiser_apply (den, zp, 1, xp, NULL));
          g_assert_true (adiff_denoiser_apply (den, zm, 1, xm, NULL));
          worst_lib = MAX (worst_lib, fabs (((double) xp[q] - xm[q]) / h2 - field[pp]));
        }
    }
  g_test_message ("%s: |J| ≤ %g, error vs double FD %g, vs library FD %g",
                  tc->name, scale, worst, worst_lib);
  g_assert_cmpfloat (scale, >, 1e-3);     /* a field that is not all zero */
  g_assert_cmpfloat (worst, <=, 1e-3 * MAX (scale, 1.0));
  g_assert_cmpfloat (worst_lib, <=, 2e-3 * MAX (scale, 1.0));
  g_free (z); g_free (zp); g_free (zm); g_free (xp); g_free (xm);
  g_free (field); g_free (rp); g_free (rm);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
}

/* The analytic field is zero outside M_q. */
static void
test_analytic_support (void)
{
  AdiffBundle *b = synth_bundle (5, 5, 1, 30, 0, 3);
  gsize d = b->dim;
  AdiffParams p;
  adiff_params_init (&p);
  p.method = ADIFF_METHOD_ANALYTIC;
  p.sigma = 0.05;
  p.tau = 0.1;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, NULL);
  float *z = g_new (float, d);
  double *field = g_new (double, d);
  guint8 *mask = g_new (guint8, d);
  synth_noisy (b, p.sigma, 5, z);
  gsize q = 12;
  g_assert_true (adiff_sensitivity (den, z, q, field, NULL));
  g_assert_true (adiff_analytic_mask (b, p.sigma, p.tau, q, mask, NULL));
  gsize outside = 0;
  for (gsize pp = 0; pp < d; pp++)
    if (!mask[pp])
      {
        outside++;
        g_assert_cmpfloat (field[pp], ==, 0.0);
      }
  g_assert_cmpuint (outside, >, 0);
  g_free (z); g_free (field); g_free (mask);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
}

/* Wiener: the field is row q of W_σ and the denoiser's exact derivative;
 * as σ → 0 it tends to the unit vector e_q (full and compact bundles). */
static void
test_wiener (void)
{
  for (guint k = 0; k <= 10; k += 10)
    {
      AdiffBundle *b = synth_bundle (4, 4, 3, 3, k, 9);
      gsize d = b->dim;
      AdiffParams p;
      adiff_params_init (&p);
      p.sigma = 0.1;
      AdiffDenoiser *den = adiff_denoiser_new (b, &p, NULL);
      double *field = g_new (double, d), *w = ref_wiener_matrix (b, p.sigma);
      float *z = g_new0 (float, d), *x0 = g_new (float, d), *x1 = g_new (float, d);
      g_assert_true (adiff_denoiser_apply (den, z, 1, x0, NULL));
      for (gsize q = 0; q < d; q += 5)
        {
          g_assert_true (adiff_sensitivity (den, NULL, q, field, NULL));
          for (gsize pp = 0; pp < d; pp++)
            g_assert_cmpfloat (fabs (field[pp] - w[q * d + pp]), <, 1e-9);
          /* Linear: one-sided difference with a unit step is exact (float). */
          z[q] = 1.0f;
          g_assert_true (adiff_denoiser_apply (den, z, 1, x1, NULL));
          z[q] = 0.0f;
          for (gsize pp = 0; pp < d; pp++)
            g_assert_cmpfloat (fabs ((x1[pp] - x0[pp]) - w[pp * d + q]), <, 1e-5);
        }
      for (gsize q = 0; q < d; q++)
        {
          adiff_wiener_row (b, 1e-6, q, field);
          for (gsize pp = 0; pp < d; pp++)
            g_assert_cmpfloat (fabs (field[pp] - (pp == q)), <, 1e-6);
        }
      GError *error = NULL;
      g_assert_false (adiff_sensitivity (den, NULL, d, field, &error));
      g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      g_free (field); g_free (w); g_free (z); g_free (x0); g_free (x1);
      adiff_denoiser_free (den);
      adiff_bundle_unref (b);
    }
}

static void
test_needs_input (void)
{
  AdiffBundle *b = synth_bundle (3, 3, 1, 5, 0, 1);
  AdiffParams p;
  adiff_params_init (&p);
  p.method = ADIFF_METHOD_OPTIMAL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, NULL);
  double field[9];
  GError *error = NULL;
  g_assert_false (adiff_sensitivity (den, NULL, 0, field, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  float z[9] = { 0, 0, NAN, 0, 0, 0, 0, 0, 0 };
  g_assert_false (adiff_sensitivity (den, z, 0, field, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC);
  g_clear_error (&error);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *path = g_strdup_printf ("/sensitivity/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_case);
      g_free (path);
    }
  g_test_add_func ("/sensitivity/analytic-support", test_analytic_support);
  g_test_add_func ("/sensitivity/wiener", test_wiener);
  g_test_add_func ("/sensitivity/needs-input", test_needs_input);
  return g_test_run ();
}
