/* analytic-private.h — state shared by analytic.c (masks, dispatch),
 * analytic-kernel.c (the exact softmax kernel) and the fast modes in
 * core/index/ (per-group indexes and regions). */
#pragma once

#include "models/models-private.h"

/* Exemplars per block: ANA_BLOCK·d floats of differences should sit in L2.
 * A multiple of 8 (the kernels use eight lanes). */
#define ANA_BLOCK 64

/* A set of mask groups handled together.  Exact mode has one region with
 * every group; fast mode cuts the window into tiles, and each region ranks
 * the exemplars by their distance on its own coordinates (the union of its
 * groups' masks) in a local principal basis. */
typedef struct
{
  guint    g0, g1;       /* groups [g0, g1) */
  guint32 *coords;       /* union of the groups' masks, sorted */
  gsize    n_coords;
  /* fast mode only */
  guint    k;            /* local principal components */
  float   *basis;        /* [k·n_coords] rows = local eigenvectors */
  double  *mean;         /* [n_coords] μ on coords */
  float   *proj;         /* [n·k] projections of the exemplars (prepare only) */
  guint    n_clusters;   /* inverted file: k-means clusters of the projections */
  float   *centroids;    /* [n_clusters·k] */
  guint32 *cl_start;     /* [n_clusters + 1] into cl_members */
  guint32 *cl_members;   /* [n] exemplar indices grouped by cluster */
  float   *radius;       /* [n_clusters] largest member distance from the centre */
  guint    probe;        /* most clusters a window considers */
} AnaRegion;

/* Fast mode for small windows (core/index/group-*.c): one inverted file per
 * mask group, in the group's own coordinates. */
typedef struct
{
  guint     m;          /* mask length */
  guint     rows;       /* m + the group's members outside its mask */
  guint     nc;         /* clusters */
  float    *cent;       /* [m·nc] centres, coordinate-major */
  float    *cnorm;      /* [nc] ‖centre‖² */
  float    *ca, *cb;    /* [nc] estimated weight (group-build.c) */
  float    *dir;        /* [directions·m·nc] its elongation, coordinate-major */
  float    *dirc;       /* [directions·nc] */
  guint32  *count;      /* [nc] members per cluster */
  gsize    *offset;     /* [nc + 1] cluster blocks in vals */
  guint8   *vals;       /* per cluster rows × pad8(count) bytes (255·x) */
  guint32  *row_of;     /* [group members] the row holding each member */
} AnaCoordIndex;

typedef struct
{
  gsize      d;
  gsize     *mask_start;   /* [n_groups + 1] into mask_idx */
  guint32   *mask_idx;     /* coordinates p of each group's mask */
  gsize     *member_start; /* [n_groups + 1] into members */
  guint32   *members;      /* coordinates q of each group */
  guint      n_groups;
  double     sigma;
  float      inv_2s2;      /* 1 / 2σ² */
  guint      n_threads;
  AnaRegion *regions;      /* fast mode's regions (core/index/regions.c) */
  guint      n_regions;
  AnaRegion  whole;        /* the exact kernel's: every group and coordinate */
  gboolean   fast;
  AnaCoordIndex *coord;    /* [n_groups] once built (atomic), or NULL */
  /* Per-group indexes are built at the first apply that brings the
   * windows seen to ANA_COORD_LAZY_WINDOWS; until then (a sampler step,
   * a few windows) the exact kernel is cheaper than building them. */
  gboolean   by_groups;       /* fast mode uses per-group indexes */
  gint       coord_pending;   /* atomic */
  gssize     coord_seen;      /* atomic: windows applied so far */
  GMutex     coord_lock;
  guint8    *coord_bytes;     /* [n·d] 8-bit exemplars until built */
  AnaCoordIndex *coord_building;
  guint      coord_max_pad;
  gsize      coord_budget; /* candidates of a coordinate with share 1 */
  double     coord_tail;   /* weight a last bin may add before taking more */
} AnalyticState;

/* Online softmax state of one window, per group. */
typedef struct
{
  float  *gmax;     /* [n_groups] running maximum logit */
  double *gsum;     /* [n_groups] Σ exp(l − gmax) */
  double *acc;      /* [d] Σ exp(l − gmax) x_q */
  float  *e;        /* [d·ANA_BLOCK] squared differences, coordinate-major */
  float  *xt;       /* [d·ANA_BLOCK] exemplar values, coordinate-major */
  float  *dist;     /* [ANA_BLOCK] */
  float  *w;        /* [ANA_BLOCK] */
} AnaAccum;

void adiff__accum_init   (AnaAccum *a, const AnalyticState *s);
void adiff__accum_reset  (AnaAccum *a, const AnalyticState *s);
void adiff__accum_clear  (AnaAccum *a);
/* Fold nb exemplars (rows idx[i0..], or i0.. when idx is NULL) into the
 * groups of region r. */
void adiff__accum_block  (const AnalyticState *s, const AnaRegion *r,
                       const float *ex, const float *z, const guint32 *idx,
                       gsize i0, gsize nb, AnaAccum *a);
/* dst ← dst ⊕ src, a log-sum-exp merge over all groups. */
void adiff__accum_merge  (const AnalyticState *s, AnaAccum *dst, const AnaAccum *src);
void adiff__accum_finish (const AnalyticState *s, const AnaAccum *a, float *out);
/* w = exp(−dist·inv_2s2 − m) for n (a multiple of 8) distances; returns
 * Σ w (summed in eight lanes, then pairwise). */
float adiff__exp_weights (const float *dist, gsize n, float inv_2s2, float m, float *w);
/* The smallest of dist[0..n), n a positive multiple of 8. */
float adiff__smallest (const float *dist, gsize n);

/* Fast mode by regions (core/index/regions.c), for bundles with more exemplars
 * than this; below, fast mode runs the exact kernel. */
#define ANA_REGIONS_MIN_EXEMPLARS 8192
gboolean adiff__regions_prepare (AnalyticState *s, AdiffBundle *b, GError **error);
void     adiff__region_free  (AnaRegion *r);
/* Windows per apply call the per-group indexes prefer (≈ 0.1 s of work). */
#define ANA_COORD_BATCH 256
/* Windows after which building the per-group indexes (≈ 1 s) pays. */
#define ANA_COORD_LAZY_WINDOWS 64

/* Per-group inverted files (core/index/group-build.c): FALSE when they do not
 * apply (exemplars not 8-bit, or too large), and regions are used;
 * TRUE: they will be built by adiff__group_index_maybe_build. */
gboolean adiff__group_index_prepare (AnalyticState *s, AdiffBundle *b);
/* Count n more windows; build the indexes once enough were seen. */
void     adiff__group_index_maybe_build (AnalyticState *s, AdiffBundle *b, gsize n,
                                         guint n_threads);
void     adiff__group_index_free    (AnaCoordIndex *ix);
/* share: [d] each coordinate's share of its output pixel, or NULL (all 1). */
gboolean adiff__group_index_apply   (const AnalyticState *s, AdiffBundle *b, const float *in,
                            gsize n, const float *share, float *out, GError **error);
gboolean adiff__regions_apply   (const AnalyticState *s, AdiffBundle *b, const float *in,
                           gsize n, float *out, GError **error);
