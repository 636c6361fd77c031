/* pixel-io.c — moving pixels between a GeglBuffer of a drawable and the
 * float arrays libadiff works on: colour + alpha, perceptual (R'G'B'A or
 * Y'A float) in the drawable's space.
 *
 * 8-bit perceptual layers (GIMP's default) are read and written in their
 * own format and converted here (u8 → v/255 exactly; float → u8 rounded):
 * babl 0.1.114 plans conversions such as "R'G'B'A u8" → "R'G'B'A float"
 * for seconds in every new process, and a plug-in is a new process on
 * every run.  Every other precision goes through babl.
 *
 * The bottom of the plug-in: everything that touches pixels comes here,
 * and this file calls nothing of the plug-in. */
#include "config.h"
#include <babl/babl.h>
#include "engine/pixel-io.h"

const Babl *
plugin_pixel_format (GimpDrawable *drawable)
{
  return babl_format_with_space (gimp_drawable_is_gray (drawable) ? "Y'A float"
                                                                  : "R'G'B'A float",
                                 gimp_drawable_get_format (drawable));
}

static gboolean
is_perceptual_u8 (const Babl *format)
{
  const char *e = babl_format_get_encoding (format);
  return g_strcmp0 (e, "R'G'B' u8") == 0 || g_strcmp0 (e, "R'G'B'A u8") == 0 ||
         g_strcmp0 (e, "Y' u8") == 0 || g_strcmp0 (e, "Y'A u8") == 0;
}

void
plugin_pixel_io_init (PluginPixelIO *io, GimpDrawable *drawable)
{
  const Babl *native = gimp_drawable_get_format (drawable);

  memset (io, 0, sizeof *io);
  io->float_fmt = plugin_pixel_format (drawable);
  io->channels = gimp_drawable_is_gray (drawable) ? 1 : 3;
  io->native = native;
  io->native_u8 = is_perceptual_u8 (native);
  io->native_alpha = babl_format_has_alpha (native);
}

void
plugin_pixel_io_clear (PluginPixelIO *io)
{
  g_clear_pointer (&io->bytes, g_free);
  io->bytes_cap = 0;
}

static gboolean
reserve_bytes (PluginPixelIO *io, gsize n)
{
  if (n <= io->bytes_cap)
    return TRUE;
  g_free (io->bytes);
  io->bytes = g_try_malloc (n);
  io->bytes_cap = io->bytes != NULL ? n : 0;
  return io->bytes != NULL;
}

void
plugin_u8_from_float (const float *in, guint in_stride, guint8 *out, guint out_stride,
                      guint n_values, gsize n_px)
{
  for (gsize i = 0; i < n_px; i++)
    for (guint c = 0; c < n_values; c++)
      {
        float v = in[i * in_stride + c];
        out[i * out_stride + c] = (guint8) (v <= 0.0f ? 0 : v >= 1.0f ? 255 : lrintf (v * 255.0f));
      }
}

gboolean
plugin_pixel_io_fetch (PluginPixelIO *io, GeglBuffer *src, const GeglRectangle *rect,
                       GeglAbyssPolicy abyss, float *out)
{
  gsize n_px = (gsize) rect->width * rect->height;
  guint nf = io->channels + 1, nb = io->channels + (io->native_alpha ? 1 : 0);

  if (! io->native_u8)
    {
      gegl_buffer_get (src, rect, 1.0, io->float_fmt, out, GEGL_AUTO_ROWSTRIDE, abyss);
      return TRUE;
    }
  if (! reserve_bytes (io, n_px * nb))
    return FALSE;
  gegl_buffer_get (src, rect, 1.0, io->native, io->bytes, GEGL_AUTO_ROWSTRIDE, abyss);
  for (gsize i = 0; i < n_px; i++)
    {
      for (guint c = 0; c < io->channels; c++)
        out[i * nf + c] = io->bytes[i * nb + c] / 255.0f;
      out[i * nf + io->channels] = io->native_alpha ? io->bytes[i * nb + io->channels] / 255.0f
                                                    : 1.0f;
    }
  return TRUE;
}

gboolean
plugin_pixel_io_store (PluginPixelIO *io, GeglBuffer *dst, const GeglRectangle *rect,
                       const float *in)
{
  gsize n_px = (gsize) rect->width * rect->height;
  guint nb = io->channels + (io->native_alpha ? 1 : 0);

  if (! io->native_u8)
    {
      gegl_buffer_set (dst, rect, 0, io->float_fmt, in, GEGL_AUTO_ROWSTRIDE);
      return TRUE;
    }
  if (! reserve_bytes (io, n_px * nb))
    return FALSE;
  plugin_u8_from_float (in, io->channels + 1, io->bytes, nb, nb, n_px);
  gegl_buffer_set (dst, rect, 0, io->native, io->bytes, GEGL_AUTO_ROWSTRIDE);
  return TRUE;
}

void
plugin_drop_alpha (float *px, gsize n, guint channels)
{
  for (gsize i = 0; i < n; i++)
    memmove (px + i * channels, px + i * (channels + 1), channels * sizeof (float));
}

float *
plugin_read_region (GimpDrawable *drawable, const GeglRectangle *rect, gboolean luma,
                    GError **error)
{
  PluginPixelIO io;
  gsize n, n_px;
  GeglBuffer *src;
  float *pixels = NULL;
  gboolean ok = FALSE;

  plugin_pixel_io_init (&io, drawable);
  if (luma && io.channels == 3)
    {
      /* Luma of a colour layer (a gray bundle on it): babl's job. */
      io.float_fmt = babl_format_with_space ("Y'A float", gimp_drawable_get_format (drawable));
      io.channels = 1;
      io.native_u8 = FALSE;
    }
  if (g_size_checked_mul (&n_px, (gsize) rect->width, (gsize) rect->height) &&
      g_size_checked_mul (&n, n_px, io.channels + 1) && n <= G_MAXSIZE / sizeof (float) &&
      (pixels = g_try_new (float, n)) != NULL)
    {
      src = gimp_drawable_get_buffer (drawable);
      ok = plugin_pixel_io_fetch (&io, src, rect, GEGL_ABYSS_CLAMP, pixels);
      g_object_unref (src);
    }
  plugin_pixel_io_clear (&io);
  if (! ok)
    {
      g_free (pixels);
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("Not enough memory for %d×%d pixels"), rect->width, rect->height);
      return NULL;
    }
  plugin_drop_alpha (pixels, n_px, io.channels);
  return pixels;
}
