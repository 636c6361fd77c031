/* wiener.c — the Wiener filter of the bundle's Gaussian model (paper eq. 6):
 *
 *   x̂ = μ + W_σ (z − μ),   W_σ = U diag(λ/(λ+σ²)) Uᵀ + s_r (I − U Uᵀ)
 *
 * where U holds the k stored eigenvectors and s_r = r/(r+σ²) treats the
 * d−k discarded directions isotropically with their mean variance r (so a
 * compact bundle still gives W → I as σ → 0).  Written as
 *
 *   x̂ = μ + s_r (z − μ) + U diag(g − s_r) Uᵀ (z − μ)
 *
 * a batch of n windows costs two SGEMMs of n×d by d×k.
 */
#include <cblas.h>
#include "adiff-private.h"

typedef struct
{
  float *gains;      /* [k] g_i − s_r */
  float  rest_gain;  /* s_r */
} WienerState;

void
adiff__wiener_gains (const AdiffBundle *bundle, double sigma, double *gains,
                    double *rest_gain)
{
  double s2 = sigma * sigma;
  double r = bundle->residual_variance;
  double sr = r > 0 ? r / (r + s2) : 0.0;
  for (guint i = 0; i < bundle->n_components; i++)
    {
      double l = bundle->eigenvalues[i];
      gains[i] = l / (l + s2) - sr;
    }
  *rest_gain = sr;
}

ADIFF_EXPORT void
adiff_wiener_row (AdiffBundle *bundle, double sigma, gsize q, double *row)
{
  gsize d = bundle->dim;
  guint k = bundle->n_components;
  double *g = g_new (double, k + 1);
  double sr;
  adiff__wiener_gains (bundle, sigma, g, &sr);
  memset (row, 0, d * sizeof (double));
  for (guint i = 0; i < k; i++)
    {
      const float *u = bundle->eigenvectors + (gsize) i * d;
      double c = g[i] * u[q];
      for (gsize p = 0; p < d; p++)
        row[p] += c * u[p];
    }
  row[q] += sr;
  g_free (g);
}

static gpointer
wiener_prepare (AdiffDenoiser *den, GError **error)
{
  AdiffBundle *b = den->bundle;
  WienerState *s = g_new0 (WienerState, 1);
  double *g = g_new (double, b->n_components + 1);
  double sr;
  adiff__wiener_gains (b, den->params.sigma, g, &sr);
  s->gains = g_new (float, b->n_components + 1);
  for (guint i = 0; i < b->n_components; i++)
    s->gains[i] = (float) g[i];
  s->rest_gain = (float) sr;
  g_free (g);
  return s;
}

/* Windows per BLAS call: bounds the n×k scratch. */
#define WIENER_BLOCK 256

static gboolean
wiener_apply (AdiffDenoiser *den, const float *in, gsize n, float *out,
              GError **error)
{
  WienerState *s = den->state;
  AdiffBundle *b = den->bundle;
  gsize d = b->dim;
  guint k = b->n_components;
  float *zc = g_new (float, WIENER_BLOCK * d);
  float *coef = g_new (float, (gsize) WIENER_BLOCK * k + 1);

  for (gsize start = 0; start < n; start += WIENER_BLOCK)
    {
      gsize m = MIN (WIENER_BLOCK, n - start);
      const float *z = in + start * d;
      float *x = out + start * d;
      for (gsize j = 0; j < m; j++)
        for (gsize p = 0; p < d; p++)
          zc[j * d + p] = z[j * d + p] - (float) b->mean[p];
      if (k > 0)
        {
          /* coef = Zc Uᵀ (m×k), scaled by the gains, then x = coef U. */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) m, (int) k, (int) d,
                       1.0f, zc, (int) d, b->eigenvectors, (int) d, 0.0f, coef, (int) k);
          for (gsize j = 0; j < m; j++)
            for (guint i = 0; i < k; i++)
              coef[j * k + i] *= s->gains[i];
        }
      for (gsize j = 0; j < m; j++)
        for (gsize p = 0; p < d; p++)
          x[j * d + p] = (float) b->mean[p] + s->rest_gain * zc[j * d + p];
      if (k > 0)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) m, (int) d, (int) k,
                     1.0f, coef, (int) k, b->eigenvectors, (int) d, 1.0f, x, (int) d);
    }
  g_free (zc);
  g_free (coef);
  return TRUE;
}

static void
wiener_finalize (gpointer state)
{
  WienerState *s = state;
  g_free (s->gains);
  g_free (s);
}

/* Linear: the Jacobian is W_σ itself, whatever the input. */
static gboolean
wiener_jacobian_row (AdiffDenoiser *den, const float *z, gsize q, double *field,
                     GError **error)
{
  adiff_wiener_row (den->bundle, den->params.sigma, q, field);
  return TRUE;
}

const AdiffDenoiserClass adiff__wiener_class = {
  .prepare = wiener_prepare,
  .apply = wiener_apply,
  .finalize = wiener_finalize,
  .jacobian_row = wiener_jacobian_row,
};
