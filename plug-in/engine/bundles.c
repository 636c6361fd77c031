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

/* The installed bundle file called name, or NULL. */
static GFile *
installed_named (GList *installed, const char *name)
{
  for (GList *l = installed; l != NULL; l = l->next)
    {
      g_autofree char *base = g_file_get_basename (l->data);
      if (g_strcmp0 (base, name) == 0)
        return g_object_ref (l->data);
    }
  return NULL;
}

GFile *
plugin_bundle_for_layer (gboolean colour, gboolean photo_basis)
{
  GList *installed = plugin_bundles_installed ();
  GFile *file = NULL;

  if (colour && ! photo_basis)
    file = installed_named (installed, ADIFF_COLOUR_BUNDLE);
  if (file == NULL)
    file = installed_named (installed, ADIFF_DEFAULT_BUNDLE);
  g_list_free_full (installed, g_object_unref);
  return file;
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

/* Was the bundle made from windows cut out of larger photos (adiff-stats
 * --patches-per-image), rather than from whole pictures of its window's
 * size (faces, CIFAR)?  Its metadata's build options say. */
gboolean
plugin_bundle_is_local (AdiffBundle *bundle)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *options = NULL;
  const char *text = adiff_bundle_get_metadata (bundle);

  if (text == NULL || ! g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL))
    return FALSE;
  options = g_key_file_get_string (kf, "bundle", "build-options", NULL);
  return options != NULL && strstr (options, "--patches-per-image") != NULL;
}

/* "Made from 400 whole 46×56 pictures (gray): …", from the metadata. */
static char *
describe_source (AdiffBundle *b)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  const char *text = adiff_bundle_get_metadata (b);
  guint w = adiff_bundle_get_width (b), h = adiff_bundle_get_height (b);
  const char *colour = adiff_bundle_get_channels (b) == 1 ? _("gray") : _("colour");
  g_autofree char *items = NULL;
  guint64 n;

  if (text == NULL || ! g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL) ||
      (n = g_key_file_get_uint64 (kf, "bundle", "items", NULL)) == 0)
    return NULL;
  items = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  if (plugin_bundle_is_local (b))
    /* TRANSLATORS: count, width × height, "gray" or "colour" */
    return g_strdup_printf (_("Made from %s small %u×%u windows of photos (%s): suits photos "
                              "of any size."), items, w, h, colour);
  /* TRANSLATORS: count, width × height, "gray" or "colour" */
  return g_strdup_printf (_("Made from %s whole %u×%u pictures (%s): suits images of that "
                            "kind and size."), items, w, h, colour);
}

char *
plugin_bundle_describe (const char *path, GError **error)
{
  AdiffBundle *b = adiff_bundle_open (path, NULL, error);
  g_autofree char *source = NULL;
  char *text;

  if (b == NULL)
    return NULL;
  source = describe_source (b);
  /* TRANSLATORS: window width × height, channels, eigenpairs, exemplars */
  text = g_strdup_printf (_("%u×%u window, %u channel(s), %u components, %u exemplars"),
                          adiff_bundle_get_width (b), adiff_bundle_get_height (b),
                          adiff_bundle_get_channels (b), adiff_bundle_get_n_components (b),
                          adiff_bundle_get_n_exemplars (b));
  if (source != NULL)
    {
      char *both = g_strconcat (source, "\n", text, NULL);
      g_free (text);
      text = both;
    }
  adiff_bundle_unref (b);
  return text;
}

/* Does the bundle suit a width×height layer: windows cut from photos suit
 * any size; whole pictures (faces, CIFAR-10) only a layer at most 4 times
 * their size. */
static gboolean
bundle_suits_size (AdiffBundle *b, gint width, gint height)
{
  guint w = adiff_bundle_get_width (b), h = adiff_bundle_get_height (b);

  return plugin_bundle_is_local (b) || ((guint) width <= 4 * w && (guint) height <= 4 * h);
}

/* Is a colour bundle installed that suits the layer (to suggest instead of
 * a gray one)?  A colour bundle of small whole pictures is no advice for a
 * photo. */
static char *
installed_colour_bundle (gint width, gint height)
{
  GList *installed = plugin_bundles_installed ();
  char *name = NULL;

  for (GList *l = installed; l != NULL && name == NULL; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);
      AdiffBundle *b = adiff_bundle_open (path, NULL, NULL);

      if (b != NULL && adiff_bundle_get_channels (b) == 3 && bundle_suits_size (b, width, height))
        name = plugin_bundle_display_name (path);
      g_clear_pointer (&b, adiff_bundle_unref);
    }
  g_list_free_full (installed, g_object_unref);
  return name;
}

char *
plugin_bundle_fit_warning (const char *path, gint width, gint height, gboolean colour)
{
  AdiffBundle *b = adiff_bundle_open (path, NULL, NULL);
  char *warning = NULL;
  guint w, h;

  if (b == NULL)
    return NULL;
  w = adiff_bundle_get_width (b);
  h = adiff_bundle_get_height (b);
  if (! bundle_suits_size (b, width, height))
    warning = g_strdup_printf (_("This bundle was made from whole %u×%u pictures (such as "
                                 "faces); on this %d×%d layer it sees only small pieces at a "
                                 "time.  A bundle of photo windows suits photos better."),
                               w, h, width, height);
  else if (colour && adiff_bundle_get_channels (b) == 1)
    {
      g_autofree char *other = installed_colour_bundle (width, height);
      if (other != NULL)
        warning = g_strdup_printf (_("A gray bundle treats each colour of this layer on its "
                                     "own; the colour bundle “%s” is installed and knows "
                                     "how colours go together."), other);
    }
  adiff_bundle_unref (b);
  return warning;
}
