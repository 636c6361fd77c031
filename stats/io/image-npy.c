/* image-npy.c — an image as a .npy array: (H,W) gray, (H,W,C) with C = 1 or
 * 3 colour channels, or C = 2 / 4 with alpha as the last channel; a batch of
 * one (1,H,W,C) is accepted too.  Written as float32 (H,W,C) unclipped, with
 * alpha appended as the last channel when the image has one. */
#include <string.h>
#include "io-private.h"

static gboolean
npy_image_shape (const AdiffNpy *npy, const char *path, guint *width, guint *height,
                 guint *samples, GError **error)
{
  const guint64 *s = npy->shape;
  guint ndim = npy->ndim;

  if (ndim == 4 && s[0] == 1)
    s++, ndim--;
  guint64 h = s[0], w = ndim >= 2 ? s[1] : 0, c = ndim == 3 ? s[2] : 1;
  if ((ndim != 2 && ndim != 3) || c < 1 || c > 4)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("“%s” is not an image array: expected shape (H,W) or (H,W,C) "
                     "with C = 1, 2, 3 or 4"), path);
      return FALSE;
    }
  if (h > G_MAXINT || w > G_MAXINT)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("“%s”: image dimensions too large"), path);
      return FALSE;
    }
  *height = (guint) h;
  *width = (guint) w;
  *samples = (guint) c;
  return TRUE;
}

gboolean
adiff_io_npy_image_load (const char *path, AdiffIoImage *image, GError **error)
{
  AdiffNpy npy;
  guint width, height, samples;

  if (!adiff_io_npy_load (path, &npy, error))
    return FALSE;
  if (!npy_image_shape (&npy, path, &width, &height, &samples, error))
    {
      adiff_io_npy_clear (&npy);
      return FALSE;
    }
  image->width = width;
  image->height = height;
  image->channels = samples >= 3 ? 3 : 1;
  image->bit_depth = npy.bit_depth;
  image->alpha = NULL;
  if (samples == image->channels)
    {
      image->data = g_steal_pointer (&npy.data);
      return TRUE;
    }
  gsize pixels = (gsize) width * height;
  image->data = g_new (float, pixels * image->channels);
  image->alpha = g_new (float, pixels);
  for (gsize i = 0; i < pixels; i++)
    {
      memcpy (image->data + i * image->channels, npy.data + i * samples,
              image->channels * sizeof (float));
      image->alpha[i] = npy.data[i * samples + image->channels];
    }
  adiff_io_npy_clear (&npy);
  return TRUE;
}

gboolean
adiff_io_npy_image_save (const char *path, const AdiffIoImage *image, GError **error)
{
  guint samples = image->channels + (image->alpha ? 1 : 0);
  guint64 shape[3] = { image->height, image->width, samples };

  if (!image->alpha)
    return adiff_io_npy_save (path, image->data, 3, shape, error);
  gsize pixels = (gsize) image->width * image->height;
  g_autofree float *packed = g_new (float, pixels * samples);
  for (gsize i = 0; i < pixels; i++)
    {
      memcpy (packed + i * samples, image->data + i * image->channels,
              image->channels * sizeof (float));
      packed[i * samples + image->channels] = image->alpha[i];
    }
  return adiff_io_npy_save (path, packed, 3, shape, error);
}
