/* image-pixbuf.c — JPEG, BMP, TIFF, WebP, GIF, … through gdk-pixbuf, which
 * decodes to 8-bit RGB(A) whatever the file holds.  A file whose pixels all
 * have R = G = B (a grayscale JPEG, say) is reported as one channel, since
 * gdk-pixbuf expands gray to RGB and we want gray files to stay gray.  An
 * alpha channel that is opaque everywhere is dropped.  The number of
 * components a JPEG declares is available separately, for callers that
 * must know what the file holds rather than what its pixels look like. */
#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include "io-private.h"

/* Walk a JPEG's marker segments from the start to its frame (SOFn) header:
 * components (1, 3, 4), width and height.  FALSE when the bytes are not a
 * JPEG or end before the frame header; every length is bounded by len. */
static gboolean
jpeg_frame_header (const guint8 *data, gsize len, guint *components, guint *width,
                   guint *height)
{
  gsize pos = 2;

  if (len < 2 || data[0] != 0xff || data[1] != 0xd8)
    return FALSE;
  for (guint segment = 0; segment < 1000 && pos + 4 <= len; segment++)
    {
      if (data[pos] != 0xff)
        return FALSE;
      guint marker = data[pos + 1], length = ((guint) data[pos + 2] << 8) | data[pos + 3];
      gboolean sof = marker >= 0xc0 && marker <= 0xcf &&
                     marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
      if (sof)
        {
          /* precision, height (2), width (2), components */
          if (pos + 10 > len)
            return FALSE;
          *height = ((guint) data[pos + 5] << 8) | data[pos + 6];
          *width = ((guint) data[pos + 7] << 8) | data[pos + 8];
          *components = data[pos + 9];
          return TRUE;
        }
      if (length < 2 || marker == 0xda)
        return FALSE;
      pos += 2 + (gsize) length;
    }
  return FALSE;
}

guint
adiff_io_jpeg_components (const char *path)
{
  g_autofree gchar *data = NULL;
  gsize len = 0;
  guint components = 0, width, height;

  if (!g_file_get_contents (path, &data, &len, NULL) ||
      !jpeg_frame_header ((const guint8 *) data, len, &components, &width, &height))
    return 0;
  return components;
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

static gboolean
load_failed (const char *path, const GError *local, GError **error)
{
  if (g_error_matches (local, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                 _("“%s” is not an image in a format that can be read "
                   "(PNG, JPEG, PNM, BMP, TIFF, WebP or .npy)"), path);
  else
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                 _("Cannot read the image “%s”: %s"), path, local->message);
  return FALSE;
}

/* A decoded pixbuf, upright, as floats. */
static gboolean
from_pixbuf (GdkPixbuf *loaded, AdiffIoImage *image, const char *path, GError **error)
{
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

gboolean
adiff_io_pixbuf_load (const char *path, AdiffIoImage *image, GError **error)
{
  g_autoptr (GError) local = NULL;
  int width = 0, height = 0;
  GStatBuf st;

  /* The header alone gives the size: refuse a decompression bomb before
   * gdk-pixbuf allocates its pixels. */
  if (gdk_pixbuf_get_file_info (path, &width, &height) && g_stat (path, &st) == 0 &&
      !adiff_io_check_decode (path, MAX (width, 0), MAX (height, 0), (guint64) st.st_size,
                              error))
    return FALSE;
  g_autoptr (GdkPixbuf) loaded = gdk_pixbuf_new_from_file (path, &local);

  if (!loaded)
    return load_failed (path, local, error);
  return from_pixbuf (loaded, image, path, error);
}

/* A JPEG of len bytes (0: not a regular file, length unknown).  Its size
 * comes from libjpeg's reading of the header, which reads past damage as
 * gdk-pixbuf's decoder does: gdk_pixbuf_get_file_info, through the
 * incremental loader, gives up on some damaged headers that the decoder
 * then decodes at any size (fuzzing found 214 bytes that took minutes), and
 * our own marker walk (jpeg_frame_header) stops at the first stray byte.
 * Read whole and plain (see image-jpeg.c), it is decoded by libjpeg
 * directly, the pixels those of gdk-pixbuf's loader without its overhead;
 * any other through adiff_io_pixbuf_load, unchanged (gdk-pixbuf's
 * incremental loader treats truncated files differently from its file
 * loader, so it is not used as a shortcut). */
gboolean
adiff_io_jpeg_load (const char *path, const guint8 *data, gsize len,
                    AdiffIoImage *image, GError **error)
{
  guint width, height;

  if (len > 0 && adiff_io_jpeg_declared_size (path, data, len, &width, &height) &&
      !adiff_io_check_decode (path, width, height, len, error))
    return FALSE;
  if (data)
    {
      g_autoptr (GdkPixbuf) plain = adiff_io_jpeg_decode_plain (data, len);
      if (plain)
        return from_pixbuf (plain, image, path, error);
    }
  return adiff_io_pixbuf_load (path, image, error);  /* gdk-pixbuf words any error */
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
