/* legend.h — the sensitivity overlay's legend: enlarged fields, σ, pixel,
 * colour bar, drawn with Cairo and Pango. */
#pragma once

#include "plugin.h"

typedef struct
{
  const char          *title;       /* "Pixel (x, y) · Wiener" */
  const char          *scale_name;  /* "square root" */
  const float * const *fields;      /* n rendered fields, window-sized, RGB or gray floats */
  const double        *sigmas;      /* 0–255 */
  guint                n;
  guint                width, height;  /* window */
  guint                qx, qy;         /* the pixel in the window */
  gboolean             gray, signed_;
  AdiffColormap        colormap;
  double               field_size;     /* enlarged field's larger side, px at unit 1 */
  double               unit;           /* 1 = 12 px text; larger for large images */
} PluginLegend;

/* The legend as cairo-ARGB32 pixels (newly allocated, stride = 4·width). */
guchar      *plugin_legend_render      (const PluginLegend *legend,
                                        gint               *width,
                                        gint               *height);
