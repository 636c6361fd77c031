/* analytic-coord.c — fast mode of the analytic denoiser for small windows:
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
 *    bundles use the regions of analytic-fast.c).  Each cluster also gets
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
#include "models/analytic-private.h"

/* Candidates of a coordinate whose share of its output pixel is 1 and
 * whose mask has at most COORD_BUDGET_PIXELS pixels; more in proportion
 * for larger masks (at σ = 50 the photo bundle's masks have 31–48). */
#define COORD_BUDGET 8192
#define COORD_BUDGET_PIXELS 20
/* Fewest candidates, whatever the share. */
#define COORD_MIN_BUDGET 256
/* A bin adding more than this share of the weight (for a coordinate with
 * share 1) means the ranking is not done: take the next bin too. */
#define COORD_TAIL 1e-3
#define COORD_MAX_EXTEND 4
#define COORD_SHARE_EXPONENT 0.4
/* Clusters per group: this many times √n, at most COORD_MAX_CLUSTERS. */
#define COORD_CLUSTERS_PER_ROOT 4
#define COORD_MAX_CLUSTERS 4096
#define COORD_KMEANS_ITERS 4
/* Bytes after the last cluster of an index. */
#define VALS_SLACK 64
/* Windows whose cluster scores are computed in one pass over a group's
 * centres. */
#define SCORE_WINDOWS 8
/* Points per cluster in the k-means sample (the final assignment uses
 * every exemplar). */
#define COORD_SAMPLE_PER_CLUSTER 10
/* Byte copies of all groups may take at most this much. */
#define ANA_COORD_MAX_BYTES ((gsize) 256 << 20)

static inline gsize
pad8 (gsize n)
{
  return (n + 7) & ~(gsize) 7;
}

void
ana_coord_free (AnaCoordIndex *ix)
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


/* Index of the smallest of score[0..kp), kp a multiple of 8 (eight lanes
 * with GCC vector extensions, so the compare-and-select is vector code on
 * every target). */
ADIFF_HOT static guint32
argmin8 (const float *score, guint kp)
{
  AdiffV8f bv = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT,
             G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT };
  AdiffV8i bi = { 0 }, ci = { 0, 1, 2, 3, 4, 5, 6, 7 }, eight = { 8, 8, 8, 8, 8, 8, 8, 8 };
  for (guint c = 0; c < kp; c += 8, ci += eight)
    {
      AdiffV8f v;
      memcpy (&v, score + c, sizeof v);
      AdiffV8i lt = v < bv;
      bi = (ci & lt) | (bi & ~lt);
      bv = (AdiffV8f) (((AdiffV8i) v & lt) | ((AdiffV8i) bv & ~lt));
    }
  guint32 best = (guint32) bi[0];
  float b = bv[0];
  for (int k = 1; k < 8; k++)
    if (bv[k] < b || (bv[k] == b && (guint32) bi[k] < best))
      {
        b = bv[k];
        best = (guint32) bi[k];
      }
  return best;
}

/* Nearest of kp centres (coordinate-major [m·kp], padding centres have
 * norm G_MAXFLOAT/4 and are never chosen) to the point x. */
ADIFF_HOT static guint32
nearest_centre (const float *x, guint m, const float *cent, const float *cnorm, guint kp,
                float *score)
{
  for (guint c = 0; c < kp; c++)
    score[c] = cnorm[c];
  for (guint j = 0; j < m; j++)
    {
      float t = -2.0f * x[j];
      const float *row = cent + (gsize) j * kp;
      for (guint c = 0; c < kp; c++)
        score[c] += t * row[c];
    }
  return argmin8 (score, kp);
}

typedef struct
{
  guint  k, kp;      /* centres, padded to a multiple of 8 */
  float *cent;       /* [m·kp] coordinate-major */
  float *cnorm;      /* [kp] */
  float *score;      /* [kp] scratch */
} Centres;

static void
centres_init (Centres *c, guint k, guint m)
{
  c->k = k;
  c->kp = (guint) pad8 (k);
  c->cent = g_new0 (float, (gsize) m * c->kp);
  c->cnorm = g_new (float, c->kp);
  c->score = g_new (float, c->kp);
  for (guint i = 0; i < c->kp; i++)
    c->cnorm[i] = G_MAXFLOAT / 4;
}

static void
centres_clear (Centres *c)
{
  g_free (c->cent);
  g_free (c->cnorm);
  g_free (c->score);
}

static void
centres_norms (Centres *c, guint m)
{
  for (guint i = 0; i < c->k; i++)
    {
      double v = 0;
      for (guint j = 0; j < m; j++)
        v += (double) c->cent[(gsize) j * c->kp + i] * c->cent[(gsize) j * c->kp + i];
      c->cnorm[i] = (float) v;
    }
}

/* Centres ← mean of their points x[idx[i]]; empty ones stay. */
static void
centres_update (Centres *c, guint m, const float *x, const guint32 *idx, gsize n,
                const guint32 *assign, double *sum, guint32 *count)
{
  memset (sum, 0, (gsize) c->k * m * sizeof (double));
  memset (count, 0, c->k * sizeof (guint32));
  for (gsize i = 0; i < n; i++)
    {
      const float *p = x + (gsize) idx[i] * m;
      count[assign[i]]++;
      for (guint j = 0; j < m; j++)
        sum[(gsize) assign[i] * m + j] += p[j];
    }
  for (guint i = 0; i < c->k; i++)
    if (count[i])
      for (guint j = 0; j < m; j++)
        c->cent[(gsize) j * c->kp + i] = (float) (sum[(gsize) i * m + j] / count[i]);
  centres_norms (c, m);
}

/* k-means of the points x[idx[i]] (rows of m floats) into c->k centres:
 * seeded with evenly spaced points, iterated on an evenly spaced sample,
 * then every point assigned and the centres made the means of their
 * members.  Deterministic. */
static void
kmeans (Centres *c, guint m, const float *x, const guint32 *idx, gsize n, guint32 *assign)
{
  guint k = c->k;
  gsize ns = MIN (n, (gsize) k * COORD_SAMPLE_PER_CLUSTER);
  guint32 *sample = g_new (guint32, ns), *as = g_new (guint32, ns), *count = g_new (guint32, k);
  double *sum = g_new (double, (gsize) k * m);
  for (gsize i = 0; i < ns; i++)
    sample[i] = idx[i * n / ns];
  for (guint i = 0; i < k; i++)
    for (guint j = 0; j < m; j++)
      c->cent[(gsize) j * c->kp + i] = x[(gsize) sample[(gsize) i * ns / k] * m + j];
  centres_norms (c, m);
  for (guint it = 0; it < COORD_KMEANS_ITERS; it++)
    {
      for (gsize i = 0; i < ns; i++)
        as[i] = nearest_centre (x + (gsize) sample[i] * m, m, c->cent, c->cnorm, c->kp, c->score);
      centres_update (c, m, x, sample, ns, as, sum, count);
    }
  for (gsize i = 0; i < n; i++)
    assign[i] = nearest_centre (x + (gsize) idx[i] * m, m, c->cent, c->cnorm, c->kp, c->score);
  centres_update (c, m, x, idx, n, assign, sum, count);
  g_free (sample); g_free (as); g_free (count); g_free (sum);
}

/* Two-level k-means of the n points x (n × m) into about ix->nc clusters:
 * √nc coarse clusters, each split in proportion to its size.  A flat
 * k-means would compare every point with every centre; this compares it
 * with about 2√nc.  Fills ix->cent, ix->cnorm, ix->nc and assign. */
static void
cluster_points (AnaCoordIndex *ix, guint m, const float *x, gsize n, guint32 *assign)
{
  guint target = ix->nc;
  guint k1 = MAX (1u, (guint) lround (sqrt ((double) target)));
  guint32 *all = g_new (guint32, n), *a1 = g_new (guint32, n);
  for (gsize i = 0; i < n; i++)
    all[i] = (guint32) i;
  Centres coarse;
  centres_init (&coarse, k1, m);
  kmeans (&coarse, m, x, all, n, a1);
  /* Members of each coarse cluster, contiguous. */
  guint32 *start = g_new0 (guint32, k1 + 1), *members = g_new (guint32, n);
  for (gsize i = 0; i < n; i++)
    start[a1[i] + 1]++;
  for (guint a = 0; a < k1; a++)
    start[a + 1] += start[a];
  guint32 *fill = g_memdup2 (start, (k1 + 1) * sizeof (guint32));
  for (gsize i = 0; i < n; i++)
    members[fill[a1[i]]++] = (guint32) i;
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
      Centres fine;
      centres_init (&fine, k2[a], m);
      kmeans (&fine, m, x, members + start[a], na, a1);
      for (gsize i = 0; i < na; i++)
        assign[members[start[a] + i]] = first + a1[i];
      for (guint i = 0; i < k2[a]; i++)
        {
          for (guint j = 0; j < m; j++)
            ix->cent[(gsize) j * ix->nc + first + i] = fine.cent[(gsize) j * fine.kp + i];
          ix->cnorm[first + i] = fine.cnorm[i];
        }
      first += k2[a];
      centres_clear (&fine);
    }
  centres_clear (&coarse);
  g_free (all); g_free (a1); g_free (start); g_free (members); g_free (fill); g_free (k2);
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
#define SPREAD_DIRECTIONS 2
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
      off += (gsize) ix->rows * pad8 (ix->count[c]);
    }
  ix->offset[nc] = off;
  /* The AVX-512 kernels read whole 16-byte rows: slack at the end. */
  ix->vals = g_malloc0 (off + VALS_SLACK);
  guint32 *fill = g_new0 (guint32, nc);
  for (gsize i = 0; i < n; i++)
    {
      guint c = assign[i];
      gsize p = pad8 (ix->count[c]);
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
ana_coord_prepare (AnalyticState *s, AdiffBundle *b)
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

/* Builds the indexes from s->coord_bytes and publishes them. */
static void
coord_build (AnalyticState *s, AdiffBundle *b)
{
  gsize n = b->n_exemplars;
  guint nc = (guint) CLAMP (lround (COORD_CLUSTERS_PER_ROOT * sqrt ((double) n)), 1, COORD_MAX_CLUSTERS);
  nc = (guint) MIN ((gsize) nc, n);
  AnaCoordIndex *coord = g_new0 (AnaCoordIndex, s->n_groups);
  s->coord_building = coord;
  BuildJob job = { s, b, s->coord_bytes, nc };
  adiff_parallel_for (s->n_groups, s->n_threads, build_task, &job);
  g_clear_pointer (&s->coord_bytes, g_free);
  s->coord_max_pad = 8;
  for (guint g = 0; g < s->n_groups; g++)
    for (guint c = 0; c < coord[g].nc; c++)
      s->coord_max_pad = MAX (s->coord_max_pad, (guint) pad8 (coord[g].count[c]));
  s->coord_budget = COORD_BUDGET;
  s->coord_tail = COORD_TAIL;
  s->coord_building = NULL;
  g_atomic_pointer_set (&s->coord, coord);
}

void
ana_coord_maybe_build (AnalyticState *s, AdiffBundle *b, gsize n)
{
  if (!g_atomic_int_get (&s->coord_pending))
    return;
  gsize seen = (gsize) g_atomic_pointer_add (&s->coord_seen, (gssize) n) + n;
  if (seen < ANA_COORD_LAZY_WINDOWS)
    return;
  g_mutex_lock (&s->coord_lock);
  if (s->coord_pending)
    {
      coord_build (s, b);
      g_atomic_int_set (&s->coord_pending, FALSE);
    }
  g_mutex_unlock (&s->coord_lock);
}

/* ---- apply ---- */


typedef struct
{
  float   *zm;      /* [SCORE_WINDOWS·d] masked queries */
  float   *zs;      /* [SCORE_WINDOWS·d] the same × 255 */
  float   *score;   /* [SCORE_WINDOWS·score_stride] */
  guint32 *ord;     /* [max clusters + 16] the clusters to visit next */
  guint32 *kept;    /* [max clusters + 16] the clusters within the bins */
  float   *dist;    /* [max padded cluster] */
  float   *w;       /* [max padded cluster] */
  guint16 *bin;     /* [SCORE_WINDOWS·bin_stride] each cluster's bin */
  gsize    d;
  gsize    bin_stride;
} CoordScratch;

/* Window w of a block: its query × 255, and its clusters' bins. */
static inline float *
slot_zs (const CoordScratch *sc, guint w)
{
  return sc->zs + w * sc->d;
}

static inline guint16 *
slot_bin (const CoordScratch *sc, guint w)
{
  return sc->bin + w * sc->bin_stride;
}

/* The share of group g's coordinates in their output pixels (the
 * largest, when the group has several members). */
static double
group_share (const AnalyticState *s, const float *share, guint g)
{
  if (!share)
    return 1.0;
  double w = 0.0;
  for (gsize j = s->member_start[g]; j < s->member_start[g + 1]; j++)
    w = MAX (w, share[s->members[j]]);
  return CLAMP (w, 1e-6, 1.0);
}

/* score[c] = −log of cluster c's estimated weight (cluster_spreads). */
typedef void (*ScoreFunc) (const AnaCoordIndex *ix, const float *zm, float *score);

/* The scores of nwin ≤ SCORE_WINDOWS windows, whose masked queries are
 * zstride apart, into score rows sstride apart. */
typedef void (*ScoresFunc) (const AnaCoordIndex *ix, const float *zm, gsize zstride,
                            guint nwin, float *score, gsize sstride);

ADIFF_HOT static void
centre_scores_plain (const AnaCoordIndex *ix, const float *zm, float *score)
{
  guint nc = ix->nc;
  float zz = 0.0f;
  for (guint j = 0; j < ix->m; j++)
    zz += zm[j] * zm[j];
  for (guint c = 0; c < nc; c++)
    score[c] = ix->cnorm[c] + zz;
  for (guint j = 0; j < ix->m; j++)
    {
      float t = -2.0f * zm[j];
      const float *row = ix->cent + (gsize) j * nc;
      for (guint c = 0; c < nc; c++)
        score[c] += t * row[c];
    }
  for (guint c = 0; c < nc; c++)
    score[c] = ix->cb[c] * MAX (score[c], 0.0f) + ix->ca[c];
  for (guint k = 0; k < SPREAD_DIRECTIONS; k++)
    {
      float *proj = score + pad8 (nc) * (k + 1);
      const float *fc = ix->dirc + (gsize) k * nc;
      for (guint c = 0; c < nc; c++)
        proj[c] = -fc[c];
      for (guint j = 0; j < ix->m; j++)
        {
          float t = zm[j];
          const float *row = ix->dir + ((gsize) k * ix->m + j) * nc;
          for (guint c = 0; c < nc; c++)
            proj[c] += t * row[c];
        }
      for (guint c = 0; c < nc; c++)
        score[c] -= proj[c] * proj[c];
    }
}

static inline void
scores_each (ScoreFunc one, const AnaCoordIndex *ix, const float *zm, gsize zstride,
             guint nwin, float *score, gsize sstride)
{
  for (guint w = 0; w < nwin; w++)
    one (ix, zm + w * zstride, score + w * sstride);
}

static void
scores_plain (const AnaCoordIndex *ix, const float *zm, gsize zstride, guint nwin,
              float *score, gsize sstride)
{
  scores_each (centre_scores_plain, ix, zm, zstride, nwin, score, sstride);
}

#if ADIFF_SIMD_X86
#define AVX2_FMA ADIFF_TARGET_AVX2_FMA

G_STATIC_ASSERT (SPREAD_DIRECTIONS == 2);

/* Clusters c0..c0+7: the three sums (distance, two projections) stay in
 * registers across the coordinates instead of a pass over score[] each. */
AVX2_FMA static inline __m256
scores8_fma (const AnaCoordIndex *ix, const float *zm, float zz, guint c)
{
  guint nc = ix->nc, m = ix->m;
  const float *d0 = ix->dir, *d1 = ix->dir + (gsize) m * nc;
  __m256 sc = _mm256_add_ps (_mm256_loadu_ps (ix->cnorm + c), _mm256_set1_ps (zz));
  __m256 p0 = _mm256_sub_ps (_mm256_setzero_ps (), _mm256_loadu_ps (ix->dirc + c));
  __m256 p1 = _mm256_sub_ps (_mm256_setzero_ps (), _mm256_loadu_ps (ix->dirc + nc + c));
  for (guint j = 0; j < m; j++)
    {
      gsize o = (gsize) j * nc + c;
      __m256 zj = _mm256_set1_ps (zm[j]);
      sc = _mm256_fmadd_ps (_mm256_set1_ps (-2.0f * zm[j]), _mm256_loadu_ps (ix->cent + o), sc);
      p0 = _mm256_fmadd_ps (zj, _mm256_loadu_ps (d0 + o), p0);
      p1 = _mm256_fmadd_ps (zj, _mm256_loadu_ps (d1 + o), p1);
    }
  sc = _mm256_max_ps (sc, _mm256_setzero_ps ());
  sc = _mm256_fmadd_ps (_mm256_loadu_ps (ix->cb + c), sc, _mm256_loadu_ps (ix->ca + c));
  sc = _mm256_fnmadd_ps (p0, p0, sc);
  return _mm256_fnmadd_ps (p1, p1, sc);
}

AVX2_FMA static void
centre_scores_fma (const AnaCoordIndex *ix, const float *zm, float *score)
{
  guint nc = ix->nc, m = ix->m, c = 0;
  float zz = 0.0f;
  for (guint j = 0; j < m; j++)
    zz += zm[j] * zm[j];
  /* Two blocks at a time: six independent chains of multiply-adds. */
  for (; c + 16 <= nc; c += 16)
    {
      __m256 a = scores8_fma (ix, zm, zz, c), b = scores8_fma (ix, zm, zz, c + 8);
      _mm256_storeu_ps (score + c, a);
      _mm256_storeu_ps (score + c + 8, b);
    }
  for (; c + 8 <= nc; c += 8)
    _mm256_storeu_ps (score + c, scores8_fma (ix, zm, zz, c));
  for (; c < nc; c++)
    {
      float sc = ix->cnorm[c] + zz, p[SPREAD_DIRECTIONS];
      for (guint k = 0; k < SPREAD_DIRECTIONS; k++)
        p[k] = -ix->dirc[(gsize) k * nc + c];
      for (guint j = 0; j < m; j++)
        {
          sc += -2.0f * zm[j] * ix->cent[(gsize) j * nc + c];
          for (guint k = 0; k < SPREAD_DIRECTIONS; k++)
            p[k] += zm[j] * ix->dir[((gsize) k * m + j) * nc + c];
        }
      score[c] = ix->cb[c] * MAX (sc, 0.0f) + ix->ca[c] - p[0] * p[0] - p[1] * p[1];
    }
}

static void
scores_fma (const AnaCoordIndex *ix, const float *zm, gsize zstride, guint nwin,
            float *score, gsize sstride)
{
  scores_each (centre_scores_fma, ix, zm, zstride, nwin, score, sstride);
}

#endif

/* Bins of the cluster scores: their count, starting width in nats, and
 * the widest they get. */
#define SELECT_BINS 256
#define SELECT_BIN_WIDTH 0.25f
#define SELECT_MAX_WIDTH 16.0f

/* bin[c] = the bin of score[c] (the last one for everything beyond). */
ADIFF_HOT static void
score_bins (const float *score, guint nc, float kmin, float inv_width, guint16 *bin)
{
  for (guint c = 0; c < nc; c++)
    {
      float b = (score[c] - kmin) * inv_width;
      b = b < (float) (SELECT_BINS - 1) ? b : (float) (SELECT_BINS - 1);
      bin[c] = (guint16) (gint32) b;
    }
}

/* The clusters whose bin is in [lo, hi), in index order, into out (which
 * has room for nc + 16); returns how many.  Most clusters score far
 * beyond the range of the bins, so only the few within are counted, and
 * the visit takes the clusters of the first bins in index order (their
 * bytes in memory order), then bin by bin. */
typedef guint (*SelectFunc) (const guint16 *bin, guint nc, guint lo, guint hi, guint32 *out);

ADIFF_HOT static guint
select_plain (const guint16 *bin, guint nc, guint lo, guint hi, guint32 *out)
{
  guint n = 0;
  for (guint c = 0; c < nc; c++)
    {
      out[n] = c;
      n += bin[c] >= lo && bin[c] < hi;
    }
  return n;
}

/* Members per bin, of the kept clusters. */
static void
kept_histogram (const guint16 *bin, const guint32 *kept, guint nk, const guint32 *count,
                guint32 *members)
{
  memset (members, 0, SELECT_BINS * sizeof (guint32));
  for (guint k = 0; k < nk; k++)
    members[bin[kept[k]]] += count[kept[k]];
}

/* The first bin whose members bring the running total to `enough` (the
 * last bin if none). */
static guint
bin_reaching (const guint32 *members, gsize enough)
{
  gsize have = 0;
  guint b;
  for (b = 0; b < SELECT_BINS - 1 && have + members[b] < enough; b++)
    have += members[b];
  return b;
}

/* Bins the clusters by their estimated weight (a sort would cost as much
 * as the softmax over them): bin[c], bins of SELECT_BIN_WIDTH nats
 * from the best, widened until the budget is reached before the last
 * bin, which holds everything beyond.  Returns the bin where the budget
 * is reached. */
static guint
bin_clusters (const AnaCoordIndex *ix, float *score, gsize budget, SelectFunc select,
              CoordScratch *sc, guint16 *bin)
{
  guint nc = ix->nc;
  for (guint c = nc; c < pad8 (nc); c++)
    score[c] = G_MAXFLOAT;
  float kmin = score[argmin8 (score, (guint) pad8 (nc))];
  guint32 members[SELECT_BINS];
  float width = SELECT_BIN_WIDTH;
  for (;;)
    {
      score_bins (score, nc, kmin, 1.0f / width, bin);
      guint nk = select (bin, nc, 0, SELECT_BINS - 1, sc->kept);
      kept_histogram (bin, sc->kept, nk, ix->count, members);
      guint last = bin_reaching (members, budget);
      if (last < SELECT_BINS - 1 || width >= SELECT_MAX_WIDTH)
        return last;
      width *= 4;
    }
}

/* Members whose weighted sums fold_fma keeps in registers. */
#define FOLD_MAX_MEMBERS 4

/* Online softmax state of one window and group. */
typedef struct
{
  float   gmax;
  double  sum;
  double *acc;      /* [group members] */
} Softmax;

/* Folding one cluster into a window's softmax: the squared masked
 * distances of its members to the query zs = 255·z (in units of
 * (1/255)²), the new running maximum, their weights and the weighted sums
 * of the group's member rows.  Returns the cluster's summed weight
 * relative to exp(sm->gmax) after the fold.  blk holds rows × pad8(cnt)
 * bytes; dist and w are scratch of pad8(cnt) floats. */
typedef double (*FoldFunc) (const guint8 *blk, gsize cnt, const float *zs, guint m,
                            float inv, const guint32 *row_of, gsize nmem, float *dist,
                            float *w, Softmax *sm);

ADIFF_HOT static void
distances_plain (const guint8 *blk, gsize p, const float *zs, guint m, float *dist)
{
  for (gsize i = 0; i < p; i += 8)
    for (int k = 0; k < 8; k++)
      dist[i + k] = 0.0f;
  for (guint j = 0; j < m; j++)
    {
      const guint8 *r = blk + j * p;
      float zj = zs[j];
      for (gsize i = 0; i < p; i += 8)
        for (int k = 0; k < 8; k++)
          {
            float t = zj - (float) r[i + k];
            dist[i + k] += t * t;
          }
    }
}

ADIFF_HOT static float
weighted_row (const float *w, const guint8 *r, gsize p)
{
  float lanes[8] = { 0 };
  for (gsize i = 0; i < p; i += 8)
    for (int k = 0; k < 8; k++)
      lanes[k] += w[i + k] * (float) r[i + k];
  return (((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
          + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))) * (1.0f / 255.0f);
}

/* The new running maximum for a cluster whose nearest member is at
 * squared distance lo; sets *scale to the factor for the old sums. */
static inline float
raise_max (Softmax *sm, float lo, float inv, double *scale)
{
  float m = MAX (sm->gmax, -lo * inv);
  /* Most clusters leave the maximum as it is (a new record is rare). */
  if (m == sm->gmax)
    *scale = 1.0;
  else
    *scale = sm->gmax == -G_MAXFLOAT ? 0.0 : (double) adiff__exp_neg (sm->gmax - m);
  sm->gmax = m;
  return m;
}

static double
fold_plain (const guint8 *blk, gsize cnt, const float *zs, guint m, float inv,
            const guint32 *row_of, gsize nmem, float *dist, float *w, Softmax *sm)
{
  gsize p = pad8 (cnt);
  distances_plain (blk, p, zs, m, dist);
  for (gsize i = cnt; i < p; i++)
    dist[i] = G_MAXFLOAT;        /* padding: weight 0 */
  double scale;
  float mx = raise_max (sm, ana_smallest (dist, p), inv, &scale);
  double sum = ana_exp_weights (dist, p, inv, mx, w);
  sm->sum = sm->sum * scale + sum;
  for (gsize j = 0; j < nmem; j++)
    sm->acc[j] = sm->acc[j] * scale + weighted_row (w, blk + (gsize) row_of[j] * p, p);
  return sum;
}

#if ADIFF_SIMD_X86
/* AVX2 + FMA: sixteen members at a time, their sums kept in registers
 * across the rows, one fused multiply-add per row.  target_clones cannot
 * ask for AVX2 and FMA together without naming a CPU model, so these are
 * chosen by hand (pick_fold). */
AVX2_FMA static inline void
distances_fma (const guint8 *blk, gsize p, const float *zs, guint m, float *dist)
{
  gsize i = 0;
  for (; i + 16 <= p; i += 16)
    {
      __m256 a0 = _mm256_setzero_ps (), a1 = _mm256_setzero_ps ();
      for (guint j = 0; j < m; j++)
        {
          __m256 zj = _mm256_set1_ps (zs[j]);
          __m128i b = _mm_loadu_si128 ((const __m128i *) (blk + j * p + i));
          __m256 x0 = _mm256_cvtepi32_ps (_mm256_cvtepu8_epi32 (b));
          __m256 x1 = _mm256_cvtepi32_ps (_mm256_cvtepu8_epi32 (_mm_srli_si128 (b, 8)));
          __m256 t0 = _mm256_sub_ps (zj, x0), t1 = _mm256_sub_ps (zj, x1);
          a0 = _mm256_fmadd_ps (t0, t0, a0);
          a1 = _mm256_fmadd_ps (t1, t1, a1);
        }
      _mm256_storeu_ps (dist + i, a0);
      _mm256_storeu_ps (dist + i + 8, a1);
    }
  for (; i < p; i += 8)
    {
      __m256 a0 = _mm256_setzero_ps ();
      for (guint j = 0; j < m; j++)
        {
          __m256 zj = _mm256_set1_ps (zs[j]);
          __m128i b = _mm_loadl_epi64 ((const __m128i *) (blk + j * p + i));
          __m256 t0 = _mm256_sub_ps (zj, _mm256_cvtepi32_ps (_mm256_cvtepu8_epi32 (b)));
          a0 = _mm256_fmadd_ps (t0, t0, a0);
        }
      _mm256_storeu_ps (dist + i, a0);
    }
}

AVX2_FMA static inline float
hsum_fma (__m256 v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));
  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_shuffle_ps (s, s, 1));
  return _mm_cvtss_f32 (s);
}

/* One call per cluster instead of five: distances, their minimum, then
 * weights and weighted member sums in a single pass over the distances
 * (still in L1). */
AVX2_FMA static double
fold_fma (const guint8 *blk, gsize cnt, const float *zs, guint m, float inv,
          const guint32 *row_of, gsize nmem, float *dist, float *w, Softmax *sm)
{
  if (nmem > FOLD_MAX_MEMBERS)
    return fold_plain (blk, cnt, zs, m, inv, row_of, nmem, dist, w, sm);
  gsize p = pad8 (cnt);
  distances_fma (blk, p, zs, m, dist);
  for (gsize i = cnt; i < p; i++)
    dist[i] = G_MAXFLOAT;        /* padding: weight 0 */
  __m256 lo = _mm256_loadu_ps (dist);
  for (gsize i = 8; i < p; i += 8)
    lo = _mm256_min_ps (lo, _mm256_loadu_ps (dist + i));
  __m128 l4 = _mm_min_ps (_mm256_castps256_ps128 (lo), _mm256_extractf128_ps (lo, 1));
  l4 = _mm_min_ps (l4, _mm_movehl_ps (l4, l4));
  l4 = _mm_min_ss (l4, _mm_shuffle_ps (l4, l4, 1));
  double scale;
  float mx = raise_max (sm, _mm_cvtss_f32 (l4), inv, &scale);

  __m256 total = _mm256_setzero_ps (), acc[FOLD_MAX_MEMBERS];
  const guint8 *rows[FOLD_MAX_MEMBERS];
  for (gsize j = 0; j < nmem; j++)
    {
      acc[j] = _mm256_setzero_ps ();
      rows[j] = blk + (gsize) row_of[j] * p;
    }
  for (gsize i = 0; i < p; i += 8)
    {
      AdiffV8f v;
      memcpy (&v, dist + i, sizeof v);
      v = -v * inv - mx;
      adiff__exp_neg8 (&v);
      __m256 wv = (__m256) v;
      total = _mm256_add_ps (total, wv);
      for (gsize j = 0; j < nmem; j++)
        {
          __m128i b = _mm_loadl_epi64 ((const __m128i *) (rows[j] + i));
          acc[j] = _mm256_fmadd_ps (wv, _mm256_cvtepi32_ps (_mm256_cvtepu8_epi32 (b)), acc[j]);
        }
    }
  double sum = hsum_fma (total);
  sm->sum = sm->sum * scale + sum;
  for (gsize j = 0; j < nmem; j++)
    sm->acc[j] = sm->acc[j] * scale + hsum_fma (acc[j]) * (1.0f / 255.0f);
  (void) w;
  return sum;
}

/* AVX-512 (two 512-bit pipes on the machines we measure): the scores
 * sixteen lanes wide, and the whole visit of a window and group in one
 * call (visit_avx512).  A cluster is folded in chunks of up to 128 members
 * whose distances stay in eight registers; most clusters are one chunk.
 * Groups of more than FOLD_MAX_MEMBERS members take the portable fold. */
#define AVX512 ADIFF_TARGET_AVX512
#define CHUNK_VECTORS 8

/* The lanes of the k-th vector of a chunk of n members. */
AVX512 static inline __mmask16
lanes16 (gsize n, guint k)
{
  gsize left = n > 16 * k ? n - 16 * k : 0;
  return left >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << left) - 1);
}

/* Sixteen members' bytes of one row as floats; the last vector of a
 * chunk is loaded under its mask (the row may end, or the index). */
AVX512 static inline __m512
row16 (const guint8 *r, __mmask16 k)
{
  return _mm512_cvtepi32_ps (_mm512_cvtepu8_epi32 (_mm_maskz_loadu_epi8 (k, r)));
}

AVX512 static inline __m512
add_square16 (__m512 a, __m512 zj, const guint8 *r, __mmask16 k)
{
  /* Sixteen bytes whatever the mask (a load the conversion takes as its
   * operand): the lanes past the cluster's members read their neighbours
   * or the slack, and are masked out of the weights. */
  __m512 t = _mm512_sub_ps (zj, _mm512_cvtepi32_ps (_mm512_cvtepu8_epi32 (
                                  _mm_loadu_si128 ((const __m128i *) r))));
  return _mm512_fmadd_ps (t, t, a);
}

/* select_plain with compress: sixteen clusters per compare. */
AVX512 static guint
select_avx512 (const guint16 *bin, guint nc, guint lo, guint hi, guint32 *out)
{
  __m512i idx = _mm512_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512i l = _mm512_set1_epi32 ((int) lo), h = _mm512_set1_epi32 ((int) hi);
  guint n = 0;
  for (guint c = 0; c < nc; c += 16)
    {
      __mmask16 k = lanes16 (nc - c, 0);
      __m512i v = _mm512_cvtepu16_epi32 (_mm256_maskz_loadu_epi16 (k, bin + c));
      __mmask16 in = _mm512_mask_cmpge_epi32_mask (k, v, l) & _mm512_cmplt_epi32_mask (v, h);
      _mm512_storeu_si512 (out + n, _mm512_maskz_compress_epi32 (in, idx));
      n += (guint) __builtin_popcount (in);
      idx = _mm512_add_epi32 (idx, _mm512_set1_epi32 (16));
    }
  return n;
}

/* nv is a constant where this is inlined, so the row loop has no
 * branches and the sums stay in registers. */
AVX512 static inline __attribute__ ((always_inline)) void
chunk_distances (const guint8 *blk, gsize p, const float *zs, guint m, guint nv,
                 const __mmask16 *mk, __m512 *a)
{
  #pragma GCC unroll 8
  for (guint k = 0; k < nv; k++)
    a[k] = _mm512_setzero_ps ();
  for (guint j = 0; j < m; j++)
    {
      const guint8 *r = blk + j * p;
      __m512 zj = _mm512_set1_ps (zs[j]);
      #pragma GCC unroll 8
      for (guint k = 0; k < nv; k++)
        a[k] = add_square16 (a[k], zj, r + 16 * k, mk[k]);
    }
}

/* The softmax of one window and group kept lane by lane: sixteen
 * running sums of weights (and of weighted member values) in double, all
 * relative to one running maximum logit `ref`.  A chunk's weights need
 * no horizontal sum and no new maximum unless one of its logits exceeds
 * ref, which is rare (clusters past the first few seldom hold a new
 * record): the per-cluster minimum, sums and rescaling were a long chain
 * of dependent steps after every cluster, which the next cluster's
 * distances could not hide. */
typedef struct
{
  float   ref;
  __m512d sum[2], bin[2], acc[FOLD_MAX_MEMBERS][2];
} LaneSoftmax;

AVX512 static inline void
add_lanes (__m512d *d, __m512 v)
{
  d[0] = _mm512_add_pd (d[0], _mm512_cvtps_pd (_mm512_castps512_ps256 (v)));
  d[1] = _mm512_add_pd (d[1], _mm512_cvtps_pd (_mm512_extractf32x8_ps (v, 1)));
}

AVX512 static inline void
scale_lanes (__m512d *d, __m512d f)
{
  d[0] = _mm512_mul_pd (d[0], f);
  d[1] = _mm512_mul_pd (d[1], f);
}

AVX512 static inline double
sum_lanes (const __m512d *d)
{
  return _mm512_reduce_add_pd (_mm512_add_pd (d[0], d[1]));
}

/* Raises ref to the largest logit of the chunk (x: nv vectors of
 * logits, under their masks) and rescales every sum. */
AVX512 static __attribute__ ((noinline)) void
raise_ref (LaneSoftmax *ls, const __m512 *x, const __mmask16 *mk, guint nv, gsize nmem)
{
  __m512 hi = _mm512_set1_ps (-G_MAXFLOAT);
  #pragma GCC unroll 8
  for (guint k = 0; k < nv; k++)
    hi = _mm512_mask_max_ps (hi, mk[k], hi, x[k]);
  float top = _mm512_reduce_max_ps (hi);
  double f = ls->ref == -G_MAXFLOAT ? 0.0 : exp ((double) ls->ref - top);
  __m512d fv = _mm512_set1_pd (f);
  scale_lanes (ls->sum, fv);
  scale_lanes (ls->bin, fv);
  for (gsize j = 0; j < nmem; j++)
    scale_lanes (ls->acc[j], fv);
  ls->ref = top;
}

/* One chunk of n ≤ 16·CHUNK_VECTORS members at i0 into the lanes.  nv and nmem are
 * constants where this is inlined. */
AVX512 static inline __attribute__ ((always_inline)) void
lane_chunk (const guint8 *blk, gsize p, gsize i0, gsize n, guint nv, const float *zs,
            guint m, float inv, const guint32 *row_of, gsize nmem, LaneSoftmax *ls)
{
  __mmask16 mk[CHUNK_VECTORS], over = 0;
  __m512 x[CHUNK_VECTORS];
  #pragma GCC unroll 8
  for (guint k = 0; k < CHUNK_VECTORS; k++)
    mk[k] = lanes16 (n, k);
  chunk_distances (blk + i0, p, zs, m, nv, mk, x);
  __m512 ref = _mm512_set1_ps (ls->ref);
  #pragma GCC unroll 8
  for (guint k = 0; k < nv; k++)
    {
      x[k] = _mm512_mul_ps (x[k], _mm512_set1_ps (-inv));
      over |= _mm512_mask_cmp_ps_mask (mk[k], x[k], ref, _CMP_GT_OQ);
    }
  if (G_UNLIKELY (over))
    {
      raise_ref (ls, x, mk, nv, nmem);
      ref = _mm512_set1_ps (ls->ref);
    }
  __m512 total = _mm512_setzero_ps (), acc[FOLD_MAX_MEMBERS];
  for (gsize j = 0; j < nmem; j++)
    acc[j] = _mm512_setzero_ps ();
  #pragma GCC unroll 8
  for (guint k = 0; k < nv; k++)
    {
      AdiffV16f v = (AdiffV16f) _mm512_sub_ps (x[k], ref);
      adiff__exp_neg16 (&v);
      __m512 wv = _mm512_maskz_mov_ps (mk[k], (__m512) v);
      total = _mm512_add_ps (total, wv);
      for (gsize j = 0; j < nmem; j++)
        acc[j] = _mm512_fmadd_ps (wv, row16 (blk + (gsize) row_of[j] * p + i0 + 16 * k,
                                              mk[k]), acc[j]);
    }
  add_lanes (ls->sum, total);
  add_lanes (ls->bin, total);
  for (gsize j = 0; j < nmem; j++)
    add_lanes (ls->acc[j], acc[j]);
}

AVX512 static inline __attribute__ ((always_inline)) void
lane_cluster (const guint8 *blk, gsize cnt, const float *zs, guint m, float inv,
              const guint32 *row_of, gsize nmem, LaneSoftmax *ls)
{
  gsize p = pad8 (cnt);
  for (gsize i0 = 0; i0 < cnt; i0 += 16 * CHUNK_VECTORS)
    {
      gsize n = MIN (cnt - i0, 16 * CHUNK_VECTORS);
      switch ((n + 15) / 16)
        {
        case 1: lane_chunk (blk, p, i0, n, 1, zs, m, inv, row_of, nmem, ls); break;
        case 2: lane_chunk (blk, p, i0, n, 2, zs, m, inv, row_of, nmem, ls); break;
        case 3: lane_chunk (blk, p, i0, n, 3, zs, m, inv, row_of, nmem, ls); break;
        case 4: lane_chunk (blk, p, i0, n, 4, zs, m, inv, row_of, nmem, ls); break;
        case 5: lane_chunk (blk, p, i0, n, 5, zs, m, inv, row_of, nmem, ls); break;
        case 6: lane_chunk (blk, p, i0, n, 6, zs, m, inv, row_of, nmem, ls); break;
        case 7: lane_chunk (blk, p, i0, n, 7, zs, m, inv, row_of, nmem, ls); break;
        default: lane_chunk (blk, p, i0, n, 8, zs, m, inv, row_of, nmem, ls); break;
        }
    }
}

/* The clusters of window w's bins [lo, hi) into its lanes; returns their
 * members. */
AVX512 static inline __attribute__ ((always_inline)) gsize
lane_bins (const AnaCoordIndex *ix, CoordScratch *sc, guint w, guint lo, guint hi,
           float inv, gsize nmem, LaneSoftmax *ls)
{
  gsize have = 0;
  guint n = select_avx512 (slot_bin (sc, w), ix->nc, lo, hi, sc->ord);
  for (guint k = 0; k < n; k++)
    {
      guint c = sc->ord[k];
      gsize cnt = ix->count[c];
      lane_cluster (ix->vals + ix->offset[c], cnt, slot_zs (sc, w), ix->m, inv, ix->row_of,
                    nmem, ls);
      have += cnt;
    }
  return have;
}

/* The clusters of the bins before each window's budget bin, for all the
 * block's windows in one pass in index order: a cluster that several of
 * them take is read once for all (from memory, the bytes of a group's
 * index are about a megabyte), and the next ones are where the hardware
 * expects them. */
AVX512 static inline __attribute__ ((always_inline)) void
lane_first_bins (const AnaCoordIndex *ix, CoordScratch *sc, guint nwin, const guint *last,
                 float inv, gsize nmem, LaneSoftmax *ls, gsize *have)
{
  guint nc = ix->nc;
  for (guint c0 = 0; c0 < nc; c0 += 16)
    {
      __mmask16 k = lanes16 (nc - c0, 0), take[SCORE_WINDOWS], any = 0;
      for (guint w = 0; w < nwin; w++)
        {
          __m512i b = _mm512_cvtepu16_epi32 (_mm256_maskz_loadu_epi16 (k, slot_bin (sc, w) + c0));
          take[w] = _mm512_mask_cmplt_epi32_mask (k, b, _mm512_set1_epi32 ((int) last[w]));
          any |= take[w];
        }
      for (; any; any &= any - 1)
        {
          guint i = (guint) __builtin_ctz (any), c = c0 + i;
          gsize cnt = ix->count[c];
          const guint8 *blk = ix->vals + ix->offset[c];
          for (guint w = 0; w < nwin; w++)
            if (take[w] >> i & 1)
              {
                lane_cluster (blk, cnt, slot_zs (sc, w), ix->m, inv, ix->row_of, nmem, &ls[w]);
                have[w] += cnt;
              }
        }
    }
}

/* coord_block's visit with the lanes (same clusters, same stopping
 * rule); writes Σ w·x per member of window w into acc[w·nmem …] and Σ w
 * into sum[w]. */
AVX512 static inline __attribute__ ((always_inline)) void
lane_visit (const AnaCoordIndex *ix, CoordScratch *sc, guint nwin, const guint *last,
            gsize cap, double tail, float inv, gsize nmem, double *acc, double *sum)
{
  LaneSoftmax ls[SCORE_WINDOWS];
  gsize have[SCORE_WINDOWS];
  for (guint w = 0; w < nwin; w++)
    {
      ls[w].ref = -G_MAXFLOAT;
      ls[w].sum[0] = ls[w].sum[1] = _mm512_setzero_pd ();
      for (gsize j = 0; j < nmem; j++)
        ls[w].acc[j][0] = ls[w].acc[j][1] = _mm512_setzero_pd ();
      have[w] = 0;
    }
  lane_first_bins (ix, sc, nwin, last, inv, nmem, ls, have);
  for (guint w = 0; w < nwin; w++)
    {
      /* Then bin by bin while the last one still adds weight. */
      for (guint b = last[w]; b < SELECT_BINS && have[w] < cap; b++)
        {
          ls[w].bin[0] = ls[w].bin[1] = _mm512_setzero_pd ();
          have[w] += lane_bins (ix, sc, w, b, b + 1, inv, nmem, &ls[w]);
          if (sum_lanes (ls[w].bin) <= tail * sum_lanes (ls[w].sum))
            break;
        }
      for (gsize j = 0; j < nmem; j++)
        acc[w * nmem + j] = sum_lanes (ls[w].acc[j]) * (1.0 / 255.0);
      sum[w] = sum_lanes (ls[w].sum);
    }
}

AVX512 static void
visit_avx512 (const AnaCoordIndex *ix, CoordScratch *sc, guint nwin, const guint *last,
              gsize cap, double tail, float inv, gsize nmem, double *acc, double *sum)
{
  if (nmem == 1)
    lane_visit (ix, sc, nwin, last, cap, tail, inv, 1, acc, sum);
  else
    lane_visit (ix, sc, nwin, last, cap, tail, inv, nmem, acc, sum);
}

/* Clusters c … c+15 under mask k, as scores8_fma, for SCORE_WINDOWS
 * windows at once: each row of centres and directions is read once for
 * all of them (a window at a time, the scores were bound by reading
 * those rows from L2: 3·m·nc floats per window and group). */
AVX512 static inline __attribute__ ((always_inline)) void
scores16_windows (const AnaCoordIndex *ix, const float *zm, gsize zstride, const float *zz,
                  guint c, __mmask16 k, float *score, gsize sstride)
{
  guint nc = ix->nc, m = ix->m;
  const float *d0 = ix->dir, *d1 = ix->dir + (gsize) m * nc;
  __m512 sc[SCORE_WINDOWS], p0[SCORE_WINDOWS], p1[SCORE_WINDOWS];
  __m512 cn = _mm512_maskz_loadu_ps (k, ix->cnorm + c);
  __m512 f0 = _mm512_maskz_loadu_ps (k, ix->dirc + c);
  __m512 f1 = _mm512_maskz_loadu_ps (k, ix->dirc + nc + c);
#pragma GCC unroll 8
  for (guint w = 0; w < SCORE_WINDOWS; w++)
    {
      sc[w] = _mm512_add_ps (cn, _mm512_set1_ps (zz[w]));
      p0[w] = _mm512_sub_ps (_mm512_setzero_ps (), f0);
      p1[w] = _mm512_sub_ps (_mm512_setzero_ps (), f1);
    }
  for (guint j = 0; j < m; j++)
    {
      gsize o = (gsize) j * nc + c;
      __m512 cj = _mm512_mul_ps (_mm512_maskz_loadu_ps (k, ix->cent + o),
                                 _mm512_set1_ps (-2.0f));
      __m512 a0 = _mm512_maskz_loadu_ps (k, d0 + o), a1 = _mm512_maskz_loadu_ps (k, d1 + o);
#pragma GCC unroll 8
      for (guint w = 0; w < SCORE_WINDOWS; w++)
        {
          __m512 zj = _mm512_set1_ps (zm[w * zstride + j]);
          sc[w] = _mm512_fmadd_ps (zj, cj, sc[w]);
          p0[w] = _mm512_fmadd_ps (zj, a0, p0[w]);
          p1[w] = _mm512_fmadd_ps (zj, a1, p1[w]);
        }
    }
  __m512 cb = _mm512_maskz_loadu_ps (k, ix->cb + c), ca = _mm512_maskz_loadu_ps (k, ix->ca + c);
#pragma GCC unroll 8
  for (guint w = 0; w < SCORE_WINDOWS; w++)
    {
      __m512 v = _mm512_fmadd_ps (cb, _mm512_max_ps (sc[w], _mm512_setzero_ps ()), ca);
      v = _mm512_fnmadd_ps (p0[w], p0[w], v);
      v = _mm512_fnmadd_ps (p1[w], p1[w], v);
      _mm512_mask_storeu_ps (score + w * sstride + c, k, v);
    }
}

/* Always SCORE_WINDOWS windows: the caller pads zm and score. */
AVX512 static void
scores_avx512 (const AnaCoordIndex *ix, const float *zm, gsize zstride, guint nwin,
               float *score, gsize sstride)
{
  guint nc = ix->nc, m = ix->m;
  float zz[SCORE_WINDOWS];
  for (guint w = 0; w < SCORE_WINDOWS; w++)
    {
      zz[w] = 0.0f;
      for (guint j = 0; j < m; j++)
        zz[w] += zm[w * zstride + j] * zm[w * zstride + j];
    }
  for (guint c = 0; c < nc; c += 16)
    scores16_windows (ix, zm, zstride, zz, c, lanes16 (nc - c, 0), score, sstride);
}

#endif

/* The whole visit of a block of windows and a group (visit_avx512), or
 * NULL: fold_visit for each window. */
typedef void (*VisitFunc) (const AnaCoordIndex *ix, CoordScratch *sc, guint nwin,
                           const guint *last, gsize cap, double tail, float inv, gsize nmem,
                           double *acc, double *sum);

typedef struct
{
  ScoresFunc  scores;
  SelectFunc  select;
  FoldFunc    fold;
  VisitFunc   visit;
} CoordKernels;

/* The widest kernels the CPU runs, but no wider than the tests ask. */
static CoordKernels
pick_kernels (void)
{
#if ADIFF_SIMD_X86
  switch (adiff__simd_level ())
    {
    case ADIFF__SIMD_AVX512:
      return (CoordKernels) { scores_avx512, select_avx512, fold_plain, visit_avx512 };
    case ADIFF__SIMD_AVX2:
      return (CoordKernels) { scores_fma, select_plain, fold_fma, NULL };
    case ADIFF__SIMD_PORTABLE:
      break;
    }
#endif
  return (CoordKernels) { scores_plain, select_plain, fold_plain, NULL };
}

/* The clusters of window w's bins [lo, hi) into its softmax with the
 * fold; returns the weight they added (relative to the final maximum)
 * and counts their members into *have. */
static double
fold_bins (const AnaCoordIndex *ix, CoordScratch *sc, guint w, const CoordKernels *kern,
           guint lo, guint hi, float inv, gsize nmem, Softmax *sm, gsize *have)
{
  double added = 0;
  guint n = kern->select (slot_bin (sc, w), ix->nc, lo, hi, sc->ord);
  for (guint k = 0; k < n; k++)
    {
      float before = sm->gmax;
      guint c = sc->ord[k];
      gsize cnt = ix->count[c];
      if (cnt == 0)
        continue;
      double x = kern->fold (ix->vals + ix->offset[c], cnt, slot_zs (sc, w), ix->m, inv,
                             ix->row_of, nmem, sc->dist, sc->w, sm);
      if (sm->gmax != before && before != -G_MAXFLOAT)
        added *= adiff__exp_neg (before - sm->gmax);
      added += x;
      *have += cnt;
    }
  return added;
}

/* The visit of window w with the fold (kernels without a visit of their
 * own, or groups of many members): the bins before the budget's in one
 * go, in index order, then bin by bin while the last one still adds more
 * than `tail` of the weight (the estimates ranked clusters that matter
 * too low), up to `cap` members.  Writes Σ w·x per member into acc and
 * returns Σ w. */
static double
fold_visit (const AnaCoordIndex *ix, CoordScratch *sc, guint w, const CoordKernels *kern,
            guint last, gsize cap, double tail, float inv, gsize nmem, double *acc)
{
  Softmax sm = { -G_MAXFLOAT, 0.0, acc };
  memset (acc, 0, nmem * sizeof (double));
  gsize have = 0;
  fold_bins (ix, sc, w, kern, 0, last, inv, nmem, &sm, &have);
  for (guint b = last; b < SELECT_BINS && have < cap; b++)
    if (fold_bins (ix, sc, w, kern, b, b + 1, inv, nmem, &sm, &have) <= tail * sm.sum)
      break;
  return sm.sum;
}

/* A block of nwin windows (queries zwin[w]), one group: the softmax of
 * each over the members of the clusters of its first bins, until they
 * hold the budget, and on while the last bin adds weight (fold_visit).
 * Writes x̂ of the group's members into out[w]. */
static void
coord_block (const AnalyticState *s, guint g, const float *const *zwin, guint nwin,
             float *score, gsize sstride, gsize budget, double tail, const CoordKernels *kern,
             CoordScratch *sc, double *acc, float *const *out)
{
  const AnaCoordIndex *ix = &s->coord[g];
  const guint32 *mask = s->mask_idx + s->mask_start[g];
  gsize nmem = s->member_start[g + 1] - s->member_start[g];
  const guint32 *members = s->members + s->member_start[g];
  /* Distances come in units of (1/255)². */
  float inv = s->inv_2s2 * (1.0f / (255.0f * 255.0f));
  gsize cap = COORD_MAX_EXTEND * budget;
  guint last[SCORE_WINDOWS];
  double sum[SCORE_WINDOWS];
  for (guint w = 0; w < nwin; w++)
    {
      float *zs = slot_zs (sc, w);
      for (guint j = 0; j < ix->m; j++)
        zs[j] = 255.0f * zwin[w][mask[j]];
      last[w] = bin_clusters (ix, score + w * sstride, budget, kern->select, sc,
                              slot_bin (sc, w));
    }
  if (kern->visit && nmem <= FOLD_MAX_MEMBERS)
    kern->visit (ix, sc, nwin, last, cap, tail, inv, nmem, acc, sum);
  else
    for (guint w = 0; w < nwin; w++)
      sum[w] = fold_visit (ix, sc, w, kern, last[w], cap, tail, inv, nmem, acc + w * nmem);
  for (guint w = 0; w < nwin; w++)
    for (gsize j = 0; j < nmem; j++)
      out[w][members[j]] = (float) (acc[w * nmem + j] / sum[w]);
}

typedef struct
{
  const AnalyticState *s;
  const float  *z;
  float        *tmp;     /* [n·d] results (out may alias z) */
  gsize         n_windows;
  gsize         n_blocks;     /* of SCORE_WINDOWS windows */
  gsize         score_stride;
  CoordScratch *sc;      /* per worker */
  double      **acc;     /* per worker, [SCORE_WINDOWS · max members] */
  CoordKernels  k;
  gsize        *budget;  /* [n_groups] */
  double       *tail;    /* [n_groups] */
} CoordJob;

static void
coord_task (guint task, guint worker, gpointer data)
{
  CoordJob *j = data;
  const AnalyticState *s = j->s;
  CoordScratch *sc = &j->sc[worker];
  /* Group-major: consecutive tasks share the group's index in cache. */
  guint g = (guint) (task / j->n_blocks);
  gsize w0 = (task % j->n_blocks) * SCORE_WINDOWS;
  guint nwin = (guint) MIN (SCORE_WINDOWS, j->n_windows - w0);
  const AnaCoordIndex *ix = &s->coord[g];
  const guint32 *mask = s->mask_idx + s->mask_start[g];
  const float *zwin[SCORE_WINDOWS];
  float *out[SCORE_WINDOWS];
  /* The scores of the block's windows in one pass; a short block repeats
   * its last window. */
  for (guint w = 0; w < SCORE_WINDOWS; w++)
    {
      gsize win = w0 + MIN (w, nwin - 1);
      zwin[w] = j->z + win * s->d;
      out[w] = j->tmp + win * s->d;
      for (guint i = 0; i < ix->m; i++)
        sc->zm[w * s->d + i] = zwin[w][mask[i]];
    }
  j->k.scores (ix, sc->zm, s->d, nwin, sc->score, j->score_stride);
  coord_block (s, g, zwin, nwin, sc->score, j->score_stride, j->budget[g], j->tail[g], &j->k,
               sc, j->acc[worker], out);
}

/* Group g's budget and the weight its last bin may add: larger masks
 * (higher σ) spread the weight over more exemplars; both follow the
 * share (see the top). */
static void
group_limits (const AnalyticState *s, const float *share, guint g, gsize n,
              gsize *budget, double *tail)
{
  const double ex = COORD_SHARE_EXPONENT;
  double w = group_share (s, share, g);
  double wide = MAX (1.0, (double) s->coord[g].m / COORD_BUDGET_PIXELS);
  double k = s->coord_budget * wide * pow (w, ex);
  *budget = MIN (n, (gsize) MAX (k, (double) COORD_MIN_BUDGET));
  *tail = MIN (0.1, s->coord_tail * pow (w, -2 * ex));
}

gboolean
ana_coord_apply (const AnalyticState *s, AdiffBundle *b, const float *in, gsize n,
                 const float *share, float *out, GError **error)
{
  gsize d = s->d, tasks, n_blocks = (n + SCORE_WINDOWS - 1) / SCORE_WINDOWS;
  if (!g_size_checked_mul (&tasks, n_blocks, s->n_groups) || tasks > G_MAXUINT)
    {
      /* Split huge batches: each part is far below the limit. */
      gsize half = n / 2;
      return ana_coord_apply (s, b, in, half, share, out, error) &&
             ana_coord_apply (s, b, in + half * d, n - half, share, out + half * d, error);
    }
  float *tmp = adiff_try_alloc (n * d, sizeof (float), "analytic results", error);
  if (!tmp)
    return FALSE;
  guint workers = s->n_threads, max_nc = 1;
  gsize max_mem = 1;
  for (guint g = 0; g < s->n_groups; g++)
    {
      max_nc = MAX (max_nc, s->coord[g].nc);
      max_mem = MAX (max_mem, s->member_start[g + 1] - s->member_start[g]);
    }
  /* Room for the plain kernel's projections, and for sixteen lanes. */
  gsize score_stride = pad8 (max_nc + 8) * (SPREAD_DIRECTIONS + 1);
  CoordScratch *sc = g_new (CoordScratch, workers);
  double **acc = g_new (double *, workers);
  for (guint w = 0; w < workers; w++)
    {
      sc[w].zm = g_new (float, SCORE_WINDOWS * d);
      sc[w].zs = g_new (float, SCORE_WINDOWS * d);
      sc[w].d = d;
      sc[w].bin_stride = max_nc + 16;
      sc[w].score = g_new (float, SCORE_WINDOWS * score_stride);
      sc[w].bin = g_new0 (guint16, SCORE_WINDOWS * (max_nc + 16));
      sc[w].ord = g_new (guint32, max_nc + 16);
      sc[w].kept = g_new (guint32, max_nc + 16);
      sc[w].dist = g_new (float, s->coord_max_pad);
      sc[w].w = g_new (float, s->coord_max_pad);
      acc[w] = g_new (double, SCORE_WINDOWS * max_mem);
    }
  gsize *budget = g_new (gsize, s->n_groups);
  double *tail = g_new (double, s->n_groups);
  for (guint g = 0; g < s->n_groups; g++)
    group_limits (s, share, g, b->n_exemplars, &budget[g], &tail[g]);
  CoordJob job = { s, in, tmp, n, n_blocks, score_stride, sc, acc, pick_kernels (), budget,
                   tail };
  adiff_parallel_for ((guint) tasks, workers, coord_task, &job);
  memcpy (out, tmp, n * d * sizeof (float));
  for (guint w = 0; w < workers; w++)
    {
      g_free (sc[w].zm); g_free (sc[w].zs); g_free (sc[w].score);
      g_free (sc[w].bin); g_free (sc[w].ord);
      g_free (sc[w].kept);
      g_free (sc[w].dist); g_free (sc[w].w); g_free (acc[w]);
    }
  g_free (sc); g_free (acc); g_free (tmp); g_free (budget); g_free (tail);
  return TRUE;
}
