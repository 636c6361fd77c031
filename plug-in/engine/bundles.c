/* bundles.c — the bundles installed with the plug-in: where they are
 * found, the name the user sees, and a one-line description of what a
 * bundle holds (or what is wrong with the file). */
#include "config.h"
#include "engine/bundles.h"

static gint
compare_files (gconstpointer a, gconstpointer b)
{
  g_autofree char *pa = g_file_get_path ((GFile *) a);
  g_autofree char *pb = g_file_get_path ((GFile *) b);
  return g_strcmp0 (pa, pb);
}

static GList *
bundles_in (const char *dir, GList *list)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return list;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".adstats"))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        list = g_list_insert_sorted (list, g_file_new_for_path (path), compare_files);
      }
  return list;
}

/* Bundles ship in the package data folder; a per-user install may also
 * keep them in data/ beside the executable.  $ADIFF_BUNDLE_DIR comes first
 * so tests and users can point the chooser elsewhere. */
GList *
plugin_bundles_installed (void)
{
  GList *list = NULL;
  const char *env = g_getenv ("ADIFF_BUNDLE_DIR");

  if (env != NULL && *env != '\0')
    list = bundles_in (env, list);
  if (gimp_get_progname () != NULL)
    {
      g_autofree char *exe_dir = g_path_get_dirname (gimp_get_progname ());
      g_autofree char *local = g_build_filename (exe_dir, "data", NULL);
      list = g_list_concat (list, bundles_in (local, NULL));
    }
  return g_list_concat (list, bundles_in (ADIFF_DATADIR, NULL));
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
