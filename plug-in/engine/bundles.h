/* bundles.h — the bundles installed with the plug-in. */
#pragma once

#include "plugin.h"

/* The bundles installed with the plug-in (newly allocated GFiles), from
 * $ADIFF_BUNDLE_DIR, data/ beside the executable, the package data folder. */
GList       *plugin_bundles_installed  (void);
/* "…/natural-gray-8x8.adstats" → "natural-gray-8x8" (newly allocated). */
char        *plugin_bundle_display_name (const char *path);
/* What the bundle at path holds, one line for the user (newly allocated);
 * NULL with the loader's error when the file is not a usable bundle. */
char        *plugin_bundle_describe    (const char         *path,
                                        GError            **error);
