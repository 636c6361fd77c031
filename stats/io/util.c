/* util.c — small reading helpers shared by the readers, and the tools'
 * same-file check. */
#include <errno.h>
#include <math.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include "io-private.h"

FILE *
adiff_io_open_read (const char *path, GError **error)
{
  FILE *f = g_fopen (path, "rb");

  if (!f)
    {
      int saved = errno;
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("Cannot open “%s”: %s"), path, g_strerror (saved));
    }
  return f;
}

gboolean
adiff_io_read_exact (FILE *f, const char *path, void *buffer, gsize size, GError **error)
{
  if (size == 0 || fread (buffer, 1, size, f) == size)
    return TRUE;
  if (ferror (f))
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                 _("Cannot read “%s”: %s"), path, g_strerror (errno));
  else
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                 _("“%s” is truncated"), path);
  return FALSE;
}

gboolean
adiff_io_file_size (FILE *f, const char *path, guint64 *size, GError **error)
{
  GStatBuf st;

  if (fstat (fileno (f), &st) != 0)
    {
      int saved = errno;
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("Cannot read “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("“%s” is not a regular file"), path);
      return FALSE;
    }
  *size = (guint64) st.st_size;
  return TRUE;
}

gboolean
adiff_io_check_finite (const float *v, gsize n, const char *path, GError **error)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i]))
      {
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
                     _("“%s” contains a non-finite value (NaN or infinity) at index %zu"),
                     path, (size_t) i);
        return FALSE;
      }
  return TRUE;
}

gboolean
adiff_io_check_pixels (const char *path, guint64 width, guint64 height, GError **error)
{
  if (width <= G_MAXUINT32 && height <= G_MAXUINT32 && width * height <= ADIFF_IO_MAX_PIXELS)
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
               _("“%s”: %llu×%llu pixels exceed the limit of %llu megapixels"),
               path, (unsigned long long) width, (unsigned long long) height,
               (unsigned long long) (ADIFF_IO_MAX_PIXELS >> 20));
  return FALSE;
}

gboolean
adiff_io_check_decode (const char *path, guint64 width, guint64 height, guint64 file_size,
                       GError **error)
{
  if (!adiff_io_check_pixels (path, width, height, error))
    return FALSE;
  guint64 pixels = width * height;
  if (pixels <= ADIFF_IO_FREE_PIXELS || pixels / ADIFF_IO_PIXELS_PER_BYTE <= file_size)
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
               _("“%s” declares %llu×%llu pixels in only %llu bytes: the file is damaged "
                 "(no image holds over %d pixels a byte)"),
               path, (unsigned long long) width, (unsigned long long) height,
               (unsigned long long) file_size, ADIFF_IO_PIXELS_PER_BYTE);
  return FALSE;
}

gboolean
adiff_io_same_file (const char *a, const char *b)
{
  GStatBuf sa, sb;
  if (g_stat (a, &sa) != 0 || g_stat (b, &sb) != 0)
    return FALSE;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
