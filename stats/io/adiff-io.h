/* adiff-io.h — file input/output for the command-line tools: images,
 * NumPy arrays and training datasets.  Not part of libadiff's public API;
 * built as a static library (libadiff-io) linked by adiff and adiff-stats.
 *
 * Values are floats in [0,1], interleaved, row-major (y, x, c), sRGB-encoded
 * as stored in the files (no linearisation).  Every function that fails
 * fills a GError (ADIFF_ERROR domain) whose message names the file.
 */
#pragma once

#include <glib.h>
#include "adiff/adiff.h"

G_BEGIN_DECLS

/* ---- Images ------------------------------------------------------------ */

typedef struct
{
  guint  width, height;
  guint  channels;       /* colour channels: 1 (gray) or 3 (RGB) */
  guint  bit_depth;      /* of the source file: 8 or 16 (32 for float data) */
  float *data;           /* height·width·channels */
  float *alpha;          /* height·width, or NULL when the file has none */
} AdiffIoImage;

/* Load PNG (8/16-bit, via libpng), JPEG, PNM, BMP, TIFF, WebP (via
 * gdk-pixbuf), and .npy (float16/32/64, uint8/16, (H,W) or (H,W,C)). */
gboolean adiff_io_image_load  (const char *path, AdiffIoImage *image, GError **error);
/* Save atomically (temporary file + rename).  .png honours bit_depth 8 or 16;
 * .npy writes float32 unclipped; other extensions via gdk-pixbuf (8-bit). */
gboolean adiff_io_image_save  (const char *path, const AdiffIoImage *image,
                               guint bit_depth, GError **error);
void     adiff_io_image_clear (AdiffIoImage *image);

/* ---- Images row by row, in bounded memory ------------------------------ */

/* What a row reader yields and a row writer takes. */
typedef struct
{
  guint    width, height;
  guint    channels;       /* colour channels: 1 or 3 */
  guint    bit_depth;      /* of the source file: 8 or 16 */
  gboolean has_alpha;
} AdiffIoImageInfo;

typedef struct _AdiffIoRowReader AdiffIoRowReader;
typedef struct _AdiffIoRowWriter AdiffIoRowWriter;

/* Can path be read row by row?  PNG that is not interlaced, and binary
 * PGM/PPM (P5, P6), told by their magic bytes.  FALSE for every other file,
 * including one that cannot be opened (adiff_io_image_load says why). */
gboolean adiff_io_rows_readable (const char *path);
/* Read the header, with the same checks, errors and pixel cap as
 * adiff_io_image_load.  Rows then come top to bottom; the values are the
 * ones adiff_io_image_load gives, bit for bit.  A decoding error met in a
 * later row (a corrupt or truncated file) fails that read with the error
 * adiff_io_image_load would give, and every read after it. */
AdiffIoRowReader *adiff_io_row_reader_open (const char *path, AdiffIoImageInfo *info,
                                            GError **error);
/* The next n_rows rows: data gets n_rows·width·channels floats, alpha
 * n_rows·width floats (alpha may be NULL; untouched when the file has none). */
gboolean adiff_io_row_reader_read (AdiffIoRowReader *reader, guint n_rows, float *data,
                                   float *alpha, GError **error);
void     adiff_io_row_reader_free (AdiffIoRowReader *reader);

/* Can path be written row by row?  .png, .pgm, .ppm and .pnm (by extension). */
gboolean adiff_io_rows_writable (const char *path);
/* Start an atomic write (a temporary beside path, see adiff_io_image_save);
 * bit_depth 0 = 16 when info->bit_depth > 8, else 8.  PNM has no alpha:
 * it is dropped, as adiff_io_image_save does.  The file is byte for byte
 * what adiff_io_image_save writes for the same values. */
AdiffIoRowWriter *adiff_io_row_writer_new (const char *path, const AdiffIoImageInfo *info,
                                           guint bit_depth, GError **error);
/* The next n_rows rows (values clip to [0,1]); alpha is ignored when the
 * info had none. */
gboolean adiff_io_row_writer_write  (AdiffIoRowWriter *writer, guint n_rows,
                                     const float *data, const float *alpha, GError **error);
/* After the last row: finish the file, sync it and rename it into place. */
gboolean adiff_io_row_writer_commit (AdiffIoRowWriter *writer, GError **error);
/* Free; an uncommitted writer removes its temporary (never a partial file). */
void     adiff_io_row_writer_free   (AdiffIoRowWriter *writer);

/* ---- NumPy .npy --------------------------------------------------------- */

typedef struct
{
  guint   ndim;          /* 1..4 */
  guint64 shape[4];
  float  *data;          /* product(shape) floats in C order; uint8 files are
                          * divided by 255, uint16 by 65535; floats as stored */
  gboolean was_uint8;
  guint   bit_depth;     /* of the stored values: 8, 16, or 32 for any float type */
} AdiffNpy;

gboolean adiff_io_npy_load  (const char *path, AdiffNpy *npy, GError **error);
/* float32, C order, written atomically. */
gboolean adiff_io_npy_save  (const char *path, const float *data, guint ndim,
                             const guint64 *shape, GError **error);
void     adiff_io_npy_clear (AdiffNpy *npy);

/* ---- Datasets: a stream of equally sized items ------------------------ */

typedef enum { ADIFF_FIT_NONE, ADIFF_FIT_RESIZE, ADIFF_FIT_CENTER_CROP, ADIFF_FIT_RANDOM_CROP } AdiffFit;
typedef enum { ADIFF_COLOR_NATIVE, ADIFF_COLOR_GRAY, ADIFF_COLOR_RGB } AdiffColorMode;

typedef struct
{
  guint          width, height;       /* 0,0 = native size (all items must agree) */
  AdiffFit       fit;
  guint          patches_per_image;   /* 0 = whole images; K = K random windows per image */
  AdiffColorMode color;
  guint64        limit;               /* 0 = all items; else the first N source
                                         images (→ N·max(K,1)·(2 if hflip) items) */
  guint64        seed;
  gboolean       augment_hflip;       /* also yield each item mirrored */
  gboolean       skip_bad;            /* skip unreadable images in folders (counted) */
  const char    *inject_pattern;      /* mask image path, or NULL */
  double         inject_gamma;        /* γ of the injected pattern */
  guint          n_threads;           /* decoding threads, 0 = all cores */
} AdiffDatasetOptions;

void adiff_dataset_options_init (AdiffDatasetOptions *options);

typedef struct _AdiffDataset AdiffDataset;

/* sources: folder of images (recursive), CIFAR-10 *.bin, IDX *-idx3-ubyte[.gz],
 * or .npy (N,H,W[,C]); also a single image file (one item, e.g. for patches).
 * Several sources are concatenated (must agree in size and channels after
 * shaping).  Geometry is known after open. */
AdiffDataset *adiff_dataset_open  (const char *const *sources,
                                   const AdiffDatasetOptions *options,
                                   GError **error);
guint    adiff_dataset_get_width    (AdiffDataset *dataset);
guint    adiff_dataset_get_height   (AdiffDataset *dataset);
guint    adiff_dataset_get_channels (AdiffDataset *dataset);
guint    adiff_dataset_get_bit_depth(AdiffDataset *dataset);     /* 8, 16 or 32 */
/* Expected number of items (after limit, patches, augmentation); exact
 * unless skip_bad drops some. */
guint64  adiff_dataset_get_n_items  (AdiffDataset *dataset);
gboolean adiff_dataset_has_labels   (AdiffDataset *dataset);
/* Read up to max items into items (max·d floats) and labels (may be NULL).
 * Returns the number read (0 at the end); on error returns 0 and sets error. */
gsize    adiff_dataset_read         (AdiffDataset *dataset, float *items,
                                     gint32 *labels, gsize max, GError **error);
/* Count and names of skipped bad files (skip_bad). */
guint    adiff_dataset_get_n_skipped(AdiffDataset *dataset);
const char *const *adiff_dataset_get_skipped (AdiffDataset *dataset);
/* One-line description for bundle metadata ("cifar10 test_batch.bin, 10000 items"). */
const char *adiff_dataset_describe  (AdiffDataset *dataset);
void     adiff_dataset_free         (AdiffDataset *dataset);

/* ---- Output safety for the tools (interrupts: stats/common/interrupt.h) -- */

/* TRUE when both paths name the same existing file (same device and inode):
 * an output that is also an input would be replaced by the atomic rename. */
gboolean adiff_io_same_file (const char *a, const char *b);
G_END_DECLS
