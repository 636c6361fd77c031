/* dataset-private.h — the parts of AdiffDataset: sources (one per input
 * path) and the shaping of items. */
#pragma once

#include "io-private.h"

/* Items larger than this many values are refused (a 4096×4096 RGB item). */
#define ADIFF_DATASET_MAX_ITEM_VALUES ((guint64) 1 << 26)

typedef struct _AdiffSource AdiffSource;

typedef struct
{
  /* Fetch raw item index (0 ≤ index < n_items), called in increasing order
   * from one thread.  Either fills image (already decoded) or sets *path to
   * a file the workers decode (a new string).  label may be left alone when
   * the source has none. */
  gboolean (*fetch) (AdiffSource *source, guint64 index, AdiffIoImage *image,
                     char **path, gint32 *label, GError **error);
  void     (*free)  (AdiffSource *source);
} AdiffSourceClass;

struct _AdiffSource
{
  const AdiffSourceClass *klass;
  char      *path;
  char      *description;   /* "cifar10 test_batch.bin", … */
  guint      width, height; /* of the first item (folders) or of all items */
  guint      channels;      /* 1 or 3, native */
  guint      bit_depth;     /* 8, 16 or 32 */
  guint64    n_items;
  gboolean   has_labels;
  GPtrArray *skipped;       /* bad files dropped at open (skip_bad), or NULL */
};

/* The dataset: opened in dataset-open.c, read in dataset.c. */
struct _AdiffDataset
{
  AdiffDatasetOptions options;
  char       *inject_path;
  GPtrArray  *sources;        /* AdiffSource* */
  guint64    *starts;         /* first raw index of each source, plus the total */
  guint64     n_raw;          /* raw items used (after limit) */
  guint       width, height, channels, bit_depth;
  gsize       dim;
  guint       outs_per_raw;
  gboolean    has_labels;
  float      *mask;           /* width·height of 0/1, or NULL */
  char       *description;
  GPtrArray  *skipped;        /* NULL-terminated names */

  /* Reading state. */
  guint64     next_raw;
  guint       source_index;
  float      *pending;
  gint32     *pending_labels;
  gsize       pending_n, pending_pos;
  gboolean    failed;
  guint       n_threads;
  GThreadPool *pool;
  GMutex      lock;
  GCond       done;
  guint       remaining;      /* jobs on the pool not yet done */
  struct _Job *batch;         /* the batch in flight, or NULL */
  guint       batch_n;
  GError     *deferred;       /* a fetch error to report when its batch is due */
};

/* Wait for and drop the batch in flight (before freeing the dataset). */
void adiff_dataset_finish_batch (AdiffDataset *ds);

/* Each returns a source with klass, path, description and geometry set. */
AdiffSource *adiff_source_folder_open (const char *path, const AdiffDatasetOptions *options,
                                       GError **error);
AdiffSource *adiff_source_image_open  (const char *path, const AdiffDatasetOptions *options,
                                       GError **error);
AdiffSource *adiff_source_cifar_open  (const char *path, GError **error);
AdiffSource *adiff_source_idx_open    (const char *path, GError **error);
AdiffSource *adiff_source_npy_open    (const char *path, GError **error);
/* dataset-source.c, called by dataset-open.c and the sources alike. */
void         adiff_source_free        (AdiffSource *source);
/* True when path looks like an image file a folder scan should take. */
gboolean adiff_io_is_image_name (const char *name);

/* ---- Pixel helpers (shape.c) -------------------------------------------- */

/* Separable resampling of interleaved floats with a triangle filter whose
 * support widens with the reduction factor: bilinear when enlarging, an
 * anti-aliasing area-like filter when reducing. */
void adiff_io_resample (const float *src, guint src_w, guint src_h, guint channels,
                        float *dst, guint dst_w, guint dst_h);
/* Copy the window (x0, y0, w, h) of src (width src_w). */
void adiff_io_crop     (const float *src, guint src_w, guint channels,
                        guint x0, guint y0, guint w, guint h, float *dst);
void adiff_io_hflip    (const float *src, guint w, guint h, guint channels, float *dst);
/* RGB → gray by Rec. 601 luma on the stored (sRGB-encoded) values. */
void adiff_io_rgb_to_gray (const float *rgb, gsize pixels, float *gray);
void adiff_io_gray_to_rgb (const float *gray, gsize pixels, float *rgb);
