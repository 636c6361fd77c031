/* cmd-build.c — adiff-stats build: dataset → bundle file.
 *
 * The options that shape items go to the io library's dataset reader
 * (AdiffDatasetOptions); the statistics are ../build/stream.c and finish.c. */
#include <inttypes.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include "stats-commands.h"
#include "adiff-io.h"

#define DEFAULT_EXEMPLARS "2000"  /* also spelled out in the --exemplars help (gettext) */

typedef struct
{
  char   *output, *size, *fit, *augment, *inject, *components, *exemplars, *storage;
  int     patches, threads, block;
  gint64  limit, seed;
  gboolean gray, rgb, skip_bad, f16, partial, quiet;
  double  gamma, share;
  char  **sources;
} BuildArgs;

static gboolean
parse_size (const char *text, guint *w, guint *h, GError **error)
{
  guint64 a, b;
  char *x = text ? strchr (text, 'x') : NULL;
  char *end;
  if (x && g_ascii_isdigit (text[0]) && g_ascii_isdigit (x[1]))
    {
      a = g_ascii_strtoull (text, &end, 10);
      if (end == x)
        {
          b = g_ascii_strtoull (x + 1, &end, 10);
          if (*end == 0 && a > 0 && b > 0 && a <= 65536 && b <= 65536)
            {
              *w = (guint) a;
              *h = (guint) b;
              return TRUE;
            }
        }
    }
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
               _("--size: “%s” is not WIDTHxHEIGHT (for example 32x32)"), text);
  return FALSE;
}

static gboolean
dataset_options (const BuildArgs *a, AdiffDatasetOptions *o, GError **error)
{
  adiff_dataset_options_init (o);
  if (a->size && !parse_size (a->size, &o->width, &o->height, error))
    return FALSE;
  if (a->fit)
    {
      static const char *const names[] = { "none", "resize", "center-crop", "random-crop" };
      guint i;
      for (i = 0; i < G_N_ELEMENTS (names) && g_strcmp0 (a->fit, names[i]) != 0; i++)
        ;
      if (i == G_N_ELEMENTS (names))
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                       _("--fit: “%s” is not resize, center-crop or random-crop"), a->fit);
          return FALSE;
        }
      o->fit = (AdiffFit) i;
    }
  if (a->gray && a->rgb)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("--gray and --rgb exclude each other"));
      return FALSE;
    }
  o->color = a->gray ? ADIFF_COLOR_GRAY : a->rgb ? ADIFF_COLOR_RGB : ADIFF_COLOR_NATIVE;
  if (a->augment && g_strcmp0 (a->augment, "hflip") != 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("--augment: “%s” is not supported (only hflip)"), a->augment);
      return FALSE;
    }
  if (a->patches < 0 || a->threads < 0 || a->limit < 0 || a->block < 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("--patches-per-image, --threads, --limit and --block must not be "
                     "negative"));
      return FALSE;
    }
  if (a->inject && !(isfinite (a->gamma) && a->gamma >= 0))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("--gamma: %g is not a finite value ≥ 0"), a->gamma);
      return FALSE;
    }
  o->augment_hflip = a->augment != NULL;
  o->patches_per_image = (guint) a->patches;
  o->limit = (guint64) a->limit;
  o->seed = (guint64) a->seed;
  o->skip_bad = a->skip_bad;
  o->inject_pattern = a->inject;
  o->inject_gamma = a->gamma;
  o->n_threads = (guint) a->threads;
  return TRUE;
}

typedef struct
{
  AdiffDataset *ds;
} Source;

static gsize
read_dataset (gpointer user, float *items, gint32 *labels, gsize max, GError **error)
{
  Source *s = user;
  return adiff_dataset_read (s->ds, items, labels, max, error);
}

static char *
make_metadata (AdiffDataset *ds, const BuildArgs *a, const char *cmdline)
{
  GKeyFile *kf = options_metadata_new (adiff_dataset_describe (ds), cmdline);
  g_key_file_set_int64 (kf, "bundle", "seed", a->seed);
  g_key_file_set_integer (kf, "bundle", "source-bit-depth",
                          (gint) adiff_dataset_get_bit_depth (ds));
  guint skipped = adiff_dataset_get_n_skipped (ds);
  if (skipped)
    {
      g_key_file_set_integer (kf, "bundle", "skipped-files", (gint) skipped);
      const char *const *names = adiff_dataset_get_skipped (ds);
      g_key_file_set_string_list (kf, "bundle", "skipped", names,
                                  names ? g_strv_length ((char **) names) : 0);
    }
  return options_metadata_text (kf);
}

static void
report_skipped (AdiffDataset *ds)
{
  guint n = adiff_dataset_get_n_skipped (ds);
  if (!n)
    return;
  fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, "adiff-stats: skipped %u unreadable file:\n",
                                "adiff-stats: skipped %u unreadable files:\n", n), n);
  const char *const *names = adiff_dataset_get_skipped (ds);
  for (guint i = 0; names && names[i]; i++)
    fprintf (stderr, "  %s\n", names[i]);
}

static int
run_build (BuildArgs *a, const char *cmdline)
{
  GError *error = NULL;
  AdiffDatasetOptions dopt;
  StatsComponents comps;
  guint64 n_ex;
  if (!dataset_options (a, &dopt, &error) ||
      !options_parse_components (a->components, a->share, &comps, &error) ||
      !options_parse_exemplars (a->exemplars ? a->exemplars : DEFAULT_EXEMPLARS, &n_ex, &error))
    return cli_usage_error (&error);
  int rc = options_claim_output (a->output, a->sources);
  if (rc != CLI_EXIT_OK)
    return rc;

  AdiffDataset *ds = adiff_dataset_open ((const char *const *) a->sources, &dopt, &error);
  if (!ds)
    return cli_fail_error (&error, CLI_EXIT_ERROR);
  guint w = adiff_dataset_get_width (ds), h = adiff_dataset_get_height (ds);
  guint c = adiff_dataset_get_channels (ds);
  AdiffStorage ex_store;
  /* An injected pattern moves values off the 8-bit grid (and out of [0,1]);
   * resized 8-bit images are rounded back to it, within 1/510. */
  gboolean off_grid = a->inject != NULL;
  if (!options_parse_exemplar_storage (a->storage, adiff_dataset_get_bit_depth (ds), off_grid,
                                   &ex_store, &error))
    {
      adiff_dataset_free (ds);
      return cli_usage_error (&error);
    }

  StatsBuildConfig cfg = {
    .dim = (gsize) w * h * c, .expected_items = adiff_dataset_get_n_items (ds),
    .n_exemplars = n_ex, .exemplars_u8 = ex_store == ADIFF_STORE_U8,
    .labels = adiff_dataset_has_labels (ds), .seed = (guint64) a->seed,
    .block = (gsize) a->block, .what = adiff_dataset_describe (ds), .quiet = a->quiet,
    .lower = TRUE,
  };
  Source src = { ds };
  StatsBuildResult res;
  gboolean ok = stats_build_stream (&cfg, read_dataset, &src, &res, &error);
  report_skipped (ds);
  char *meta = ok ? make_metadata (ds, a, cmdline) : NULL;
  adiff_dataset_free (ds);
  if (!ok)
    return cli_fail_error (&error, CLI_EXIT_ERROR);

  StatsFinishConfig fc = {
    .width = w, .height = h, .channels = c, .components = comps, .partial = a->partial,
    .storage = { a->f16 ? ADIFF_STORE_F16 : ADIFF_STORE_F32, ex_store },
    .metadata = meta, .quiet = a->quiet,
    .reservoir = res.reservoir, .reservoir_labels = res.labels,
  };
  guint64 n_items = res.moments.n;
  ok = stats_finish_bundle (a->output, &fc, &res.moments, 0, NULL, NULL, &error);
  guint n_exemplars = res.reservoir ? stats_reservoir_count (res.reservoir) : 0;
  double seconds = res.seconds;
  stats_build_result_clear (&res);
  g_free (meta);
  if (!ok)
    return cli_fail_error (&error, cli_output_code (error));
  if (!a->quiet)
    printf (_("%s: %" PRIu64 " items of %u×%u×%u, %u exemplars%s "
              "(read and accumulated in %.1f s)\n"),
            a->output, n_items, w, h, c, n_exemplars,
            a->partial ? _(", partial") : "", seconds);
  return CLI_EXIT_OK;
}

int
cmd_build (int argc, char **argv)
{
  BuildArgs a = { .components = NULL, .share = STATS_DEFAULT_VARIANCE_SHARE, .gamma = 0.1 };
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a.output,
      N_("Write the bundle to FILE (required)"), N_("FILE") },
    { "size", 0, 0, G_OPTION_ARG_STRING, &a.size,
      N_("Item size (default: the sources' native size, which must agree)"), N_("WxH") },
    { "fit", 0, 0, G_OPTION_ARG_STRING, &a.fit,
      N_("How to bring images to --size: resize, center-crop or random-crop"), N_("MODE") },
    { "patches-per-image", 0, 0, G_OPTION_ARG_INT, &a.patches,
      N_("Draw K random windows of --size from each image (photo-scale statistics)"), "K" },
    { "gray", 0, 0, G_OPTION_ARG_NONE, &a.gray, N_("Convert to gray (Rec. 601 luma)"), NULL },
    { "rgb", 0, 0, G_OPTION_ARG_NONE, &a.rgb, N_("Convert to RGB"), NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT64, &a.limit,
      N_("Use only the first N source images (files, or rows of a CIFAR-10, IDX or .npy "
         "file); with --patches-per-image K they give N·K items, with --augment hflip "
         "twice as many"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &a.seed,
      N_("Seed of every random choice (crops, patches, exemplars; default 0)"), "S" },
    { "augment", 0, 0, G_OPTION_ARG_STRING, &a.augment,
      N_("Add mirrored copies of every item (only: hflip)"), "hflip" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &a.threads,
      N_("Decoding threads (default: all cores)"), "T" },
    { "skip-bad", 0, 0, G_OPTION_ARG_NONE, &a.skip_bad,
      N_("Skip unreadable images in folders (counted and listed)"), NULL },
    { "inject-pattern", 0, 0, G_OPTION_ARG_FILENAME, &a.inject,
      N_("Add γ·c·MASK to every item, c a random colour in [−1,1]³ (manipulation "
         "experiment)"), N_("MASK.png") },
    { "gamma", 0, 0, G_OPTION_ARG_DOUBLE, &a.gamma,
      N_("Strength γ of --inject-pattern (default 0.1)"), "G" },
    { "components", 'k', 0, G_OPTION_ARG_STRING, &a.components,
      N_("Eigenpairs to store: a number, all (default), or auto (the fewest that "
         "explain --variance-share of the variance); the rest is kept as one "
         "variance"), N_("K|all|auto") },
    { "variance-share", 0, 0, G_OPTION_ARG_DOUBLE, &a.share,
      N_("Share of the variance for --components auto (default 0.999)"), N_("S") },
    { "store-f16", 0, 0, G_OPTION_ARG_NONE, &a.f16,
      N_("Store eigenvectors as float16 (half the size)"), NULL },
    { "exemplars", 'e', 0, G_OPTION_ARG_STRING, &a.exemplars,
      N_("Training items to store for the nonparametric denoisers: a number "
         "(seeded random subset, default 2000), all, or 0"), N_("N|all|0") },
    { "exemplar-storage", 0, 0, G_OPTION_ARG_STRING, &a.storage,
      N_("u8, f16, f32 or auto (default: u8 for 8-bit sources, f16 for 16-bit ones, "
         "f32 for float sources and injected patterns)"), N_("TYPE") },
    { "partial", 0, 0, G_OPTION_ARG_NONE, &a.partial,
      N_("Write mergeable sums (no eigendecomposition) for adiff-stats merge"), NULL },
    { "block", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &a.block,
      N_("Items per accumulation block"), "B" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet,
      N_("No progress line and no summary"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a.sources, NULL, NULL },
    { NULL }
  };
  GOptionContext *ctx = cli_context_new (
    N_("SOURCE… — build a statistic bundle"),
    N_("Sources: folders of images (searched recursively: PNG, JPEG, PNM, BMP, TIFF, "
       "WebP), CIFAR-10 *.bin batches, IDX *-idx3-ubyte[.gz] files, NumPy .npy arrays "
       "(N,H,W[,C]).  Several sources are concatenated.\n\n"
       "Mean and covariance are computed over all pixels and channels jointly in double "
       "precision, in one streaming pass (memory independent of the item count).\n\n"
       "Example:\n  adiff-stats build -o cifar.adstats --components auto --store-f16 "
       "cifar-10-batches-bin/data_batch_*.bin"), entries);
  char *cmdline = options_command_line (argc - 1, argv + 1);
  int rc = cli_parse (ctx, &argc, &argv) ?
           options_require_output (a.output, a.sources, _("no SOURCE given")) :
           CLI_EXIT_USAGE;
  if (rc == CLI_EXIT_OK)
    rc = run_build (&a, cmdline);
  g_free (cmdline);
  g_free (a.output);
  g_free (a.size);
  g_free (a.fit);
  g_free (a.augment);
  g_free (a.inject);
  g_free (a.components);
  g_free (a.exemplars);
  g_free (a.storage);
  g_strfreev (a.sources);
  return rc;
}
