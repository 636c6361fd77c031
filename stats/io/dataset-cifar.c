/* dataset-cifar.c — CIFAR-10 binary batches (data_batch_N.bin, test_batch.bin).
 *
 * Layout: rows of 3073 bytes, no header: 1 label byte (0–9), then 1024 red,
 * 1024 green and 1024 blue bytes, each plane 32×32 row-major.  Example: a
 * file of 30730000 bytes holds 10000 rows.  The file length must be a
 * multiple of 3073. */
#include "dataset-private.h"

#define CIFAR_SIDE  32
#define CIFAR_PLANE (CIFAR_SIDE * CIFAR_SIDE)
#define CIFAR_ROW   (1 + 3 * CIFAR_PLANE)

typedef struct
{
  AdiffSource parent;
  FILE       *file;
} CifarSource;

static gboolean
cifar_fetch (AdiffSource *source, guint64 index, AdiffIoImage *image, char **path,
             gint32 *label, GError **error)
{
  CifarSource *self = (CifarSource *) source;
  guint8 row[CIFAR_ROW];

  if (fseeko (self->file, (off_t) (index * CIFAR_ROW), SEEK_SET) != 0 ||
      !adiff_io_read_exact (self->file, source->path, row, sizeof row, error))
    {
      if (error && !*error)
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                     _("Cannot read “%s”"), source->path);
      return FALSE;
    }
  *label = row[0];
  image->width = image->height = CIFAR_SIDE;
  image->channels = 3;
  image->bit_depth = 8;
  image->alpha = NULL;
  image->data = g_new (float, 3 * CIFAR_PLANE);
  for (guint p = 0; p < CIFAR_PLANE; p++)
    for (guint c = 0; c < 3; c++)
      image->data[3 * p + c] = row[1 + c * CIFAR_PLANE + p] / 255.0f;
  return TRUE;
}

static void
cifar_free (AdiffSource *source)
{
  CifarSource *self = (CifarSource *) source;
  if (self->file)
    fclose (self->file);
}

static const AdiffSourceClass cifar_class = { cifar_fetch, cifar_free };

AdiffSource *
adiff_source_cifar_open (const char *path, GError **error)
{
  guint64 size;
  FILE *f = adiff_io_open_read (path, error);

  if (!f)
    return NULL;
  if (!adiff_io_file_size (f, path, &size, error))
    {
      fclose (f);
      return NULL;
    }
  if (size == 0 || size % CIFAR_ROW != 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("“%s” is not a CIFAR-10 batch: its length (%llu bytes) is not a "
                     "positive multiple of %d (1 label byte + 3072 pixel bytes per "
                     "image)"), path, (unsigned long long) size, CIFAR_ROW);
      fclose (f);
      return NULL;
    }
  CifarSource *self = g_new0 (CifarSource, 1);
  AdiffSource *source = &self->parent;
  self->file = f;
  source->klass = &cifar_class;
  source->path = g_strdup (path);
  source->width = source->height = CIFAR_SIDE;
  source->channels = 3;
  source->bit_depth = 8;
  source->n_items = size / CIFAR_ROW;
  source->has_labels = TRUE;
  g_autofree char *base = g_path_get_basename (path);
  source->description = g_strdup_printf ("cifar10 %s", base);
  return source;
}
