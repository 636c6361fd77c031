/* fuzz-idx.c — fuzz target for the MNIST-style IDX reader (plain or gzip,
 * chosen by the input's first bytes, as a user's file name would). */
#include "fuzz-dataset.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  gboolean gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  char *path = fuzz_write (gz ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte",
                           data, size);
  fuzz_dataset_file (path, FALSE);
  g_unlink (path);
  g_free (path);
  return 0;
}
