/* dataset-npy.c — a .npy array of items: (N,H,W) gray or (N,H,W,C) with
 * C = 1 or 3, uint8 ('|u1', divided by 255) or float32 ('<f4', as stored,
 * NaN/Inf refused).  Items are read one by one from the file, so the array
 * may be larger than memory.  The header checks live in npy.c. */
#include "dataset-private.h"

typedef struct
{
  AdiffSource    parent;
  FILE          *file;
  AdiffNpyHeader header;
  gsize          item_values;
} NpySource;

static gboolean
npy_fetch (AdiffSource *source, guint64 index, AdiffIoImage *image, char **path,
           gint32 *label, GError **error)
{
  NpySource *self = (NpySource *) source;
  guint item_bytes = self->header.type == ADIFF_NPY_U1 ? 1 : 4;
  guint64 offset = self->header.data_offset + index * self->item_values * item_bytes;

  if (fseeko (self->file, (off_t) offset, SEEK_SET) != 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, _("Cannot read “%s”"), source->path);
      return FALSE;
    }
  image->data = g_new (float, self->item_values);
  if (!adiff_io_npy_read_values (self->file, source->path, &self->header, image->data,
                                 self->item_values, error))
    {
      g_clear_pointer (&image->data, g_free);
      return FALSE;
    }
  image->width = source->width;
  image->height = source->height;
  image->channels = source->channels;
  image->bit_depth = source->bit_depth;
  image->alpha = NULL;
  return TRUE;
}

static void
npy_free (AdiffSource *source)
{
  NpySource *self = (NpySource *) source;
  if (self->file)
    fclose (self->file);
}

static const AdiffSourceClass npy_class = { npy_fetch, npy_free };

static gboolean
check_shape (const AdiffNpyHeader *h, const char *path, GError **error)
{
  guint64 channels = h->ndim == 4 ? h->shape[3] : 1;

  if ((h->ndim != 3 && h->ndim != 4) || (channels != 1 && channels != 3))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("“%s” is not a dataset array: expected shape (N,H,W) or (N,H,W,C) "
                     "with C = 1 or 3"), path);
      return FALSE;
    }
  if (h->shape[1] * h->shape[2] * channels > ADIFF_DATASET_MAX_ITEM_VALUES)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("“%s”: items of %llu×%llu are too large"), path,
                   (unsigned long long) h->shape[2], (unsigned long long) h->shape[1]);
      return FALSE;
    }
  return TRUE;
}

AdiffSource *
adiff_source_npy_open (const char *path, GError **error)
{
  AdiffNpyHeader header;
  FILE *f = adiff_io_open_read (path, error);

  if (!f)
    return NULL;
  if (!adiff_io_npy_read_header (f, path, &header, error) ||
      !check_shape (&header, path, error))
    {
      fclose (f);
      return NULL;
    }
  NpySource *self = g_new0 (NpySource, 1);
  AdiffSource *source = &self->parent;
  source->klass = &npy_class;
  source->path = g_strdup (path);
  self->file = f;
  self->header = header;
  source->n_items = header.shape[0];
  source->height = (guint) header.shape[1];
  source->width = (guint) header.shape[2];
  source->channels = header.ndim == 4 ? (guint) header.shape[3] : 1;
  source->bit_depth = header.type == ADIFF_NPY_U1 ? 8 : 32;
  self->item_values = (gsize) source->width * source->height * source->channels;
  g_autofree char *base = g_path_get_basename (path);
  source->description = g_strdup_printf ("npy %s", base);
  return source;
}
