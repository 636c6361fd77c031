/* analytic.c — the analytic denoiser of the paper, eq. 8:
 *
 *   M_q   = { p : |W_σ[q,p]| ≥ τ · max_p' |W_σ[q,p']| }
 *   w^q   = softmax_i( −Σ_{p∈M_q} (z_p − x^(i)_p)² / 2σ² )   over ALL exemplars
 *   x̂_q  = Σ_i w^q_i x^(i)_q
 *
 * Prepare: W_σ = Uᵀ diag(g − s_r) U + s_r I in double, by row blocks
 * (DGEMM), thresholded into index lists (CSR).  Coordinates whose masks
 * are identical (e.g. the channels of one pixel of an RGB bundle) form a
 * group: their distances and softmax weights are the same, so each group
 * costs one distance sum and one exp per exemplar; only the final weighted
 * sums differ.  This sharing is exact.
 *
 * Apply, exact mode: exemplars are processed in blocks of ANA_BLOCK.  For
 * a block the squared differences e_{p,i} = (z_p − x^(i)_p)² are laid out
 * coordinate-major (row p holds the block's exemplars), so a group's
 * masked distance is a sum of |M| contiguous rows — plain vector adds.
 * Each group keeps an online log-sum-exp (running maximum, rescaled sum)
 * across blocks; worker threads take blocks and their partial states are
 * merged at the end, so the softmax is one over all exemplars.
 *
 * Fast mode (core/index/regions.c): the window is cut into tiles; each tile's
 * groups use only the exemplars that are near on the tile's coordinates
 * (ranked in a local principal basis); windows run in parallel.  Its error
 * against exact mode is measured in bench/models and docs/models.md.
 */
#include <cblas.h>
#include "models/analytic-private.h"
#include <glib/gi18n-lib.h>

/* Rows of W_σ computed per DGEMM at prepare. */
#define ANA_ROWS 128

/* Rows [q0, q0+nr) of W_σ into rows (nr·d doubles). */
static void
wiener_rows (AdiffBundle *b, double sigma, gsize q0, gsize nr, const double *gu,
             double sr, double *rows)
{
  gsize d = b->dim;
  guint k = b->n_components;
  memset (rows, 0, nr * d * sizeof (double));
  if (k > 0)
    {
      /* rows = U[:, q0:q0+nr]ᵀ · (diag(g − s_r) U), U as doubles in gu's twin. */
      const double *u = gu + (gsize) k * d;
      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) nr, (int) d, (int) k,
                   1.0, u + q0, (int) d, gu, (int) d, 0.0, rows, (int) d);
    }
  for (gsize r = 0; r < nr; r++)
    rows[r * d + q0 + r] += sr;
}

/* diag(g − s_r)·U followed by U itself, both k×d doubles; s_r out. */
static double *
scaled_basis (AdiffBundle *b, double sigma, double *sr, GError **error)
{
  gsize d = b->dim;
  guint k = b->n_components;
  double *gu = adiff__try_alloc (2 * (gsize) k * d + 1, sizeof (double), "the Wiener basis", error);
  if (!gu)
    return NULL;
  double *g = g_new (double, k + 1);
  adiff__wiener_gains (b, sigma, g, sr);
  for (guint i = 0; i < k; i++)
    for (gsize p = 0; p < d; p++)
      {
        double u = b->eigenvectors[(gsize) i * d + p];
        gu[(gsize) i * d + p] = g[i] * u;
        gu[(gsize) (k + i) * d + p] = u;
      }
  g_free (g);
  return gu;
}

/* The mask of one row: indices p with |row[p]| ≥ τ·max|row|. */
static gsize
row_mask (const double *row, gsize d, double tau, guint32 *idx)
{
  double mx = 0;
  for (gsize p = 0; p < d; p++)
    mx = MAX (mx, fabs (row[p]));
  gsize n = 0;
  for (gsize p = 0; p < d; p++)
    if (fabs (row[p]) >= tau * mx)
      idx[n++] = (guint32) p;
  return n;
}

ADIFF_EXPORT gboolean
adiff_analytic_mask (AdiffBundle *bundle, double sigma, double tau, gsize q,
                     guint8 *mask, GError **error)
{
  g_return_val_if_fail (bundle != NULL && mask != NULL, FALSE);
  gsize d = bundle->dim;
  if (!isfinite (sigma) || sigma <= 0 || !isfinite (tau) || tau <= 0 || tau > 1 || q >= d)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("analytic mask: σ = %g, τ = %g, coordinate %zu "
                     "(need σ > 0, τ in (0,1], coordinate < %zu)"),
                   sigma, tau, q, d);
      return FALSE;
    }
  /* One row: O(k·d) directly (the same sums as the DGEMM of prepare). */
  double *row = g_new (double, d);
  guint32 *idx = g_new (guint32, d);
  adiff_wiener_row (bundle, sigma, q, row);
  gsize n = row_mask (row, d, tau, idx);
  memset (mask, 0, d);
  for (gsize j = 0; j < n; j++)
    mask[idx[j]] = 1;
  g_free (row); g_free (idx);
  return TRUE;
}

/* Sort key for grouping identical masks. */
typedef struct
{
  const gsize   *start;   /* per-coordinate CSR */
  const guint32 *idx;
} MaskSet;

static gint
compare_masks (gconstpointer a, gconstpointer b, gpointer data)
{
  const MaskSet *ms = data;
  guint32 qa = *(const guint32 *) a, qb = *(const guint32 *) b;
  gsize na = ms->start[qa + 1] - ms->start[qa], nb = ms->start[qb + 1] - ms->start[qb];
  if (na != nb)
    return na < nb ? -1 : 1;
  int c = memcmp (ms->idx + ms->start[qa], ms->idx + ms->start[qb], na * sizeof (guint32));
  if (c != 0)
    return c;
  return qa < qb ? -1 : qa > qb;
}

static gboolean
same_mask (const MaskSet *ms, guint32 qa, guint32 qb)
{
  gsize na = ms->start[qa + 1] - ms->start[qa], nb = ms->start[qb + 1] - ms->start[qb];
  return na == nb && memcmp (ms->idx + ms->start[qa], ms->idx + ms->start[qb],
                             na * sizeof (guint32)) == 0;
}

/* Per-coordinate CSR → groups of identical masks (state fields). */
static void
build_groups (AnalyticState *s, const gsize *start, const guint32 *idx)
{
  gsize d = s->d;
  MaskSet ms = { start, idx };
  guint32 *order = g_new (guint32, d);
  for (gsize q = 0; q < d; q++)
    order[q] = (guint32) q;
  g_qsort_with_data (order, (gint) d, sizeof (guint32), compare_masks, &ms);
  s->members = order;
  s->member_start = g_new (gsize, d + 1);
  s->mask_start = g_new (gsize, d + 1);
  s->mask_idx = g_new (guint32, start[d] + 1);
  guint g = 0;
  gsize nm = 0;
  for (gsize j = 0; j < d; j++)
    {
      if (j > 0 && same_mask (&ms, order[j - 1], order[j]))
        continue;
      guint32 q = order[j];
      s->member_start[g] = j;
      s->mask_start[g] = nm;
      gsize len = start[q + 1] - start[q];
      memcpy (s->mask_idx + nm, idx + start[q], len * sizeof (guint32));
      nm += len;
      g++;
    }
  s->member_start[g] = d;
  s->mask_start[g] = nm;
  s->n_groups = g;
}

static void
analytic_finalize (gpointer state)
{
  AnalyticState *s = state;
  if (!s)
    return;
  g_free (s->mask_start);
  g_free (s->mask_idx);
  g_free (s->member_start);
  g_free (s->members);
  for (guint r = 0; r < s->n_regions; r++)
    adiff__region_free (&s->regions[r]);
  g_free (s->regions);
  adiff__region_free (&s->whole);
  if (s->coord)
    for (guint g = 0; g < s->n_groups; g++)
      adiff__group_index_free (&s->coord[g]);
  g_free (s->coord);
  g_free (s->coord_bytes);
  if (s->by_groups)
    g_mutex_clear (&s->coord_lock);
  g_free (s);
}

/* The exact kernel's region: every group and every coordinate (fast
 * mode's regions, if any, are others). */
static void
whole_region (AnalyticState *s)
{
  AnaRegion *r = &s->whole;
  r->g0 = 0;
  r->g1 = s->n_groups;
  r->n_coords = s->d;
  r->coords = g_new (guint32, s->d);
  for (gsize p = 0; p < s->d; p++)
    r->coords[p] = (guint32) p;
}

/* Per-coordinate masks (CSR) of W_σ's rows, thresholded at τ. */
static gboolean
compute_masks (AdiffBundle *b, double sigma, double tau, gsize **start_out,
               guint32 **idx_out, GError **error)
{
  gsize d = b->dim;
  double sr;
  double *gu = scaled_basis (b, sigma, &sr, error);
  double *rows = gu ? adiff__try_alloc ((gsize) ANA_ROWS * d, sizeof (double), "Wiener rows", error) : NULL;
  if (!rows)
    {
      g_free (gu);
      return FALSE;
    }
  gsize *start = g_new (gsize, d + 1);
  gsize cap = d * 8, nnz = 0;
  guint32 *idx = g_new (guint32, cap);
  for (gsize q0 = 0; q0 < d; q0 += ANA_ROWS)
    {
      gsize nr = MIN (ANA_ROWS, d - q0);
      wiener_rows (b, sigma, q0, nr, gu, sr, rows);
      for (gsize r = 0; r < nr; r++)
        {
          if (nnz + d > cap)
            {
              cap = MAX (2 * cap, nnz + d);
              idx = g_renew (guint32, idx, cap);
            }
          start[q0 + r] = nnz;
          nnz += row_mask (rows + r * d, d, tau, idx + nnz);
        }
    }
  start[d] = nnz;
  g_free (gu);
  g_free (rows);
  *start_out = start;
  *idx_out = idx;
  return TRUE;
}

static gpointer
analytic_prepare (AdiffDenoiser *den, GError **error)
{
  AdiffBundle *b = den->bundle;
  gsize *start;
  guint32 *idx;
  if (!compute_masks (b, den->params.sigma, den->params.tau, &start, &idx, error))
    return NULL;
  AnalyticState *s = g_new0 (AnalyticState, 1);
  s->d = b->dim;
  s->sigma = den->params.sigma;
  /* Beyond 1e30 the nearest exemplar takes all the weight anyway; the cap
   * keeps −dist/2σ² finite. */
  s->inv_2s2 = (float) MIN (1.0 / (2 * s->sigma * s->sigma), 1e30);
  s->n_threads = adiff__thread_count (den->params.n_threads);
  build_groups (s, start, idx);
  g_free (start);
  g_free (idx);
  s->fast = !den->params.exact && b->n_components > 0;
  /* Regions prune to a few thousand candidates each and overlap: with not
   * many more exemplars than that they cost more than the exact kernel. */
  gboolean groups = s->fast && adiff__group_index_prepare (s, b);
  if (s->fast && !groups && b->n_exemplars <= ANA_REGIONS_MIN_EXEMPLARS)
    s->fast = FALSE;
  whole_region (s);         /* exact mode, and fast mode's exact windows */
  if (s->fast && !groups && !adiff__regions_prepare (s, b, error))
    {
      analytic_finalize (s);
      return NULL;
    }
  return s;
}

/* ---- exact mode: one window, threads over exemplar blocks ---- */

typedef struct
{
  const AnalyticState *s;
  const float *ex;
  gsize        n;
  const float *z;
  AnaAccum    *acc;     /* one per worker */
} ExactJob;

static void
exact_task (guint task, guint worker, gpointer data)
{
  ExactJob *j = data;
  gsize i0 = (gsize) task * ANA_BLOCK;
  adiff__accum_block (j->s, &j->s->whole, j->ex, j->z, NULL, i0,
                   MIN (ANA_BLOCK, j->n - i0), &j->acc[worker]);
}

static void
exact_window (const AnalyticState *s, AdiffBundle *b, const float *z, AnaAccum *acc,
              guint n_workers, float *out)
{
  ExactJob job = { s, b->exemplars, b->n_exemplars, z, acc };
  guint n_tasks = (guint) ((b->n_exemplars + ANA_BLOCK - 1) / ANA_BLOCK);
  n_workers = MIN (n_workers, n_tasks);
  for (guint w = 0; w < n_workers; w++)
    adiff__accum_reset (&acc[w], s);
  adiff__parallel_for (n_tasks, n_workers, exact_task, &job);
  for (guint w = 1; w < n_workers; w++)
    adiff__accum_merge (s, &acc[0], &acc[w]);
  adiff__accum_finish (s, &acc[0], out);
}

/* Windows one at a time through the exact kernel. */
static void
exact_windows (const AnalyticState *s, AdiffBundle *b, const float *in, gsize n, float *out)
{
  gsize d = s->d;
  guint workers = s->n_threads;
  AnaAccum *acc = g_new (AnaAccum, workers);
  for (guint w = 0; w < workers; w++)
    adiff__accum_init (&acc[w], s);
  float *t = g_new (float, d);
  for (gsize j = 0; j < n; j++)
    {
      exact_window (s, b, in + j * d, acc, workers, t);
      memcpy (out + j * d, t, d * sizeof (float));
    }
  g_free (t);
  for (guint w = 0; w < workers; w++)
    adiff__accum_clear (&acc[w]);
  g_free (acc);
}

/* Fast mode's float distances (in units of (1/255)² for the per-group
 * indexes) are taken without care for overflow: a window with a value
 * beyond this (absurd for pixels in [0, 1]; or not a number) goes to the
 * exact kernel, whose logits stay finite. */
#define ANA_FAST_INPUT_LIMIT 1e6f

static gboolean
fast_fit (const float *z, gsize d)
{
  for (gsize i = 0; i < d; i++)
    if (!(fabsf (z[i]) <= ANA_FAST_INPUT_LIMIT))
      return FALSE;
  return TRUE;
}

static gboolean
analytic_apply_shares (AdiffDenoiser *den, const float *in, gsize n, const float *share,
                       float *out, GError **error)
{
  AnalyticState *s = den->state;
  AdiffBundle *b = den->bundle;
  gsize d = s->d;
  adiff__group_index_maybe_build (s, b, n, s->n_threads);
  gboolean regions = s->fast && !s->by_groups;
  gboolean groups = g_atomic_pointer_get (&s->coord) != NULL;
  if (!regions && !groups)
    {
      exact_windows (s, b, in, n, out);
      return TRUE;
    }
  /* Runs of windows fit for fast mode, and the rest through the exact
   * kernel (each run reads only its own windows: out may alias in). */
  gboolean fit = n > 0 && fast_fit (in, d), next = fit;
  for (gsize j0 = 0, j1; j0 < n; j0 = j1, fit = next)
    {
      /* Each window is checked once: `next` is the fit of window j1. */
      for (j1 = j0 + 1; j1 < n && (next = fast_fit (in + j1 * d, d)) == fit; j1++)
        ;
      const float *z = in + j0 * d;
      float *x = out + j0 * d;
      if (!fit)
        exact_windows (s, b, z, j1 - j0, x);
      else if (!(groups ? adiff__group_index_apply (s, b, z, j1 - j0, share, x, error)
                        : adiff__regions_apply (s, b, z, j1 - j0, x, error)))
        return FALSE;
    }
  return TRUE;
}

static gboolean
analytic_apply (AdiffDenoiser *den, const float *in, gsize n, float *out,
                GError **error)
{
  return analytic_apply_shares (den, in, n, NULL, out, error);
}

/* The per-group indexes of fast mode are read group by group across the
 * batch (core/index/group-*.c): the more windows share a pass over a group's
 * index, the fewer times it comes from memory. */
static guint
analytic_batch_size (AdiffDenoiser *den)
{
  const AnalyticState *s = den->state;
  return s->by_groups ? ANA_COORD_BATCH : 0;
}

/* An image of enough windows builds the per-group indexes before its
 * first window, so every window of it, wherever the caller starts, takes
 * the same path.  (Fewer windows than that add nothing to the count.)
 * The build may use more threads than the apply (adiff_region_prepare). */
static void
analytic_expect (AdiffDenoiser *den, guint64 n, guint n_threads)
{
  AnalyticState *s = den->state;
  if (s->by_groups && n >= ANA_COORD_LAZY_WINDOWS)
    adiff__group_index_maybe_build (s, den->bundle, ANA_COORD_LAZY_WINDOWS,
                                    n_threads ? adiff__thread_count (n_threads) : s->n_threads);
}

/* Coordinate q's logits see its mask M_q only (eq. 8). */
static gboolean
analytic_jacobian_row (AdiffDenoiser *den, const float *z, gsize q, double *field,
                       GError **error)
{
  AdiffBundle *b = den->bundle;
  const AdiffParams *p = &den->params;
  guint8 *mask = g_new (guint8, b->dim);
  gboolean ok = adiff_analytic_mask (b, p->sigma, p->tau, q, mask, error);
  if (ok)
    adiff__exemplar_field (b, z, mask, q, p->sigma, field);
  g_free (mask);
  return ok;
}

const AdiffDenoiserClass adiff__analytic_class = {
  .prepare = analytic_prepare,
  .apply = analytic_apply,
  .finalize = analytic_finalize,
  .apply_shares = analytic_apply_shares,
  .batch_size = analytic_batch_size,
  .expect = analytic_expect,
  .jacobian_row = analytic_jacobian_row,
};
