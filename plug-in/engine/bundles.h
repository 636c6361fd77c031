/* bundles.h — the bundles installed with the plug-in. */
#pragma once

#include "plugin.h"

/* The bundles installed with the plug-in (newly allocated GFiles), from
 * $ADIFF_BUNDLE_DIR, data/ beside the executable, the package data folder. */
GList       *plugin_bundles_installed  (void);
/* The installed bundle a denoiser uses when none is chosen (newly
 * allocated, NULL when it is not installed): for the photo model's best
 * quality the gray photo bundle (its patch basis); for the paper's models
 * the colour photo bundle on a colour layer when installed, else the gray
 * one. */
GFile       *plugin_bundle_for_layer   (gboolean            colour,
                                        gboolean            photo_basis);
/* "…/natural-gray-8x8.adstats" → "natural-gray-8x8" (newly allocated). */
char        *plugin_bundle_display_name (const char *path);
/* Made from windows cut out of photos (any image size), not from whole
 * pictures of its window's size? */
gboolean     plugin_bundle_is_local    (AdiffBundle        *bundle);
/* What the bundle at path is made from and suits (from its metadata), and
 * what it holds, for the user (newly allocated); NULL with the loader's
 * error when the file is not a usable bundle. */
char        *plugin_bundle_describe    (const char         *path,
                                        GError            **error);
/* Why the bundle at path does not suit a width × height layer (colour or
 * gray), or NULL: whole small pictures (faces) on a much larger layer; a
 * gray bundle on a colour layer when a colour bundle is installed. */
char        *plugin_bundle_fit_warning (const char         *path,
                                        gint                width,
                                        gint                height,
                                        gboolean            colour);
