/* pixel-picker.h — choose the overlay's pixel by clicking a preview. */
#pragma once

#include <libgimp/gimpui.h>
#include "plugin.h"

/* A thumbnail of drawable that shows the config's "x", "y" as a marker;
 * a click sets them (image coordinates) and "pixel-from" to coordinates. */
GtkWidget   *plugin_pixel_picker_new   (GimpProcedureConfig *config,
                                        GimpDrawable        *drawable);
