/* bundle-chooser.h — the widget of the "bundle" argument. */
#pragma once

#include <libgimp/gimpui.h>
#include "plugin.h"

/* The installed bundles by name plus "Other…", lines describing the
 * chosen one and, with a drawable, a warning when it does not suit it;
 * sets the config's "bundle". */
GtkWidget   *plugin_bundle_chooser_new (GimpProcedureConfig *config,
                                        GimpDrawable        *drawable);
