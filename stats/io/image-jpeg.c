/* image-jpeg.c — plain JPEGs straight through libjpeg.
 *
 * gdk-pixbuf's JPEG loader (a GObject, its signals, its module lookup) costs
 * about twice the decoding of a 32×32 CIFAR-10 image, and on a 2-core
 * machine decoding takes its time from the covariance accumulation running
 * beside it.  So a JPEG that needs nothing gdk-pixbuf adds is decoded here:
 * 8-bit gray, YCbCr or RGB, no EXIF segment (the only source of an
 * orientation), decoded without a single libjpeg warning.  Anything else —
 * CMYK, EXIF, a truncated or corrupt stream — returns NULL and goes through
 * gdk-pixbuf as before, which words the errors.  The decoding settings are
 * libjpeg's defaults, as in gdk-pixbuf's loader: the pixels are the same
 * (tests/io compares both paths). */
#include <glib/gstdio.h>
#include "io-private.h"

#ifdef ADIFF_HAVE_LIBJPEG
#include <setjmp.h>
#include <stdio.h>
#include <jpeglib.h>

typedef struct
{
  struct jpeg_error_mgr pub;
  jmp_buf  jump;
} ErrorTrap;

static void
trap_error (j_common_ptr cinfo)
{
  longjmp (((ErrorTrap *) cinfo->err)->jump, 1);
}

/* A warning (level −1) means damaged data: leave the file to gdk-pixbuf. */
static void
trap_warning (j_common_ptr cinfo, int level)
{
  if (level < 0)
    longjmp (((ErrorTrap *) cinfo->err)->jump, 1);
}

/* TRUE when an APP1 segment holding EXIF comes before the scan data. */
static gboolean
has_exif (const guint8 *data, gsize len)
{
  gsize pos = 2;
  while (pos + 4 <= len && data[pos] == 0xff)
    {
      guint marker = data[pos + 1], length = ((guint) data[pos + 2] << 8) | data[pos + 3];
      if (marker == 0xda || length < 2)
        return FALSE;
      if (marker == 0xe1 && pos + 10 <= len && memcmp (data + pos + 4, "Exif", 4) == 0)
        return TRUE;
      pos += 2 + (gsize) length;
    }
  return FALSE;
}

static void
free_pixels (guchar *pixels, gpointer user)
{
  g_free (pixels);
}

/* volatile: changed between setjmp and longjmp. */
static GdkPixbuf *
decode (struct jpeg_decompress_struct *cinfo, ErrorTrap *trap, const guint8 *data, gsize len,
        guint8 *volatile *pixels)
{
  if (setjmp (trap->jump))
    return NULL;
  jpeg_mem_src (cinfo, data, (unsigned long) len);
  if (jpeg_read_header (cinfo, TRUE) != JPEG_HEADER_OK || cinfo->data_precision != 8 ||
      !(cinfo->jpeg_color_space == JCS_GRAYSCALE || cinfo->jpeg_color_space == JCS_YCbCr ||
        cinfo->jpeg_color_space == JCS_RGB))
    return NULL;
  cinfo->out_color_space = JCS_RGB;
  jpeg_start_decompress (cinfo);
  gsize stride = (gsize) cinfo->output_width * 3;
  *pixels = g_try_malloc (stride * cinfo->output_height + 1);
  if (!*pixels || cinfo->output_components != 3)
    return NULL;
  while (cinfo->output_scanline < cinfo->output_height)
    {
      JSAMPROW row = *pixels + stride * cinfo->output_scanline;
      jpeg_read_scanlines (cinfo, &row, 1);
    }
  jpeg_finish_decompress (cinfo);
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_data (*pixels, GDK_COLORSPACE_RGB, FALSE, 8,
                                                (int) cinfo->output_width,
                                                (int) cinfo->output_height, (int) stride,
                                                free_pixels, NULL);
  *pixels = NULL;
  return pixbuf;
}

GdkPixbuf *
adiff_io_jpeg_decode_plain (const guint8 *data, gsize len)
{
  if (has_exif (data, len))
    return NULL;
  struct jpeg_decompress_struct cinfo;
  ErrorTrap trap;
  guint8 *volatile pixels = NULL;
  cinfo.err = jpeg_std_error (&trap.pub);
  trap.pub.error_exit = trap_error;
  trap.pub.emit_message = trap_warning;
  jpeg_create_decompress (&cinfo);
  GdkPixbuf *pixbuf = decode (&cinfo, &trap, data, len, &pixels);
  jpeg_destroy_decompress (&cinfo);
  g_free (pixels);
  return pixbuf;
}

/* Warnings (stray bytes before a marker, ...) are what gdk-pixbuf's file
 * loader reads through too: the size must be the one it will decode. */
static void
ignore_warning (j_common_ptr cinfo, int level)
{
}

static gboolean
read_size (struct jpeg_decompress_struct *cinfo, ErrorTrap *trap, FILE *f,
           const guint8 *data, gsize len, guint *width, guint *height)
{
  if (setjmp (trap->jump))
    return FALSE;
  if (data)
    jpeg_mem_src (cinfo, data, (unsigned long) len);
  else
    jpeg_stdio_src (cinfo, f);
  if (jpeg_read_header (cinfo, TRUE) != JPEG_HEADER_OK)
    return FALSE;
  *width = cinfo->image_width;
  *height = cinfo->image_height;
  return TRUE;
}

gboolean
adiff_io_jpeg_declared_size (const char *path, const guint8 *data, gsize len,
                             guint *width, guint *height)
{
  FILE *f = data ? NULL : g_fopen (path, "rb");
  if (!data && !f)
    return FALSE;
  struct jpeg_decompress_struct cinfo;
  ErrorTrap trap;
  cinfo.err = jpeg_std_error (&trap.pub);
  trap.pub.error_exit = trap_error;
  trap.pub.emit_message = ignore_warning;
  jpeg_create_decompress (&cinfo);
  gboolean ok = read_size (&cinfo, &trap, f, data, len, width, height);
  jpeg_destroy_decompress (&cinfo);
  if (f)
    fclose (f);
  return ok;
}

#else

GdkPixbuf *
adiff_io_jpeg_decode_plain (const guint8 *data, gsize len)
{
  return NULL;
}

gboolean
adiff_io_jpeg_declared_size (const char *path, const guint8 *data, gsize len,
                             guint *width, guint *height)
{
  return FALSE;
}

#endif
