/* regions.c — fast mode of the analytic denoiser: regional candidate
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
 *    K leading eigenvectors of the bundle's covariance restricted to U;
 *    to avoid touching all n exemplars per window, each region clusters
 *    its exemplars at prepare (k-means in those K coordinates, about 2√n
 *    clusters), and a window takes the exemplars of the clusters whose
 *    centres are nearest to its own projection, about FAST_TARGET of them
 *    (an inverted-file index, as in approximate nearest-neighbour search);
 *  - the exact kernel then runs on each region's candidates.
 *
 * The error against exact mode is measured, not guaranteed: bench/models
 * prints it and docs/models.md records it.
 */
#include <cblas.h>
#include <lapacke.h>
#include "models/analytic-private.h"
#include "index/kmeans.h"
#include <glib/gi18n-lib.h>

#define FAST_COMPONENTS 12
/* Logit margin (nats) of the candidates, before the dilution factor. */
#define FAST_CUTOFF 24.0
/* Below this many exemplars a region does not cluster. */
#define FAST_TARGET 1024
/* Most candidates per region and window (whole clusters are taken until
 * this is reached): bounds the cost when the softmax is broad. */
#define FAST_BUDGET 2048
#define FAST_MAX_CLUSTERS 512
#define FAST_KMEANS_ITERS 6
#define FAST_MAX_REGIONS 256
/* Windows per ranking SGEMM. */
#define FAST_BATCH 64
/* Projections of all regions may use at most this many bytes. */
#define FAST_MAX_BYTES ((gsize) 1 << 30)

void
adiff__region_free (AnaRegion *r)
{
  g_free (r->coords);
  g_free (r->basis);
  g_free (r->mean);
  g_free (r->proj);
  g_free (r->centroids);
  g_free (r->cl_start);
  g_free (r->cl_members);
  g_free (r->radius);
}

/* Reorder the groups so that each tile's groups are contiguous; returns
 * the first group of each tile in first (n_tiles + 1, prefix sums). */
static void
sort_groups_by_tile (AnalyticState *s, const guint *tile, guint n_tiles, guint *first)
{
  guint ng = s->n_groups;
  guint *order = g_new (guint, ng);
  /* The tiles' groups, contiguous: the counting sort of the k-means lists. */
  adiff__kmeans_lists (tile, ng, n_tiles, first, order);

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
                 _("%s: local eigen-decomposition failed (LAPACK dsyevr info %d)"),
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
  r->proj = adiff__try_alloc (n * r->k, sizeof (float), "regional projections", error);
  if (!r->proj)
    return FALSE;
  float *xc = g_new (float, PROJ_BLOCK * nc);
  for (gsize i0 = 0; i0 < n; i0 += PROJ_BLOCK)
    {
      gsize nb = MIN (PROJ_BLOCK, n - i0);
      gather (r, b->exemplars + i0 * b->dim, NULL, nb, b->dim, xc);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nb, (int) r->k, (int) nc,
                   1.0f, xc, (int) nc, r->basis, (int) nc, 0.0f, r->proj + i0 * r->k, (int) r->k);
    }
  g_free (xc);
  return TRUE;
}

/* k-means of the projections, then the inverted lists; frees proj. */
static void
region_cluster (AnaRegion *r, gsize n)
{
  guint k = r->k;
  guint C = (guint) CLAMP (lround (2 * sqrt ((double) n)), 1, FAST_MAX_CLUSTERS);
  if (n <= FAST_TARGET)
    C = 1;
  r->n_clusters = C;
  AdiffKmeans km;
  const AdiffKmeansParams params = { FAST_KMEANS_ITERS, 0, FALSE };
  guint32 *assign = g_new (guint32, n);
  adiff__kmeans_init (&km, ADIFF__KMEANS_ROWS, C, k);
  adiff__kmeans_run (&km, &params, r->proj, NULL, n, assign);
  r->centroids = g_steal_pointer (&km.cent);
  adiff__kmeans_clear (&km);
  /* Cluster radii: the farthest member from its centre. */
  r->radius = g_new0 (float, C);
  for (gsize i = 0; i < n; i++)
    {
      double e = 0;
      for (guint j = 0; j < k; j++)
        {
          double t = r->proj[i * k + j] - r->centroids[(gsize) assign[i] * k + j];
          e += t * t;
        }
      r->radius[assign[i]] = MAX (r->radius[assign[i]], (float) (sqrt (e) * 1.0001 + 1e-6));
    }
  r->cl_start = g_new (guint32, C + 1);
  r->cl_members = g_new (guint32, n);
  adiff__kmeans_lists (assign, n, C, r->cl_start, r->cl_members);
  /* Clusters a window may take: enough for the budget even when they are
   * a quarter of the mean size. */
  r->probe = (guint) MIN ((gsize) C, 4 * (gsize) FAST_BUDGET * C / MAX (n, 1) + 4);
  g_free (assign);
  g_clear_pointer (&r->proj, g_free);
}

/* Tile side in pixels from the mean mask size. */
static guint
tile_side (const AnalyticState *s, guint channels)
{
  double mean_pixels = (double) s->mask_start[s->n_groups] / s->n_groups / channels;
  return MAX (1, (guint) lround (0.5 * sqrt (mean_pixels)));
}

gboolean
adiff__regions_prepare (AnalyticState *s, AdiffBundle *b, GError **error)
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
      if (ok)
        region_cluster (r, b->n_exemplars);
    }
  g_free (mark);
  g_free (tile);
  g_free (first);
  return ok;
}

/* ---- apply ---- */

/* Smallest mask of the region, for the dilution factor of the margin. */
static gsize
min_mask (const AnalyticState *s, const AnaRegion *r)
{
  gsize m = G_MAXSIZE;
  for (guint g = r->g0; g < r->g1; g++)
    m = MIN (m, s->mask_start[g + 1] - s->mask_start[g]);
  return MAX (m, 1);
}

/* Insertion sort of a few keys with their indices. */
static void
sort_by_key (float *key, guint32 *idx, guint n)
{
  for (guint i = 1; i < n; i++)
    {
      float k = key[i];
      guint32 v = idx[i];
      guint j = i;
      for (; j > 0 && key[j - 1] > k; j--)
        {
          key[j] = key[j - 1];
          idx[j] = idx[j - 1];
        }
      key[j] = k;
      idx[j] = v;
    }
}

typedef struct
{
  guint32 *ord;     /* [max clusters] */
  float   *pz;      /* [FAST_COMPONENTS] */
  float   *dist;    /* [max clusters] */
  guint32 *cand;    /* [n] */
} Scratch;

/* The candidates of window z on region r: members of every cluster that
 * can hold an exemplar within the margin of the nearest one (triangle
 * inequality with the cluster radii, in the projected metric). */
static gsize
window_candidates (const AnalyticState *s, const AnaRegion *r, const float *z,
                   double margin, Scratch *sc)
{
  guint k = r->k, C = r->n_clusters;
  for (guint i = 0; i < k; i++)
    {
      double v = 0;
      for (gsize c = 0; c < r->n_coords; c++)
        v += r->basis[(gsize) i * r->n_coords + c] * (z[r->coords[c]] - r->mean[c]);
      sc->pz[i] = (float) v;
    }
  double upper = G_MAXDOUBLE;
  for (guint c = 0; c < C; c++)
    {
      double e = 0;
      for (guint i = 0; i < k; i++)
        {
          double t = sc->pz[i] - r->centroids[(gsize) c * k + i];
          e += t * t;
        }
      sc->dist[c] = (float) sqrt (e);
      double far = sc->dist[c] + r->radius[c];
      upper = MIN (upper, far * far);
    }
  /* Clusters whose lower bound is within the margin, nearest centres
   * first, while the budget lasts (the nearest cluster always). */
  guint nsel = 0;
  for (guint c = 0; c < C; c++)
    {
      double near = MAX (0.0, sc->dist[c] - r->radius[c]);
      if (near * near <= upper + margin)
        {
          sc->dist[nsel] = sc->dist[c];   /* order by centre distance; nsel ≤ c */
          sc->ord[nsel++] = c;
        }
    }
  guint want = MIN (nsel, r->probe);
  if (want < nsel)
    adiff__select_smallest (sc->dist, sc->ord, nsel, want);
  sort_by_key (sc->dist, sc->ord, want);
  gsize n = 0;
  for (guint j = 0; j < want && (j == 0 || n < FAST_BUDGET); j++)
    {
      guint32 c = sc->ord[j], len = r->cl_start[c + 1] - r->cl_start[c];
      memcpy (sc->cand + n, r->cl_members + r->cl_start[c], len * sizeof (guint32));
      n += len;
    }
  return n;
}

typedef struct
{
  const AnalyticState *s;
  AdiffBundle *b;
  const float *z;
  float       *out;      /* may alias z: each window is written after its reads */
  AnaAccum    *acc;      /* per worker */
  Scratch     *sc;       /* per worker */
  float       *tmp;      /* [workers·d] */
  double      *margin;   /* [n_regions] */
  gsize        candidates;  /* atomic-free statistics: summed per worker */
} FastJob;

static void
fast_task (guint task, guint worker, gpointer data)
{
  FastJob *j = data;
  const AnalyticState *s = j->s;
  AnaAccum *a = &j->acc[worker];
  Scratch *sc = &j->sc[worker];
  const float *z = j->z + (gsize) task * s->d;
  adiff__accum_reset (a, s);
  for (guint r = 0; r < s->n_regions; r++)
    {
      const AnaRegion *reg = &s->regions[r];
      gsize cnt = window_candidates (s, reg, z, j->margin[r], sc);
      for (gsize i0 = 0; i0 < cnt; i0 += ANA_BLOCK)
        adiff__accum_block (s, reg, j->b->exemplars, z, sc->cand, i0,
                         MIN (ANA_BLOCK, cnt - i0), a);
    }
  float *t = j->tmp + (gsize) worker * s->d;
  adiff__accum_finish (s, a, t);
  memcpy (j->out + (gsize) task * s->d, t, s->d * sizeof (float));
}

gboolean
adiff__regions_apply (const AnalyticState *s, AdiffBundle *b, const float *in, gsize n,
                float *out, GError **error)
{
  gsize d = s->d;
  guint workers = s->n_threads, nr = s->n_regions, max_c = 1;
  double *margin = g_new (double, nr);
  for (guint r = 0; r < nr; r++)
    {
      const AnaRegion *reg = &s->regions[r];
      max_c = MAX (max_c, reg->n_clusters);
      margin[r] = 2 * s->sigma * s->sigma * FAST_CUTOFF * (double) reg->n_coords
                  / min_mask (s, reg);
    }
  AnaAccum *acc = g_new (AnaAccum, workers);
  Scratch *sc = g_new (Scratch, workers);
  for (guint w = 0; w < workers; w++)
    {
      adiff__accum_init (&acc[w], s);
      sc[w].pz = g_new (float, FAST_COMPONENTS);
      sc[w].dist = g_new (float, max_c);
      sc[w].ord = g_new (guint32, max_c);
      sc[w].cand = g_new (guint32, b->n_exemplars);
    }
  float *tmp = g_new (float, (gsize) workers * d);
  FastJob job = { s, b, in, out, acc, sc, tmp, margin, 0 };
  adiff__parallel_for ((guint) n, workers, fast_task, &job);
  for (guint w = 0; w < workers; w++)
    {
      adiff__accum_clear (&acc[w]);
      g_free (sc[w].pz); g_free (sc[w].dist); g_free (sc[w].cand); g_free (sc[w].ord);
    }
  g_free (acc); g_free (sc); g_free (tmp); g_free (margin);
  return TRUE;
}
