/* bundle-chooser.h — the widget of the "bundle" argument. */
#pragma once

#include <libgimp/gimpui.h>
#include "plugin.h"

/* The installed bundles by name plus "Other…", and a line describing the
 * chosen one; sets the config's "bundle". */
GtkWidget   *plugin_bundle_chooser_new (GimpProcedureConfig *config);
