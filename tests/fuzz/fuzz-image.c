/* fuzz-image.c — fuzz target for the image path for one file:
 * adiff_io_image_load() on a file.
 *
 * The file's extension follows its first bytes, as a real file's would;
 * unknown content is named .png (the decoder must refuse it cleanly).
 */
#include <string.h>
#include "fuzz-common.h"
#include "adiff-io.h"

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

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *name = g_strdup_printf ("folder/input.%s", extension_for (data, size));
  char *path = fuzz_write (name, data, size);
  check_image (path);
  g_unlink (path);
  g_free (path);
  g_free (name);
  return 0;
}
