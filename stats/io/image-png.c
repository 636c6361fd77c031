/* image-png.c — PNG through libpng: every colour type and bit depth is
 * read (palette and low bit depths expanded to 8 bit, tRNS to alpha), 16-bit
 * samples keep their full precision; written as 8- or 16-bit gray, gray +
 * alpha, RGB or RGBA.  No gamma transform either way: values are the
 * sRGB-encoded samples as stored. */
#include <string.h>
#include "png-private.h"

void
adiff_png_on_error (png_structp png, png_const_charp message)
{
  AdiffPngFailure *failure = png_get_error_ptr (png);
  g_strlcpy (failure->message, message, sizeof failure->message);
  longjmp (failure->jump, 1);
}

void
adiff_png_on_warning (png_structp png, png_const_charp message)
{
  /* Warnings (bad ancillary chunks, …) do not stop reading. */
}

gboolean
adiff_png_start (gboolean writing, AdiffPngFailure *failure, const char *path,
                 png_structp *png, png_infop *info, GError **error)
{
  *png = writing ? png_create_write_struct (PNG_LIBPNG_VER_STRING, failure,
                                            adiff_png_on_error, adiff_png_on_warning)
                 : png_create_read_struct (PNG_LIBPNG_VER_STRING, failure,
                                           adiff_png_on_error, adiff_png_on_warning);
  *info = *png ? png_create_info_struct (*png) : NULL;
  if (*info)
    return TRUE;
  if (writing)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                 _("Cannot write “%s”: libpng could not start"), path);
  else
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                 _("Cannot read “%s”: libpng could not start"), path);
  return FALSE;
}

void
adiff_png_read_header (png_structp png, png_infop info, FILE *f, AdiffPngGeometry *g)
{
  png_init_io (png, f);
  png_read_info (png, info);
  png_set_expand (png);               /* palette → RGB, <8 bit → 8, tRNS → alpha */
  png_set_interlace_handling (png);
  png_read_update_info (png, info);
  g->width = png_get_image_width (png, info);
  g->height = png_get_image_height (png, info);
  g->depth = png_get_bit_depth (png, info);
  g->n_samples = png_get_channels (png, info);
  g->rowbytes = png_get_rowbytes (png, info);
}

void
adiff_png_unpack_row (const guint8 *row, guint width, guint depth, guint n_samples,
                      guint colors, float *data, float *alpha)
{
  float max = depth == 16 ? 65535.0f : 255.0f;  /* divide, for exact v/max */

  for (guint x = 0; x < width; x++)
    for (guint s = 0; s < n_samples; s++)
      {
        gsize k = (gsize) x * n_samples + s;
        guint v = depth == 16 ? ((guint) row[2 * k] << 8) | row[2 * k + 1] : row[k];
        if (s < colors)
          data[(gsize) x * colors + s] = v / max;
        else if (alpha)
          alpha[x] = v / max;
      }
}

/* Split interleaved 8/16-bit samples into colour floats and alpha floats. */
static void
unpack_rows (const guint8 *pixels, gsize rowbytes, guint depth, guint n_samples,
             AdiffIoImage *image)
{
  gsize w = image->width;
  for (guint y = 0; y < image->height; y++)
    adiff_png_unpack_row (pixels + (gsize) y * rowbytes, image->width, depth, n_samples,
                          image->channels, image->data + y * w * image->channels,
                          image->alpha ? image->alpha + y * w : NULL);
}

/* Returns FALSE with failure->message set by longjmp, or TRUE. */
static gboolean
read_png (png_structp png, png_infop info, FILE *f, const char *path,
          AdiffIoImage *image, GError **error)
{
  guint8 *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  AdiffPngFailure *failure = png_get_error_ptr (png);
  AdiffPngGeometry g;

  if (setjmp (failure->jump))
    {
      g_free (pixels);
      g_free (rows);
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("Cannot read the PNG file “%s”: %s"), path, failure->message);
      return FALSE;
    }
  adiff_png_read_header (png, info, f, &g);
  guint width = g.width, height = g.height, depth = g.depth, n_samples = g.n_samples;
  gsize rowbytes = g.rowbytes, total;
  if (!adiff_io_check_pixels (path, width, height, error))
    return FALSE;                     /* nothing allocated yet */
  if (!g_size_checked_mul (&total, rowbytes, height) ||
      !g_size_checked_mul (&(gsize){0}, (gsize) width * height, n_samples * sizeof (float)))
    png_error (png, "image too large");

  pixels = g_try_malloc (total);
  rows = g_try_new (png_bytep, height);
  if (!pixels || !rows)
    png_error (png, "not enough memory");
  for (guint y = 0; y < height; y++)
    rows[y] = pixels + (gsize) y * rowbytes;
  png_read_image (png, rows);

  image->width = width;
  image->height = height;
  image->bit_depth = depth == 16 ? 16 : 8;
  image->channels = n_samples >= 3 ? 3 : 1;
  image->data = g_try_new (float, (gsize) width * height * image->channels);
  image->alpha = (n_samples == 2 || n_samples == 4) ?
                 g_try_new (float, (gsize) width * height) : NULL;
  if (!image->data || ((n_samples == 2 || n_samples == 4) && !image->alpha))
    {
      g_free (pixels);
      g_free (rows);
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("“%s”: not enough memory for %u×%u pixels"), path, width, height);
      return FALSE;                   /* the caller clears image */
    }
  unpack_rows (pixels, rowbytes, depth, n_samples, image);
  g_free (pixels);
  g_free (rows);
  return TRUE;
}

gboolean
adiff_io_png_load (const char *path, AdiffIoImage *image, GError **error)
{
  AdiffPngFailure failure = { 0 };
  FILE *f = adiff_io_open_read (path, error);

  if (!f)
    return FALSE;
  png_structp png;
  png_infop info;
  gboolean ok = adiff_png_start (FALSE, &failure, path, &png, &info, error) &&
                read_png (png, info, f, path, image, error);
  png_destroy_read_struct (&png, &info, NULL);
  fclose (f);
  return ok;
}

/* ---- Writing --------------------------------------------------------------- */

static void
append_bytes (png_structp png, png_bytep data, png_size_t length)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) length);
}

static void
flush_nothing (png_structp png)
{
}

void
adiff_png_pack_row (const float *data, const float *alpha, guint width, guint colors,
                    guint depth, guint8 *row)
{
  guint n_samples = colors + (alpha ? 1 : 0);
  guint max = depth == 16 ? 65535 : 255;

  for (guint x = 0; x < width; x++)
    for (guint s = 0; s < n_samples; s++)
      {
        float v = s < colors ? data[(gsize) x * colors + s] : alpha[x];
        guint q = adiff_io_quantize (v, max);
        gsize k = (gsize) x * n_samples + s;
        if (depth == 16)
          {
            row[2 * k] = (guint8) (q >> 8);
            row[2 * k + 1] = (guint8) (q & 0xff);
          }
        else
          row[k] = (guint8) q;
      }
}

void
adiff_png_write_header (png_structp png, png_infop info, guint width, guint height,
                        guint depth, guint n_samples)
{
  static const int color_types[] = { 0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                     PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA };
  png_set_IHDR (png, info, width, height, (int) depth, color_types[n_samples],
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  /* Values are sRGB-encoded: say so, so that viewers do not guess. */
  png_set_sRGB (png, info, PNG_sRGB_INTENT_PERCEPTUAL);
  png_write_info (png, info);
}

static gboolean
encode_png (png_structp png, png_infop info, const AdiffIoImage *image, guint depth,
            GByteArray *bytes, const char *path, GError **error)
{
  guint8 *volatile row = NULL;
  AdiffPngFailure *failure = png_get_error_ptr (png);
  guint n_samples = image->channels + (image->alpha ? 1 : 0);

  if (setjmp (failure->jump))
    {
      g_free (row);
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("Cannot write the PNG file “%s”: %s"), path, failure->message);
      return FALSE;
    }
  png_set_write_fn (png, bytes, append_bytes, flush_nothing);
  adiff_png_write_header (png, info, image->width, image->height, depth, n_samples);
  row = g_malloc ((gsize) image->width * n_samples * (depth / 8));
  for (guint y = 0; y < image->height; y++)
    {
      gsize pixel = (gsize) y * image->width;
      adiff_png_pack_row (image->data + pixel * image->channels,
                          image->alpha ? image->alpha + pixel : NULL, image->width,
                          image->channels, depth, row);
      png_write_row (png, row);
    }
  png_write_end (png, info);
  g_free (row);
  return TRUE;
}

gboolean
adiff_io_png_save (const char *path, const AdiffIoImage *image, guint bit_depth,
                   GError **error)
{
  AdiffPngFailure failure = { 0 };
  g_autoptr (GByteArray) bytes = g_byte_array_new ();

  png_structp png;
  png_infop info;
  gboolean ok = adiff_png_start (TRUE, &failure, path, &png, &info, error) &&
                encode_png (png, info, image, bit_depth, bytes, path, error);
  png_destroy_write_struct (&png, &info);
  return ok && adiff_io_atomic_save (path, bytes->data, bytes->len, error);
}
