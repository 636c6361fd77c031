/* rows.c — images read and written row by row, so that a tool can denoise
 * an image of any height in memory proportional to its width: the generic
 * part (format choice, row counting, atomic output); the formats are in
 * rows-png.c and rows-pnm.c.  Only formats whose layout is a plain
 * sequence of rows are offered: non-interlaced PNG and binary PGM/PPM.
 * Everything else goes through adiff_io_image_load/save. */
#include <string.h>
#include "rows-private.h"

typedef enum { ROWS_NONE, ROWS_PNG, ROWS_PNM } RowsKind;

/* The first bytes tell the format; an interlaced PNG stores its rows in
 * seven passes, so it cannot be read one row at a time. */
static RowsKind
sniff_rows (const char *path)
{
  guint8 head[32] = { 0 };
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return ROWS_NONE;
  FILE *f = fopen (path, "rb");
  if (!f)
    return ROWS_NONE;
  gsize n = fread (head, 1, sizeof head, f);
  fclose (f);
  if (n >= 8 && memcmp (head, "\x89PNG\r\n\x1a\n", 8) == 0)
    {
      /* IHDR is the first chunk; a malformed one is left to libpng, which
       * reports it as adiff_io_image_load would. */
      gboolean ihdr = n >= 29 && memcmp (head + 12, "IHDR", 4) == 0;
      return ihdr && head[28] != 0 ? ROWS_NONE : ROWS_PNG;
    }
  if (n >= 2 && head[0] == 'P' && (head[1] == '5' || head[1] == '6'))
    return ROWS_PNM;
  return ROWS_NONE;
}

gboolean
adiff_io_rows_readable (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);
  return sniff_rows (path) != ROWS_NONE;
}

AdiffIoRowReader *
adiff_io_row_reader_open (const char *path, AdiffIoImageInfo *info, GError **error)
{
  g_return_val_if_fail (path != NULL && info != NULL, NULL);
  RowsKind kind = sniff_rows (path);
  if (kind == ROWS_NONE)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("Cannot read “%s” row by row: not a PNG or binary PGM/PPM file "
                     "(or an interlaced PNG)"), path);
      return NULL;
    }
  AdiffIoRowReader *r = g_new0 (AdiffIoRowReader, 1);
  r->path = g_strdup (path);
  r->f = adiff_io_open_read (path, error);
  gboolean ok = r->f && (kind == ROWS_PNG ? adiff_io_png_rows_open (r, error)
                                          : adiff_io_pnm_rows_open (r, error));
  if (!ok)
    {
      adiff_io_row_reader_free (r);
      return NULL;
    }
  *info = r->info;
  return r;
}

gboolean
adiff_io_row_reader_read (AdiffIoRowReader *r, guint n_rows, float *data, float *alpha,
                          GError **error)
{
  g_return_val_if_fail (r != NULL && data != NULL, FALSE);
  if (r->failed)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("Cannot read “%s”: an earlier row could not be read"), r->path);
      return FALSE;
    }
  if (n_rows > r->info.height - r->next_row)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot read rows %u–%u of “%s”: it has %u rows"), r->next_row,
                   r->next_row + n_rows, r->path, r->info.height);
      return FALSE;
    }
  if (!r->read (r, n_rows, data, alpha, error))
    {
      r->failed = TRUE;
      return FALSE;
    }
  r->next_row += n_rows;
  return TRUE;
}

void
adiff_io_row_reader_free (AdiffIoRowReader *r)
{
  if (!r)
    return;
  if (r->priv && r->free)
    r->free (r);
  if (r->f)
    fclose (r->f);
  g_free (r->path);
  g_free (r);
}

/* ---- Writing ------------------------------------------------------------ */

static RowsKind
kind_of_extension (const char *path)
{
  const char *dot = strrchr (path, '.');
  if (!dot || strchr (dot, G_DIR_SEPARATOR))
    return ROWS_NONE;
  g_autofree char *ext = g_ascii_strdown (dot + 1, -1);
  if (strcmp (ext, "png") == 0)
    return ROWS_PNG;
  if (strcmp (ext, "pgm") == 0 || strcmp (ext, "ppm") == 0 || strcmp (ext, "pnm") == 0)
    return ROWS_PNM;
  return ROWS_NONE;
}

gboolean
adiff_io_rows_writable (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);
  return kind_of_extension (path) != ROWS_NONE;
}

/* The checks of adiff_io_image_save, with its messages. */
static gboolean
check_info (const char *path, const AdiffIoImageInfo *info, guint depth, GError **error)
{
  if (info->width == 0 || info->height == 0 || (info->channels != 1 && info->channels != 3))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot write “%s”: the image is empty or has %u channels "
                     "(1 or 3 are supported)"), path, info->channels);
      return FALSE;
    }
  if (depth != 8 && depth != 16)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot write “%s”: bit depth %u (8 or 16 are supported)"), path, depth);
      return FALSE;
    }
  if (kind_of_extension (path) == ROWS_NONE)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot write “%s” row by row: use .png, .pgm, .ppm or .pnm"), path);
      return FALSE;
    }
  return TRUE;
}

AdiffIoRowWriter *
adiff_io_row_writer_new (const char *path, const AdiffIoImageInfo *info, guint bit_depth,
                         GError **error)
{
  g_return_val_if_fail (path != NULL && info != NULL, NULL);
  guint depth = bit_depth ? bit_depth : info->bit_depth > 8 ? 16 : 8;
  if (!check_info (path, info, depth, error))
    return NULL;
  AdiffIoRowWriter *w = g_new0 (AdiffIoRowWriter, 1);
  w->info = *info;
  w->depth = depth;
  w->out.fd = -1;
  if (!adiff_io_atomic_begin (&w->out, path, error) ||
      !(kind_of_extension (path) == ROWS_PNG ? adiff_io_png_rows_begin (w, error)
                                             : adiff_io_pnm_rows_begin (w, error)))
    {
      adiff_io_row_writer_free (w);
      return NULL;
    }
  return w;
}

gboolean
adiff_io_row_writer_write (AdiffIoRowWriter *w, guint n_rows, const float *data,
                           const float *alpha, GError **error)
{
  g_return_val_if_fail (w != NULL && data != NULL, FALSE);
  if (w->failed)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("Cannot write “%s”: an earlier row could not be written"), w->out.path);
      return FALSE;
    }
  if (n_rows > w->info.height - w->next_row)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot write rows %u–%u of “%s”: it has %u rows"), w->next_row,
                   w->next_row + n_rows, w->out.path, w->info.height);
      return FALSE;
    }
  if (!w->write (w, n_rows, data, w->info.has_alpha ? alpha : NULL, error))
    {
      w->failed = TRUE;
      return FALSE;
    }
  w->next_row += n_rows;
  return TRUE;
}

gboolean
adiff_io_row_writer_commit (AdiffIoRowWriter *w, GError **error)
{
  g_return_val_if_fail (w != NULL, FALSE);
  if (w->failed || w->next_row != w->info.height)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot finish “%s”: %u of its %u rows were written"), w->out.path,
                   w->failed ? 0 : w->next_row, w->info.height);
      return FALSE;
    }
  if (!w->finish (w, error))
    {
      w->failed = TRUE;
      return FALSE;
    }
  if (!adiff_io_atomic_commit (&w->out, error))
    {
      w->failed = TRUE;
      return FALSE;
    }
  w->committed = TRUE;
  return TRUE;
}

void
adiff_io_row_writer_free (AdiffIoRowWriter *w)
{
  if (!w)
    return;
  if (w->priv && w->free)
    w->free (w);
  if (!w->committed)
    adiff_io_atomic_abort (&w->out);
  g_free (w);
}
