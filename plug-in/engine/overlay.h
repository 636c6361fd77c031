/* overlay.h — sensitivity fields as layers. */
#pragma once

#include "plugin.h"

/* How field values map to colours: linear, or the square root or the
 * logarithm (three decades) of the magnitude, sign kept, which lift the
 * faint tails of low-σ fields into view. */
typedef enum
{
  PLUGIN_SCALE_LINEAR,
  PLUGIN_SCALE_SQRT,
  PLUGIN_SCALE_LOG,
} PluginFieldScale;

typedef struct
{
  gint           x, y;          /* pixel, image coordinates */
  PluginFieldScale scale;
  gboolean       legend;        /* add the legend layer */
  AdiffMethod    method;
  double         tau;
  AdiffColormap  colormap;
  double         opacity;       /* 0–100 */
  const double  *sigmas;        /* 0–255 scale */
  guint          n_sigmas;
} PluginOverlayOptions;

/* Add the sensitivity field(s) of the pixel as new layer(s) above the
 * drawable, with a legend; returns the new layer, or the layer group when
 * there are several (several σ, or a legend).  The pixel gets one sample
 * point, reused by the next overlay (sample-point.c). */
GimpLayer   *plugin_overlay_add        (GimpImage                  *image,
                                        GimpDrawable               *drawable,
                                        AdiffBundle                *bundle,
                                        const PluginOverlayOptions *options,
                                        GError                    **error);
