/* bundles.c — the bundles installed with the plug-in: where they are
 * found, the name the user sees, and a one-line description of what a
 * bundle holds (or what is wrong with the file). */
#include "config.h"
#include "engine/bundles.h"
#include "common/bundle-find.h"

/* The executable's folder holds data/ in a per-user install. */
GList *
plugin_bundles_installed (void)
{
  g_autofree char *exe_dir = gimp_get_progname () != NULL
                             ? g_path_get_dirname (gimp_get_progname ()) : NULL;
  return plugin_bundle_find_all (exe_dir);
}

char *
plugin_bundle_display_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = g_str_has_suffix (base, ".adstats") ? strrchr (base, '.') : NULL;

  if (dot != NULL)
    *dot = '\0';
  return g_strdup (base);
}

char *
plugin_bundle_describe (const char *path, GError **error)
{
  AdiffBundle *b = adiff_bundle_open (path, NULL, error);
  char *text;

  if (b == NULL)
    return NULL;
  /* TRANSLATORS: window width × height, channels, eigenpairs, exemplars */
  text = g_strdup_printf (_("%u×%u window, %u channel(s), %u components, %u exemplars"),
                          adiff_bundle_get_width (b), adiff_bundle_get_height (b),
                          adiff_bundle_get_channels (b), adiff_bundle_get_n_components (b),
                          adiff_bundle_get_n_exemplars (b));
  adiff_bundle_unref (b);
  return text;
}
