/* pixel-io.h — a drawable's pixels as the float arrays libadiff works on.
 * The bottom of the plug-in: it calls only GEGL, babl and libgimp. */
#pragma once

#include "plugin.h"

/* Reads and writes a drawable's pixels as floats with alpha (channels + 1
 * per pixel, perceptual, the drawable's space). */
typedef struct
{
  const Babl *float_fmt;
  const Babl *native;       /* the drawable's own format */
  gboolean    native_u8;    /* 8-bit perceptual: converted here, not by babl */
  gboolean    native_alpha;
  guint       channels;     /* colour channels: 1 or 3 */
  guint8     *bytes;        /* scratch for native_u8 */
  gsize       bytes_cap;
} PluginPixelIO;

void         plugin_pixel_io_init      (PluginPixelIO *io, GimpDrawable *drawable);
void         plugin_pixel_io_clear     (PluginPixelIO *io);
gboolean     plugin_pixel_io_fetch     (PluginPixelIO       *io,
                                        GeglBuffer          *src,
                                        const GeglRectangle *rect,
                                        GeglAbyssPolicy      abyss,
                                        float               *out);
/* dst is the drawable's buffer or its shadow (same format). */
gboolean     plugin_pixel_io_store     (PluginPixelIO       *io,
                                        GeglBuffer          *dst,
                                        const GeglRectangle *rect,
                                        const float         *in);
/* n_px pixels of n_values floats (stride in_stride) → u8, rounded, clamped. */
void         plugin_u8_from_float      (const float *in, guint in_stride,
                                        guint8 *out, guint out_stride,
                                        guint n_values, gsize n_px);
/* Drop the alpha of n pixels: floats with channels+1 values each become
 * channels values each, in place. */
void         plugin_drop_alpha         (float *px, gsize n, guint channels);

/* Colour + alpha as float, in the drawable's own space. */
const Babl  *plugin_pixel_format       (GimpDrawable *drawable);
/* Read rect's colour channels (or luma only) as floats, newly allocated. */
float       *plugin_read_region        (GimpDrawable        *drawable,
                                        const GeglRectangle *rect,
                                        gboolean             luma,
                                        GError             **error);
