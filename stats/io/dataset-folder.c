/* dataset-folder.c — a folder of image files, searched recursively.  Files
 * are taken in sorted order of their relative path (byte order) so that a
 * dataset is the same on every machine; hidden files and folders (".name")
 * are ignored.  When every file sits in a first-level subfolder (the usual
 * class-per-folder layout, e.g. train/cat/0001.jpg), the label of a file is
 * the index of its subfolder in sorted order.  Decoding happens in the
 * dataset's worker threads: fetch only hands out paths. */
#include <string.h>
#include "dataset-private.h"

typedef struct
{
  AdiffSource parent;
  GPtrArray  *files;     /* full paths, sorted */
  GArray     *labels;    /* gint32 per file, or NULL */
} FolderSource;

/* Relative paths of image files under root/rel, appended to names. */
static gboolean
scan (const char *root, const char *rel, guint depth, GPtrArray *names, GError **error)
{
  g_autofree char *dir_path = rel ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, &local);
  const char *name;

  if (!dir)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("Cannot read the folder “%s”: %s"), dir_path, local->message);
      return FALSE;
    }
  if (depth > 64)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("Cannot read the folder “%s”: nested too deeply"), dir_path);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)))
    {
      if (name[0] == '.')
        continue;
      g_autofree char *child_rel = rel ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          if (!scan (root, child_rel, depth + 1, names, error))
            return FALSE;
        }
      else if (adiff_io_is_image_name (name))
        g_ptr_array_add (names, g_steal_pointer (&child_rel));
    }
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Labels from first-level subfolders, or NULL when some file is at top level. */
static GArray *
folder_labels (GPtrArray *names)
{
  GArray *labels = g_array_sized_new (FALSE, FALSE, sizeof (gint32), names->len);
  g_autofree char *current = NULL;
  gint32 label = -1;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      const char *sep = strchr (name, G_DIR_SEPARATOR);
      if (!sep)
        {
          g_array_free (labels, TRUE);
          return NULL;
        }
      /* Names are sorted, so each subfolder's files are contiguous. */
      if (!current || strncmp (current, name, (gsize) (sep - name) + 1) != 0)
        {
          g_free (current);
          current = g_strndup (name, (gsize) (sep - name) + 1);
          label++;
        }
      g_array_append_val (labels, label);
    }
  return labels;
}

static gboolean
folder_fetch (AdiffSource *source, guint64 index, AdiffIoImage *image, char **path,
              gint32 *label, GError **error)
{
  FolderSource *self = (FolderSource *) source;
  *path = g_strdup (self->files->pdata[index]);
  if (self->labels)
    *label = g_array_index (self->labels, gint32, index);
  return TRUE;
}

static void
folder_free (AdiffSource *source)
{
  FolderSource *self = (FolderSource *) source;
  g_ptr_array_unref (self->files);
  if (self->labels)
    g_array_free (self->labels, TRUE);
}

static const AdiffSourceClass folder_class = { folder_fetch, folder_free };

/* Geometry from the first file that decodes; bad files before it are
 * dropped (skip_bad) or fail the open. */
static gboolean
probe_first (FolderSource *self, const AdiffDatasetOptions *options, GError **error)
{
  AdiffSource *source = &self->parent;

  while (self->files->len > 0)
    {
      AdiffIoImage image;
      g_autoptr (GError) local = NULL;
      const char *first = self->files->pdata[0];
      if (adiff_io_image_load (first, &image, &local))
        {
          source->width = image.width;
          source->height = image.height;
          /* gdk-pixbuf reports a colour JPEG whose pixels happen to be
           * gray as gray; the folder's colour must follow what the file
           * declares, or every later colour image would be refused. */
          source->channels = adiff_io_jpeg_components (first) >= 3 ? 3 : image.channels;
          source->bit_depth = image.bit_depth;
          adiff_io_image_clear (&image);
          return TRUE;
        }
      if (!options->skip_bad)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_ptr_array_add (source->skipped, g_strdup (first));
      g_ptr_array_remove_index (self->files, 0);
      if (self->labels)
        g_array_remove_index (self->labels, 0);
    }
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
               _("The folder “%s” holds no readable image"), source->path);
  return FALSE;
}

AdiffSource *
adiff_source_folder_open (const char *path, const AdiffDatasetOptions *options,
                          GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (!scan (path, NULL, 0, names, error))
    return NULL;
  if (names->len == 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("The folder “%s” holds no image files (PNG, JPEG, PGM, PPM, BMP, "
                     "TIFF or WebP)"), path);
      return NULL;
    }
  g_ptr_array_sort (names, compare_names);

  FolderSource *self = g_new0 (FolderSource, 1);
  AdiffSource *source = &self->parent;
  source->klass = &folder_class;
  source->path = g_strdup (path);
  source->skipped = g_ptr_array_new_with_free_func (g_free);
  self->labels = folder_labels (names);
  source->has_labels = self->labels != NULL;
  self->files = g_ptr_array_new_full (names->len, g_free);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (self->files, g_build_filename (path, names->pdata[i], NULL));
  if (!probe_first (self, options, error))
    {
      adiff_source_free (source);
      return NULL;
    }
  source->n_items = self->files->len;
  g_autofree char *base = g_path_get_basename (path);
  source->description = g_strdup_printf ("folder %s", base);
  return source;
}

/* A single image file as a source of one item: useful with patches, to draw
 * many windows from one large photo.  A bad file is an error, never
 * skipped. */
AdiffSource *
adiff_source_image_open (const char *path, const AdiffDatasetOptions *options,
                         GError **error)
{
  AdiffDatasetOptions strict = *options;
  FolderSource *self = g_new0 (FolderSource, 1);
  AdiffSource *source = &self->parent;

  strict.skip_bad = FALSE;
  source->klass = &folder_class;
  source->path = g_strdup (path);
  source->skipped = g_ptr_array_new_with_free_func (g_free);
  self->files = g_ptr_array_new_full (1, g_free);
  g_ptr_array_add (self->files, g_strdup (path));
  if (!probe_first (self, &strict, error))
    {
      adiff_source_free (source);
      return NULL;
    }
  source->n_items = 1;
  g_autofree char *base = g_path_get_basename (path);
  source->description = g_strdup_printf ("image %s", base);
  return source;
}
