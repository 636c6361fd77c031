/* rows-pnm.c — binary PGM/PPM (P5, P6) row by row.  The header is parsed by
 * the whole-image back end's parser (pnm-private.h) and the file length is
 * checked against the samples it declares before any row is read, so a
 * truncated file is refused up front with the same error as
 * adiff_io_image_load gives.  Writing: the same header and quantisation as
 * adiff_io_image_save, a row at a time. */
#include <string.h>
#include "pnm-private.h"
#include "rows-private.h"

#define HEADER_PREFIX 4096

typedef struct
{
  guint   maxval, bytes;      /* bytes per sample */
  gsize   row_samples;
  guint8 *row;
} PnmIn;

/* Parse the header from a prefix of the file, growing it while the
 * header runs past its end (comments may be long). */
static gboolean
read_header (FILE *f, const char *path, guint64 length, AdiffPnmHeader *h, GError **error)
{
  gsize want = (gsize) MIN (length, (guint64) HEADER_PREFIX);
  for (;;)
    {
      g_autofree guint8 *buf = g_malloc (MAX (want, 1));
      if (fseek (f, 0, SEEK_SET) != 0 || !adiff_io_read_exact (f, path, buf, want, error))
        return FALSE;
      GError *local = NULL;
      if (adiff_pnm_parse_header (buf, want, path, h, &local))
        return TRUE;
      if (want == length)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      g_error_free (local);
      want = (gsize) MIN (length, (guint64) want * 4);
    }
}

static gboolean
pnm_in_read (AdiffIoRowReader *r, guint n, float *data, float *alpha, GError **error)
{
  PnmIn *p = r->priv;
  for (guint i = 0; i < n; i++)
    {
      if (!adiff_io_read_exact (r->f, r->path, p->row, p->row_samples * p->bytes, error))
        return FALSE;
      adiff_pnm_decode (p->row, p->row_samples, p->maxval, data + i * p->row_samples);
    }
  return TRUE;
}

static void
pnm_in_free (AdiffIoRowReader *r)
{
  PnmIn *p = r->priv;
  g_free (p->row);
  g_free (p);
  r->priv = NULL;
}

gboolean
adiff_io_pnm_rows_open (AdiffIoRowReader *r, GError **error)
{
  FILE *f = r->f;
  PnmIn *p = g_new0 (PnmIn, 1);
  r->priv = p;
  r->read = pnm_in_read;
  r->free = pnm_in_free;
  guint64 length;
  AdiffPnmHeader h;
  if (!adiff_io_file_size (f, r->path, &length, error) ||
      !read_header (f, r->path, length, &h, error))
    return FALSE;
  if (h.ascii)        /* rows.c only sends P5/P6 here; the file changed */
    return adiff_pnm_fail (r->path, _("not a binary PGM or PPM file"), error);
  /* The conditions of adiff_io_pnm_load: the samples must all be there. */
  p->maxval = h.maxval;
  p->bytes = h.maxval > 255 ? 2 : 1;
  gsize n;
  if (!g_size_checked_mul (&n, (gsize) h.width * h.height, h.channels) || n > length ||
      (length - h.data_offset) / p->bytes < n)
    return adiff_pnm_fail (r->path, _("the file is truncated"), error);
  if (fseek (f, (long) h.data_offset, SEEK_SET) != 0)
    return adiff_pnm_fail (r->path, _("the file is truncated"), error);
  p->row_samples = (gsize) h.width * h.channels;
  p->row = g_malloc (p->row_samples * p->bytes);
  r->info = (AdiffIoImageInfo) {
    .width = h.width, .height = h.height, .channels = h.channels,
    .bit_depth = h.maxval > 255 ? 16 : 8, .has_alpha = FALSE,
  };
  return TRUE;
}

/* ---- Writing ------------------------------------------------------------ */

typedef struct
{
  guint   max, bytes;
  gsize   row_samples;
  guint8 *buf;               /* one row */
} PnmOut;

static gboolean
pnm_out_write (AdiffIoRowWriter *w, guint n, const float *data, const float *alpha,
               GError **error)
{
  PnmOut *p = w->priv;
  for (guint i = 0; i < n; i++)
    {
      adiff_pnm_encode (data + i * p->row_samples, p->row_samples, p->max, p->buf);
      if (!adiff_io_atomic_write (&w->out, p->buf, p->row_samples * p->bytes, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
pnm_out_finish (AdiffIoRowWriter *w, GError **error)
{
  return TRUE;
}

static void
pnm_out_free (AdiffIoRowWriter *w)
{
  PnmOut *p = w->priv;
  g_free (p->buf);
  g_free (p);
  w->priv = NULL;
}

gboolean
adiff_io_pnm_rows_begin (AdiffIoRowWriter *w, GError **error)
{
  PnmOut *p = g_new0 (PnmOut, 1);
  w->priv = p;
  w->write = pnm_out_write;
  w->finish = pnm_out_finish;
  w->free = pnm_out_free;
  p->max = w->depth == 16 ? 65535 : 255;
  p->bytes = w->depth / 8;
  p->row_samples = (gsize) w->info.width * w->info.channels;
  p->buf = g_malloc (p->row_samples * p->bytes);
  g_autofree char *header = adiff_pnm_header_text (w->info.channels, w->info.width,
                                                   w->info.height, p->max);
  return adiff_io_atomic_write (&w->out, header, strlen (header), error);
}
