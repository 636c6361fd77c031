/* dataset-npy.c — a .npy array of items: (N,H,W) gray or (N,H,W,C) with
 * C = 1 or 3, of any dtype npy.c reads (uint8/uint16 divided by their
 * maximum, floats as stored, NaN/Inf refused).  Items are read one by one
 * from the file, so the array may be larger than memory.  A Fortran-order
 * array, whose items are not contiguous, is transposed in memory at open
 * instead (up to NPY_MAX_FORTRAN_VALUES).  The header checks live in npy.c. */
#include <string.h>
#include "dataset-private.h"

#define NPY_MAX_FORTRAN_VALUES ((guint64) 1 << 28)   /* 1 GiB of floats */

typedef struct
{
  AdiffSource    parent;
  FILE          *file;
  AdiffNpyHeader header;
  gsize          item_values;
  float         *values;        /* the whole array in C order (Fortran files), or NULL */
} NpySource;

static gboolean
read_item (NpySource *self, const char *path, guint64 index, float *out, GError **error)
{
  if (self->values)
    {
      memcpy (out, self->values + index * self->item_values,
              self->item_values * sizeof (float));
      return TRUE;
    }
  guint64 offset = self->header.data_offset +
                   index * self->item_values * self->header.item_size;
  if (fseeko (self->file, (off_t) offset, SEEK_SET) != 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, _("Cannot read “%s”"), path);
      return FALSE;
    }
  return adiff_io_npy_read_values (self->file, path, &self->header, out,
                                   self->item_values, error);
}

static gboolean
npy_fetch (AdiffSource *source, guint64 index, AdiffIoImage *image, char **path,
           gint32 *label, GError **error)
{
  NpySource *self = (NpySource *) source;

  image->data = g_new (float, self->item_values);
  if (!read_item (self, source->path, index, image->data, error))
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
  g_free (self->values);
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

/* A Fortran-order array, read whole and transposed; NULL + error when it
 * is too large for that. */
static float *
read_fortran (FILE *f, const char *path, const AdiffNpyHeader *h, GError **error)
{
  if (h->n_values > NPY_MAX_FORTRAN_VALUES)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("“%s” is in Fortran order and too large to transpose in memory; "
                     "save it with numpy.ascontiguousarray"), path);
      return NULL;
    }
  return adiff_io_npy_read_array (f, path, h, error);
}

AdiffSource *
adiff_source_npy_open (const char *path, GError **error)
{
  AdiffNpyHeader header;
  FILE *f = adiff_io_open_read (path, error);

  if (!f)
    return NULL;
  float *values = NULL;
  if (!adiff_io_npy_read_header (f, path, &header, error) ||
      !check_shape (&header, path, error) ||
      (header.fortran_order && !(values = read_fortran (f, path, &header, error))))
    {
      fclose (f);
      return NULL;
    }
  NpySource *self = g_new0 (NpySource, 1);
  self->values = values;
  AdiffSource *source = &self->parent;
  source->klass = &npy_class;
  source->path = g_strdup (path);
  self->file = f;
  self->header = header;
  source->n_items = header.shape[0];
  source->height = (guint) header.shape[1];
  source->width = (guint) header.shape[2];
  source->channels = header.ndim == 4 ? (guint) header.shape[3] : 1;
  source->bit_depth = adiff_io_npy_bit_depth (&header);
  self->item_values = (gsize) source->width * source->height * source->channels;
  g_autofree char *base = g_path_get_basename (path);
  source->description = g_strdup_printf ("npy %s", base);
  return source;
}
