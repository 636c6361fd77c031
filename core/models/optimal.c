/* optimal.c — the optimal (empirical) denoiser of the paper, eq. 3:
 *
 *   x̂ = Σ_i w_i x^(i),   w = softmax_i(−‖z − x^(i)‖² / 2σ²)
 *
 * over ALL exemplars at once.  ‖z‖² is common to every exemplar and drops
 * out of the softmax, so with the mean μ as a centre the logits are
 *
 *   l_i = ((z − μ)·x^(i) + a_i) / σ²,   a_i = μ·x^(i) − ½‖x^(i)‖²
 *
 * with a_i precomputed in double.  The cross terms of a batch of windows
 * against a block of exemplars are one SGEMM; the softmax is an online
 * log-sum-exp across exemplar blocks in double (running maximum, rescaled
 * sums), and the weighted sum of the block is a second SGEMM.
 *
 * Exact mode: a float GEMM of length d carries an absolute error of about
 * ε·√d·‖z − μ‖·‖x‖ which, divided by σ², can move a logit by more than the
 * 1e-5 we promise at small σ.  So the logits of every exemplar that can
 * carry weight (within ADIFF_LOGIT_CUTOFF + twice that error of the
 * running maximum) are recomputed in double.  Fast mode keeps the float
 * logits (error measured by bench/models).
 */
#include <cblas.h>
#include "models/models-private.h"

/* Windows per batch and exemplars per block: bound the m×nb scratch. */
#define OPT_BATCH 64
#define OPT_BLOCK 2048

typedef struct
{
  double *bias;       /* [n] a_i */
  double  max_norm;   /* max_i ‖x^(i)‖ */
} OptimalState;

static gpointer
optimal_prepare (AdiffDenoiser *den, GError **error)
{
  AdiffBundle *b = den->bundle;
  gsize d = b->dim, n = b->n_exemplars;
  double *bias = adiff__try_alloc (n, sizeof (double), "the optimal denoiser's biases", error);
  if (!bias)
    return NULL;
  OptimalState *s = g_new0 (OptimalState, 1);
  s->bias = bias;
  for (gsize i = 0; i < n; i++)
    {
      const float *x = b->exemplars + i * d;
      double mx = 0, xx = 0;
      for (gsize p = 0; p < d; p++)
        {
          mx += b->mean[p] * x[p];
          xx += (double) x[p] * x[p];
        }
      bias[i] = mx - 0.5 * xx;
      s->max_norm = MAX (s->max_norm, sqrt (xx));
    }
  return s;
}

/* (z − μ)·x in double, four partial sums so the loop pipelines. */
static double
dot_centred (const float *z, const double *mean, const float *x, gsize d)
{
  double s[4] = { 0, 0, 0, 0 };
  gsize p = 0;
  for (; p + 4 <= d; p += 4)
    for (int k = 0; k < 4; k++)
      s[k] += ((double) z[p + k] - mean[p + k]) * x[p + k];
  for (; p < d; p++)
    s[0] += ((double) z[p] - mean[p]) * x[p];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

/* Per-window online softmax state. */
typedef struct
{
  double  max;        /* running maximum logit */
  double  sum;        /* Σ exp(l − max) */
  double *acc;        /* [d] Σ exp(l − max) x */
  double  refine;     /* logits within this of max get a double recompute */
} WindowSum;

typedef struct
{
  OptimalState *s;
  AdiffBundle  *b;
  double        inv_s2;
  gboolean      exact;
} Ctx;

/* Turn one window's GEMM row into refined logits (in place, as doubles)
 * and fold it into the running maximum; returns the new maximum. */
static double
block_logits (const Ctx *c, const float *z, const float *g, gsize i0, gsize nb,
              WindowSum *ws, double *l)
{
  gsize d = c->b->dim;
  double bm = -G_MAXDOUBLE;
  for (gsize i = 0; i < nb; i++)
    {
      l[i] = ((double) g[i] + c->s->bias[i0 + i]) * c->inv_s2;
      bm = MAX (bm, l[i]);
    }
  if (c->exact && ws->refine > 0)
    {
      double top = MAX (bm, ws->max), cut = top - ADIFF_LOGIT_CUTOFF - ws->refine;
      bm = -G_MAXDOUBLE;
      for (gsize i = 0; i < nb; i++)
        {
          if (l[i] >= cut)
            l[i] = (dot_centred (z, c->b->mean, c->b->exemplars + (i0 + i) * d, d)
                    + c->s->bias[i0 + i]) * c->inv_s2;
          bm = MAX (bm, l[i]);
        }
    }
  return MAX (bm, ws->max);
}

static gboolean
optimal_apply (AdiffDenoiser *den, const float *in, gsize n, float *out,
               GError **error)
{
  AdiffBundle *b = den->bundle;
  gsize d = b->dim, ne = b->n_exemplars;
  Ctx c = { den->state, b, 1.0 / (den->params.sigma * den->params.sigma),
            den->params.exact };
  float *zc = adiff__try_alloc ((gsize) OPT_BATCH * d, sizeof (float), "scratch", error);
  float *g = zc ? adiff__try_alloc ((gsize) OPT_BATCH * OPT_BLOCK, sizeof (float), "scratch", error) : NULL;
  float *t = g ? adiff__try_alloc ((gsize) OPT_BATCH * d, sizeof (float), "scratch", error) : NULL;
  double *acc = t ? adiff__try_alloc ((gsize) OPT_BATCH * d, sizeof (double), "scratch", error) : NULL;
  if (!acc)
    {
      g_free (zc); g_free (g); g_free (t);
      return FALSE;
    }
  double *l = g_new (double, OPT_BLOCK);
  WindowSum ws[OPT_BATCH];

  for (gsize start = 0; start < n; start += OPT_BATCH)
    {
      gsize m = MIN (OPT_BATCH, n - start);
      const float *z = in + start * d;
      for (gsize j = 0; j < m; j++)
        {
          double norm = 0;
          for (gsize p = 0; p < d; p++)
            {
              zc[j * d + p] = (float) (z[j * d + p] - b->mean[p]);
              norm += (double) zc[j * d + p] * zc[j * d + p];
            }
          /* Error bound of a float dot product, in logit units. */
          double err = 4.0 * FLT_EPSILON * sqrt ((double) d) * sqrt (norm)
                       * c.s->max_norm * c.inv_s2;
          ws[j] = (WindowSum) { -G_MAXDOUBLE, 0, acc + j * d, err > 1e-9 ? 2 * err : 0 };
          memset (ws[j].acc, 0, d * sizeof (double));
        }
      for (gsize i0 = 0; i0 < ne; i0 += OPT_BLOCK)
        {
          gsize nb = MIN (OPT_BLOCK, ne - i0);
          const float *x = b->exemplars + i0 * d;
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) m, (int) nb, (int) d,
                       1.0f, zc, (int) d, x, (int) d, 0.0f, g, (int) nb);
          for (gsize j = 0; j < m; j++)
            {
              double top = block_logits (&c, z + j * d, g + j * nb, i0, nb, &ws[j], l);
              double rescale = ws[j].max > -G_MAXDOUBLE ? exp (ws[j].max - top) : 0.0;
              ws[j].sum *= rescale;
              for (gsize p = 0; p < d && rescale != 1.0; p++)
                ws[j].acc[p] *= rescale;
              ws[j].max = top;
              for (gsize i = 0; i < nb; i++)
                {
                  double w = exp (l[i] - top);
                  ws[j].sum += w;
                  g[j * nb + i] = (float) w;
                }
            }
          /* Weighted sums of the block: t = W X (m×d). */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) m, (int) d, (int) nb,
                       1.0f, g, (int) nb, x, (int) d, 0.0f, t, (int) d);
          for (gsize j = 0; j < m; j++)
            for (gsize p = 0; p < d; p++)
              ws[j].acc[p] += t[j * d + p];
        }
      for (gsize j = 0; j < m; j++)
        for (gsize p = 0; p < d; p++)
          out[(start + j) * d + p] = (float) (ws[j].acc[p] / ws[j].sum);
    }
  g_free (zc); g_free (g); g_free (t); g_free (acc); g_free (l);
  return TRUE;
}

static void
optimal_finalize (gpointer state)
{
  OptimalState *s = state;
  g_free (s->bias);
  g_free (s);
}

/* Every coordinate enters every logit. */
static gboolean
optimal_jacobian_row (AdiffDenoiser *den, const float *z, gsize q, double *field,
                      GError **error)
{
  adiff__exemplar_field (den->bundle, z, NULL, q, den->params.sigma, field);
  return TRUE;
}

const AdiffDenoiserClass adiff__optimal_class = {
  .prepare = optimal_prepare,
  .apply = optimal_apply,
  .finalize = optimal_finalize,
  .jacobian_row = optimal_jacobian_row,
};
