/* image-bmp.c — refuse uncompressed BMPs whose pixel rows cannot be in the
 * file.
 *
 * gdk-pixbuf's BMP loader decodes a truncated file leniently: the header
 * alone decides the size, and the missing rows are left blank.  An 80-byte
 * file that declares 2 × 50 million pixels (under the pixel cap) thus costs
 * hundreds of megabytes in gdk-pixbuf and gigabytes as floats (found by
 * fuzzing).  For the uncompressed encodings the rows take an exact number
 * of bytes, so such a file is refused before decoding, from the header
 * bytes image.c has already read to tell the format.  RLE-compressed
 * BMPs are left to the pixel cap.
 *
 * Whatever the encoding, the info header and the pixel data must start
 * inside the file: the loader reserves memory up to the declared data
 * offset, and for the whole declared info header, up to 4 GB each, before
 * it notices the file ends; slow enough under AddressSanitizer to time the
 * fuzzer out (found by fuzzing).
 */
#include "io-private.h"

#define BMP_BI_RGB       0
#define BMP_BI_BITFIELDS 3

static guint32
le32 (const guint8 *p)
{
  return p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

gboolean
adiff_io_bmp_check (const char *path, const guint8 *head, gsize n, guint64 file_size,
                    GError **error)
{
  if (n < 2 || head[0] != 'B' || head[1] != 'M')
    return TRUE;   /* not a BMP: nothing to check */
  if (n < 18)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("Cannot read the image “%s”: too short for a BMP header (%llu bytes)"),
                   path, (unsigned long long) file_size);
      return FALSE;
    }
  guint32 offset = le32 (head + 10), info_size = le32 (head + 14);
  if (14 + (guint64) info_size > file_size)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("Cannot read the image “%s”: the BMP header declares a %u-byte "
                     "info header, longer than the file (%llu bytes)"), path, info_size,
                   (unsigned long long) file_size);
      return FALSE;
    }
  if (offset > file_size)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("Cannot read the image “%s”: the BMP header puts the pixel data at "
                     "byte %u, past the end of the file (%llu bytes)"), path, offset,
                   (unsigned long long) file_size);
      return FALSE;
    }
  if (info_size < 40 || n < ADIFF_IO_BMP_HEAD)
    return TRUE;   /* no Windows info header: nothing more to check */
  guint32 compression = le32 (head + 30);
  guint bpp = head[28] | head[29] << 8;
  if (compression != BMP_BI_RGB && compression != BMP_BI_BITFIELDS)
    return TRUE;
  /* Signed (a negative height means top-down rows); |INT32_MIN| needs 64 bits. */
  guint64 width = (guint64) ABS ((gint64) (gint32) le32 (head + 18));
  guint64 height = (guint64) ABS ((gint64) (gint32) le32 (head + 22));
  if (!adiff_io_check_pixels (path, width, height, error))
    return FALSE;   /* the cap speaks first, as for every other format */
  guint64 row = (width * bpp + 31) / 32 * 4;        /* < 2^32 · 2^16: no overflow */
  guint64 avail = file_size > offset ? file_size - offset : 0;
  if (height == 0 || row <= avail / height)
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
               _("Cannot read the image “%s”: the BMP header declares %llu×%llu "
                 "pixels, but the file holds only %llu bytes of pixel data"), path,
               (unsigned long long) width, (unsigned long long) height,
               (unsigned long long) avail);
  return FALSE;
}
