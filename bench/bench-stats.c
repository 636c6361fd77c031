/* bench-stats.c — build the CIFAR-10 training bundle (50,000 × 3072) from
 * its JPEG files the way `adiff-stats build --components auto --store-f16`
 * does, and print wall time, peak RSS and the GFLOP/s of the covariance
 * accumulation next to the two targets:
 *
 *  (a) accumulation, with the JPEGs decoded on the same cores at the same
 *      time, at ≥ 70 % of a plain large OpenBLAS DSYRK measured in the same
 *      run.  The accumulation rate is its floating-point work divided by
 *      the WALL time of the whole streaming pass (decoding included, any
 *      wait for decoded images included), not by the time spent in DSYRK;
 *  (b) peak RSS of the build (measured before the reference runs below
 *      allocate anything) under 1.5 × one d×d double matrix plus the input
 *      buffers (the builder's chunks of decoded items and the accumulator's
 *      block; the io library's decoding batches are not counted as such and
 *      so count against the target).
 *
 * The plain DSYRK runs in a child process (its own matrices must not count
 * in the build's peak RSS), right before and right after the streaming
 * pass; the faster of the two is the reference, so a machine that got
 * busier or quieter during the run cannot flatter the ratio.  Wall times
 * leave the reference runs out.
 *
 *   bench-stats SHARED_DIR [BLOCK]
 *   bench-stats --plain-dsyrk D K REPS     (the child: prints GFLOP/s)
 *
 * Exits 77 (skipped) when SHARED_DIR/datasets/cifar10/train is absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <cblas.h>
#include <glib/gstdio.h>
#include "stats-build.h"
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

/* Resident memory now, from /proc/self/statm (0 where there is none). */
static double
rss_now_mb (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;
  if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL) ||
      sscanf (text, "%lu %lu", &size, &resident) != 2)
    return 0;
  return resident * (double) sysconf (_SC_PAGESIZE) / (1024.0 * 1024.0);
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
  StatsAccum *acc = stats_accum_new (d, block);
  double t0 = now ();
  for (int r = 0; r < reps; r++)
    for (gsize i = 0; i < got; i += 1000)
      if (!stats_accum_add (acc, items + i * d, MIN ((gsize) 1000, got - i), batch, &error))
        g_error ("%s", error->message);
  StatsMoments mom;
  stats_accum_finish (acc, &mom);
  double gf = (double) d * (d + 1) * got * reps / (now () - t0) / 1e9;
  stats_moments_clear (&mom);
  g_free (items);
  return gf;
}

/* plain_syrk in a child process: this program with --plain-dsyrk. */
static double
plain_syrk_child (const char *self, gsize d, gsize k, int reps)
{
  g_autofree char *sd = g_strdup_printf ("%" G_GSIZE_FORMAT, d);
  g_autofree char *sk = g_strdup_printf ("%" G_GSIZE_FORMAT, k);
  g_autofree char *sr = g_strdup_printf ("%d", reps);
  const char *argv[] = { self, "--plain-dsyrk", sd, sk, sr, NULL };
  g_autofree char *out = NULL;
  GError *error = NULL;
  gint status;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                     &status, &error) || !g_spawn_check_wait_status (status, &error))
    g_error ("plain DSYRK: %s", error->message);
  return g_ascii_strtod (out, NULL);
}

/* Plain DSYRK at k = block and k = 2048: the faster. */
static double
plain_reference (const char *self, gsize d, gsize block, double *at_block, double *large)
{
  *at_block = plain_syrk_child (self, d, block, 5);
  *large = plain_syrk_child (self, d, 2048, 3);
  return MAX (*at_block, *large);
}

typedef struct
{
  guint64 n;
  gsize   d, block;
  double  ref_before_block, ref_before_large, ref_after_block, ref_after_large;
  double  t_total, t_open, t_stream, t_finish;
  double  flops, syrk_seconds, accum_seconds;
  double  rss_base, rss_stream, rss_peak_stream, rss_peak, buffers_mb, bundle_mb;
} Run;

/* The measured build: stream (decode + accumulate), then eigendecomposition
 * and writing, exactly as adiff-stats build does them. */
static void
run_build (const char *self, const char *train, gsize block, Run *run)
{
  GError *error = NULL;
  run->rss_base = rss_now_mb ();
  double t_open = now ();
  AdiffDataset *ds = open_dataset (train);
  run->t_open = now () - t_open;
  gsize d = (gsize) adiff_dataset_get_width (ds) * adiff_dataset_get_height (ds) *
            adiff_dataset_get_channels (ds);
  gsize k = block ? block : stats_accum_default_block (d);
  /* The reference right before and right after the streaming pass. */
  plain_reference (self, d, k, &run->ref_before_block, &run->ref_before_large);
  double t_start = now ();
  StatsBuildConfig cfg = {
    .dim = d, .expected_items = adiff_dataset_get_n_items (ds), .n_exemplars = 2000,
    .exemplars_u8 = TRUE, .labels = adiff_dataset_has_labels (ds), .seed = 1,
    .block = block, .what = "cifar10 train", .quiet = TRUE, .lower = TRUE,
  };
  StatsBuildResult res;
  if (!stats_build_stream (&cfg, read_items, ds, &res, &error))
    g_error ("%s", error->message);
  double t_stream = now ();
  run->rss_stream = rss_now_mb ();
  run->rss_peak_stream = peak_rss_mb ();
  adiff_dataset_free (ds);
  plain_reference (self, d, k, &run->ref_after_block, &run->ref_after_large);
  double t_finish = now ();

  char *dir = g_dir_make_tmp ("bench-stats-XXXXXX", NULL);
  char *out = g_build_filename (dir, "cifar.adstats", NULL);
  StatsFinishConfig fc = {
    .width = 32, .height = 32, .channels = 3,
    .components = { STATS_COMPONENTS_AUTO, 0, STATS_DEFAULT_VARIANCE_SHARE },
    .storage = { ADIFF_STORE_F16, ADIFF_STORE_U8 }, .quiet = TRUE,
    .reservoir = res.reservoir, .reservoir_labels = res.labels,
  };
  run->n = res.moments.n;
  if (!stats_finish_bundle (out, &fc, &res.moments, 0, NULL, NULL, &error))
    g_error ("%s", error->message);
  double t_end = now ();
  run->rss_peak = peak_rss_mb ();
  GStatBuf st;
  g_stat (out, &st);
  run->bundle_mb = st.st_size / 1e6;
  g_unlink (out);
  g_rmdir (dir);
  g_free (out);
  g_free (dir);

  run->d = d;
  run->block = stats_build_block (&cfg);
  run->buffers_mb = stats_build_buffer_bytes (&cfg) / (1024.0 * 1024.0);
  run->t_stream = t_stream - t_start;
  run->t_finish = t_end - t_finish;
  run->t_total = run->t_open + run->t_stream + run->t_finish;
  run->flops = res.flops;
  run->syrk_seconds = res.syrk_seconds;
  run->accum_seconds = res.accum_seconds;
  stats_build_result_clear (&res);
}

static const char *
verdict (gboolean met)
{
  return met ? "MET" : "NOT MET";
}

int
main (int argc, char **argv)
{
  if (argc == 5 && strcmp (argv[1], "--plain-dsyrk") == 0)
    {
      printf ("%.3f\n", plain_syrk (g_ascii_strtoull (argv[2], NULL, 10),
                                     g_ascii_strtoull (argv[3], NULL, 10), atoi (argv[4])));
      return 0;
    }
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
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (!self)
    self = g_strdup (argv[0]);
  Run r;
  run_build (self, train, block, &r);
  double matrix_mb = (double) r.d * r.d * 8 / (1024.0 * 1024.0);

  /* References, after the build's peak RSS has been taken. */
  double decode_rate = decode_only (train, r.d);
  char *batch = g_build_filename (argv[1], "datasets", "cifar10", "test_batch.bin", NULL);
  double gf_mem = g_file_test (batch, G_FILE_TEST_EXISTS) ?
                  accumulate_only (batch, r.d, 5, r.block) : 0;
  g_free (batch);
  double ref_before = MAX (r.ref_before_block, r.ref_before_large);
  double ref_after = MAX (r.ref_after_block, r.ref_after_large);
  double ref = MAX (ref_before, ref_after);

  double gf_stream = r.flops / r.t_stream / 1e9;
  double ratio = gf_stream / ref;
  double rss_target = 1.5 * matrix_mb + r.buffers_mb;
  printf ("CIFAR-10 train: %" G_GUINT64_FORMAT " items × d = %" G_GSIZE_FORMAT
          " (JPEG files; block %" G_GSIZE_FORMAT " items; %d BLAS threads, %u cores)\n",
          r.n, r.d, r.block, openblas_get_num_threads (), g_get_num_processors ());
  printf ("wall time:            %.1f s total = %.1f s listing the folder + %.1f s decode + "
          "accumulate + %.1f s eigendecomposition + write\n", r.t_total, r.t_open, r.t_stream,
          r.t_finish);
  printf ("items/s:              %.0f while accumulating; %.0f decoding alone\n",
          r.n / r.t_stream, decode_rate);
  printf ("accumulation:         %.1f GFLOP in %.1f s of streaming: %.1f GFLOP/s "
          "(DSYRK calls alone %.1f GFLOP/s, %.1f s)\n", r.flops / 1e9, r.t_stream,
          gf_stream, r.flops / r.syrk_seconds / 1e9, r.syrk_seconds);
  printf ("accumulation alone:   %.1f GFLOP/s (10,000 items from memory × 5, no "
          "decoding)\n", gf_mem);
  printf ("plain DSYRK:          %.1f GFLOP/s (d = %" G_GSIZE_FORMAT ", k = %" G_GSIZE_FORMAT
          "), %.1f GFLOP/s (k = 2048) before the build; %.1f and %.1f after; "
          "reference %.1f\n", r.ref_before_block, r.d, r.block, r.ref_before_large,
          r.ref_after_block, r.ref_after_large, ref);
  printf ("(a) ratio:            %.0f%% of plain DSYRK while decoding JPEGs on the same "
          "cores (target ≥ 70%%): %s; %.0f%% against the reference before, %.0f%% after; "
          "%.0f%% from memory\n", 100 * ratio, verdict (ratio >= 0.70),
          100 * gf_stream / ref_before, 100 * gf_stream / ref_after, 100 * gf_mem / ref);
  printf ("(b) peak RSS:         %.1f MiB (target < 1.5 × %.1f MiB matrix + %.1f MiB input "
          "buffers = %.1f MiB): %s\n", r.rss_peak, matrix_mb, r.buffers_mb, rss_target,
          verdict (r.rss_peak < rss_target));
  printf ("    RSS:              %.1f MiB before the build; %.1f MiB at the end of the "
          "accumulation (peak so far %.1f MiB); %.2f × one matrix at the peak\n",
          r.rss_base, r.rss_stream, r.rss_peak_stream, r.rss_peak / matrix_mb);
  printf ("bundle:               %.1f MB\n", r.bundle_mb);
  g_free (train);
  return 0;
}
