/* adiff-bundle.h — statistic bundles: mean, covariance eigenpairs and
 * optional exemplars of a training set, for windows of a fixed size.
 *
 * Coordinates: a window of width W, height H and C channels is a vector of
 * d = W·H·C values in [0,1], pixel-major and channel-interleaved:
 * index (y·W + x)·C + c, exactly like an interleaved image row.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AdiffBundle AdiffBundle;

/**
 * AdiffBundleData:
 * Everything a bundle holds, as plain arrays; used to build a bundle in
 * memory (adiff_bundle_new_from_data()) and to write one
 * (adiff_bundle_write()).  All arrays are borrowed by the callee.
 */
typedef struct
{
  guint width, height, channels;  /* window geometry, d = width·height·channels */
  guint64 n_items;                /* number of training items behind the statistics */

  const double *mean;             /* [d] */
  guint n_components;             /* k ≤ d kept eigenpairs */
  const double *eigenvalues;      /* [k], descending, ≥ 0 */
  const double *eigenvectors;     /* [k·d], row i is eigenvector i (unit norm) */
  double residual_variance;       /* variance per dimension of the d−k rest (0 when k = d) */

  guint n_exemplars;              /* 0 when none */
  const float *exemplars;         /* [n·d] values in [0,1], row-major */
  const gint32 *labels;           /* [n] or NULL */

  /* Partial (mergeable) statistics; NULL unless written by build --partial. */
  const double *scatter;          /* [d·d] Σ (x−mean)(x−mean)ᵀ, row-major */

  const char *metadata;           /* GKeyFile text, or NULL */
} AdiffBundleData;

/**
 * AdiffStorage:
 * How adiff_bundle_write() stores eigenvectors and exemplars on disk.
 */
typedef enum
{
  ADIFF_STORE_F32 = 0,
  ADIFF_STORE_F16 = 1,
  ADIFF_STORE_U8 = 2,     /* exemplars only: values rounded to 1/255 */
} AdiffStorage;

typedef struct
{
  AdiffStorage eigenvectors;      /* F32 (default) or F16 */
  AdiffStorage exemplars;         /* U8, F16 or F32 (default) */
} AdiffWriteOptions;

/**
 * AdiffLoadLimits:
 * Caps checked before any allocation while loading an untrusted file.
 * Zero fields mean the library defaults (ADIFF_DEFAULT_MAX_*).
 */
#define ADIFF_DEFAULT_MAX_DIM        G_GUINT64_CONSTANT (65536)
#define ADIFF_DEFAULT_MAX_EXEMPLARS  G_GUINT64_CONSTANT (10000000)
#define ADIFF_DEFAULT_MAX_BYTES      (G_GUINT64_CONSTANT (8) << 30)

typedef struct
{
  guint64 max_dim;                /* d, default 65536 */
  guint64 max_exemplars;          /* default 10 000 000 */
  guint64 max_bytes;              /* bytes materialised in memory, default 8 GiB */
} AdiffLoadLimits;

/* Build a bundle from arrays in memory (copied).  Validates sizes and values. */
AdiffBundle   *adiff_bundle_new_from_data     (const AdiffBundleData *data,
                                               GError               **error);

/* Load a bundle file.  The file is untrusted: every size, offset and checksum
 * is checked before use.  limits may be NULL. */
AdiffBundle   *adiff_bundle_open              (const char            *path,
                                               const AdiffLoadLimits *limits,
                                               GError               **error);
/* Same from bytes in memory; name is used in messages (for fuzzing, tests). */
AdiffBundle   *adiff_bundle_open_bytes        (GBytes                *bytes,
                                               const char            *name,
                                               const AdiffLoadLimits *limits,
                                               GError               **error);

/* Write atomically (temporary file in the same folder, fsync, rename). */
gboolean       adiff_bundle_write             (const char              *path,
                                               const AdiffBundleData   *data,
                                               const AdiffWriteOptions *options,
                                               GError                 **error);

AdiffBundle   *adiff_bundle_ref               (AdiffBundle *bundle);
void           adiff_bundle_unref             (AdiffBundle *bundle);

guint          adiff_bundle_get_width         (const AdiffBundle *bundle);
guint          adiff_bundle_get_height        (const AdiffBundle *bundle);
guint          adiff_bundle_get_channels      (const AdiffBundle *bundle);
gsize          adiff_bundle_get_dim           (const AdiffBundle *bundle);
guint64        adiff_bundle_get_n_items       (const AdiffBundle *bundle);
guint          adiff_bundle_get_n_components  (const AdiffBundle *bundle);
const double  *adiff_bundle_get_mean          (const AdiffBundle *bundle);
const double  *adiff_bundle_get_eigenvalues   (const AdiffBundle *bundle);
/* k×d, row i = eigenvector i, as float (converted once from the file). */
const float   *adiff_bundle_get_eigenvectors  (const AdiffBundle *bundle);
double         adiff_bundle_get_residual_variance (const AdiffBundle *bundle);
guint          adiff_bundle_get_n_exemplars   (const AdiffBundle *bundle);
/* n×d floats in [0,1] (converted once from the file), or NULL. */
const float   *adiff_bundle_get_exemplars     (const AdiffBundle *bundle);
const gint32  *adiff_bundle_get_labels        (const AdiffBundle *bundle);
/* d×d scatter of a partial bundle, or NULL. */
const double  *adiff_bundle_get_scatter       (const AdiffBundle *bundle);
/* Metadata text (GKeyFile syntax), never NULL (may be empty). */
const char    *adiff_bundle_get_metadata      (const AdiffBundle *bundle);
/* File name given at load, or "<memory>". */
const char    *adiff_bundle_get_name          (const AdiffBundle *bundle);

G_END_DECLS
