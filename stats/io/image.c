/* image.c — adiff_io_image_load/save: pick the back end by the file's magic
 * bytes when reading (the extension may lie) and by the extension when
 * writing. */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include "io-private.h"

typedef enum { KIND_PNG, KIND_JPEG, KIND_NPY, KIND_PNM, KIND_OTHER } Kind;

/* Small JPEGs (a dataset of thumbnails) are read whole from the open file
 * and decoded from memory: on small images the system calls of opening a
 * file twice cost as much as decoding it. */
#define JPEG_IN_MEMORY_MAX ((gsize) 64 << 20)

static Kind
kind_of (const guint8 *head, gsize n)
{
  if (n >= 8 && memcmp (head, "\x89PNG\r\n\x1a\n", 8) == 0)
    return KIND_PNG;
  if (n >= 3 && memcmp (head, "\xff\xd8\xff", 3) == 0)
    return KIND_JPEG;
  if (n >= 6 && memcmp (head, "\x93NUMPY", 6) == 0)
    return KIND_NPY;
  if (n >= 2 && head[0] == 'P' && strchr ("2356", head[1]) && head[1])
    return KIND_PNM;
  return KIND_OTHER;
}

/* Open path once: its kind from the magic bytes, its length (*len), a
 * BMP's header checked against it, and for a small JPEG its whole content
 * (*data). */
static gboolean
sniff (const char *path, Kind *kind, guint8 **data, gsize *len, GError **error)
{
  guint8 head[ADIFF_IO_BMP_HEAD] = { 0 };
  guint64 size = 0;
  GStatBuf st;
  FILE *f = adiff_io_open_read (path, error);

  if (!f)
    return FALSE;
  if (fstat (fileno (f), &st) == 0 && S_ISDIR (st.st_mode))
    {
      fclose (f);
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("“%s” is a folder, not an image"), path);
      return FALSE;
    }
  gsize n = fread (head, 1, sizeof head, f);
  gboolean ok = n > 0;
  if (!ok)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT, _("“%s” is empty"), path);
  *kind = kind_of (head, n);
  gboolean sized = ok && adiff_io_file_size (f, path, &size, NULL);
  if (sized && *kind == KIND_OTHER)
    ok = adiff_io_bmp_check (path, head, n, size, error);
  if (sized)
    *len = (gsize) MIN (size, G_MAXSIZE);
  if (sized && *kind == KIND_JPEG && size >= n && size <= JPEG_IN_MEMORY_MAX)
    {
      *data = g_malloc (size + 1);
      memcpy (*data, head, n);
      ok = adiff_io_read_exact (f, path, *data + n, *len - n, error);
    }
  fclose (f);
  return ok;
}

gboolean
adiff_io_image_load (const char *path, AdiffIoImage *image, GError **error)
{
  Kind kind;
  gboolean ok;
  g_autofree guint8 *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (path && image, FALSE);
  memset (image, 0, sizeof *image);
  if (!sniff (path, &kind, &data, &len, error))
    return FALSE;
  switch (kind)
    {
    case KIND_PNG: ok = adiff_io_png_load (path, image, error); break;
    case KIND_JPEG: ok = adiff_io_jpeg_load (path, data, len, image, error); break;
    case KIND_NPY: ok = adiff_io_npy_image_load (path, image, error); break;
    case KIND_PNM: ok = adiff_io_pnm_load (path, image, error); break;
    default:       ok = adiff_io_pixbuf_load (path, image, error); break;
    }
  if (!ok)
    adiff_io_image_clear (image);
  return ok;
}

static gboolean
check_image (const char *path, const AdiffIoImage *image, GError **error)
{
  if (!image->data || image->width == 0 || image->height == 0 ||
      (image->channels != 1 && image->channels != 3) ||
      (guint64) image->width * image->height > ((guint64) 1 << 40))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot write “%s”: the image is empty or has %u channels "
                     "(1 or 3 are supported)"), path, image->channels);
      return FALSE;
    }
  return TRUE;
}

/* bit_depth 0 = 16 when the image came from a deeper source, else 8. */
static guint
choose_depth (const AdiffIoImage *image, guint bit_depth)
{
  if (bit_depth == 0)
    return image->bit_depth > 8 ? 16 : 8;
  return bit_depth;
}

gboolean
adiff_io_image_save (const char *path, const AdiffIoImage *image, guint bit_depth,
                     GError **error)
{
  g_return_val_if_fail (path && image, FALSE);
  if (!check_image (path, image, error))
    return FALSE;
  guint depth = choose_depth (image, bit_depth);
  if (depth != 8 && depth != 16)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot write “%s”: bit depth %u (8 or 16 are supported)"),
                   path, bit_depth);
      return FALSE;
    }
  const char *dot = strrchr (path, '.');
  g_autofree char *ext = g_ascii_strdown (dot && !strchr (dot, G_DIR_SEPARATOR) ?
                                          dot + 1 : "", -1);
  if (strcmp (ext, "png") == 0)
    return adiff_io_png_save (path, image, depth, error);
  if (strcmp (ext, "npy") == 0)
    return adiff_io_npy_image_save (path, image, error);
  if (strcmp (ext, "pgm") == 0 || strcmp (ext, "ppm") == 0 || strcmp (ext, "pnm") == 0)
    return adiff_io_pnm_save (path, image, depth, error);
  if (strcmp (ext, "jpg") == 0 || strcmp (ext, "jpeg") == 0)
    return adiff_io_pixbuf_save (path, image, "jpeg", error);
  if (strcmp (ext, "bmp") == 0)
    return adiff_io_pixbuf_save (path, image, "bmp", error);
  if (strcmp (ext, "tif") == 0 || strcmp (ext, "tiff") == 0)
    return adiff_io_pixbuf_save (path, image, "tiff", error);
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
               _("Cannot write “%s”: unknown output format (use .png, .npy, .pgm, "
                 ".ppm, .jpg, .bmp or .tif)"), path);
  return FALSE;
}

void
adiff_io_image_clear (AdiffIoImage *image)
{
  if (!image)
    return;
  g_clear_pointer (&image->data, g_free);
  g_clear_pointer (&image->alpha, g_free);
  image->width = image->height = image->channels = 0;
}
