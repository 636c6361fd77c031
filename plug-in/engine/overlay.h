/* overlay.h — sensitivity fields as layers. */
#pragma once

#include "plugin.h"

typedef struct
{
  gint           x, y;          /* pixel, image coordinates */
  AdiffMethod    method;
  double         tau;
  AdiffColormap  colormap;
  double         opacity;       /* 0–100 */
  const double  *sigmas;        /* 0–255 scale */
  guint          n_sigmas;
} PluginOverlayOptions;

/* Add the sensitivity field(s) of the pixel as new layer(s) above the
 * drawable; returns the new layer or layer group. */
GimpLayer   *plugin_overlay_add        (GimpImage                  *image,
                                        GimpDrawable               *drawable,
                                        AdiffBundle                *bundle,
                                        const PluginOverlayOptions *options,
                                        GError                    **error);
