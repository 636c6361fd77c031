/* dataset-source.c — what every kind of source shares: freeing one, and
 * the file names a folder scan takes.  Called by dataset-open.c and by the
 * sources (dataset-folder.c, dataset-idx.c, …); it calls none of them, so
 * calls between these files go one way. */
#include <string.h>
#include "dataset-private.h"

void
adiff_source_free (AdiffSource *source)
{
  if (!source)
    return;
  source->klass->free (source);
  g_free (source->path);
  g_free (source->description);
  if (source->skipped)
    g_ptr_array_unref (source->skipped);
  g_free (source);
}

static const char *const image_extensions[] = {
  "png", "jpg", "jpeg", "jpe", "pgm", "ppm", "pnm", "pbm", "bmp", "tif", "tiff", "webp",
};

gboolean
adiff_io_is_image_name (const char *name)
{
  const char *dot = strrchr (name, '.');
  if (!dot || name[0] == '.')
    return FALSE;
  g_autofree char *ext = g_ascii_strdown (dot + 1, -1);
  for (guint i = 0; i < G_N_ELEMENTS (image_extensions); i++)
    if (strcmp (ext, image_extensions[i]) == 0)
      return TRUE;
  return FALSE;
}
