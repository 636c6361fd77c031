/* test-bad-params.c — bad-input matrix, library side: bundle contents built
 * in memory, denoiser parameters and image geometry.
 *
 * Every case starts from one valid scenario (a 4×4 gray or RGB bundle with
 * an orthonormal DCT basis, exemplars, an 8×6 image), changes one thing,
 * and runs the whole path: adiff_bundle_new_from_data → adiff_denoiser_new
 * → adiff_denoise_image.  It asserts the exact GError (ADIFF_ERROR domain
 * and code) at whichever step must refuse, or success with finite output
 * for the shapes the API promises to handle (1×1, smaller than the
 * window); and in every case that the input image is left unchanged.
 */
#include <math.h>
#include "adiff/adiff.h"

#define W 4
#define H 4
#define N_EX 5
#define OK (-1)

typedef struct
{
  guint   w, h, c;            /* bundle window */
  guint   k;                  /* components */
  double  mean[W * H * 3];
  double  eval[W * H * 3];
  double  evec[W * H * 3 * W * H * 3];
  double  residual;
  guint   n_ex;
  float   ex[N_EX * W * H * 3];
  AdiffParams params;
  guint   img_w, img_h, img_c;
  float   poison;             /* value written at pixel 0 (0 = none) */
} Scenario;

typedef struct
{
  const char *name;
  void      (*mutate) (Scenario *s);
  int         code;           /* expected AdiffError, or OK */
} Case;

static void
scenario_init (Scenario *s, guint c)
{
  memset (s, 0, sizeof *s);
  s->w = W; s->h = H; s->c = c;
  gsize d = W * H * c;
  s->k = d;
  for (gsize p = 0; p < d; p++)
    s->mean[p] = 0.5;
  for (gsize i = 0; i < d; i++)
    {
      s->eval[i] = 0.1 / (i + 1);
      for (gsize p = 0; p < d; p++)
        s->evec[i * d + p] = (i == 0 ? sqrt (1.0 / d) : sqrt (2.0 / d)) *
                             cos (G_PI * i * (p + 0.5) / d);
    }
  s->n_ex = N_EX;
  for (gsize j = 0; j < N_EX * d; j++)
    s->ex[j] = (float) ((j * 37 % 256) / 255.0);
  adiff_params_init (&s->params);
  s->params.n_threads = 1;
  s->img_w = 8; s->img_h = 6; s->img_c = c;
}

/* ---- the mutations --------------------------------------------------------- */

static void sigma_zero (Scenario *s)      { s->params.sigma = 0; }
static void sigma_negative (Scenario *s)  { s->params.sigma = -25.0 / 255; }
static void sigma_nan (Scenario *s)       { s->params.sigma = NAN; }
static void sigma_inf (Scenario *s)       { s->params.sigma = INFINITY; }
static void sigma_huge (Scenario *s)      { s->params.sigma = 1e30 / 255; }
static void sigma_tiny (Scenario *s)      { s->params.sigma = 1e-30; }
static void tau_zero (Scenario *s)        { s->params.tau = 0; }
static void tau_two (Scenario *s)         { s->params.tau = 2; }
static void tau_nan (Scenario *s)         { s->params.tau = NAN; }
static void overlap_one (Scenario *s)     { s->params.overlap = 1; }
static void overlap_huge (Scenario *s)    { s->params.overlap = ADIFF_MAX_OVERLAP + 1; }
static void overlap_max (Scenario *s)     { s->params.overlap = ADIFF_MAX_OVERLAP; }
static void method_unknown (Scenario *s)  { s->params.method = (AdiffMethod) 99; }
static void patch_even (Scenario *s)      { s->params.method = ADIFF_METHOD_PATCH; s->params.patch_size = 4; }
static void optimal_no_ex (Scenario *s)   { s->params.method = ADIFF_METHOD_OPTIMAL; s->n_ex = 0; }
static void analytic_no_ex (Scenario *s)  { s->params.method = ADIFF_METHOD_ANALYTIC; s->n_ex = 0; }
static void patch_no_ex (Scenario *s)     { s->params.method = ADIFF_METHOD_PATCH; s->n_ex = 0; }
static void image_0x0 (Scenario *s)       { s->img_w = 0; s->img_h = 0; }
static void image_0_wide (Scenario *s)    { s->img_w = 0; }
static void image_1x1 (Scenario *s)       { s->img_w = 1; s->img_h = 1; }
static void image_small (Scenario *s)     { s->img_w = 3; s->img_h = 2; }
static void image_1_row (Scenario *s)     { s->img_w = 17; s->img_h = 1; }
static void image_nan (Scenario *s)       { s->poison = NAN; }
static void image_inf (Scenario *s)       { s->poison = -INFINITY; }
static void rgb_on_gray (Scenario *s)     { scenario_init (s, 3); s->img_c = 1; }
static void rgb_on_rgba (Scenario *s)     { scenario_init (s, 3); s->img_c = 4; }
static void gray_on_rgb (Scenario *s)     { s->img_c = 3; }
static void mean_nan (Scenario *s)        { s->mean[3] = NAN; }
static void eval_inf (Scenario *s)        { s->eval[0] = INFINITY; }
static void eval_negative (Scenario *s)   { s->eval[s->k - 1] = -1e-3; }
static void eval_ascending (Scenario *s)  { s->eval[1] = s->eval[0] * 2; }
static void evec_nan (Scenario *s)        { s->evec[5] = NAN; }
static void exemplar_inf (Scenario *s)    { s->ex[7] = INFINITY; }
static void residual_negative (Scenario *s) { s->k = 3; s->residual = -0.5; }
static void residual_nan (Scenario *s)    { s->k = 3; s->residual = NAN; }
static void too_many_components (Scenario *s) { s->k = W * H + 1; }
static void channels_two (Scenario *s)    { s->c = 2; }
static void window_empty (Scenario *s)    { s->w = 0; }
static void window_huge (Scenario *s)     { s->w = 65536; s->h = 2; }

static const Case cases[] = {
  { "sigma-0", sigma_zero, ADIFF_ERROR_INVALID_ARGUMENT },
  { "sigma-negative", sigma_negative, ADIFF_ERROR_INVALID_ARGUMENT },
  { "sigma-nan", sigma_nan, ADIFF_ERROR_INVALID_ARGUMENT },
  { "sigma-inf", sigma_inf, ADIFF_ERROR_INVALID_ARGUMENT },
  { "sigma-1e30", sigma_huge, ADIFF_ERROR_INVALID_ARGUMENT },
  { "sigma-1e-30", sigma_tiny, OK },
  { "tau-0", tau_zero, ADIFF_ERROR_INVALID_ARGUMENT },
  { "tau-2", tau_two, ADIFF_ERROR_INVALID_ARGUMENT },
  { "tau-nan", tau_nan, ADIFF_ERROR_INVALID_ARGUMENT },
  { "overlap-1", overlap_one, ADIFF_ERROR_INVALID_ARGUMENT },
  { "overlap-65", overlap_huge, ADIFF_ERROR_INVALID_ARGUMENT },
  { "overlap-64", overlap_max, OK },
  { "method-unknown", method_unknown, ADIFF_ERROR_INVALID_ARGUMENT },
  { "patch-size-even", patch_even, ADIFF_ERROR_INVALID_ARGUMENT },
  { "optimal-without-exemplars", optimal_no_ex, ADIFF_ERROR_NO_EXEMPLARS },
  { "analytic-without-exemplars", analytic_no_ex, ADIFF_ERROR_NO_EXEMPLARS },
  { "patch-without-exemplars", patch_no_ex, ADIFF_ERROR_NO_EXEMPLARS },
  { "image-0x0", image_0x0, ADIFF_ERROR_INVALID_ARGUMENT },
  { "image-0-wide", image_0_wide, ADIFF_ERROR_INVALID_ARGUMENT },
  { "image-1x1", image_1x1, OK },
  { "image-smaller-than-window", image_small, OK },
  { "image-one-row", image_1_row, OK },
  { "image-nan", image_nan, ADIFF_ERROR_NUMERIC },
  { "image-inf", image_inf, ADIFF_ERROR_NUMERIC },
  { "rgb-bundle-gray-image", rgb_on_gray, ADIFF_ERROR_MISMATCH },
  { "rgb-bundle-4-channel-image", rgb_on_rgba, ADIFF_ERROR_MISMATCH },
  { "gray-bundle-rgb-image", gray_on_rgb, OK },
  { "mean-nan", mean_nan, ADIFF_ERROR_NUMERIC },
  { "eigenvalue-inf", eval_inf, ADIFF_ERROR_NUMERIC },
  { "eigenvalue-negative", eval_negative, ADIFF_ERROR_FORMAT },
  { "eigenvalues-ascending", eval_ascending, ADIFF_ERROR_FORMAT },
  { "eigenvector-nan", evec_nan, ADIFF_ERROR_NUMERIC },
  { "exemplar-inf", exemplar_inf, ADIFF_ERROR_NUMERIC },
  { "residual-negative", residual_negative, ADIFF_ERROR_FORMAT },
  { "residual-nan", residual_nan, ADIFF_ERROR_FORMAT },
  { "components-exceed-dim", too_many_components, ADIFF_ERROR_FORMAT },
  { "bundle-2-channels", channels_two, ADIFF_ERROR_FORMAT },
  { "bundle-empty-window", window_empty, ADIFF_ERROR_FORMAT },
  { "bundle-window-too-large", window_huge, ADIFF_ERROR_LIMIT },
};

/* ---- running a case ---------------------------------------------------------- */

static float *
make_image (const Scenario *s, gsize n)
{
  float *img = g_new (float, n + 1);
  for (gsize i = 0; i < n; i++)
    img[i] = 0.5f + 0.3f * sinf ((float) i);
  if (s->poison != 0 && n > 0)
    img[0] = s->poison;
  return img;
}

/* Runs the path, returns the error (or NULL on success). */
static GError *
run_path (const Scenario *s, const float *in, float *out)
{
  AdiffBundleData data = {
    .width = s->w, .height = s->h, .channels = s->c, .n_items = 100,
    .mean = s->mean, .n_components = s->k, .eigenvalues = s->eval,
    .eigenvectors = s->evec, .residual_variance = s->residual,
    .n_exemplars = s->n_ex, .exemplars = s->n_ex ? s->ex : NULL,
  };
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_new_from_data (&data, &error);
  if (!b)
    return error;
  AdiffDenoiser *den = adiff_denoiser_new (b, &s->params, &error);
  adiff_bundle_unref (b);
  if (!den)
    return error;
  adiff_denoise_image (den, in, out, s->img_w, s->img_h, s->img_c, NULL, NULL, &error);
  adiff_denoiser_free (den);
  return error;
}

static void
run_case (gconstpointer data)
{
  const Case *t = data;
  Scenario *s = g_new (Scenario, 1);
  scenario_init (s, 1);
  t->mutate (s);

  gsize n = (gsize) s->img_w * s->img_h * s->img_c;
  float *in = make_image (s, n);
  float *before = g_memdup2 (in, (n + 1) * sizeof (float));
  float *out = g_new0 (float, n + 1);
  GError *error = run_path (s, in, out);

  if (t->code == OK)
    {
      g_assert_no_error (error);
      for (gsize i = 0; i < n; i++)
        g_assert_true (isfinite (out[i]));
    }
  else
    {
      g_assert_error (error, ADIFF_ERROR, t->code);
      g_assert_true (error->message && *error->message);
      g_test_message ("%s: %s", t->name, error->message);
      g_error_free (error);
    }
  /* The input is never modified (bitwise, so NaN compares too). */
  g_assert_cmpmem (in, n * sizeof (float), before, n * sizeof (float));
  g_free (in);
  g_free (before);
  g_free (out);
  g_free (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *path = g_strdup_printf ("/bad-input/params/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], run_case);
      g_free (path);
    }
  return g_test_run ();
}
