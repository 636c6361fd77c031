/* write.c — write a bundle file atomically.
 *
 * The file is first written to a temporary file in the target folder (so
 * that the final rename() stays on one file system), with the header and
 * section table written last once every section's CRC is known; then it is
 * fsync()ed and renamed over the target.  Any failure removes the temporary
 * file: an interrupted or failed write never leaves a partial bundle.
 * Layout: format.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <zlib.h>
#include "adiff-private.h"
#include "bundle/format.h"
#include "bundle/half.h"
#include <glib/gi18n-lib.h>

/* Elements converted per write() call: bounds the conversion buffer. */
#define CHUNK_ELEMS 65536

typedef struct
{
  int          fd;
  const char  *path;      /* target, for messages */
  guint64      pos;       /* current end of the file */
  guint        n_entries;
  guint8       table[ADIFF_BUNDLE_MAX_SECTIONS * ADIFF_BUNDLE_ENTRY_SIZE];
  guint32      crc;       /* of the section being written */
} Writer;

static gboolean
write_all (Writer *w, const void *buf, gsize len, GError **error)
{
  const guint8 *p = buf;
  while (len > 0)
    {
      ssize_t n = write (w->fd, p, MIN (len, (gsize) 1 << 30));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int err = n < 0 ? errno : ENOSPC;
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, _("%s: cannot write: %s"),
                       w->path, g_strerror (err));
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
      w->pos += (guint64) n;
    }
  return TRUE;
}

/* Section data: appended and checksummed. */
static gboolean
write_data (Writer *w, const void *buf, gsize len, GError **error)
{
  const guint8 *p = buf;
  for (gsize done = 0; done < len;)
    {
      uInt n = (uInt) MIN (len - done, (gsize) 1 << 30);
      w->crc = (guint32) crc32 (w->crc, p + done, n);
      done += n;
    }
  return write_all (w, buf, len, error);
}

static gboolean
pad_to_alignment (Writer *w, GError **error)
{
  static const guint8 zeros[ADIFF_BUNDLE_ALIGN];
  guint64 end = adiff__align_up (w->pos);
  return write_all (w, zeros, (gsize) (end - w->pos), error);
}

static guint64
begin_section (Writer *w)
{
  w->crc = (guint32) crc32 (0, Z_NULL, 0);
  return w->pos;
}

static void
end_section (Writer *w, guint32 tag, AdiffElemType type, guint64 start)
{
  guint8 *e = w->table + (gsize) w->n_entries++ * ADIFF_BUNDLE_ENTRY_SIZE;
  adiff__put_le32 (e + ENT_TAG, tag);
  adiff__put_le32 (e + ENT_TYPE, type);
  adiff__put_le64 (e + ENT_OFFSET, start);
  adiff__put_le64 (e + ENT_LENGTH, w->pos - start);
  adiff__put_le32 (e + ENT_CRC, w->crc);
  adiff__put_le32 (e + ENT_RESERVED, 0);
}

/* Convert n values of src (double or float) to the element type and append. */
static gboolean
write_values (Writer *w, const double *dsrc, const float *fsrc, gsize n,
              AdiffElemType type, GError **error)
{
  gsize esize = adiff__elem_size (type);
  guint8 *buf = g_malloc (CHUNK_ELEMS * esize);
  gboolean ok = TRUE;
  for (gsize start = 0; ok && start < n; start += CHUNK_ELEMS)
    {
      gsize m = MIN (CHUNK_ELEMS, n - start);
      for (gsize i = 0; i < m; i++)
        {
          double v = dsrc ? dsrc[start + i] : (double) fsrc[start + i];
          guint8 *o = buf + i * esize;
          switch (type)
            {
            case ADIFF_ELEM_F64:
              adiff__put_le_f64 (o, v);
              break;
            case ADIFF_ELEM_F32:
              {
                float f = (float) v;
                guint32 u;
                memcpy (&u, &f, 4);
                adiff__put_le32 (o, u);
              }
              break;
            case ADIFF_ELEM_F16:
              {
                guint16 h = GUINT16_TO_LE (adiff__half_from_float ((float) v));
                memcpy (o, &h, 2);
              }
              break;
            case ADIFF_ELEM_U8:
              *o = (guint8) CLAMP (lrint (v * 255.0), 0, 255);
              break;
            default:
              g_assert_not_reached ();
            }
        }
      ok = write_data (w, buf, m * esize, error);
    }
  g_free (buf);
  return ok;
}

static gboolean
write_section (Writer *w, guint32 tag, AdiffElemType type, const double *dsrc,
               const float *fsrc, gsize n, GError **error)
{
  if (!pad_to_alignment (w, error))
    return FALSE;
  guint64 start = begin_section (w);
  if (!write_values (w, dsrc, fsrc, n, type, error))
    return FALSE;
  end_section (w, tag, type, start);
  return TRUE;
}

static gboolean
write_labels (Writer *w, const gint32 *labels, gsize n, GError **error)
{
  if (!pad_to_alignment (w, error))
    return FALSE;
  guint64 start = begin_section (w);
  guint8 buf[4096];
  for (gsize i = 0; i < n; i += sizeof buf / 4)
    {
      gsize m = MIN (sizeof buf / 4, n - i);
      for (gsize j = 0; j < m; j++)
        adiff__put_le32 (buf + 4 * j, (guint32) labels[i + j]);
      if (!write_data (w, buf, 4 * m, error))
        return FALSE;
    }
  end_section (w, ADIFF_TAG_LABL, ADIFF_ELEM_I32, start);
  return TRUE;
}

static char *
default_metadata (const AdiffBundleData *data)
{
  GKeyFile *kf = g_key_file_new ();
  g_key_file_set_string (kf, "bundle", "source", "in-memory data");
  g_key_file_set_uint64 (kf, "bundle", "items", data->n_items);
  g_key_file_set_integer (kf, "bundle", "width", (gint) data->width);
  g_key_file_set_integer (kf, "bundle", "height", (gint) data->height);
  g_key_file_set_integer (kf, "bundle", "channels", (gint) data->channels);
  g_key_file_set_string (kf, "bundle", "value-range", "0 1");
  g_key_file_set_string (kf, "bundle", "color-encoding", "sRGB");
  g_key_file_set_string (kf, "bundle", "tool", "libadiff " ADIFF_VERSION);
  char *text = g_key_file_to_data (kf, NULL, NULL);
  g_key_file_free (kf);
  return text;
}

static gboolean
write_metadata (Writer *w, const AdiffBundleData *data, GError **error)
{
  char *owned = data->metadata ? NULL : default_metadata (data);
  const char *text = data->metadata ? data->metadata : owned;
  gboolean ok = pad_to_alignment (w, error);
  if (ok)
    {
      guint64 start = begin_section (w);
      ok = write_data (w, text, strlen (text), error);
      if (ok)
        end_section (w, ADIFF_TAG_META, ADIFF_ELEM_TEXT, start);
    }
  g_free (owned);
  return ok;
}

static guint
count_sections (const AdiffBundleData *data)
{
  return 2 /* MEAN, META */ + (data->n_components ? 2 : 0) +
         (data->n_exemplars ? 1 : 0) + (data->n_exemplars && data->labels ? 1 : 0) +
         (data->scatter ? 1 : 0);
}

static void
fill_header (guint8 *h, const AdiffBundleData *data, guint n_sections,
             const guint8 *table)
{
  memset (h, 0, ADIFF_BUNDLE_HEADER_SIZE);
  memcpy (h + HDR_MAGIC, ADIFF_BUNDLE_MAGIC, ADIFF_BUNDLE_MAGIC_LEN);
  adiff__put_le32 (h + HDR_VERSION, ADIFF_BUNDLE_VERSION);
  adiff__put_le32 (h + HDR_HEADER_SIZE, ADIFF_BUNDLE_HEADER_SIZE);
  adiff__put_le32 (h + HDR_WIDTH, data->width);
  adiff__put_le32 (h + HDR_HEIGHT, data->height);
  adiff__put_le32 (h + HDR_CHANNELS, data->channels);
  adiff__put_le32 (h + HDR_N_SECTIONS, n_sections);
  adiff__put_le64 (h + HDR_N_ITEMS, data->n_items);
  adiff__put_le64 (h + HDR_N_COMPONENTS, data->n_components);
  adiff__put_le64 (h + HDR_N_EXEMPLARS, data->n_exemplars);
  adiff__put_le_f64 (h + HDR_RESIDUAL, data->residual_variance);
  adiff__put_le32 (h + HDR_FLAGS, data->scatter ? ADIFF_BUNDLE_FLAG_PARTIAL : 0);
  adiff__put_le32 (h + HDR_TABLE_CRC,
                  (guint32) crc32 (0, table, n_sections * ADIFF_BUNDLE_ENTRY_SIZE));
  adiff__put_le32 (h + HDR_HEADER_CRC, (guint32) crc32 (0, h, HDR_HEADER_CRC));
}

static gboolean
write_sections (Writer *w, const AdiffBundleData *data,
                const AdiffWriteOptions *opt, GError **error)
{
  gsize d = (gsize) data->width * data->height * data->channels;
  gsize k = data->n_components, n = data->n_exemplars;
  AdiffElemType evec = opt->eigenvectors == ADIFF_STORE_F16 ? ADIFF_ELEM_F16 : ADIFF_ELEM_F32;
  AdiffElemType exem = opt->exemplars == ADIFF_STORE_U8 ? ADIFF_ELEM_U8 :
                       opt->exemplars == ADIFF_STORE_F16 ? ADIFF_ELEM_F16 : ADIFF_ELEM_F32;

  if (!write_section (w, ADIFF_TAG_MEAN, ADIFF_ELEM_F64, data->mean, NULL, d, error))
    return FALSE;
  if (k && (!write_section (w, ADIFF_TAG_EVAL, ADIFF_ELEM_F64, data->eigenvalues, NULL, k, error) ||
            !write_section (w, ADIFF_TAG_EVEC, evec, data->eigenvectors, NULL, k * d, error)))
    return FALSE;
  if (n && !write_section (w, ADIFF_TAG_EXEM, exem, NULL, data->exemplars, n * d, error))
    return FALSE;
  if (n && data->labels && !write_labels (w, data->labels, n, error))
    return FALSE;
  if (data->scatter &&
      !write_section (w, ADIFF_TAG_SCAT, ADIFF_ELEM_F64, data->scatter, NULL, d * d, error))
    return FALSE;
  return write_metadata (w, data, error);
}

static gboolean
pwrite_all (int fd, const guint8 *buf, gsize len, off_t offset, const char *path,
            GError **error)
{
  while (len > 0)
    {
      ssize_t n = pwrite (fd, buf, len, offset);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, _("%s: cannot write: %s"),
                       path, g_strerror (n < 0 ? errno : ENOSPC));
          return FALSE;
        }
      buf += n;
      len -= (gsize) n;
      offset += n;
    }
  return TRUE;
}

static gboolean
write_file (Writer *w, const AdiffBundleData *data, const AdiffWriteOptions *opt,
            GError **error)
{
  guint n_sections = count_sections (data);
  guint64 table_end = ADIFF_BUNDLE_HEADER_SIZE + (guint64) n_sections * ADIFF_BUNDLE_ENTRY_SIZE;
  guint8 header[ADIFF_BUNDLE_HEADER_SIZE];

  /* Placeholder header and table, filled in once the CRCs are known. */
  guint8 *zeros = g_malloc0 (table_end);
  gboolean ok = write_all (w, zeros, table_end, error);
  g_free (zeros);
  if (!ok || !write_sections (w, data, opt, error))
    return FALSE;
  g_assert (w->n_entries == n_sections);
  fill_header (header, data, n_sections, w->table);
  return pwrite_all (w->fd, header, sizeof header, 0, w->path, error) &&
         pwrite_all (w->fd, w->table, (gsize) n_sections * ADIFF_BUNDLE_ENTRY_SIZE,
                     ADIFF_BUNDLE_HEADER_SIZE, w->path, error);
}

static gboolean
check_folder (const char *path, GError **error)
{
  char *dir = g_path_get_dirname (path);
  gboolean ok = g_file_test (dir, G_FILE_TEST_IS_DIR);
  if (!ok)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                 _("%s: cannot write the bundle: folder “%s” does not exist"), path, dir);
  g_free (dir);
  return ok;
}

/* Make the rename itself durable. */
static void
sync_folder (const char *path)
{
  char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
  g_free (dir);
}

static gboolean
finish_file (Writer *w, const char *tmp, GError **error)
{
  int err = 0;
  if (fsync (w->fd) != 0)
    err = errno;
  /* mkstemp creates 0600; a bundle is an ordinary shareable file. */
  mode_t mask = umask (0);
  umask (mask);
  fchmod (w->fd, 0666 & ~mask);
  if (close (w->fd) != 0 && !err)
    err = errno;
  w->fd = -1;
  if (!err && g_rename (tmp, w->path) != 0)
    err = errno;
  if (err)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, _("%s: cannot write: %s"),
                   w->path, g_strerror (err));
      return FALSE;
    }
  sync_folder (w->path);
  return TRUE;
}

ADIFF_EXPORT gboolean
adiff_bundle_write (const char *path, const AdiffBundleData *data,
                    const AdiffWriteOptions *options, GError **error)
{
  g_return_val_if_fail (path != NULL && data != NULL, FALSE);
  AdiffWriteOptions opt = { ADIFF_STORE_F32, ADIFF_STORE_F32 };
  if (options)
    opt = *options;
  if (opt.eigenvectors == ADIFF_STORE_U8)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("%s: eigenvectors cannot be stored as 8-bit values"), path);
      return FALSE;
    }
  if (!adiff__bundle_data_check (data, path, error) || !check_folder (path, error))
    return FALSE;

  char *base = g_path_get_basename (path);
  char *dir = g_path_get_dirname (path);
  char *tmpname = g_strdup_printf (".%s.XXXXXX", base);
  char *tmp = g_build_filename (dir, tmpname, NULL);
  g_free (base);
  g_free (dir);
  g_free (tmpname);

  Writer w = { .fd = g_mkstemp (tmp), .path = path };
  gboolean ok;
  if (w.fd < 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("%s: cannot create a file in its folder: %s"),
                   path, g_strerror (errno));
      ok = FALSE;
    }
  else
    {
      ok = write_file (&w, data, &opt, error) && finish_file (&w, tmp, error);
      if (!ok)
        {
          if (w.fd >= 0)
            close (w.fd);
          g_unlink (tmp);
        }
    }
  g_free (tmp);
  return ok;
}
