/* test-optimal.c — the optimal denoiser (eq. 3) against a brute-force
 * double reference, in exact and fast mode, across batch and block sizes. */
#include "synth.h"

typedef struct
{
  const char *name;
  guint w, h, c, n, k;
  double sigma;
  gboolean exact;
  guint windows;
  double tol;
} Case;

static const Case cases[] = {
  { "gray-4x3-low",    4, 3, 1,   60,  0, 0.05, TRUE,  3, 1e-5 },
  { "gray-4x3-mid",    4, 3, 1,  200,  0, 0.2,  TRUE,  5, 1e-5 },
  { "rgb-4x4-low",     4, 4, 3,  120,  0, 0.03, TRUE,  2, 1e-5 },
  { "rgb-4x4-high",    4, 4, 3,  120, 10, 1.0,  TRUE,  2, 1e-5 },
  { "gray-blocks",     4, 3, 1, 2500,  0, 0.1,  TRUE, 70, 1e-5 },  /* > 1 block, > 1 batch */
  { "rgb-4x4-fast",    4, 4, 3,  120,  0, 0.2,  FALSE, 2, 1e-4 },
};

static void
test_case (gconstpointer data)
{
  const Case *tc = data;
  AdiffBundle *b = synth_bundle (tc->w, tc->h, tc->c, tc->n, tc->k, 7);
  gsize d = b->dim;
  AdiffParams p;
  adiff_params_init (&p);
  p.method = ADIFF_METHOD_OPTIMAL;
  p.sigma = tc->sigma;
  p.exact = tc->exact;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  g_assert_no_error (error);
  float *z = g_new (float, tc->windows * d), *x = g_new (float, tc->windows * d);
  for (guint j = 0; j < tc->windows; j++)
    synth_noisy (b, tc->sigma, 100 + j, z + j * d);
  g_assert_true (adiff_denoiser_apply (den, z, tc->windows, x, &error));
  g_assert_no_error (error);
  double *ref = g_new (double, d);
  for (guint j = 0; j < tc->windows; j++)
    {
      ref_optimal (b, tc->sigma, z + j * d, ref);
      double err = max_abs_diff (x + j * d, ref, d);
      g_test_message ("%s window %u: max error %g", tc->name, j, err);
      g_assert_cmpfloat (err, <=, tc->tol);
    }
  /* In place gives the same result. */
  float *y = g_memdup2 (z, tc->windows * d * sizeof (float));
  g_assert_true (adiff_denoiser_apply (den, y, tc->windows, y, &error));
  g_assert_cmpmem (y, tc->windows * d * sizeof (float), x, tc->windows * d * sizeof (float));
  g_free (y);
  g_free (ref); g_free (z); g_free (x);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
}

/* A single exemplar: the output is that exemplar whatever z is. */
static void
test_single_exemplar (void)
{
  AdiffBundle *b = synth_bundle (3, 3, 1, 1, 0, 3);
  AdiffParams p;
  adiff_params_init (&p);
  p.method = ADIFF_METHOD_OPTIMAL;
  p.sigma = 0.01;
  p.exact = TRUE;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, NULL);
  float z[9], x[9];
  synth_noisy (b, 0.5, 1, z);
  g_assert_true (adiff_denoiser_apply (den, z, 1, x, NULL));
  for (int q = 0; q < 9; q++)
    g_assert_cmpfloat_with_epsilon (x[q], b->exemplars[q], 1e-6);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *path = g_strdup_printf ("/optimal/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_case);
      g_free (path);
    }
  g_test_add_func ("/optimal/single-exemplar", test_single_exemplar);
  return g_test_run ();
}
