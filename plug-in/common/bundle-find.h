/* bundle-find.h — where installed bundles are, for the plug-in and the
 * GEGL module alike (no libgimp, no GEGL: both link this file). */
#pragma once

#include <gio/gio.h>

/* The bundles (newly allocated GFiles, sorted by path within each folder)
 * in $ADIFF_BUNDLE_DIR, in data/ inside beside_dir (the folder of the
 * plug-in's executable or of the module; NULL to skip) and in the package
 * data folder, in that order. */
GList *plugin_bundle_find_all     (const char *beside_dir);
/* The bundles in one folder (as above; NULL when none or no folder). */
GList *plugin_bundle_list_dir     (const char *dir);
/* The bundle to use when none is given: ADIFF_DEFAULT_BUNDLE
 * (natural-gray-8x8.adstats) when in the list, else the first; borrowed
 * from the list, NULL when it is empty. */
GFile *plugin_bundle_pick         (GList *bundles, const char *name);
GFile *plugin_bundle_pick_default (GList *bundles);
