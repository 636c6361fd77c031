/* io-private.h — helpers shared by the files of libadiff-io. */
#pragma once

#include <stdio.h>
#include <glib.h>
#include <glib/gi18n.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include "adiff-io.h"

/* ---- Atomic output: a temporary file beside the target, renamed at the
 * end, so that a failed or interrupted save never leaves a partial file. */
typedef struct
{
  char *path;      /* the final name */
  char *tmp_path;  /* the temporary name, in the same folder */
  int   fd;
} AdiffIoAtomic;

gboolean adiff_io_atomic_begin  (AdiffIoAtomic *out, const char *path, GError **error);
gboolean adiff_io_atomic_write  (AdiffIoAtomic *out, const void *data, gsize size,
                                 GError **error);
/* fsync + rename; on failure the temporary file is removed. */
gboolean adiff_io_atomic_commit (AdiffIoAtomic *out, GError **error);
/* Remove the temporary file (safe after a failed commit or begin). */
void     adiff_io_atomic_abort  (AdiffIoAtomic *out);
/* The whole of data to path, atomically. */
gboolean adiff_io_atomic_save   (const char *path, const void *data, gsize size,
                                 GError **error);

/* ---- Reading helpers ---------------------------------------------------- */

/* fopen for reading with an ADIFF_ERROR_IO naming the file on failure. */
FILE    *adiff_io_open_read     (const char *path, GError **error);
/* Exactly size bytes or an error naming the file ("truncated"). */
gboolean adiff_io_read_exact    (FILE *f, const char *path, void *buffer, gsize size,
                                 GError **error);
/* Size of an open file in bytes. */
gboolean adiff_io_file_size     (FILE *f, const char *path, guint64 *size, GError **error);
/* NaN/Inf check for float input, ADIFF_ERROR_NUMERIC naming the file. */
gboolean adiff_io_check_finite  (const float *v, gsize n, const char *path, GError **error);
/* Largest image decoded (2^28 pixels: 3 GiB as RGB floats).  A tiny
 * compressed file can declare any size; refusing before decoding keeps
 * such a file from exhausting memory (docs/limits.md). */
#define ADIFF_IO_MAX_PIXELS ((guint64) 1 << 28)
/* Bytes of a BMP's head that adiff_io_bmp_check reads (file header and
 * info header up to the compression field). */
#define ADIFF_IO_BMP_HEAD 34
/* For a file whose first n bytes are head: ADIFF_ERROR_FORMAT when it is an
 * uncompressed BMP declaring more rows than its file_size bytes hold (and
 * the pixel cap's ADIFF_ERROR_LIMIT first); TRUE for any other file. */
gboolean adiff_io_bmp_check     (const char *path, const guint8 *head, gsize n,
                                 guint64 file_size, GError **error);
/* ADIFF_ERROR_LIMIT naming the file when width·height is over the cap. */
gboolean adiff_io_check_pixels  (const char *path, guint64 width, guint64 height,
                                 GError **error);
/* A decoder's budget: no compressed photo holds more than 1024 pixels per
 * byte of its file (a flat baseline JPEG needs one bit per 8×8 block and
 * component at the least, 512 pixels a byte); a header declaring more, on
 * an image over a megapixel, belongs to a damaged or hostile file whose
 * decoder would fill megapixels from a few hundred bytes.  The pixel cap
 * first, then ADIFF_ERROR_LIMIT naming the file (docs/limits.md). */
#define ADIFF_IO_FREE_PIXELS     ((guint64) 1 << 20)
#define ADIFF_IO_PIXELS_PER_BYTE 1024
gboolean adiff_io_check_decode  (const char *path, guint64 width, guint64 height,
                                 guint64 file_size, GError **error);

/* ---- Image back ends ---------------------------------------------------- */

gboolean adiff_io_png_load     (const char *path, AdiffIoImage *image, GError **error);
gboolean adiff_io_png_save     (const char *path, const AdiffIoImage *image,
                                guint bit_depth, GError **error);
gboolean adiff_io_pixbuf_load  (const char *path, AdiffIoImage *image, GError **error);
/* A JPEG file of len bytes, already read whole when data is not NULL; same
 * result as adiff_io_pixbuf_load (path), faster for plain JPEGs read whole.
 * Its header's size passes adiff_io_check_decode before anything decodes. */
gboolean adiff_io_jpeg_load    (const char *path, const guint8 *data, gsize len,
                                AdiffIoImage *image, GError **error);
/* image-jpeg.c: a plain JPEG (8-bit gray/YCbCr/RGB, no EXIF, no damage)
 * decoded by libjpeg as an RGB pixbuf; NULL for anything else (and when
 * built without libjpeg): then gdk-pixbuf decodes it. */
GdkPixbuf *adiff_io_jpeg_decode_plain (const guint8 *data, gsize len);
/* The size libjpeg reads from the header of path (or of data, len, when
 * not NULL), reading through damage as gdk-pixbuf does; FALSE when it
 * cannot (then decoding fails too), or when built without libjpeg. */
gboolean adiff_io_jpeg_declared_size (const char *path, const guint8 *data, gsize len,
                                      guint *width, guint *height);
/* type: a gdk-pixbuf saver name ("jpeg", "bmp", "tiff", "png"). */
gboolean adiff_io_pixbuf_save  (const char *path, const AdiffIoImage *image,
                                const char *type, GError **error);
/* Components in a JPEG's frame header (1 gray, 3 YCbCr/RGB, 4 CMYK), or 0
 * when path is not a JPEG or has no frame header before its data. */
guint    adiff_io_jpeg_components (const char *path);
gboolean adiff_io_pnm_load     (const char *path, AdiffIoImage *image, GError **error);
gboolean adiff_io_pnm_save     (const char *path, const AdiffIoImage *image,
                                guint bit_depth, GError **error);
gboolean adiff_io_npy_image_load (const char *path, AdiffIoImage *image, GError **error);
gboolean adiff_io_npy_image_save (const char *path, const AdiffIoImage *image,
                                  GError **error);

/* Quantise v ∈ [0,1] to 0..max with rounding; out-of-range values clip. */
static inline guint
adiff_io_quantize (float v, guint max)
{
  if (!(v > 0.0f))          /* also NaN */
    return 0;
  if (v >= 1.0f)
    return max;
  return (guint) (v * (float) max + 0.5f);
}

/* ---- NumPy header, for streaming readers --------------------------------- */

typedef enum
{
  ADIFF_NPY_U1, ADIFF_NPY_U2, ADIFF_NPY_F2, ADIFF_NPY_F4, ADIFF_NPY_F8
} AdiffNpyType;

typedef struct
{
  AdiffNpyType type;
  guint        item_size;    /* bytes per stored value */
  gboolean     big_endian;   /* multi-byte values stored most significant first */
  gboolean     fortran_order;
  guint        ndim;
  guint64      shape[4];
  guint64      n_values;     /* product of shape */
  guint64      data_offset;  /* bytes from the start of the file */
} AdiffNpyHeader;

/* Parse and check the header of an open .npy file (positioned at 0); on
 * success the file is positioned at the data, whose length matches the
 * shape exactly. */
gboolean adiff_io_npy_read_header (FILE *f, const char *path, AdiffNpyHeader *header,
                                   GError **error);
/* Read n stored values of an open .npy (at its current position, in file
 * order) as floats: integers divided by their maximum, floats as stored
 * (checked finite and within float32's range). */
gboolean adiff_io_npy_read_values (FILE *f, const char *path, const AdiffNpyHeader *header,
                                   float *out, gsize n, GError **error);
/* The whole array (file positioned at its data) in C order, converted as
 * above; Fortran-order files are transposed.  NULL + error when memory or
 * reading fails. */
float   *adiff_io_npy_read_array  (FILE *f, const char *path, const AdiffNpyHeader *header,
                                   GError **error);

/* npy-dtype.c: the element types read. */
/* Set type, item_size and big_endian from a descr ('<f8', '|u1', …), or
 * fail naming the file and the types that are read. */
gboolean adiff_io_npy_set_dtype   (const char *path, const char *descr,
                                   AdiffNpyHeader *header, GError **error);
/* 8 (uint8), 16 (uint16) or 32 (floats). */
guint    adiff_io_npy_bit_depth   (const AdiffNpyHeader *header);
/* n stored values at raw → floats; first_index names a bad value's index. */
gboolean adiff_io_npy_convert     (const AdiffNpyHeader *header, const guint8 *raw,
                                   gsize n, float *out, const char *path,
                                   guint64 first_index, GError **error);
/* Reorder an array of the given shape from Fortran to C order. */
void     adiff_io_npy_fortran_to_c (const float *in, float *out, guint ndim,
                                    const guint64 *shape);
