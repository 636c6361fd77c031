/* analytic-fast.c — fast mode of the analytic denoiser: regional candidate
 * pruning.
 *
 * The weight w^q_i = softmax(−D_q(i)/2σ²) is negligible for exemplars whose
 * masked distance D_q is far above the best one.  A single ranking by the
 * distance over the whole window fails for two reasons: at low σ the masks
 * are small, and exemplars that match the neighbourhood of q well are not
 * the ones that match the whole window; at high σ the softmax is broad and
 * a fixed number of candidates drops real weight.  So:
 *
 *  - the window is cut into square tiles of side ≈ ½·√(mean mask size in
 *    pixels); each mask group belongs to the tile of its pixel, and a
 *    region's coordinates U are the union of its groups' masks;
 *  - exemplars are ranked by their distance to z on U, approximated in the
 *    K leading eigenvectors of the bundle's covariance restricted to U
 *    (computed at prepare; one SGEMM per batch of windows);
 *  - a region keeps every exemplar whose approximate logit is within
 *    FAST_CUTOFF·|U|/min|M| of the best (the factor undoes the dilution of
 *    a mask's distance in the larger region); when more than FAST_MAX_KEEP
 *    qualify the softmax is broad and the region runs exact for that
 *    window;
 *  - the exact kernel then runs on each region's candidates.
 *
 * The error against exact mode is measured, not guaranteed: bench/models
 * prints it and docs/models.md records it.
 */
#include <cblas.h>
#include <lapacke.h>
#include "analytic-private.h"

#define FAST_COMPONENTS 12
#define FAST_CUTOFF 24.0
#define FAST_MAX_KEEP 2048
#define FAST_MAX_REGIONS 256
/* Candidate count meaning "every exemplar". */
#define ALL_EXEMPLARS G_MAXUINT
/* Windows per ranking SGEMM. */
#define FAST_BATCH 64
/* Projections of all regions may use at most this many bytes. */
#define FAST_MAX_BYTES ((gsize) 1 << 30)

void
ana_region_free (AnaRegion *r)
{
  g_free (r->coords);
  g_free (r->basis);
  g_free (r->mean);
  g_free (r->proj);
  g_free (r->norms);
}

/* Reorder the groups so that each tile's groups are contiguous; returns
 * the group count per tile in counts (n_tiles + 1, prefix sums). */
static void
sort_groups_by_tile (AnalyticState *s, const guint *tile, guint n_tiles, guint *first)
{
  guint ng = s->n_groups;
  guint *order = g_new (guint, ng);
  memset (first, 0, (n_tiles + 1) * sizeof (guint));
  for (guint g = 0; g < ng; g++)
    first[tile[g] + 1]++;
  for (guint t = 0; t < n_tiles; t++)
    first[t + 1] += first[t];
  guint *fill = g_memdup2 (first, (n_tiles + 1) * sizeof (guint));
  for (guint g = 0; g < ng; g++)
    order[fill[tile[g]]++] = g;
  g_free (fill);

  gsize *ms = g_new (gsize, ng + 1), *mb = g_new (gsize, ng + 1);
  guint32 *mi = g_new (guint32, s->mask_start[ng] + 1), *mm = g_new (guint32, s->d);
  gsize nm = 0, nb = 0;
  for (guint j = 0; j < ng; j++)
    {
      guint g = order[j];
      gsize len = s->mask_start[g + 1] - s->mask_start[g];
      gsize cnt = s->member_start[g + 1] - s->member_start[g];
      ms[j] = nm;
      mb[j] = nb;
      memcpy (mi + nm, s->mask_idx + s->mask_start[g], len * sizeof (guint32));
      memcpy (mm + nb, s->members + s->member_start[g], cnt * sizeof (guint32));
      nm += len;
      nb += cnt;
    }
  ms[ng] = nm;
  mb[ng] = nb;
  g_free (s->mask_start); g_free (s->mask_idx);
  g_free (s->member_start); g_free (s->members);
  s->mask_start = ms; s->mask_idx = mi;
  s->member_start = mb; s->members = mm;
  g_free (order);
}

/* The region's coordinates: the union of its groups' masks, sorted. */
static void
region_coords (const AnalyticState *s, AnaRegion *r, guint8 *mark)
{
  memset (mark, 0, s->d);
  for (gsize j = s->mask_start[r->g0]; j < s->mask_start[r->g1]; j++)
    mark[s->mask_idx[j]] = 1;
  r->n_coords = 0;
  r->coords = g_new (guint32, s->d);
  for (gsize p = 0; p < s->d; p++)
    if (mark[p])
      r->coords[r->n_coords++] = (guint32) p;
}

/* Leading eigenvectors of the bundle's covariance restricted to the
 * region: C_UU = V diag(λ − r) Vᵀ + r I with V = U[:, coords]ᵀ. */
static gboolean
region_basis (AdiffBundle *b, AnaRegion *r, guint k, GError **error)
{
  gsize nc = r->n_coords, d = b->dim;
  guint kb = b->n_components;
  double *v = g_new (double, nc * kb), *vs = g_new (double, nc * kb);
  double *c = g_new (double, nc * nc);
  for (gsize j = 0; j < nc; j++)
    for (guint i = 0; i < kb; i++)
      {
        v[j * kb + i] = b->eigenvectors[(gsize) i * d + r->coords[j]];
        vs[j * kb + i] = v[j * kb + i] * (b->eigenvalues[i] - b->residual_variance);
      }
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nc, (int) nc, (int) kb,
               1.0, vs, (int) kb, v, (int) kb, 0.0, c, (int) nc);
  for (gsize j = 0; j < nc; j++)
    c[j * nc + j] += b->residual_variance;
  double *w = g_new (double, nc), *z = g_new (double, nc * k);
  lapack_int *supp = g_new (lapack_int, 2 * nc);
  lapack_int found = 0;
  lapack_int info = LAPACKE_dsyevr (LAPACK_ROW_MAJOR, 'V', 'I', 'U', (lapack_int) nc, c,
                                    (lapack_int) nc, 0, 0, (lapack_int) (nc - k + 1),
                                    (lapack_int) nc, 0.0, &found, w, z, (lapack_int) k, supp);
  gboolean ok = info == 0 && found == (lapack_int) k;
  if (!ok)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
                 "%s: local eigen-decomposition failed (LAPACK dsyevr info %d)",
                 b->name, (int) info);
  else
    {
      r->k = k;
      r->basis = g_new (float, (gsize) k * nc);
      for (guint i = 0; i < k; i++)
        for (gsize j = 0; j < nc; j++)
          r->basis[(gsize) i * nc + j] = (float) z[j * k + i];
      r->mean = g_new (double, nc);
      for (gsize j = 0; j < nc; j++)
        r->mean[j] = b->mean[r->coords[j]];
    }
  g_free (v); g_free (vs); g_free (c); g_free (w); g_free (z); g_free (supp);
  return ok;
}

/* Centred values of m windows (or exemplars) on the region's coordinates. */
static void
gather (const AnaRegion *r, const float *rows, const guint32 *idx, gsize m, gsize d,
        float *out)
{
  for (gsize j = 0; j < m; j++)
    {
      const float *x = rows + (idx ? idx[j] : j) * d;
      for (gsize c = 0; c < r->n_coords; c++)
        out[j * r->n_coords + c] = (float) (x[r->coords[c]] - r->mean[c]);
    }
}

#define PROJ_BLOCK 1024

static gboolean
region_project (AdiffBundle *b, AnaRegion *r, GError **error)
{
  gsize n = b->n_exemplars, nc = r->n_coords;
  r->proj = adiff_try_alloc (n * r->k, sizeof (float), "regional projections", error);
  if (!r->proj)
    return FALSE;
  r->norms = g_new (float, n);
  float *xc = g_new (float, PROJ_BLOCK * nc);
  for (gsize i0 = 0; i0 < n; i0 += PROJ_BLOCK)
    {
      gsize nb = MIN (PROJ_BLOCK, n - i0);
      gather (r, b->exemplars + i0 * b->dim, NULL, nb, b->dim, xc);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nb, (int) r->k, (int) nc,
                   1.0f, xc, (int) nc, r->basis, (int) nc, 0.0f, r->proj + i0 * r->k, (int) r->k);
    }
  for (gsize i = 0; i < n; i++)
    {
      double s = 0;
      for (guint j = 0; j < r->k; j++)
        s += (double) r->proj[i * r->k + j] * r->proj[i * r->k + j];
      r->norms[i] = (float) s;
    }
  g_free (xc);
  return TRUE;
}

/* Tile side in pixels from the mean mask size. */
static guint
tile_side (const AnalyticState *s, guint channels)
{
  double mean_pixels = (double) s->mask_start[s->n_groups] / s->n_groups / channels;
  return MAX (1, (guint) lround (0.5 * sqrt (mean_pixels)));
}

gboolean
ana_fast_prepare (AnalyticState *s, AdiffBundle *b, GError **error)
{
  guint W = b->width, H = b->height, C = b->channels;
  guint t = tile_side (s, C);
  while (((W + t - 1) / t) * ((H + t - 1) / t) > FAST_MAX_REGIONS)
    t++;
  guint tx = (W + t - 1) / t, ty = (H + t - 1) / t, n_tiles = tx * ty;
  guint *tile = g_new (guint, s->n_groups), *first = g_new (guint, n_tiles + 1);
  for (guint g = 0; g < s->n_groups; g++)
    {
      guint pix = s->members[s->member_start[g]] / C;
      tile[g] = (pix / W / t) * tx + (pix % W) / t;
    }
  sort_groups_by_tile (s, tile, n_tiles, first);

  s->regions = g_new0 (AnaRegion, n_tiles);
  guint8 *mark = g_new (guint8, s->d);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < n_tiles; i++)
    {
      if (first[i] == first[i + 1])
        continue;
      AnaRegion *r = &s->regions[s->n_regions++];
      r->g0 = first[i];
      r->g1 = first[i + 1];
      region_coords (s, r, mark);
      guint k = (guint) MIN ((gsize) FAST_COMPONENTS, r->n_coords);
      k = MIN (k, MAX (b->n_components, 1));
      while (k > 1 && (gsize) n_tiles * b->n_exemplars * k * sizeof (float) > FAST_MAX_BYTES)
        k--;
      ok = region_basis (b, r, k, error) && region_project (b, r, error);
    }
  g_free (mark);
  g_free (tile);
  g_free (first);
  return ok;
}

/* ---- apply ---- */

typedef struct
{
  const AnalyticState *s;
  AdiffBundle   *b;
  const float   *z;        /* batch of windows */
  float         *out;
  const guint32 *cand;     /* [n_regions][m][FAST_MAX_KEEP] */
  const guint   *count;    /* [n_regions][m] */
  gsize          m;
  AnaAccum      *acc;      /* per worker */
  float         *tmp;      /* [workers·d] */
} FastJob;

static void
fast_task (guint task, guint worker, gpointer data)
{
  FastJob *j = data;
  const AnalyticState *s = j->s;
  AnaAccum *a = &j->acc[worker];
  const float *z = j->z + (gsize) task * s->d;
  ana_accum_reset (a, s);
  for (guint r = 0; r < s->n_regions; r++)
    {
      gsize slot = (gsize) r * j->m + task;
      const guint32 *idx = j->cand + slot * FAST_MAX_KEEP;
      gsize cnt = j->count[slot];
      if (cnt == ALL_EXEMPLARS)
        {
          idx = NULL;
          cnt = j->b->n_exemplars;
        }
      for (gsize i0 = 0; i0 < cnt; i0 += ANA_BLOCK)
        ana_accum_block (s, &s->regions[r], j->b->exemplars, z, idx, i0,
                         MIN (ANA_BLOCK, cnt - i0), a);
    }
  float *t = j->tmp + (gsize) worker * s->d;
  ana_accum_finish (s, a, t);
  memcpy (j->out + (gsize) task * s->d, t, s->d * sizeof (float));
}

/* Smallest mask of the region, for the dilution factor of the cutoff. */
static gsize
min_mask (const AnalyticState *s, const AnaRegion *r)
{
  gsize m = G_MAXSIZE;
  for (guint g = r->g0; g < r->g1; g++)
    m = MIN (m, s->mask_start[g + 1] - s->mask_start[g]);
  return MAX (m, 1);
}

/* Rank the exemplars for each window of the batch on region r. */
static void
region_candidates (const AnalyticState *s, AdiffBundle *b, const AnaRegion *r,
                   const float *z, gsize m, float *zc, float *pz, float *keys,
                   guint32 *idx, guint32 *cand, guint *count)
{
  gsize n = b->n_exemplars, nc = r->n_coords;
  gather (r, z, NULL, m, s->d, zc);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) m, (int) r->k, (int) nc,
               1.0f, zc, (int) nc, r->basis, (int) nc, 0.0f, pz, (int) r->k);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) m, (int) n, (int) r->k,
               -2.0f, pz, (int) r->k, r->proj, (int) r->k, 0.0f, keys, (int) n);
  double margin = 2 * s->sigma * s->sigma * FAST_CUTOFF * (double) nc / min_mask (s, r);
  for (gsize j = 0; j < m; j++)
    {
      float *key = keys + j * n;
      float lo = G_MAXFLOAT;
      for (gsize i = 0; i < n; i++)
        {
          key[i] += r->norms[i];
          lo = MIN (lo, key[i]);
        }
      float thr = (float) (lo + margin);
      gsize c = 0;
      for (gsize i = 0; i < n; i++)
        if (key[i] <= thr)
          {
            keys[j * n + c] = key[i];   /* compact in place: c ≤ i */
            idx[c++] = (guint32) i;
          }
      /* Too many candidates: the softmax is broad and pruning would drop
       * real weight, so this region of this window runs exact. */
      if (c > FAST_MAX_KEEP)
        c = ALL_EXEMPLARS;
      else
        memcpy (cand + j * FAST_MAX_KEEP, idx, c * sizeof (guint32));
      count[j] = (guint) c;
    }
}

gboolean
ana_fast_apply (const AnalyticState *s, AdiffBundle *b, const float *in, gsize n,
                float *out, GError **error)
{
  gsize d = s->d, ne = b->n_exemplars, max_nc = 0;
  guint workers = s->n_threads, nr = s->n_regions;
  for (guint r = 0; r < nr; r++)
    max_nc = MAX (max_nc, s->regions[r].n_coords);
  float *keys = adiff_try_alloc ((gsize) FAST_BATCH * ne, sizeof (float), "ranking keys", error);
  guint32 *cand = keys ? adiff_try_alloc ((gsize) nr * FAST_BATCH * FAST_MAX_KEEP,
                                          sizeof (guint32), "candidate lists", error) : NULL;
  if (!cand)
    {
      g_free (keys);
      return FALSE;
    }
  guint *count = g_new (guint, (gsize) nr * FAST_BATCH);
  guint32 *idx = g_new (guint32, ne);
  float *zc = g_new (float, FAST_BATCH * max_nc), *pz = g_new (float, FAST_BATCH * FAST_COMPONENTS);
  float *tmp = g_new (float, (gsize) workers * d);
  AnaAccum *acc = g_new (AnaAccum, workers);
  for (guint w = 0; w < workers; w++)
    ana_accum_init (&acc[w], s);

  for (gsize j0 = 0; j0 < n; j0 += FAST_BATCH)
    {
      gsize m = MIN (FAST_BATCH, n - j0);
      for (guint r = 0; r < nr; r++)
        region_candidates (s, b, &s->regions[r], in + j0 * d, m, zc, pz, keys, idx,
                           cand + (gsize) r * m * FAST_MAX_KEEP, count + (gsize) r * m);
      FastJob job = { s, b, in + j0 * d, out + j0 * d, cand, count, m, acc, tmp };
      adiff_parallel_for ((guint) m, workers, fast_task, &job);
    }

  for (guint w = 0; w < workers; w++)
    ana_accum_clear (&acc[w]);
  g_free (acc); g_free (tmp); g_free (zc); g_free (pz);
  g_free (idx); g_free (count); g_free (cand); g_free (keys);
  return TRUE;
}
