/* fuzz-image.c — fuzz target for the image-folder path for one file:
 * adiff_io_image_load() on a file, then the same file as the only item of
 * an image folder read through adiff_dataset_open() (resize to a small
 * window, gray), which is what `adiff-stats build FOLDER` does per file.
 *
 * The file's extension follows its first bytes, as a real file's would;
 * unknown content is named .png (the decoder must refuse it cleanly).
 */
#include <string.h>
#include "fuzz-dataset.h"

static const char *
extension_for (const uint8_t *data, size_t size)
{
  static const struct { const char *magic; size_t len; const char *ext; } table[] = {
    { "\x89PNG", 4, "png" },
    { "P5", 2, "pgm" },
    { "P6", 2, "ppm" },
    { "P2", 2, "pgm" },
    { "P3", 2, "ppm" },
    { "\xff\xd8", 2, "jpg" },
    { "BM", 2, "bmp" },
    { "II*", 3, "tif" },
    { "MM\0*", 4, "tif" },
    { "\x93NUMPY", 6, "npy" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (table); i++)
    if (size >= table[i].len && memcmp (data, table[i].magic, table[i].len) == 0)
      return table[i].ext;
  return "png";
}

static gboolean
check_image (const char *path)
{
  AdiffIoImage image = { 0 };
  GError *error = NULL;
  if (!adiff_io_image_load (path, &image, &error))
    {
      fuzz_check_error (error);
      return FALSE;
    }
  if (image.width == 0 || image.height == 0 ||
      (image.channels != 1 && image.channels != 3))
    abort ();
  size_t n = (size_t) image.width * image.height;
  fuzz_check_floats (image.data, n * image.channels, "image data");
  if (image.alpha)
    fuzz_check_floats (image.alpha, n, "image alpha");
  adiff_io_image_clear (&image);
  return TRUE;
}

static void
check_folder (const char *folder)
{
  AdiffDatasetOptions options;
  adiff_dataset_options_init (&options);
  options.n_threads = 1;
  options.width = 8;
  options.height = 8;
  options.fit = ADIFF_FIT_RESIZE;
  options.color = ADIFF_COLOR_GRAY;
  const char *sources[] = { folder, NULL };
  GError *error = NULL;
  AdiffDataset *ds = adiff_dataset_open (sources, &options, &error);
  if (!ds)
    {
      fuzz_check_error (error);
      return;
    }
  float items[2 * 64];
  gsize got;
  while ((got = adiff_dataset_read (ds, items, NULL, 2, &error)) > 0)
    fuzz_check_floats (items, got * 64, "folder item");
  if (error)
    fuzz_check_error (error);
  adiff_dataset_free (ds);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *name = g_strdup_printf ("folder/input.%s", extension_for (data, size));
  char *path = fuzz_write (name, data, size);
  if (check_image (path))
    {
      char *folder = g_path_get_dirname (path);
      check_folder (folder);
      g_free (folder);
    }
  g_unlink (path);
  g_free (path);
  g_free (name);
  return 0;
}
