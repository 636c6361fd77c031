/* bundle-find.c — the folders that hold installed bundles, and which of
 * them is the default. */
#include "config.h"
#include "common/bundle-find.h"

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

GList *
plugin_bundle_list_dir (const char *dir)
{
  return bundles_in (dir, NULL);
}

/* Bundles ship in the package data folder; a per-user install may also
 * keep them in data/ beside the executable or module.  $ADIFF_BUNDLE_DIR
 * comes first so tests and users can point elsewhere. */
GList *
plugin_bundle_find_all (const char *beside_dir)
{
  GList *list = NULL;
  const char *env = g_getenv ("ADIFF_BUNDLE_DIR");

  if (env != NULL && *env != '\0')
    list = bundles_in (env, list);
  if (beside_dir != NULL)
    {
      g_autofree char *local = g_build_filename (beside_dir, "data", NULL);
      list = g_list_concat (list, bundles_in (local, NULL));
    }
  return g_list_concat (list, bundles_in (ADIFF_DATADIR, NULL));
}

/* The bundle named `name` when it is installed, else the first found. */
GFile *
plugin_bundle_pick (GList *bundles, const char *name)
{
  for (GList *l = bundles; l != NULL; l = l->next)
    {
      g_autofree char *base = g_file_get_basename (l->data);
      if (g_strcmp0 (base, name) == 0)
        return l->data;
    }
  return bundles != NULL ? bundles->data : NULL;
}

/* The natural-image bundle suits photos best. */
GFile *
plugin_bundle_pick_default (GList *bundles)
{
  return plugin_bundle_pick (bundles, ADIFF_DEFAULT_BUNDLE);
}
