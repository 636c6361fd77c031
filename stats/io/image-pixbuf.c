/* image-pixbuf.c — JPEG, BMP, TIFF, WebP, GIF, … through gdk-pixbuf, which
 * decodes to 8-bit RGB(A) whatever the file holds.  A file whose pixels all
 * have R = G = B (a grayscale JPEG, say) is reported as one channel, since
 * gdk-pixbuf expands gray to RGB and we want gray files to stay gray.  An
 * alpha channel that is opaque everywhere is dropped.  The number of
 * components a JPEG declares is available separately, for callers that
 * must know what the file holds rather than what its pixels look like. */
#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include "io-private.h"

/* Components of a JPEG's frame (SOFn) header: 1, 3, 4, or 0 when the file
 * is not a JPEG or the header is not found.  Walks the marker segments from
 * the start; every length is bounded by the file. */
guint
adiff_io_jpeg_components (const char *path)
{
  FILE *f = fopen (path, "rb");
  guint8 b[8];
  guint result = 0;

  if (!f)
    return 0;
  if (fread (b, 1, 2, f) == 2 && b[0] == 0xff && b[1] == 0xd8)
    for (guint segment = 0; segment < 1000; segment++)
      {
        if (fread (b, 1, 4, f) != 4 || b[0] != 0xff)
          break;
        guint marker = b[1], length = ((guint) b[2] << 8) | b[3];
        gboolean sof = marker >= 0xc0 && marker <= 0xcf &&
                       marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
        if (sof)
          {
            /* precision, height (2), width (2), components */
            if (fread (b, 1, 6, f) == 6)
              result = b[5];
            break;
          }
        if (length < 2 || marker == 0xda || fseek (f, (long) length - 2, SEEK_CUR) != 0)
          break;
      }
  fclose (f);
  return result;
}

static gboolean
pixbuf_is_gray (GdkPixbuf *pixbuf)
{
  guint width = gdk_pixbuf_get_width (pixbuf), height = gdk_pixbuf_get_height (pixbuf);
  guint n = gdk_pixbuf_get_n_channels (pixbuf);
  gsize stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        const guint8 *p = pixels + y * stride + (gsize) x * n;
        if (p[0] != p[1] || p[0] != p[2])
          return FALSE;
      }
  return TRUE;
}

/* The TIFF loader always yields RGBA; an alpha that is opaque everywhere
 * carries nothing and is dropped. */
static gboolean
pixbuf_has_useful_alpha (GdkPixbuf *pixbuf)
{
  guint width = gdk_pixbuf_get_width (pixbuf), height = gdk_pixbuf_get_height (pixbuf);
  gsize stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);

  if (!gdk_pixbuf_get_has_alpha (pixbuf))
    return FALSE;
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      if (pixels[y * stride + (gsize) x * 4 + 3] != 255)
        return TRUE;
  return FALSE;
}

static gboolean
pixbuf_to_image (GdkPixbuf *pixbuf, AdiffIoImage *image, const char *path,
                 GError **error)
{
  guint n = gdk_pixbuf_get_n_channels (pixbuf);
  gsize stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  gboolean has_alpha = pixbuf_has_useful_alpha (pixbuf);

  image->width = gdk_pixbuf_get_width (pixbuf);
  image->height = gdk_pixbuf_get_height (pixbuf);
  image->bit_depth = 8;
  image->channels = pixbuf_is_gray (pixbuf) ? 1 : 3;
  image->data = g_try_new (float, (gsize) image->width * image->height * image->channels);
  image->alpha = has_alpha ? g_try_new (float, (gsize) image->width * image->height) : NULL;
  if (!image->data || (has_alpha && !image->alpha))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("“%s”: not enough memory for %u×%u pixels"), path,
                   image->width, image->height);
      return FALSE;                   /* the caller clears image */
    }
  for (guint y = 0; y < image->height; y++)
    for (guint x = 0; x < image->width; x++)
      {
        const guint8 *p = pixels + y * stride + (gsize) x * n;
        gsize pixel = (gsize) y * image->width + x;
        for (guint c = 0; c < image->channels; c++)
          image->data[pixel * image->channels + c] = p[c] / 255.0f;
        if (has_alpha)
          image->alpha[pixel] = p[3] / 255.0f;
      }
  return TRUE;
}

gboolean
adiff_io_pixbuf_load (const char *path, AdiffIoImage *image, GError **error)
{
  g_autoptr (GError) local = NULL;
  int width = 0, height = 0;

  /* The header alone gives the size: refuse a decompression bomb before
   * gdk-pixbuf allocates its pixels. */
  if (gdk_pixbuf_get_file_info (path, &width, &height) &&
      !adiff_io_check_pixels (path, MAX (width, 0), MAX (height, 0), error))
    return FALSE;
  g_autoptr (GdkPixbuf) loaded = gdk_pixbuf_new_from_file (path, &local);

  if (!loaded)
    {
      gboolean unknown = g_error_matches (local, GDK_PIXBUF_ERROR,
                                          GDK_PIXBUF_ERROR_UNKNOWN_TYPE);
      if (unknown)
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                     _("“%s” is not an image in a format that can be read "
                       "(PNG, JPEG, PNM, BMP, TIFF, WebP or .npy)"), path);
      else
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                     _("Cannot read the image “%s”: %s"), path, local->message);
      return FALSE;
    }
  /* Photos carry their orientation in EXIF; honour it like any viewer. */
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_apply_embedded_orientation (loaded);
  if (gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 ||
      gdk_pixbuf_get_n_channels (pixbuf) < 3)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("Cannot read the image “%s”: unexpected pixel layout"), path);
      return FALSE;
    }
  return pixbuf_to_image (pixbuf, image, path, error);
}

/* 8-bit RGB(A) pixbuf of the image, gray replicated; alpha kept if asked. */
static GdkPixbuf *
image_to_pixbuf (const AdiffIoImage *image, gboolean keep_alpha)
{
  gboolean alpha = keep_alpha && image->alpha;
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8,
                                      (int) image->width, (int) image->height);
  if (!pixbuf)
    return NULL;
  guint n = gdk_pixbuf_get_n_channels (pixbuf);
  gsize stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (guint y = 0; y < image->height; y++)
    for (guint x = 0; x < image->width; x++)
      {
        guint8 *p = pixels + y * stride + (gsize) x * n;
        gsize pixel = (gsize) y * image->width + x;
        for (guint c = 0; c < 3; c++)
          {
            guint src = image->channels == 3 ? c : 0;
            p[c] = (guint8) adiff_io_quantize (image->data[pixel * image->channels + src], 255);
          }
        if (alpha)
          p[3] = (guint8) adiff_io_quantize (image->alpha[pixel], 255);
      }
  return pixbuf;
}

gboolean
adiff_io_pixbuf_save (const char *path, const AdiffIoImage *image, const char *type,
                      GError **error)
{
  /* JPEG and BMP have no alpha channel in gdk-pixbuf's savers. */
  gboolean keep_alpha = strcmp (type, "jpeg") != 0 && strcmp (type, "bmp") != 0;
  g_autoptr (GdkPixbuf) pixbuf = image_to_pixbuf (image, keep_alpha);
  g_autoptr (GError) local = NULL;
  g_autofree char *buffer = NULL;
  gsize size = 0;
  char *keys[] = { "quality", NULL };
  char *values[] = { "95", NULL };
  gboolean is_jpeg = strcmp (type, "jpeg") == 0;

  if (!pixbuf)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("Cannot write “%s”: image too large"), path);
      return FALSE;
    }
  if (!gdk_pixbuf_save_to_bufferv (pixbuf, &buffer, &size, type,
                                   is_jpeg ? keys : NULL, is_jpeg ? values : NULL, &local))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("Cannot write “%s”: %s"), path, local->message);
      return FALSE;
    }
  return adiff_io_atomic_save (path, buffer, size, error);
}
