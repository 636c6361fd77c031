/* png-private.h — what the whole-image PNG back end (image-png.c) and the
 * row-by-row one (rows-png.c) share, so that both decode and encode every
 * sample the same way: same transforms, same conversions, same header. */
#pragma once

#include <setjmp.h>
#include <png.h>
#include "io-private.h"

/* libpng reports errors through a callback that must not return: we keep
 * the message and jump back to the caller's setjmp. */
typedef struct
{
  jmp_buf jump;
  char    message[256];
} AdiffPngFailure;

void adiff_png_on_error   (png_structp png, png_const_charp message);
void adiff_png_on_warning (png_structp png, png_const_charp message);

/* libpng's read or (writing) write state and its info, with the handlers
 * above reporting into failure.  When libpng cannot allocate them, an
 * error naming path and FALSE.  The caller destroys *png and *info either
 * way (png_destroy_read_struct or _write_struct accept what is NULL). */
gboolean adiff_png_start (gboolean writing, AdiffPngFailure *failure, const char *path,
                          png_structp *png, png_infop *info, GError **error);

/* The geometry of the rows a reader gets, after the transforms. */
typedef struct
{
  guint width, height, depth, n_samples;
  gsize rowbytes;
} AdiffPngGeometry;

/* Read the header from f and set the transforms (palette and low depths
 * expanded to 8 bit, tRNS to alpha, no gamma, interlacing handled); fill
 * g.  A bad header is a png_error (longjmp to the caller's setjmp). */
void adiff_png_read_header (png_structp png, png_infop info, FILE *f, AdiffPngGeometry *g);

/* Split one row of interleaved 8/16-bit samples into colour floats
 * (colors per pixel) and alpha floats (may be NULL to drop them). */
void adiff_png_unpack_row (const guint8 *row, guint width, guint depth, guint n_samples,
                           guint colors, float *data, float *alpha);

/* Write the header: gray, gray+alpha, RGB or RGBA at depth, sRGB chunk. */
void adiff_png_write_header (png_structp png, png_infop info, guint width, guint height,
                             guint depth, guint n_samples);

/* One row of interleaved big-endian samples (colour, then alpha when
 * alpha is not NULL), values quantised with adiff_io_quantize. */
void adiff_png_pack_row (const float *data, const float *alpha, guint width, guint colors,
                         guint depth, guint8 *row);
