/* photo-private.h — internals shared by the photo model's files (core/photo).
 *
 * The model (docs/models.md, "Photo model"): for every reference patch, the
 * group of its most similar patches in the image (match.c) is taken to a
 * 3-D basis — a 2-D patch basis (basis.c, transform.c) × a 1-D Haar across
 * the group — where the group's covariance is close to diagonal, filtered
 * coefficient by coefficient with the Wiener gain of the group's own
 * statistics, and every estimate is aggregated with an inverse-variance
 * weight (stage.c).  Pass 1 (the pilot) estimates the signal variance from
 * the noisy coefficient itself, through the gain's 0/1 limit (a hard
 * threshold λσ); pass 2 matches on the pilot and uses the pilot's p²:
 * gain p²/(p² + σ²).  denoise.c runs the passes, the colour transform and
 * the self-ensemble.  Internally pixel values are on the 0–255 scale (the
 * thresholds below are in its units); the public call scales. */
#pragma once

#include "adiff-private.h"
#include "simd.h"

#define ADIFF_PHOTO_MAX_CH     3
#define ADIFF_PHOTO_MAX_PATCH  16
#define ADIFF_PHOTO_MAX_GROUP  64
#define ADIFF_PHOTO_MAX_COMPANIONS 2

/* The 2-D patch basis of a pass. */
typedef enum
{
  ADIFF_PHOTO_BASIS_DCT = 0,   /* separable 2-D DCT-II (orthonormal) */
  ADIFF_PHOTO_BASIS_HAAR,      /* separable 2-D Haar wavelet (P a power of 2; else DCT) */
  ADIFF_PHOTO_BASIS_PCA,       /* AdiffPhotoConfig.pca (a bundle's eigenvectors; P = pca_size,
                                  else DCT) */
  ADIFF_PHOTO_BASIS_BIOR15     /* BM3D's bior1.5 (P = 8; else DCT): unit-norm rows, not
                                  orthogonal; inverse = the matrix inverse */
} AdiffPhotoBasis;

/* One grouped pass. */
typedef struct
{
  int             patch;       /* patch side P (2..16) */
  AdiffPhotoBasis basis;
  int             step;        /* reference patches every `step` pixels (1..P) */
  int             group_max;   /* at most this many patches per group (power of 2, ≤ 64) */
  int             radius;      /* search window: ±radius pixels around the reference */
  int             match_dims;  /* patches compared on their first `match_dims` coefficients */
  float           tau;         /* match threshold: mean squared difference (0–255²) */
  float           gain_noise;  /* pass 2: gain p²/(p² + gain_noise·σ²); 1 = the Wiener gain,
                                  less makes up for the energy the pilot lost */
} AdiffPhotoPass;

/* Every parameter of the model (the public quality settings fill it). */
typedef struct
{
  AdiffPhotoPass pass1;        /* pilot */
  AdiffPhotoPass pass2;        /* final: grouped Wiener with the pilot's statistics */
  /* the final pass's other patch sizes (patch 0 = none; the first 0 ends the
   * list): groups of their own, matched on the pilot at the final pass's
   * references moved to the middle of its patches, added to the same sums
   * (their step is unused) */
  AdiffPhotoPass companion[ADIFF_PHOTO_MAX_COMPANIONS];
  float          companion_weight[ADIFF_PHOTO_MAX_COMPANIONS];  /* weights times this */
  int            n_final;      /* 0 = pilot only, 1 = default, 2 = pass 2 again on its output */
  float          lambda;       /* pilot threshold factor */
  float          kaiser_beta;  /* aggregation window, 0 = flat */
  const float   *pca;          /* optional P²×P² orthonormal rows, most important first */
  int            pca_size;     /* P of `pca` */
  int            n_ensemble;   /* 1, 2, 4 or 8 elements of the dihedral group, averaged */
  guint          n_threads;    /* 0 = all cores */
  int            lookahead;    /* bands that may run ahead of the next one to merge
                                  (0 = the default; memory grows with it, the
                                  result does not change) */
  int           *peak_rows;    /* tests: receives the most input rows held at once */
} AdiffPhotoConfig;

typedef enum
{
  ADIFF_PHOTO_SHRINK_HARD,     /* pilot: hard threshold λσ */
  ADIFF_PHOTO_SHRINK_PILOT     /* final: gain p²/(p² + σ²), p = pilot coefficient */
} AdiffPhotoShrink;

typedef struct _AdiffPhotoTransform AdiffPhotoTransform;

/* Progress of the whole run, reported on the caller's thread. */
typedef struct
{
  AdiffProgressFunc func;
  gpointer          data;
  double            done, span;   /* this run covers [done, done + span) */
  gint              cancelled;    /* atomic */
} AdiffPhotoProgress;

/* A half-open box of pixels [x0, x1) × [y0, y1). */
typedef struct
{
  int x0, y0, x1, y1;
} AdiffPhotoBox;

/* A plane held row by row (pipeline.c): row y is row[y − y0] (NULL while
 * not held), columns x0 .. x0 + width − 1; the rows live in a ring of
 * `capacity` rows (row y in place (y − y0) mod capacity). */
typedef struct
{
  int     x0, width;
  int     y0, height;
  float **row;
  float  *ring;
  int     capacity;
  int    *holder;   /* the row in each place of the ring, or −1 */
} AdiffPhotoRows;

static inline float *
adiff__photo_at (const AdiffPhotoRows *p, int x, int y)
{
  return p->row[y - p->y0] + (x - p->x0);
}

/* Geometry (geometry.c).  The reference grid of an axis: every `step`
 * pixels from 0, and the last position len − P. */
int     *adiff__photo_ref_positions (int len, int P, int step, int *n);

/* A pass needs its output over `need`: the references [i0, i1) × [j0, j1)
 * of the grid reach it, and read `read` (of the pass's inputs). */
typedef struct
{
  AdiffPhotoBox need;
  int           i0, i1, j0, j1;
  AdiffPhotoBox read;
} AdiffPhotoReach;

#define ADIFF_PHOTO_MAX_STAGES 5   /* the pilot and up to 4 final passes */

void     adiff__photo_reach         (const AdiffPhotoPass *pass, int w, int h,
                                     const int *ref_x, int n_rx, const int *ref_y, int n_ry,
                                     const AdiffPhotoBox *need, AdiffPhotoReach *reach);
/* Stage s: the pilot (0), then final passes 1..n_final. */
const AdiffPhotoPass *adiff__photo_stage_pass (const AdiffPhotoConfig *config, int stage);
/* Every stage's reach, back from the last stage's output box. */
void     adiff__photo_reaches       (const AdiffPhotoConfig *config, int w, int h,
                                     const AdiffPhotoBox *out, AdiffPhotoReach *reach);

/* One grouped pass over an image of w×h pixels whose planes are held by
 * rows (every plane holds the same columns). */
typedef struct _AdiffPhotoStage AdiffPhotoStage;
struct _AdiffPhotoStage
{
  int                        w, h, nch;
  const AdiffPhotoRows      *noisy;        /* nch planes */
  const AdiffPhotoRows      *pilot;        /* nch planes, SHRINK_PILOT only */
  const AdiffPhotoRows      *guide;        /* plane the groups are matched on */
  float                      guide_noise;  /* its noise variance (σ², or 0 for a pilot) */
  float                      sigma[ADIFF_PHOTO_MAX_CH];
  AdiffPhotoShrink           shrink;
  float                      lambda;
  AdiffPhotoPass             pass;
  const float               *basis;        /* P²×P² rows, coarse first (matching) */
  const AdiffPhotoTransform *transform;    /* the same basis, for filtering groups */
  const float               *window;       /* P² aggregation window */
  const int                 *ref_x, *ref_y;  /* the image's reference grid */
  int                        n_rx, n_ry;
  float                      weight;       /* the estimates' weights times this (1) */
  AdiffPhotoStage           *companion;    /* run at the same references after this
                                              stage's groups, into the same sums (owned;
                                              its own grid unused), or NULL; a
                                              companion's own is the next one */
  int                        offset;       /* a companion: (ref_x + offset, ref_y + offset) */
};

/* Reference rows per band: a band's estimates are summed on their own,
 * then added to the image's sums, band after band; this fixes the float
 * sums of every pixel whatever the threads or the region (stage.c). */
#define ADIFF_PHOTO_BAND_REFS 16

/* A band's work: reference rows [i0, i1) × columns [j0, j1) of the grid;
 * its estimates fall in rows [ay0, ay1), which are also the rows it reads. */
typedef struct
{
  int i0, i1, j0, j1;
  int ay0, ay1;
} AdiffPhotoBand;

/* A band's sums: rows ay0.. of `width` floats (the planes' columns). */
typedef struct
{
  float *num[ADIFF_PHOTO_MAX_CH], *den[ADIFF_PHOTO_MAX_CH];
} AdiffPhotoSums;

/* Matching (match.c).  Positions are stored in tiles of ADIFF_PHOTO_TILE
 * neighbouring positions, one vector of eight lanes per coefficient,
 * anchored to the image's column 0: a position's coefficients and the tile
 * it is compared in are the same whatever part of the image is computed. */
#define ADIFF_PHOTO_TILE 8

typedef struct
{
  int    x0, y0, nx, ny;   /* positions (x0 .. x0+nx−1) × (y0 .. y0+ny−1), x0 a
                              multiple of ADIFF_PHOTO_TILE */
  int    k;                /* coefficients per position */
  float *f;                /* ny rows of ⌈nx/8⌉ tiles of k × 8: coefficient d of
                              (x, y) at f[(((y−y0)·⌈nx/8⌉ + (x−x0)/8)·k + d)·8 + (x−x0)%8] */
} AdiffPhotoFeatures;

/* Positions of the tiles that cover columns [x_lo, x_hi] (of w − P + 1). */
void     adiff__photo_feature_span    (int w, int P, int x_lo, int x_hi, int *x0, int *nx);
/* Floats of the features of ny rows of nx positions with k coefficients, and
 * of the scratch space of their computation. */
gsize    adiff__photo_features_floats  (int nx, int k, int ny);
gsize    adiff__photo_features_scratch (int nx, int P);
/* The first k coefficients in basis (P² rows, coarse first) of positions
 * [x_lo, x_hi] × rows y0 .. y0+ny−1; tr is the same basis as a transform
 * (its separable factor, when it has one, makes this P/2 … P times cheaper). */
void     adiff__photo_features_compute (AdiffPhotoFeatures *feat, const AdiffPhotoRows *plane,
                                        int w, int P, const float *basis,
                                        const AdiffPhotoTransform *tr, int k,
                                        int x_lo, int x_hi, int y0, int ny, float *scratch);
int      adiff__photo_match            (const AdiffPhotoFeatures *feat, int w, int h, int P,
                                        int rx, int ry, const AdiffPhotoPass *pass,
                                        float guide_noise, int *pos_x, int *pos_y,
                                        float *dist);

/* A worker's buffers for bands of any stage of a run. */
typedef struct
{
  AdiffPhotoFeatures feat;
  float *scratch;
  float *pix, *coef, *pcoef, *tmp;
} AdiffPhotoScratch;

/* The band's rows (ay0, ay1) from its reference ranges. */
void     adiff__photo_band_rows       (const AdiffPhotoStage *stage, AdiffPhotoBand *band);
/* Buffers for a band of any of the stages, or FALSE (out of memory). */
gboolean adiff__photo_scratch_init    (AdiffPhotoScratch *scratch,
                                       const AdiffPhotoStage *stages, int n_stages,
                                       GError **error);
void     adiff__photo_scratch_clear   (AdiffPhotoScratch *scratch);
/* Match, filter and aggregate the band's groups into sums (zeroed here). */
void     adiff__photo_band_run        (const AdiffPhotoStage *stage,
                                       const AdiffPhotoBand *band,
                                       AdiffPhotoScratch *scratch, AdiffPhotoSums *sums);

/* Bases (basis.c). */
float   *adiff__photo_basis_1d        (AdiffPhotoBasis kind, int P);  /* P×P rows */
float   *adiff__photo_basis_separable (AdiffPhotoBasis kind, int P);  /* P²×P², coarse first */
void     adiff__photo_basis_order      (int P, int *order);  /* its (u, v) as u·P + v */
float   *adiff__photo_window_kaiser   (int P, float beta);            /* P², separable */

/* The pipeline (pipeline.c): every pass of the model, band by band, on
 * rows the source gives and the sink takes as they are needed and ready.
 * The source fills the nch planes' rows y (in increasing order, each once)
 * over the input box's columns; the sink receives the output box's rows
 * (increasing, each once) over its columns. */
typedef void (*AdiffPhotoSourceFunc) (int y, float *const *rows, gpointer data);
typedef void (*AdiffPhotoSinkFunc)   (int y, const float *const *rows, gpointer data);

/* The box the passes read to give the pixels of `out` (geometry.c). */
void     adiff__photo_input_box       (const AdiffPhotoConfig *config, int w, int h,
                                        const AdiffPhotoBox *out, AdiffPhotoBox *in);
gboolean adiff__photo_pipeline_run     (const AdiffPhotoConfig *config, int nch, int w, int h,
                                        float sigma_255, const AdiffPhotoBox *out,
                                        AdiffPhotoSourceFunc source, AdiffPhotoSinkFunc sink,
                                        gpointer data, AdiffPhotoProgress *progress,
                                        GError **error);

/* nch planes of w×h floats (stride w) through the passes into out
 * (denoise.c); channel 0 is the one groups are matched on. */
gboolean adiff__photo_model            (float *const *planes, int nch, int w, int h,
                                        float sigma_255, const AdiffPhotoConfig *config,
                                        float *const *out, AdiffPhotoProgress *progress,
                                        GError **error);
/* The bases, transforms and windows of a stage's pass (denoise.c). */
void     adiff__photo_stage_init       (AdiffPhotoStage *stage, const AdiffPhotoConfig *config,
                                        const AdiffPhotoPass *pass, int w, int h);
void     adiff__photo_stage_clear      (AdiffPhotoStage *stage);
/* The final stage's companions (config->companion), sharing its planes. */
void     adiff__photo_stage_add_companions (AdiffPhotoStage *stage,
                                            const AdiffPhotoConfig *config);

/* The model on 0–255 data (config.c, ensemble.c): parameters per σ, the checks, and
 * the gray / RGB runs (interleaved). */
/* The defaults (config.c) for σ on the 0–255 scale and 1 (gray) or 3 (RGB)
 * channels; the channels change thresholds and gains, never the geometry
 * (patches, steps, radii: what a region reads). */
void     adiff__photo_config_init      (AdiffPhotoConfig *config, float sigma_255,
                                        int channels);
void     adiff__photo_config_init_best (AdiffPhotoConfig *config, float sigma_255,
                                        int channels);
/* Parameters in range, σ finite and > 0, the image at least a patch. */
gboolean adiff__photo_config_check     (const AdiffPhotoConfig *config, int w, int h,
                                        float sigma_255, GError **error);
/* The box of the w×h image that the self-ensemble's runs read for the
 * pixels of `out` (each element's input box, mapped back). */
void     adiff__photo_region_box       (const AdiffPhotoConfig *config, int w, int h,
                                        const AdiffPhotoBox *out, AdiffPhotoBox *in);
/* Interleaved gray or RGB pixels times scale (255 for [0,1] data) through
 * the model, the colour transform and the self-ensemble, divided by scale:
 * in holds the box in_box of the w×h image (which must contain
 * adiff__photo_region_box's), out receives the pixels of out_box; rows of
 * box width × channels floats.  in and out must not overlap. */
gboolean adiff__photo_run_box          (const AdiffPhotoConfig *config, int w, int h,
                                        int channels, float scale, float sigma_255,
                                        const float *in, const AdiffPhotoBox *in_box,
                                        float *out, const AdiffPhotoBox *out_box,
                                        AdiffPhotoProgress *progress, GError **error);
/* The whole image (row stride w·channels); out may equal in. */
gboolean adiff__photo_run              (const AdiffPhotoConfig *config, const float *in,
                                        int w, int h, int channels, float scale,
                                        float sigma_255, float *out,
                                        AdiffPhotoProgress *progress, GError **error);

/* The orthonormal opponent transform (colour.c). */
/* adiff_photo_denoise's checks of its arguments (σ, quality, channels,
 * size), for callers that must refuse before touching the pixels. */
gboolean adiff__photo_check_args       (const AdiffPhotoParams *params, guint width,
                                        guint height, guint channels, GError **error);
void     adiff__photo_rgb_to_opp       (const float rgb[3], float opp[3]);
void     adiff__photo_opp_to_rgb       (const float opp[3], float rgb[3]);
