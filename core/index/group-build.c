/* group-build.c — fast mode of the analytic denoiser for small windows:
 * one inverted file per mask group.
 *
 * For gray photo bundles (8×8 windows, tens of thousands of exemplars) a
 * coordinate's mask holds a dozen to a few dozen pixels and the softmax
 * over its masked distances is broad: at σ = 25 the 4 000 exemplars that
 * are nearest *on that mask* hold 99.9 % of the weight, and the nearest on
 * any larger region (the union of several masks) are other exemplars.  So
 * each group gets an index of its own, in its own coordinates:
 *
 *  - at prepare, the exemplars' values on the mask are clustered (two-
 *    level k-means, ≈ 4√n clusters) and stored cluster by cluster,
 *    coordinate-major, as bytes.  This path is taken when the bundle's
 *    exemplars are 8-bit and all groups fit in ANA_COORD_MAX_BYTES (other
 *    bundles use the regions of regions.c).  Each cluster also gets
 *    a Gaussian model of its spread (cluster_spreads), from which the
 *    summed weight of its members for a query can be estimated;
 *  - per window, the clusters are ranked by that estimate (coarsely, in
 *    bins a quarter nat wide); the clusters of the bins that hold the
 *    group's budget of exemplars are visited, and the next bins while the
 *    last one still added a noticeable part of the weight.  The softmax
 *    runs exactly over the members visited, in float with double sums,
 *    and is the exact one when every cluster is visited (budget ≥ n);
 *  - windows come in blocks of SCORE_WINDOWS: their cluster scores are
 *    computed in one pass over the group's centres, and the clusters of
 *    their first bins are visited in one pass in index order, each read
 *    once for all the windows that take it (a group's bytes are about a
 *    megabyte, more than the cache close to the core: one window at a
 *    time, best cluster first, waiting for them took about a quarter of
 *    the visit).
 *
 * The budget grows with the mask, and follows the share a coordinate has
 * in its output pixel: the tiler blends overlapping windows with a Hann
 * weight, so a coordinate at a window's edge makes a few percent of its
 * pixel and needs far fewer candidates than one in the middle
 * (budget ∝ share^0.4, the allocation
 * that minimises the candidates for a given blended error when the error
 * falls as 1/budget²).  The error against exact mode is measured, not
 * guaranteed: bench/models prints it, docs/models.md records it.
 */
#include <math.h>
#include "index/group-index.h"
#include "index/kmeans.h"

/* Clusters per group: this many times √n, at most COORD_MAX_CLUSTERS. */
#define COORD_CLUSTERS_PER_ROOT 4
#define COORD_MAX_CLUSTERS 4096
#define COORD_KMEANS_ITERS 4
/* Bytes after the last cluster of an index. */
#define VALS_SLACK 64
/* Points per cluster in the k-means sample (the final assignment uses
 * every exemplar). */
#define COORD_SAMPLE_PER_CLUSTER 10
/* Byte copies of all groups may take at most this much. */
#define ANA_COORD_MAX_BYTES ((gsize) 256 << 20)

void
adiff__group_index_free (AnaCoordIndex *ix)
{
  g_free (ix->cent);
  g_free (ix->cnorm);
  g_free (ix->ca);
  g_free (ix->dir);
  g_free (ix->dirc);
  g_free (ix->cb);
  g_free (ix->count);
  g_free (ix->offset);
  g_free (ix->vals);
  g_free (ix->row_of);
}

/* Exemplar values as bytes, or NULL when one of them is not k/255. */
static guint8 *
exemplar_bytes (AdiffBundle *b)
{
  gsize total = (gsize) b->n_exemplars * b->dim;
  guint8 *v = g_try_malloc (total);
  if (!v)
    return NULL;
  for (gsize i = 0; i < total; i++)
    {
      float x = b->exemplars[i];
      float r = rintf (x * 255.0f);
      if (!(r >= 0.0f && r <= 255.0f) || r * (1.0f / 255.0f) != x)
        {
          g_free (v);
          return NULL;
        }
      v[i] = (guint8) r;
    }
  return v;
}

/* Rows of group g: its mask, then its members outside the mask. */
static guint
group_rows (const AnalyticState *s, guint g, guint32 *rows, guint32 *row_of)
{
  gsize m0 = s->mask_start[g], m = s->mask_start[g + 1] - m0;
  memcpy (rows, s->mask_idx + m0, m * sizeof (guint32));
  guint n = (guint) m;
  for (gsize j = s->member_start[g]; j < s->member_start[g + 1]; j++)
    {
      guint32 q = s->members[j], r = 0;
      while (r < n && rows[r] != q)
        r++;
      if (r == n)
        rows[n++] = q;
      row_of[j - s->member_start[g]] = r;
    }
  return n;
}


/* Two-level k-means of the n points x (n × m) into about ix->nc clusters:
 * √nc coarse clusters, each split in proportion to its size.  A flat
 * k-means would compare every point with every centre; this compares it
 * with about 2√nc.  Fills ix->cent, ix->cnorm, ix->nc and assign. */
static void
cluster_points (AnaCoordIndex *ix, guint m, const float *x, gsize n, guint32 *assign)
{
  const AdiffKmeansParams params = { COORD_KMEANS_ITERS, COORD_SAMPLE_PER_CLUSTER, TRUE };
  guint target = ix->nc;
  guint k1 = MAX (1u, (guint) lround (sqrt ((double) target)));
  guint32 *all = g_new (guint32, n), *a1 = g_new (guint32, n);
  for (gsize i = 0; i < n; i++)
    all[i] = (guint32) i;
  AdiffKmeans coarse;
  adiff__kmeans_init (&coarse, ADIFF__KMEANS_COLUMNS, k1, m);
  adiff__kmeans_run (&coarse, &params, x, all, n, a1);
  /* Members of each coarse cluster, contiguous. */
  guint32 *start = g_new (guint32, k1 + 1), *members = g_new (guint32, n);
  adiff__kmeans_lists (a1, n, k1, start, members);
  guint *k2 = g_new (guint, k1), total = 0;
  for (guint a = 0; a < k1; a++)
    {
      gsize na = start[a + 1] - start[a];
      k2[a] = na ? (guint) CLAMP (lround ((double) target * na / n), 1, (glong) na) : 0;
      total += k2[a];
    }
  ix->nc = MAX (total, 1u);
  ix->cent = g_new0 (float, (gsize) m * ix->nc);
  ix->cnorm = g_new0 (float, ix->nc);
  guint first = 0;
  for (guint a = 0; a < k1; a++)
    {
      gsize na = start[a + 1] - start[a];
      if (!na)
        continue;
      AdiffKmeans fine;
      adiff__kmeans_init (&fine, ADIFF__KMEANS_COLUMNS, k2[a], m);
      adiff__kmeans_run (&fine, &params, x, members + start[a], na, a1);
      for (gsize i = 0; i < na; i++)
        assign[members[start[a] + i]] = first + a1[i];
      for (guint i = 0; i < k2[a]; i++)
        {
          for (guint j = 0; j < m; j++)
            ix->cent[(gsize) j * ix->nc + first + i] = fine.cent[(gsize) j * fine.kp + i];
          ix->cnorm[first + i] = fine.cnorm[i];
        }
      first += k2[a];
      adiff__kmeans_clear (&fine);
    }
  adiff__kmeans_clear (&coarse);
  g_free (all); g_free (a1); g_free (start); g_free (members); g_free (k2);
}

/* The constants of each cluster's estimated weight.  Its members are
 * modelled as a Gaussian around the centre c with covariance
 * Σ = v·I + Σ_k μ_k e_k e_kᵀ (the two directions of largest spread, e.g.
 * brightness and contrast, and the rest averaged), so that their summed
 * weight Σ_i exp(−‖z − x_i‖²/2σ²) is about
 *   n_c · det(I + Σ/σ²)^(−½) · exp(−½ (z − c)ᵀ (Σ + σ²I)⁻¹ (z − c))
 * and a broad or elongated cluster a little farther away can outweigh a
 * tight near one.  With s = σ² + v the exponent is
 *   ‖z − c‖²/2s − Σ_k (f_k·(z − c))²,  f_k = e_k·sqrt(μ_k / 2s(s + μ_k)).
 * Stores ca = −log of the factor before the exponential, cb = 1/2s, the
 * f_k (coordinate-major) and f_k·c. */
#define POWER_ITERATIONS 16

/* Largest eigenpair of the m × m symmetric a (row-major, full) by power
 * iteration, then deflated out of a. */
ADIFF_HOT static float
top_eigen (float *a, guint m, float *e, float *t)
{
  float lam = 0;
  for (guint j = 0; j < m; j++)
    e[j] = (1.0f + 0.01f * j) / sqrtf ((float) m);
  for (guint it = 0; it < POWER_ITERATIONS; it++)
    {
      float nrm = 0;
      for (guint r = 0; r < m; r++)
        {
          float v = 0;
          for (guint j = 0; j < m; j++)
            v += a[(gsize) r * m + j] * e[j];
          t[r] = v;
          nrm += v * v;
        }
      nrm = sqrtf (nrm);
      if (!(nrm > 0))
        break;
      lam = nrm;
      for (guint j = 0; j < m; j++)
        e[j] = t[j] / nrm;
    }
  for (guint r = 0; r < m; r++)
    for (guint j = 0; j < m; j++)
      a[(gsize) r * m + j] -= lam * e[r] * e[j];
  return lam;
}

/* a += dev devᵀ on the upper triangle. */
ADIFF_HOT static void
add_outer (float *a, const float *dev, guint m)
{
  for (guint r = 0; r < m; r++)
    {
      float dr = dev[r];
      float *row = a + (gsize) r * m;
      for (guint j = r; j < m; j++)
        row[j] += dr * dev[j];
    }
}

static void
cluster_spreads (AnaCoordIndex *ix, guint m, const float *x, gsize n,
                 const guint32 *assign, double sigma)
{
  guint nc = ix->nc;
  gsize mm = (gsize) m * m;
  float *cov = g_new0 (float, (gsize) nc * mm), *dev = g_new (float, m);
  guint32 *cnt = g_new0 (guint32, nc);
  for (gsize i = 0; i < n; i++)
    {
      guint c = assign[i];
      for (guint j = 0; j < m; j++)
        dev[j] = x[i * m + j] - ix->cent[(gsize) j * nc + c];
      add_outer (cov + c * mm, dev, m);
      cnt[c]++;
    }
  ix->ca = g_new (float, nc);
  ix->cb = g_new (float, nc);
  ix->dir = g_new0 (float, (gsize) SPREAD_DIRECTIONS * m * nc);
  ix->dirc = g_new0 (float, (gsize) SPREAD_DIRECTIONS * nc);
  double s2 = sigma * sigma, lam[SPREAD_DIRECTIONS];
  float *e = g_new (float, SPREAD_DIRECTIONS * m), *t = g_new (float, m);
  for (guint c = 0; c < nc; c++)
    {
      if (!cnt[c])
        {
          ix->cb[c] = 0.0f;
          ix->ca[c] = G_MAXFLOAT / 4;
          continue;
        }
      float *a = cov + c * mm;
      double tr = 0;
      for (guint r = 0; r < m; r++)
        for (guint j = r; j < m; j++)
          a[(gsize) j * m + r] = a[(gsize) r * m + j] /= cnt[c];
      for (guint j = 0; j < m; j++)
        tr += a[(gsize) j * m + j];
      guint nd = MIN (SPREAD_DIRECTIONS, m - 1);
      for (guint k = 0; k < nd; k++)
        {
          lam[k] = top_eigen (a, m, e + k * m, t);
          tr -= lam[k];
        }
      double v = m > nd ? MAX (tr, 0.0) / (m - nd) : 0.0, sv = s2 + v;
      double logdet = (m - nd) * log (sv / s2);
      for (guint k = 0; k < nd; k++)
        {
          double mu = MAX (lam[k] - v, 0.0), f = sqrt (mu / (2 * sv * (sv + mu))), fc = 0;
          logdet += log ((sv + mu) / s2);
          for (guint j = 0; j < m; j++)
            {
              float fj = (float) (f * e[k * m + j]);
              ix->dir[((gsize) k * m + j) * nc + c] = fj;
              fc += fj * ix->cent[(gsize) j * nc + c];
            }
          ix->dirc[(gsize) k * nc + c] = (float) fc;
        }
      ix->cb[c] = (float) (1.0 / (2 * sv));
      ix->ca[c] = (float) (-log ((double) cnt[c]) + 0.5 * logdet);
    }
  g_free (cov); g_free (dev); g_free (cnt); g_free (e); g_free (t);
}

/* Store the members of each cluster together: rows × pad8(count) bytes,
 * row-major, so a cluster's distances are contiguous vector loops. */
static void
store_clusters (AnaCoordIndex *ix, const guint8 *bytes, gsize d, const guint32 *rows,
                gsize n, const guint32 *assign)
{
  guint nc = ix->nc;
  ix->count = g_new0 (guint32, nc);
  ix->offset = g_new (gsize, nc + 1);
  for (gsize i = 0; i < n; i++)
    ix->count[assign[i]]++;
  gsize off = 0;
  for (guint c = 0; c < nc; c++)
    {
      ix->offset[c] = off;
      off += (gsize) ix->rows * adiff__pad8 (ix->count[c]);
    }
  ix->offset[nc] = off;
  /* The AVX-512 kernels read whole 16-byte rows: slack at the end. */
  ix->vals = g_malloc0 (off + VALS_SLACK);
  guint32 *fill = g_new0 (guint32, nc);
  for (gsize i = 0; i < n; i++)
    {
      guint c = assign[i];
      gsize p = adiff__pad8 (ix->count[c]);
      guint8 *dst = ix->vals + ix->offset[c] + fill[c]++;
      for (guint r = 0; r < ix->rows; r++)
        dst[(gsize) r * p] = bytes[i * d + rows[r]];
    }
  g_free (fill);
}

typedef struct
{
  AnalyticState *s;
  AdiffBundle   *b;
  const guint8  *bytes;
  guint          nc;
} BuildJob;

/* The index of group g. */
static void
build_task (guint g, guint worker, gpointer data)
{
  BuildJob *j = data;
  const AnalyticState *s = j->s;
  AdiffBundle *b = j->b;
  AnaCoordIndex *ix = &s->coord_building[g];
  gsize n = b->n_exemplars, d = s->d;
  const guint8 *bytes = j->bytes;
  guint nc = j->nc;
  guint32 *rows = g_new (guint32, d);
  ix->row_of = g_new (guint32, s->member_start[g + 1] - s->member_start[g]);
  ix->rows = group_rows (s, g, rows, ix->row_of);
  ix->m = (guint) (s->mask_start[g + 1] - s->mask_start[g]);
  ix->nc = nc;
  float *x = g_new (float, n * ix->m);
  for (gsize i = 0; i < n; i++)
    for (guint k = 0; k < ix->m; k++)
      x[i * ix->m + k] = b->exemplars[i * d + rows[k]];
  guint32 *assign = g_new (guint32, n);
  cluster_points (ix, ix->m, x, n, assign);
  cluster_spreads (ix, ix->m, x, n, assign, s->sigma);
  store_clusters (ix, bytes, d, rows, n, assign);
  g_free (x); g_free (assign); g_free (rows);
  (void) worker;
}

/* Bytes the index of every group would take, or G_MAXSIZE. */
static gsize
index_bytes (const AnalyticState *s, gsize n)
{
  gsize rows = 0;
  for (guint g = 0; g < s->n_groups; g++)
    rows += (s->mask_start[g + 1] - s->mask_start[g])
            + (s->member_start[g + 1] - s->member_start[g]);
  gsize total;
  if (!g_size_checked_mul (&total, rows, n + 8 * COORD_MAX_CLUSTERS))
    return G_MAXSIZE;
  return total;
}

gboolean
adiff__group_index_prepare (AnalyticState *s, AdiffBundle *b)
{
  gsize n = b->n_exemplars;
  if (n == 0 || index_bytes (s, n) > ANA_COORD_MAX_BYTES)
    return FALSE;
  s->coord_bytes = exemplar_bytes (b);
  if (!s->coord_bytes)
    return FALSE;
  g_mutex_init (&s->coord_lock);
  s->by_groups = TRUE;
  s->coord_pending = TRUE;
  return TRUE;
}

/* Builds the indexes from s->coord_bytes, a group per task on n_threads
 * threads (each group's index is the same whatever the thread count), and
 * publishes them. */
static void
coord_build (AnalyticState *s, AdiffBundle *b, guint n_threads)
{
  gsize n = b->n_exemplars;
  guint nc = (guint) CLAMP (lround (COORD_CLUSTERS_PER_ROOT * sqrt ((double) n)), 1, COORD_MAX_CLUSTERS);
  nc = (guint) MIN ((gsize) nc, n);
  AnaCoordIndex *coord = g_new0 (AnaCoordIndex, s->n_groups);
  s->coord_building = coord;
  BuildJob job = { s, b, s->coord_bytes, nc };
  adiff__parallel_for (s->n_groups, n_threads, build_task, &job);
  g_clear_pointer (&s->coord_bytes, g_free);
  s->coord_max_pad = 8;
  for (guint g = 0; g < s->n_groups; g++)
    for (guint c = 0; c < coord[g].nc; c++)
      s->coord_max_pad = MAX (s->coord_max_pad, (guint) adiff__pad8 (coord[g].count[c]));
  s->coord_budget = COORD_BUDGET;
  s->coord_tail = COORD_TAIL;
  s->coord_building = NULL;
  g_atomic_pointer_set (&s->coord, coord);
}

void
adiff__group_index_maybe_build (AnalyticState *s, AdiffBundle *b, gsize n, guint n_threads)
{
  if (!g_atomic_int_get (&s->coord_pending))
    return;
  gsize seen = (gsize) g_atomic_pointer_add (&s->coord_seen, (gssize) n) + n;
  if (seen < ANA_COORD_LAZY_WINDOWS)
    return;
  g_mutex_lock (&s->coord_lock);
  if (s->coord_pending)
    {
      coord_build (s, b, n_threads);
      g_atomic_int_set (&s->coord_pending, FALSE);
    }
  g_mutex_unlock (&s->coord_lock);
}
