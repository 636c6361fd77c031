/* test-patch.c — the patch baseline (Kamb & Ganguli) against a brute-force
 * double reference; non-equivariant with k ≥ 2·window−1 is the optimal
 * denoiser; the calibrated default patch size. */
#include "synth.h"
#include "models/models-private.h"

typedef struct
{
  const char *name;
  guint w, h, c, n, k;
  double sigma;
  gboolean equivariant;
  guint windows;
} Case;

static const Case cases[] = {
  { "gray-equi-k3",   5, 4, 1,  20, 3, 0.1,  TRUE,  2 },
  { "gray-equi-k5",   5, 4, 1,  30, 5, 0.2,  TRUE,  1 },
  { "gray-equi-k1",   4, 4, 1,  10, 1, 0.05, TRUE,  1 },
  { "rgb-equi-k3",    4, 4, 3,  15, 3, 0.15, TRUE,  2 },
  { "gray-local-k3",  5, 4, 1,  40, 3, 0.1,  FALSE, 3 },
  { "rgb-local-k5",   4, 4, 3,  40, 5, 0.3,  FALSE, 2 },
  { "gray-blocks",   16, 16, 1, 40, 3, 0.2,  TRUE, 20 },  /* > 1 exemplar and window block */
  /* Local: more exemplars than a block (1 024), more windows than a pass
   * (64), an odd width. */
  { "gray-local-blocks", 9, 7, 1, 1100, 5, 0.2, FALSE, 70 },
  { "rgb-local-blocks",   7, 6, 3, 130, 3, 0.1, FALSE, 66 },
  /* Rows in three bands (of 8) whose patches reach across the bands'
   * edges, a sub-block (64 exemplars) and part of one. */
  { "rgb-local-bands",    6, 19, 3, 70, 7, 0.15, FALSE, 3 },
  { "rgb-equi-bands",     5, 17, 3, 70, 5, 0.15, TRUE,  2 },
};

static AdiffDenoiser *
make (AdiffBundle *b, AdiffMethod m, double sigma, guint k, gboolean equi)
{
  AdiffParams p;
  adiff_params_init (&p);
  p.method = m;
  p.sigma = sigma;
  p.patch_size = k;
  p.equivariant = equi;
  p.exact = TRUE;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  g_assert_no_error (error);
  return den;
}

static void
test_case (gconstpointer data)
{
  const Case *tc = data;
  AdiffBundle *b = synth_bundle (tc->w, tc->h, tc->c, tc->n, 0, 13);
  gsize d = b->dim;
  AdiffDenoiser *den = make (b, ADIFF_METHOD_PATCH, tc->sigma, tc->k, tc->equivariant);
  float *z = g_new (float, tc->windows * d), *x = g_new (float, tc->windows * d);
  double *ref = g_new (double, d);
  for (guint j = 0; j < tc->windows; j++)
    synth_noisy (b, tc->sigma, 400 + j, z + j * d);
  g_assert_true (adiff_denoiser_apply (den, z, tc->windows, x, NULL));
  /* The first windows and the last (of the last pass). */
  for (guint k = 0; k < MIN (tc->windows, 3u); k++)
    {
      guint j = k < 2 ? k : tc->windows - 1;
      ref_patch (b, tc->sigma, tc->k, tc->equivariant, z + j * d, ref);
      double err = max_abs_diff (x + j * d, ref, d);
      g_test_message ("%s window %u: max error %g", tc->name, j, err);
      g_assert_cmpfloat (err, <=, 1e-5);
    }
  g_free (z); g_free (x); g_free (ref);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
}

static void
test_large_local_is_optimal (void)
{
  AdiffBundle *b = synth_bundle (4, 3, 3, 60, 0, 17);
  gsize d = b->dim;
  for (guint k = 7; k <= 9; k += 2)   /* 2·4 − 1 = 7, and beyond */
    for (double sigma = 0.05; sigma < 1; sigma *= 3)
      {
        AdiffDenoiser *pa = make (b, ADIFF_METHOD_PATCH, sigma, k, FALSE);
        AdiffDenoiser *op = make (b, ADIFF_METHOD_OPTIMAL, sigma, 0, TRUE);
        float *z = g_new (float, d), *xp = g_new (float, d), *xo = g_new (float, d);
        synth_noisy (b, sigma, 7, z);
        g_assert_true (adiff_denoiser_apply (pa, z, 1, xp, NULL));
        g_assert_true (adiff_denoiser_apply (op, z, 1, xo, NULL));
        for (gsize q = 0; q < d; q++)
          g_assert_cmpfloat (fabs (xp[q] - xo[q]), <=, 1e-5);
        g_free (z); g_free (xp); g_free (xo);
        adiff_denoiser_free (pa);
        adiff_denoiser_free (op);
      }
  adiff_bundle_unref (b);
}

static void
test_default_size (void)
{
  g_assert_cmpuint (adiff__patch_default_size (0.001), ==, 3);
  g_assert_cmpuint (adiff__patch_default_size (100), ==, 25);
  guint prev = 0;
  for (double s = 0.001; s < 100; s *= 1.1)
    {
      guint k = adiff__patch_default_size (s);
      g_assert_cmpuint (k % 2, ==, 1);
      g_assert_cmpuint (k, >=, prev);
      prev = k;
    }
  /* Patch size 0 = the default; an even size is refused. */
  AdiffBundle *b = synth_bundle (4, 4, 1, 5, 0, 1);
  AdiffParams p;
  adiff_params_init (&p);
  p.method = ADIFF_METHOD_PATCH;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, NULL);
  g_assert_nonnull (den);
  adiff_denoiser_free (den);
  p.patch_size = 4;
  GError *error = NULL;
  g_assert_null (adiff_denoiser_new (b, &p, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  adiff_bundle_unref (b);
}

/* Absurdly large (finite) input: logits of order 10³⁰, far apart; the
 * result must still be a weighted average of exemplar pixels (finite,
 * within their range), not 0/0. */
static void
test_huge_input (void)
{
  AdiffBundle *b = synth_bundle (6, 6, 1, 20, 0, 41);
  gsize d = b->dim;
  float *z = g_new (float, d), *x = g_new (float, d);
  synth_noisy (b, 0.1, 7, z);
  for (gsize p = 0; p < d; p++)
    z[p] *= 1e15f;
  for (int equi = 0; equi <= 1; equi++)
    {
      AdiffDenoiser *den = make (b, ADIFF_METHOD_PATCH, 0.1, 3, equi);
      g_assert_true (adiff_denoiser_apply (den, z, 1, x, NULL));
      for (gsize p = 0; p < d; p++)
        {
          g_assert_true (isfinite (x[p]));
          g_assert_cmpfloat (fabs (x[p]), <, 100.0);
        }
      adiff_denoiser_free (den);
    }
  g_free (z); g_free (x);
  adiff_bundle_unref (b);
}

/* Rows and windows split over workers give each pixel the same arithmetic
 * as one worker; fast mode is the same computation as exact mode (double
 * box sums, nothing to refine). */
static void
test_threads_and_fast (void)
{
  enum { NW = 20 };
  AdiffBundle *b = synth_bundle (16, 16, 1, 40, 0, 13);
  gsize d = b->dim;
  float *z = g_new (float, NW * d), *x[3];
  for (guint j = 0; j < NW; j++)
    synth_noisy (b, 0.2, 900 + j, z + j * d);
  for (int equi = 0; equi <= 1; equi++)
    {
      for (int v = 0; v < 3; v++)
        {
          AdiffParams p;
          adiff_params_init (&p);
          p.method = ADIFF_METHOD_PATCH;
          p.sigma = 0.2;
          p.patch_size = 3;
          p.equivariant = equi;
          p.exact = v < 2;
          p.n_threads = v == 0 ? 1 : 2;
          AdiffDenoiser *den = adiff_denoiser_new (b, &p, NULL);
          x[v] = g_new (float, NW * d);
          g_assert_true (adiff_denoiser_apply (den, z, NW, x[v], NULL));
          adiff_denoiser_free (den);
        }
      g_assert_cmpfloat (max_abs_diff_f (x[0], x[1], NW * d), ==, 0.0);
      double fast = max_abs_diff_f (x[1], x[2], NW * d);
      g_test_message ("%s: max |fast − exact| %g", equi ? "equivariant" : "local", fast);
      g_assert_cmpfloat (fast, ==, 0.0);
      for (int v = 0; v < 3; v++)
        g_free (x[v]);
    }
  g_free (z);
  adiff_bundle_unref (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *path = g_strdup_printf ("/patch/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_case);
      g_free (path);
    }
  g_test_add_func ("/patch/large-local-is-optimal", test_large_local_is_optimal);
  g_test_add_func ("/patch/default-size", test_default_size);
  g_test_add_func ("/patch/huge-input", test_huge_input);
  g_test_add_func ("/patch/threads-and-fast", test_threads_and_fast);
  return g_test_run ();
}
