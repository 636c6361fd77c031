/* rows-png.c — PNG row by row with libpng's row API (png_read_row,
 * png_write_row), through the same header, transforms and sample
 * conversions as the whole-image back end (png-private.h), so that both
 * give the same values and the same bytes.  Interlaced files never get
 * here (rows.c sends them to adiff_io_image_load). */
#include "png-private.h"
#include "rows-private.h"

/* The libpng state lives on the heap: its error handler jumps back into
 * whichever call is running, through the jmp_buf kept here. */
typedef struct
{
  png_structp     png;
  png_infop       info;
  AdiffPngFailure failure;
  AdiffPngGeometry g;
  guint8         *row;
} PngIn;

static gboolean
png_in_failed (AdiffIoRowReader *r, GError **error)
{
  PngIn *p = r->priv;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
               _("Cannot read the PNG file “%s”: %s"), r->path, p->failure.message);
  return FALSE;
}

static gboolean
png_in_read (AdiffIoRowReader *r, guint n, float *data, float *alpha, GError **error)
{
  PngIn *p = r->priv;
  guint w = p->g.width, colors = r->info.channels;
  if (setjmp (p->failure.jump))
    return png_in_failed (r, error);
  for (guint i = 0; i < n; i++)
    {
      png_read_row (p->png, p->row, NULL);
      adiff_png_unpack_row (p->row, w, p->g.depth, p->g.n_samples, colors,
                            data + (gsize) i * w * colors,
                            alpha && r->info.has_alpha ? alpha + (gsize) i * w : NULL);
    }
  return TRUE;
}

static void
png_in_free (AdiffIoRowReader *r)
{
  PngIn *p = r->priv;
  if (p->png)
    png_destroy_read_struct (&p->png, p->info ? &p->info : NULL, NULL);
  g_free (p->row);
  g_free (p);
  r->priv = NULL;
}

/* The checks of read_png in image-png.c, in the same order. */
gboolean
adiff_io_png_rows_open (AdiffIoRowReader *r, GError **error)
{
  PngIn *p = g_new0 (PngIn, 1);
  r->priv = p;
  r->read = png_in_read;
  r->free = png_in_free;
  if (!adiff_png_start (FALSE, &p->failure, r->path, &p->png, &p->info, error))
    return FALSE;
  if (setjmp (p->failure.jump))
    return png_in_failed (r, error);
  adiff_png_read_header (p->png, p->info, r->f, &p->g);
  AdiffPngGeometry *g = &p->g;
  if (!adiff_io_check_pixels (r->path, g->width, g->height, error))
    return FALSE;
  gsize total;
  if (!g_size_checked_mul (&total, g->rowbytes, g->height) ||
      !g_size_checked_mul (&(gsize){0}, (gsize) g->width * g->height,
                           g->n_samples * sizeof (float)))
    png_error (p->png, "image too large");
  if (png_get_interlace_type (p->png, p->info) != PNG_INTERLACE_NONE)
    png_error (p->png, "interlaced images are read whole, not row by row");
  p->row = g_try_malloc (g->rowbytes);
  if (!p->row)
    png_error (p->png, "not enough memory");
  r->info = (AdiffIoImageInfo) {
    .width = g->width, .height = g->height, .channels = g->n_samples >= 3 ? 3 : 1,
    .bit_depth = g->depth == 16 ? 16 : 8,
    .has_alpha = g->n_samples == 2 || g->n_samples == 4,
  };
  return TRUE;
}

/* ---- Writing ------------------------------------------------------------ */

#define OUT_BUFFER (256 * 1024)

typedef struct
{
  AdiffIoRowWriter *w;
  png_structp       png;
  png_infop         info;
  AdiffPngFailure   failure;
  GError           *io_error;   /* a failed write inside libpng's callback */
  GByteArray       *buffer;     /* libpng writes chunk by chunk: batch them */
  guint8           *row;
} PngOut;

static gboolean
png_out_flush (PngOut *p)
{
  gboolean ok = p->io_error == NULL &&
                adiff_io_atomic_write (&p->w->out, p->buffer->data, p->buffer->len,
                                       &p->io_error);
  g_byte_array_set_size (p->buffer, 0);
  return ok;
}

static void
png_out_write_fn (png_structp png, png_bytep data, png_size_t length)
{
  PngOut *p = png_get_io_ptr (png);
  g_byte_array_append (p->buffer, data, (guint) length);
  if (p->buffer->len >= OUT_BUFFER && !png_out_flush (p))
    png_error (png, "write failed");
}

static void
png_out_flush_fn (png_structp png)
{
}

static gboolean
png_out_failed (AdiffIoRowWriter *w, GError **error)
{
  PngOut *p = w->priv;
  if (p->io_error)
    g_propagate_error (error, g_steal_pointer (&p->io_error));
  else
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                 _("Cannot write the PNG file “%s”: %s"), w->out.path, p->failure.message);
  return FALSE;
}

static gboolean
png_out_write (AdiffIoRowWriter *w, guint n, const float *data, const float *alpha,
               GError **error)
{
  PngOut *p = w->priv;
  guint width = w->info.width, colors = w->info.channels;
  if (setjmp (p->failure.jump))
    return png_out_failed (w, error);
  for (guint i = 0; i < n; i++)
    {
      adiff_png_pack_row (data + (gsize) i * width * colors,
                          alpha ? alpha + (gsize) i * width : NULL, width, colors,
                          w->depth, p->row);
      png_write_row (p->png, p->row);
    }
  return TRUE;
}

static gboolean
png_out_finish (AdiffIoRowWriter *w, GError **error)
{
  PngOut *p = w->priv;
  if (setjmp (p->failure.jump))
    return png_out_failed (w, error);
  png_write_end (p->png, p->info);
  if (!png_out_flush (p))
    return png_out_failed (w, error);
  return TRUE;
}

static void
png_out_free (AdiffIoRowWriter *w)
{
  PngOut *p = w->priv;
  if (p->png)
    png_destroy_write_struct (&p->png, p->info ? &p->info : NULL);
  g_clear_error (&p->io_error);
  g_byte_array_unref (p->buffer);
  g_free (p->row);
  g_free (p);
  w->priv = NULL;
}

gboolean
adiff_io_png_rows_begin (AdiffIoRowWriter *w, GError **error)
{
  PngOut *p = g_new0 (PngOut, 1);
  p->w = w;
  p->buffer = g_byte_array_sized_new (OUT_BUFFER + 16384);
  w->priv = p;
  w->write = png_out_write;
  w->finish = png_out_finish;
  w->free = png_out_free;
  if (!adiff_png_start (TRUE, &p->failure, w->out.path, &p->png, &p->info, error))
    return FALSE;
  guint n_samples = w->info.channels + (w->info.has_alpha ? 1 : 0);
  p->row = g_malloc ((gsize) w->info.width * n_samples * (w->depth / 8));
  if (setjmp (p->failure.jump))
    return png_out_failed (w, error);
  png_set_write_fn (p->png, p, png_out_write_fn, png_out_flush_fn);
  adiff_png_write_header (p->png, p->info, w->info.width, w->info.height, w->depth,
                          n_samples);
  return TRUE;
}
