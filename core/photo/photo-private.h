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
} AdiffPhotoPass;

/* Every parameter of the model (the public quality settings fill it). */
typedef struct
{
  AdiffPhotoPass pass1;        /* pilot */
  AdiffPhotoPass pass2;        /* final: grouped Wiener with the pilot's statistics */
  int            n_final;      /* 0 = pilot only, 1 = default, 2 = pass 2 again on its output */
  float          lambda;       /* pilot threshold factor */
  float          kaiser_beta;  /* aggregation window, 0 = flat */
  const float   *pca;          /* optional P²×P² orthonormal rows, most important first */
  int            pca_size;     /* P of `pca` */
  int            n_ensemble;   /* 1, 2, 4 or 8 elements of the dihedral group, averaged */
  guint          n_threads;    /* 0 = all cores */
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
  double            done, span;   /* this stage covers [done, done + span) */
  gint              cancelled;    /* atomic */
} AdiffPhotoProgress;

/* One grouped pass over planes of w×h floats (row stride w). */
typedef struct
{
  int                        w, h, nch;
  const float               *noisy[ADIFF_PHOTO_MAX_CH];
  const float               *pilot[ADIFF_PHOTO_MAX_CH];  /* SHRINK_PILOT only */
  const float               *guide;        /* plane the groups are matched on */
  float                      guide_noise;  /* its noise variance (σ², or 0 for a pilot) */
  float                      sigma[ADIFF_PHOTO_MAX_CH];
  AdiffPhotoShrink           shrink;
  float                      lambda;
  AdiffPhotoPass             pass;
  const float               *basis;        /* P²×P² rows, coarse first (matching) */
  const AdiffPhotoTransform *transform;    /* the same basis, for filtering groups */
  const float               *window;       /* P² aggregation window */
  guint                      n_threads;
  AdiffPhotoProgress        *progress;
  float                     *out[ADIFF_PHOTO_MAX_CH];
} AdiffPhotoStage;

/* Run a pass into stage->out; FALSE on out of memory or cancellation. */
gboolean adiff__photo_stage_run       (const AdiffPhotoStage *stage, GError **error);

/* Bases (basis.c). */
float   *adiff__photo_basis_1d        (AdiffPhotoBasis kind, int P);  /* P×P rows */
float   *adiff__photo_basis_separable (AdiffPhotoBasis kind, int P);  /* P²×P², coarse first */
float   *adiff__photo_window_kaiser   (int P, float beta);            /* P², separable */

/* Matching (match.c). */
typedef struct
{
  int    x0, y0, nx, ny;   /* feature rows y0..y0+ny−1, all nx = w−P+1 columns */
  int    k;                /* coefficients per position */
  float *f;                /* ny × nx × k: position (x, y0 + r) at f[(r·nx + x)·k] */
} AdiffPhotoFeatures;

void     adiff__photo_features_compute (AdiffPhotoFeatures *feat, const float *plane, int w,
                                        int h, int P, const float *basis, int k, int y0,
                                        int ny, float *scratch /* nx × P² */);
int      adiff__photo_match            (const AdiffPhotoFeatures *feat, int w, int h, int P,
                                        int rx, int ry, const AdiffPhotoPass *pass,
                                        float guide_noise, int *pos_x, int *pos_y,
                                        float *dist);

/* nch planes of w×h floats (stride w) through the passes into out
 * (denoise.c); channel 0 is the one groups are matched on. */
gboolean adiff__photo_model            (float *const *planes, int nch, int w, int h,
                                        float sigma_255, const AdiffPhotoConfig *config,
                                        float *const *out, AdiffPhotoProgress *progress,
                                        GError **error);
/* n planes of npix floats each, or all NULL and an error (ADIFF_ERROR_LIMIT). */
gboolean adiff__photo_planes_alloc     (float **planes, int n, gsize npix, GError **error);
void     adiff__photo_planes_free      (float **planes, int n);

/* The model on 0–255 data (config.c, ensemble.c): parameters per σ, the checks, and
 * the gray / RGB runs (interleaved, row stride = w·channels). */
void     adiff__photo_config_init      (AdiffPhotoConfig *config, float sigma_255);
void     adiff__photo_config_init_best (AdiffPhotoConfig *config, float sigma_255);
/* Parameters in range, σ finite and > 0, the image at least a patch. */
gboolean adiff__photo_config_check     (const AdiffPhotoConfig *config, int w, int h,
                                        float sigma_255, GError **error);
/* Interleaved gray or RGB pixels (row stride w·channels) times scale
 * (255 for [0,1] data) through the model, the colour transform and the
 * self-ensemble, divided by scale into out (which may equal in). */
gboolean adiff__photo_run              (const AdiffPhotoConfig *config, const float *in,
                                        int w, int h, int channels, float scale,
                                        float sigma_255, float *out,
                                        AdiffPhotoProgress *progress, GError **error);

/* The orthonormal opponent transform (colour.c). */
void     adiff__photo_rgb_to_opp       (const float rgb[3], float opp[3]);
void     adiff__photo_opp_to_rgb       (const float opp[3], float rgb[3]);
