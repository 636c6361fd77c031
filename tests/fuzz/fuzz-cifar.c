/* fuzz-cifar.c — fuzz target for the CIFAR-10 binary batch reader, in RGB
 * and with the gray conversion. */
#include "fuzz-dataset.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *path = fuzz_write ("data_batch_1.bin", data, size);
  fuzz_dataset_file (path, size % 2 == 1);
  g_free (path);
  return 0;
}
