/* fuzz-dataset.h — the body shared by the dataset fuzz targets (IDX, CIFAR):
 * open one source file with default options and read every item. */
#pragma once

#include <math.h>
#include "fuzz-common.h"
#include "adiff-io.h"

/* Items read per call, and a cap on the items one input may yield so that
 * a valid but large input cannot stall the fuzzer. */
#define FUZZ_CHUNK 64
#define FUZZ_MAX_ITEMS 4096

static inline void
fuzz_dataset_file (const char *path, gboolean gray)
{
  AdiffDatasetOptions options;
  adiff_dataset_options_init (&options);
  options.n_threads = 1;
  options.limit = FUZZ_MAX_ITEMS;
  if (gray)
    options.color = ADIFF_COLOR_GRAY;
  const char *sources[] = { path, NULL };
  GError *error = NULL;
  AdiffDataset *ds = adiff_dataset_open (sources, &options, &error);
  if (!ds)
    {
      fuzz_check_error (error);
      return;
    }
  gsize d = (gsize) adiff_dataset_get_width (ds) * adiff_dataset_get_height (ds) *
            adiff_dataset_get_channels (ds);
  if (d == 0 || d > (1u << 20))
    abort ();                   /* open must refuse empty or absurd geometry */
  float *items = g_new (float, FUZZ_CHUNK * d);
  gint32 labels[FUZZ_CHUNK];
  guint64 total = 0;
  gsize got;
  while ((got = adiff_dataset_read (ds, items, labels, FUZZ_CHUNK, &error)) > 0)
    {
      fuzz_check_floats (items, got * d, "dataset item");
      total += got;
      if (total > adiff_dataset_get_n_items (ds))
        abort ();               /* more items than announced */
    }
  if (error)
    fuzz_check_error (error);
  g_free (items);
  adiff_dataset_free (ds);
}
