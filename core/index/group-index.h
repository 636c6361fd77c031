/* group-index.h — the per-group indexes of the analytic model's fast
 * mode, private to core/index/group-*.c:
 *
 *   group-build.c    builds each mask group's index (AnaCoordIndex, in
 *                    analytic-private.h) from the exemplars;
 *   group-kernels.c  the kernels that score clusters and fold them into a
 *                    window's softmax, portable and hand-vectorised
 *                    (chosen by adiff__group_kernels);
 *   group-apply.c    the apply path: ranks the clusters of each window
 *                    and visits them with the kernels.
 */
#pragma once

#include "models/analytic-private.h"
#include "simd.h"

/* Candidates of a coordinate whose share of its output pixel is 1 (the
 * state's coord_budget, which tests may change). */
#define COORD_BUDGET 8192
/* A bin adding more than this share of the weight (for a coordinate with
 * share 1) means the ranking is not done: take the next bin too (the
 * state's coord_tail). */
#define COORD_TAIL 1e-3
/* Windows whose cluster scores are computed in one pass over a group's
 * centres. */
#define SCORE_WINDOWS 8
/* Directions of elongation in a cluster's Gaussian model
 * (group-build.c: cluster_spreads). */
#define SPREAD_DIRECTIONS 2
/* Bins of the cluster scores (group-apply.c: bin_clusters). */
#define SELECT_BINS 256
/* Members whose weighted sums fold_fma keeps in registers. */
#define FOLD_MAX_MEMBERS 4

/* Scratch of one worker. */
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

/* score[c] = −log of cluster c's estimated weight (group-build.c:
 * cluster_spreads). The scores of nwin ≤ SCORE_WINDOWS windows, whose masked queries are
 * zstride apart, into score rows sstride apart. */
typedef void (*ScoresFunc) (const AnaCoordIndex *ix, const float *zm, gsize zstride,
                            guint nwin, float *score, gsize sstride);

/* The clusters whose bin is in [lo, hi), in index order, into out (which
 * has room for nc + 16); returns how many.  Most clusters score far
 * beyond the range of the bins, so only the few within are counted, and
 * the visit takes the clusters of the first bins in index order (their
 * bytes in memory order), then bin by bin. */
typedef guint (*SelectFunc) (const guint16 *bin, guint nc, guint lo, guint hi, guint32 *out);

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

/* The widest kernels the CPU runs, but no wider than adiff__simd_cap. */
CoordKernels adiff__group_kernels (void);
