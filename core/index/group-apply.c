/* group-apply.c — the apply path of the per-group indexes (see
 * group-build.c for the method and group-index.h for the files): each
 * window's clusters are ranked by their scores in coarse bins, and the
 * clusters of the first bins visited with the kernels until the group's
 * budget of candidates is reached. */
#include <math.h>
#include "index/group-index.h"
#include "index/kmeans.h"

/* Candidates per coordinate: COORD_BUDGET (group-index.h) when the mask
 * has at most COORD_BUDGET_PIXELS pixels; more in proportion for larger
 * masks (at σ = 50 the photo bundle's masks have 31–48). */
#define COORD_BUDGET_PIXELS 20
/* Fewest candidates, whatever the share. */
#define COORD_MIN_BUDGET 256
#define COORD_MAX_EXTEND 4
#define COORD_SHARE_EXPONENT 0.4

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

/* Bins of the cluster scores: starting width in nats, and the widest
 * they get (their count: SELECT_BINS). */
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
  for (guint c = nc; c < adiff__pad8 (nc); c++)
    score[c] = G_MAXFLOAT;
  float kmin = score[adiff__argmin8 (score, (guint) adiff__pad8 (nc))];
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
adiff__group_index_apply (const AnalyticState *s, AdiffBundle *b, const float *in, gsize n,
                 const float *share, float *out, GError **error)
{
  gsize d = s->d, tasks, n_blocks = (n + SCORE_WINDOWS - 1) / SCORE_WINDOWS;
  if (!g_size_checked_mul (&tasks, n_blocks, s->n_groups) || tasks > G_MAXUINT)
    {
      /* Split huge batches: each part is far below the limit. */
      gsize half = n / 2;
      return adiff__group_index_apply (s, b, in, half, share, out, error) &&
             adiff__group_index_apply (s, b, in + half * d, n - half, share, out + half * d, error);
    }
  float *tmp = adiff__try_alloc (n * d, sizeof (float), "analytic results", error);
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
  gsize score_stride = adiff__pad8 (max_nc + 8) * (SPREAD_DIRECTIONS + 1);
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
  CoordJob job = { s, in, tmp, n, n_blocks, score_stride, sc, acc, adiff__group_kernels (), budget,
                   tail };
  adiff__parallel_for ((guint) tasks, workers, coord_task, &job);
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
