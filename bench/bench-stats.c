/* bench-stats.c — build the CIFAR-10 training bundle (50,000 × 3072) the way
 * `adiff-stats build --components auto --store-f16` does, and report wall
 * time, peak RSS, the GFLOP/s of the covariance accumulation, and the
 * GFLOP/s of a plain large DSYRK on the same machine for comparison.
 *
 *   bench-stats SHARED_DIR [BLOCK]
 *
 * Exits 77 (skipped) when SHARED_DIR/datasets/cifar10/train is absent. */
#include <stdio.h>
#include <sys/resource.h>
#include <cblas.h>
#include <glib/gstdio.h>
#include "stats-private.h"
#include "adiff-io.h"

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static double
peak_rss_mb (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* GFLOP/s of C += A Aᵀ with C d×d and A d×k (d·(d+1)·k flops). */
static double
plain_syrk (gsize d, gsize k, int reps)
{
  double *a = g_new (double, d * k), *c = g_new0 (double, d * d);
  for (gsize i = 0; i < d * k; i++)
    a[i] = (double) ((i * 2654435761u) % 1000) / 1000.0;
  cblas_dsyrk (CblasColMajor, CblasLower, CblasNoTrans, (int) d, (int) k, 1.0, a, (int) d,
               1.0, c, (int) d);   /* warm-up */
  double t0 = now ();
  for (int r = 0; r < reps; r++)
    cblas_dsyrk (CblasColMajor, CblasLower, CblasNoTrans, (int) d, (int) k, 1.0, a,
                 (int) d, 1.0, c, (int) d);
  double gf = (double) d * (d + 1) * k * reps / (now () - t0) / 1e9;
  g_free (a);
  g_free (c);
  return gf;
}

static gsize
read_items (gpointer user, float *items, gint32 *labels, gsize max, GError **error)
{
  return adiff_dataset_read (user, items, labels, max, error);
}

static AdiffDataset *
open_dataset (const char *source)
{
  GError *error = NULL;
  AdiffDatasetOptions opt;
  adiff_dataset_options_init (&opt);
  const char *sources[] = { source, NULL };
  AdiffDataset *ds = adiff_dataset_open (sources, &opt, &error);
  if (!ds)
    g_error ("%s", error->message);
  return ds;
}

/* Items per second of decoding alone (no statistics). */
static double
decode_only (const char *source, gsize d)
{
  AdiffDataset *ds = open_dataset (source);
  float *buf = g_new (float, 256 * d);
  GError *error = NULL;
  guint64 n = 0;
  gsize got;
  double t0 = now ();
  while ((got = adiff_dataset_read (ds, buf, NULL, 256, &error)) > 0)
    n += got;
  if (error)
    g_error ("%s", error->message);
  double rate = n / (now () - t0);
  g_free (buf);
  adiff_dataset_free (ds);
  return rate;
}

/* GFLOP/s of the accumulator alone: the 10,000 CIFAR-10 test images held
 * in memory, added `reps` times (no decoding competing for the cores). */
static double
accumulate_only (const char *batch, gsize d, int reps, gsize block)
{
  AdiffDataset *ds = open_dataset (batch);
  gsize n = (gsize) adiff_dataset_get_n_items (ds);
  float *items = g_new (float, n * d);
  GError *error = NULL;
  gsize got = 0, m;
  while ((m = adiff_dataset_read (ds, items + got * d, NULL, n - got, &error)) > 0)
    got += m;
  adiff_dataset_free (ds);
  AdiffAccum *acc = adiff_accum_new (d, block);
  double t0 = now ();
  for (int r = 0; r < reps; r++)
    for (gsize i = 0; i < got; i += 1000)
      if (!adiff_accum_add (acc, items + i * d, MIN ((gsize) 1000, got - i), batch, &error))
        g_error ("%s", error->message);
  AdiffMoments mom;
  adiff_accum_finish (acc, &mom);
  double gf = (double) d * (d + 1) * got * reps / (now () - t0) / 1e9;
  adiff_moments_clear (&mom);
  g_free (items);
  return gf;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: %s SHARED_DIR [BLOCK]\n", argv[0]);
      return 2;
    }
  char *train = g_build_filename (argv[1], "datasets", "cifar10", "train", NULL);
  if (!g_file_test (train, G_FILE_TEST_IS_DIR))
    {
      printf ("SKIP: %s not found (the benchmark needs ../shared)\n", train);
      return 77;
    }
  gsize block = argc > 2 ? (gsize) g_ascii_strtoull (argv[2], NULL, 10) : 0;
  GError *error = NULL;
  double t_start = now ();
  AdiffDataset *ds = open_dataset (train);
  gsize d = (gsize) adiff_dataset_get_width (ds) * adiff_dataset_get_height (ds) *
            adiff_dataset_get_channels (ds);
  AdiffBuildConfig cfg = {
    .dim = d, .expected_items = adiff_dataset_get_n_items (ds), .n_exemplars = 2000,
    .exemplars_u8 = TRUE, .labels = adiff_dataset_has_labels (ds), .seed = 1,
    .block = block, .what = "cifar10 train", .quiet = TRUE,
  };
  AdiffBuildResult res;
  if (!adiff_build_stream (&cfg, read_items, ds, &res, &error))
    g_error ("%s", error->message);
  double t_stream = now ();
  double rss_stream = peak_rss_mb ();
  adiff_dataset_free (ds);

  char *dir = g_dir_make_tmp ("bench-stats-XXXXXX", NULL);
  char *out = g_build_filename (dir, "cifar.adstats", NULL);
  AdiffFinishConfig fc = {
    .width = 32, .height = 32, .channels = 3,
    .components = { ADIFF_COMPONENTS_AUTO, 0, ADIFF_DEFAULT_VARIANCE_SHARE },
    .storage = { ADIFF_STORE_F16, ADIFF_STORE_U8 }, .quiet = TRUE,
    .reservoir = res.reservoir, .reservoir_labels = res.labels,
  };
  guint64 n = res.moments.n;
  if (!adiff_finish_bundle (out, &fc, &res.moments, 0, NULL, NULL, &error))
    g_error ("%s", error->message);
  double t_end = now ();
  double rss = peak_rss_mb ();
  double matrix_mb = (double) d * d * 8 / (1024.0 * 1024.0);
  GStatBuf st;
  g_stat (out, &st);

  printf ("CIFAR-10 train: %" G_GUINT64_FORMAT " items × d = %" G_GSIZE_FORMAT "\n", n, d);
  printf ("wall time:            %.1f s total (%.1f s read + accumulate, %.1f s "
          "eigendecomposition + write)\n", t_end - t_start, t_stream - t_start,
          t_end - t_stream);
  printf ("items/s:              %.0f\n", n / (t_stream - t_start));
  printf ("accumulator busy:     %.1f s (DSYRK %.1f s)\n", res.accum_seconds,
          res.syrk_seconds);
  double gf_syrk = res.flops / res.syrk_seconds / 1e9;
  double gf_acc = res.flops / res.accum_seconds / 1e9;
  printf ("accumulation:         %.1f GFLOP in DSYRK: %.1f GFLOP/s in DSYRK, %.1f GFLOP/s "
          "including the float→double shift\n", res.flops / 1e9, gf_syrk, gf_acc);
  printf ("peak RSS:             %.0f MB = %.2f × one d×d double matrix (%.0f MB); "
          "%.0f MB by the end of accumulation\n", rss, rss / matrix_mb, matrix_mb, rss_stream);
  printf ("bundle:               %.1f MB\n", st.st_size / 1e6);
  g_unlink (out);
  g_rmdir (dir);
  g_free (out);
  g_free (dir);
  adiff_build_result_clear (&res);

  gsize blk = block ? block : MAX ((gsize) 64, ((gsize) 1 << 20) / d);
  printf ("decoding alone:       %.0f items/s\n", decode_only (train, d));
  char *batch = g_build_filename (argv[1], "datasets", "cifar10", "test_batch.bin", NULL);
  double gf_mem = g_file_test (batch, G_FILE_TEST_EXISTS) ? accumulate_only (batch, d, 5, blk) : 0;
  printf ("accumulation alone:   %.1f GFLOP/s (50,000 items from memory, no decoding)\n",
          gf_mem);
  g_free (batch);
  double ref_block = plain_syrk (d, block ? block : MAX ((gsize) 64, ((gsize) 1 << 20) / d), 5);
  double ref_large = plain_syrk (d, 2048, 3);
  double ref = MAX (ref_block, ref_large);
  printf ("plain DSYRK:          %.1f GFLOP/s (d = %" G_GSIZE_FORMAT ", k = block), "
          "%.1f GFLOP/s (k = 2048)\n", ref_block, d, ref_large);
  printf ("ratio to plain DSYRK:  %.0f%% alone, %.0f%% while decoding JPEGs on the same "
          "cores\n", 100 * gf_mem / ref, 100 * gf_acc / ref);
  g_free (train);
  return 0;
}
