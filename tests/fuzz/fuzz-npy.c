/* fuzz-npy.c — fuzz target for the NumPy .npy readers: adiff_io_npy_load(),
 * the image path for .npy files (adiff_io_image_load()) and the streaming
 * dataset reader (adiff_dataset_open() on an (N,H,W[,C]) array). */
#include "fuzz-dataset.h"

static void
check_npy (const char *path)
{
  AdiffNpy npy = { 0 };
  GError *error = NULL;
  if (!adiff_io_npy_load (path, &npy, &error))
    {
      fuzz_check_error (error);
      return;
    }
  if (npy.ndim < 1 || npy.ndim > 4)
    abort ();
  size_t n = 1;
  for (guint i = 0; i < npy.ndim; i++)
    n *= npy.shape[i];
  fuzz_check_floats (npy.data, n, "npy data");
  adiff_io_npy_clear (&npy);
}

static void
check_image (const char *path)
{
  AdiffIoImage image = { 0 };
  GError *error = NULL;
  if (!adiff_io_image_load (path, &image, &error))
    {
      fuzz_check_error (error);
      return;
    }
  if (image.width == 0 || image.height == 0 ||
      (image.channels != 1 && image.channels != 3))
    abort ();
  fuzz_check_floats (image.data, (size_t) image.width * image.height * image.channels,
                     "image data");
  adiff_io_image_clear (&image);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *path = fuzz_write ("input.npy", data, size);
  check_npy (path);
  check_image (path);
  fuzz_dataset_file (path, FALSE);
  g_free (path);
  return 0;
}
