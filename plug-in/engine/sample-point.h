/* sample-point.h — the one sample point that marks the overlay's pixel. */
#pragma once

#include "plugin.h"

/* Mark (x, y) with a sample point: none is added when one is already
 * there; the point the previous overlay added (remembered in an image
 * parasite) moves instead of a new one being added each run.  The user's
 * own sample points are left alone.  Call inside the undo group. */
void         plugin_sample_point_mark  (GimpImage *image,
                                        gint       x,
                                        gint       y);
/* The image's first sample point; FALSE when it has none. */
gboolean     plugin_sample_point_first (GimpImage *image,
                                        gint      *x,
                                        gint      *y);
