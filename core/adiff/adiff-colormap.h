/* adiff-colormap.h — colour maps, and a sensitivity field (or any
 * field of values over a window) rendered with one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum { ADIFF_COLORMAP_INFERNO, ADIFF_COLORMAP_VIRIDIS, ADIFF_COLORMAP_COOLWARM } AdiffColormap;

/* Render a field of width·height values (summed over channels by the caller
 * or passed per pixel) to RGB floats in [0,1].  signed_: map −m..m with a
 * diverging map centred on 0; else |v| from 0..m.  m = max |v|. */
void     adiff_render_field      (const double *field, guint width, guint height,
                                  gboolean signed_, AdiffColormap map,
                                  float *rgb);
gboolean adiff_colormap_from_string (const char *name, AdiffColormap *map);
void     adiff_colormap_lookup   (AdiffColormap map, double t, float rgb[3]);

G_END_DECLS
