/* atomic.c — atomic output files: write to a temporary file in the target
 * folder, fsync, then rename over the target.  A crash, a full disk or an
 * error in the middle of a save therefore never leaves a partial file under
 * the final name (rename within one folder is atomic on POSIX). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "io-private.h"

static void
set_errno_error (GError **error, int saved, const char *format, const char *path)
{
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, format, path, g_strerror (saved));
}

gboolean
adiff_io_atomic_begin (AdiffIoAtomic *out, const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);

  out->path = NULL;
  out->tmp_path = NULL;
  out->fd = -1;
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("Cannot write “%s”: the folder “%s” does not exist"), path, dir);
      return FALSE;
    }
  /* Hidden name so that folder scans of a half-written file skip it. */
  g_autofree char *tmp_name = g_strdup_printf (".%s.XXXXXX", base);
  out->tmp_path = g_build_filename (dir, tmp_name, NULL);
  out->fd = g_mkstemp (out->tmp_path);
  if (out->fd < 0)
    {
      int saved = errno;
      set_errno_error (error, saved, _("Cannot write “%s”: %s"), path);
      g_clear_pointer (&out->tmp_path, g_free);
      return FALSE;
    }
  /* mkstemp creates 0600; an output file is an ordinary file. */
  if (fchmod (out->fd, 0644) != 0)
    { /* not fatal: the file is still written, only more private */ }
  out->path = g_strdup (path);
  return TRUE;
}

gboolean
adiff_io_atomic_write (AdiffIoAtomic *out, const void *data, gsize size, GError **error)
{
  const guint8 *p = data;

  while (size > 0)
    {
      gssize n = write (out->fd, p, MIN (size, (gsize) 1 << 30));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;
          set_errno_error (error, saved, _("Cannot write “%s”: %s"), out->path);
          return FALSE;
        }
      p += n;
      size -= (gsize) n;
    }
  return TRUE;
}

gboolean
adiff_io_atomic_commit (AdiffIoAtomic *out, GError **error)
{
  int saved = 0;

  if (fsync (out->fd) != 0)
    saved = errno;
  if (close (out->fd) != 0 && saved == 0)
    saved = errno;
  out->fd = -1;
  if (saved == 0 && g_rename (out->tmp_path, out->path) != 0)
    saved = errno;
  if (saved != 0)
    {
      set_errno_error (error, saved, _("Cannot write “%s”: %s"), out->path);
      adiff_io_atomic_abort (out);
      return FALSE;
    }
  g_clear_pointer (&out->tmp_path, g_free);
  g_clear_pointer (&out->path, g_free);
  return TRUE;
}

void
adiff_io_atomic_abort (AdiffIoAtomic *out)
{
  if (out->fd >= 0)
    close (out->fd);
  out->fd = -1;
  if (out->tmp_path)
    g_unlink (out->tmp_path);
  g_clear_pointer (&out->tmp_path, g_free);
  g_clear_pointer (&out->path, g_free);
}

gboolean
adiff_io_atomic_save (const char *path, const void *data, gsize size, GError **error)
{
  AdiffIoAtomic out;

  if (!adiff_io_atomic_begin (&out, path, error))
    return FALSE;
  if (!adiff_io_atomic_write (&out, data, size, error))
    {
      adiff_io_atomic_abort (&out);
      return FALSE;
    }
  return adiff_io_atomic_commit (&out, error);
}
