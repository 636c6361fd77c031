/* dataset-idx.c — MNIST-style IDX image files, gzip-compressed or not
 * (zlib's gzread reads both).
 *
 * Layout (all integers big-endian): magic 00 00 08 03 (unsigned bytes, 3
 * dimensions), then uint32 count, rows, cols, then count·rows·cols bytes,
 * row-major.  E.g. train-images-idx3-ubyte: 00 00 08 03 | 00 00 ea 60
 * (60000) | 00 00 00 1c (28) | 00 00 00 1c (28) | pixels.  The uncompressed
 * length must be exactly 16 + count·rows·cols.  Labels come from the sibling
 * file named with "labels-idx1-ubyte" for "images-idx3-ubyte" (magic
 * 00 00 08 01, uint32 count, count bytes) when it exists. */
#include <string.h>
#include <zlib.h>
#include "dataset-private.h"

typedef struct
{
  AdiffSource parent;
  gzFile      file;
  guint64     next;      /* index of the item at the read position */
  guint8     *labels;    /* n_items bytes, or NULL */
  guint8     *row;
} IdxSource;

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Bytes after the current position (reads to the end; gzip streams do not
 * tell their length otherwise). */
static gboolean
count_rest (gzFile f, const char *path, guint64 *rest, GError **error)
{
  g_autofree guint8 *scratch = g_malloc (1 << 16);
  int n;

  *rest = 0;
  while ((n = gzread (f, scratch, 1 << 16)) > 0)
    *rest += (guint) n;
  if (n < 0)
    {
      int code;
      const char *msg = gzerror (f, &code);
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("Cannot read “%s”: %s"), path, msg);
      return FALSE;
    }
  return TRUE;
}

static gzFile
open_gz (const char *path, GError **error)
{
  FILE *probe = adiff_io_open_read (path, error);  /* for a clear errno message */
  if (!probe)
    return NULL;
  fclose (probe);
  gzFile f = gzopen (path, "rb");
  if (!f)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, _("Cannot open “%s”"), path);
  return f;
}

/* The whole label file, checked against count. */
static guint8 *
read_labels (const char *path, guint64 count, GError **error)
{
  guint8 head[8];
  guint64 rest;
  gzFile f = open_gz (path, error);

  if (!f)
    return NULL;
  if (gzread (f, head, 8) != 8 || be32 (head) != 0x00000801)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("“%s” is not an IDX label file (magic 00 00 08 01)"), path);
      gzclose (f);
      return NULL;
    }
  if (count > G_MAXINT || be32 (head + 4) != count || !count_rest (f, path, &rest, error) || rest != count)
    {
      if (error && !*error)
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                     _("“%s” does not hold one label per image (%llu expected)"),
                     path, (unsigned long long) count);
      gzclose (f);
      return NULL;
    }
  guint8 *labels = g_malloc (count);
  gzrewind (f);
  gboolean ok = gzread (f, head, 8) == 8 && gzread (f, labels, (unsigned) count) == (int) count;
  gzclose (f);
  if (!ok)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT, _("Cannot read “%s”"), path);
      g_free (labels);
      return NULL;
    }
  return labels;
}

/* Sibling label file name, or NULL when there is none. */
static char *
labels_path (const char *path)
{
  const char *at = g_strrstr (path, "images-idx3-ubyte");
  if (!at)
    return NULL;
  GString *name = g_string_new_len (path, at - path);
  g_string_append (name, "labels-idx1-ubyte");
  g_autofree char *plain = g_string_free (name, FALSE);
  g_autofree char *gz = g_strconcat (plain, ".gz", NULL);
  if (g_file_test (gz, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&gz);
  if (g_file_test (plain, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&plain);
  return NULL;
}

static gboolean
idx_fetch (AdiffSource *source, guint64 index, AdiffIoImage *image, char **path,
           gint32 *label, GError **error)
{
  IdxSource *self = (IdxSource *) source;
  gsize size = (gsize) source->width * source->height;

  if (index != self->next &&
      gzseek (self->file, (z_off_t) (16 + index * size), SEEK_SET) < 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, _("Cannot read “%s”"), source->path);
      return FALSE;
    }
  if (gzread (self->file, self->row, (unsigned) size) != (int) size)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("“%s” is truncated or corrupt"), source->path);
      return FALSE;
    }
  self->next = index + 1;
  if (self->labels)
    *label = self->labels[index];
  image->width = source->width;
  image->height = source->height;
  image->channels = 1;
  image->bit_depth = 8;
  image->alpha = NULL;
  image->data = g_new (float, size);
  for (gsize i = 0; i < size; i++)
    image->data[i] = self->row[i] / 255.0f;
  return TRUE;
}

static void
idx_free (AdiffSource *source)
{
  IdxSource *self = (IdxSource *) source;
  if (self->file)
    gzclose (self->file);
  g_free (self->labels);
  g_free (self->row);
}

static const AdiffSourceClass idx_class = { idx_fetch, idx_free };

static gboolean
check_header (gzFile f, const char *path, guint32 dims[3], GError **error)
{
  guint8 head[16];
  guint64 rest, expect;

  if (gzread (f, head, 16) != 16 || be32 (head) != 0x00000803)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("“%s” is not an IDX image file (magic 00 00 08 03 for unsigned "
                     "bytes in 3 dimensions)"), path);
      return FALSE;
    }
  for (guint i = 0; i < 3; i++)
    dims[i] = be32 (head + 4 + 4 * i);
  if (dims[0] == 0 || dims[1] == 0 || dims[2] == 0 ||
      (guint64) dims[1] * dims[2] > ADIFF_DATASET_MAX_ITEM_VALUES)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("“%s”: implausible IDX dimensions %u×%u×%u"), path,
                   dims[0], dims[1], dims[2]);
      return FALSE;
    }
  expect = (guint64) dims[0] * dims[1] * dims[2];  /* < 2^32 · 2^26: no overflow */
  if (!count_rest (f, path, &rest, error))
    return FALSE;
  if (rest != expect)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("“%s”: the header announces %u images of %u×%u (%llu bytes) but "
                     "the data holds %llu bytes"), path, dims[0], dims[1], dims[2],
                   (unsigned long long) expect, (unsigned long long) rest);
      return FALSE;
    }
  return TRUE;
}

AdiffSource *
adiff_source_idx_open (const char *path, GError **error)
{
  guint32 dims[3];
  gzFile f = open_gz (path, error);

  if (!f)
    return NULL;
  if (!check_header (f, path, dims, error))
    {
      gzclose (f);
      return NULL;
    }
  IdxSource *self = g_new0 (IdxSource, 1);
  AdiffSource *source = &self->parent;
  source->klass = &idx_class;
  source->path = g_strdup (path);
  self->file = f;
  gzrewind (f);
  gzseek (f, 16, SEEK_SET);
  source->n_items = dims[0];
  source->height = dims[1];
  source->width = dims[2];
  source->channels = 1;
  source->bit_depth = 8;
  self->row = g_malloc ((gsize) dims[1] * dims[2]);
  g_autofree char *lpath = labels_path (path);
  if (lpath && !(self->labels = read_labels (lpath, dims[0], error)))
    {
      adiff_source_free (source);
      return NULL;
    }
  source->has_labels = self->labels != NULL;
  g_autofree char *base = g_path_get_basename (path);
  source->description = g_strdup_printf ("idx %s", base);
  return source;
}
