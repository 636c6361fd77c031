/* candidates.c — candidate pruning for the fast modes.
 *
 * The weights of the exemplar denoisers are a softmax of −distance/2σ²,
 * so exemplars far from the noisy window carry almost no weight.  We find
 * the `keep` nearest exemplars of each window by their distance in the
 * space of the bundle's leading principal components (where the signal
 * lives; the discarded directions are mostly noise), one SGEMM for a batch
 * of windows against all exemplars, then a quickselect.  The exact model
 * then runs on those candidates only.  This is a heuristic: its error
 * against exact mode is measured (bench/models) and documented
 * (docs/models.md), not guaranteed.
 */
#include <cblas.h>
#include "models/models-private.h"
#include <glib/gi18n-lib.h>

struct _AdiffCandidates
{
  AdiffBundle *bundle;
  guint        k;          /* principal components used */
  float       *proj;       /* [n·k] Uₖ (x − μ) */
  float       *norms;      /* [n] ‖proj‖² */
};

/* Exemplars per SGEMM when projecting at creation. */
#define PROJ_BLOCK 4096

AdiffCandidates *
adiff_candidates_new (AdiffBundle *b, guint n_components, GError **error)
{
  gsize d = b->dim, n = b->n_exemplars;
  guint k = MIN (n_components, b->n_components);
  if (k == 0 || n == 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("%s: candidate pruning needs principal components and exemplars"),
                   b->name);
      return NULL;
    }
  float *proj = adiff_try_alloc (n * k, sizeof (float), "exemplar projections", error);
  if (!proj)
    return NULL;
  AdiffCandidates *c = g_new0 (AdiffCandidates, 1);
  c->bundle = adiff_bundle_ref (b);
  c->k = k;
  c->proj = proj;
  c->norms = g_new (float, n);
  /* Uₖ μ, subtracted after projecting the raw exemplars. */
  double *um = g_new0 (double, k);
  for (guint i = 0; i < k; i++)
    for (gsize p = 0; p < d; p++)
      um[i] += b->eigenvectors[i * d + p] * b->mean[p];
  for (gsize i0 = 0; i0 < n; i0 += PROJ_BLOCK)
    {
      gsize nb = MIN (PROJ_BLOCK, n - i0);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nb, (int) k, (int) d,
                   1.0f, b->exemplars + i0 * d, (int) d, b->eigenvectors, (int) d,
                   0.0f, proj + i0 * k, (int) k);
    }
  for (gsize i = 0; i < n; i++)
    {
      double s = 0;
      for (guint j = 0; j < k; j++)
        {
          proj[i * k + j] -= (float) um[j];
          s += (double) proj[i * k + j] * proj[i * k + j];
        }
      c->norms[i] = (float) s;
    }
  g_free (um);
  return c;
}

void
adiff_candidates_free (AdiffCandidates *c)
{
  if (!c)
    return;
  adiff_bundle_unref (c->bundle);
  g_free (c->proj);
  g_free (c->norms);
  g_free (c);
}

void
adiff_select_smallest (float *key, guint32 *idx, gsize n, gsize keep)
{
  if (keep == 0 || keep >= n)
    return;
  gsize lo = 0, hi = n - 1;
  while (lo < hi)
    {
      float pivot = key[lo + (hi - lo) / 2];
      gsize i = lo, j = hi;
      while (i <= j)
        {
          while (key[i] < pivot) i++;
          while (key[j] > pivot) j--;
          if (i <= j)
            {
              float tk = key[i]; key[i] = key[j]; key[j] = tk;
              guint32 ti = idx[i]; idx[i] = idx[j]; idx[j] = ti;
              i++;
              if (j == 0)
                break;
              j--;
            }
        }
      if (keep <= j)
        hi = j;
      else if (keep >= i)
        lo = i;
      else
        break;
    }
}

/* Windows per SGEMM. */
#define SEL_BATCH 64

void
adiff_candidates_select (AdiffCandidates *c, const float *windows, gsize m,
                         guint keep, guint32 *out)
{
  AdiffBundle *b = c->bundle;
  gsize d = b->dim, n = b->n_exemplars;
  guint k = c->k;
  keep = MIN (keep, n);
  float *zc = g_new (float, SEL_BATCH * d);
  float *pz = g_new (float, SEL_BATCH * k);
  float *g = g_new (float, SEL_BATCH * n);
  guint32 *idx = g_new (guint32, n);
  for (gsize j0 = 0; j0 < m; j0 += SEL_BATCH)
    {
      gsize mb = MIN (SEL_BATCH, m - j0);
      for (gsize j = 0; j < mb; j++)
        for (gsize p = 0; p < d; p++)
          zc[j * d + p] = (float) (windows[(j0 + j) * d + p] - b->mean[p]);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) mb, (int) k, (int) d,
                   1.0f, zc, (int) d, b->eigenvectors, (int) d, 0.0f, pz, (int) k);
      /* g = −2 P_z P_xᵀ, then + ‖P_x‖² (‖P_z‖² is common to a row). */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) mb, (int) n, (int) k,
                   -2.0f, pz, (int) k, c->proj, (int) k, 0.0f, g, (int) n);
      for (gsize j = 0; j < mb; j++)
        {
          float *key = g + j * n;
          for (gsize i = 0; i < n; i++)
            {
              key[i] += c->norms[i];
              idx[i] = (guint32) i;
            }
          if (keep < n)
            adiff_select_smallest (key, idx, n, keep);
          memcpy (out + (j0 + j) * keep, idx, keep * sizeof (guint32));
        }
    }
  g_free (zc); g_free (pz); g_free (g); g_free (idx);
}
