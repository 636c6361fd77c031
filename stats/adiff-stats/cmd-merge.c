/* cmd-merge.c — adiff-stats merge: partial bundles (build --partial) built
 * by different jobs or machines → one bundle, exactly as if built at once.
 *
 * Moments combine with Chan's pairwise update (accumulate.c); exemplars by
 * a hypergeometric draw over the parts (../build/exemplar-counts.c).  Parts are loaded one at
 * a time: memory is the merged d×d scatter plus one part. */
#include <inttypes.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include "stats-commands.h"
#include "adiff-io.h"

typedef struct
{
  char    *output, *components, *exemplars, *storage;
  gboolean f16, partial, quiet;
  double   share;
  gint64   seed;
  char   **parts;
} MergeArgs;

typedef struct
{
  StatsMoments moments;
  GArray  *exemplars;   /* float */
  GArray  *labels;      /* gint32 */
  gboolean all_labels;
  GString *sources;
  guint    widest;      /* widest exemplar element size among the parts */
} Merged;

/* Read every part's header: geometry, counts, and that it is partial. */
static gboolean
scan_parts (char **parts, AdiffBundleLayout *layouts, guint n, GError **error)
{
  for (guint i = 0; i < n; i++)
    {
      if (!adiff_bundle_layout_read (parts[i], &layouts[i], error))
        return FALSE;
      if (!adiff_bundle_layout_find (&layouts[i], "SCAT"))
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                       _("%s: not a partial bundle (build it with adiff-stats build "
                         "--partial)"), parts[i]);
          return FALSE;
        }
      if (layouts[i].width != layouts[0].width || layouts[i].height != layouts[0].height ||
          layouts[i].channels != layouts[0].channels)
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                       _("%s: window %u×%u×%u differs from %s (%u×%u×%u)"), parts[i],
                       layouts[i].width, layouts[i].height, layouts[i].channels, parts[0],
                       layouts[0].width, layouts[0].height, layouts[0].channels);
          return FALSE;
        }
    }
  return TRUE;
}

/* take of the part's n exemplars, chosen uniformly (partial Fisher–Yates). */
static void
take_exemplars (Merged *m, AdiffBundle *b, guint64 take, GRand *rand)
{
  guint n = adiff_bundle_get_n_exemplars (b);
  gsize d = adiff_bundle_get_dim (b);
  const float *x = adiff_bundle_get_exemplars (b);
  const gint32 *labels = adiff_bundle_get_labels (b);
  guint *idx = g_new (guint, n + 1);
  for (guint i = 0; i < n; i++)
    idx[i] = i;
  for (guint64 j = 0; j < take && j < n; j++)
    {
      guint r = (guint) g_rand_int_range (rand, (gint32) j, (gint32) n);
      guint t = idx[j];
      idx[j] = idx[r];
      idx[r] = t;
      g_array_append_vals (m->exemplars, x + (gsize) idx[j] * d, (guint) d);
      gint32 label = labels ? labels[idx[j]] : -1;
      g_array_append_val (m->labels, label);
    }
  m->all_labels = m->all_labels && labels != NULL;
  g_free (idx);
}

static void
note_source (Merged *m, AdiffBundle *b)
{
  GKeyFile *kf = g_key_file_new ();
  char *src = NULL;
  if (g_key_file_load_from_data (kf, adiff_bundle_get_metadata (b), (gsize) -1, 0, NULL))
    src = g_key_file_get_string (kf, "bundle", "source", NULL);
  g_string_append_printf (m->sources, "%s%s", m->sources->len ? "; " : "",
                          src ? src : adiff_bundle_get_name (b));
  g_free (src);
  g_key_file_free (kf);
}

static gboolean
merge_parts (const MergeArgs *a, guint n, const AdiffBundleLayout *layouts, guint64 want,
             Merged *m, GError **error)
{
  guint64 *items = g_new (guint64, n), *have = g_new (guint64, n), *take = g_new (guint64, n);
  guint32 seed[2] = { (guint32) a->seed, (guint32) ((guint64) a->seed >> 32) };
  GRand *rand = g_rand_new_with_seed_array (seed, 2);
  for (guint i = 0; i < n; i++)
    {
      items[i] = layouts[i].n_items;
      have[i] = layouts[i].n_exemplars;
    }
  stats_exemplar_counts (n, items, have, want, rand, take);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < n; i++)
    {
      AdiffBundle *b = adiff_bundle_open (a->parts[i], NULL, error);
      if (!b || !adiff_bundle_get_scatter (b))
        {
          if (b)
            g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                         _("%s: not a partial bundle"), a->parts[i]);
          ok = FALSE;
          adiff_bundle_unref (b);
          break;
        }
      stats_moments_merge (&m->moments, adiff_bundle_get_dim (b), adiff_bundle_get_n_items (b),
                           adiff_bundle_get_mean (b), adiff_bundle_get_scatter (b));
      take_exemplars (m, b, take[i], rand);
      note_source (m, b);
      const AdiffBundleSection *ex = adiff_bundle_layout_find (&layouts[i], "EXEM");
      if (ex && take[i])
        m->widest = MAX (m->widest, g_strcmp0 (adiff_bundle_elem_name (ex->type), "u8") == 0 ? 1u :
                                    g_strcmp0 (adiff_bundle_elem_name (ex->type), "f16") == 0 ? 2u : 4u);
      adiff_bundle_unref (b);
    }
  g_rand_free (rand);
  g_free (items);
  g_free (have);
  g_free (take);
  return ok;
}

static char *
merged_metadata (const Merged *m, guint n, const char *cmdline)
{
  char *src = g_strdup_printf (_("merge of %u partial bundles: %s"), n, m->sources->str);
  GKeyFile *kf = options_metadata_new (src, cmdline);
  g_free (src);
  return options_metadata_text (kf);
}

static int
run_merge (MergeArgs *a, const char *cmdline)
{
  GError *error = NULL;
  StatsComponents comps;
  guint64 want;
  if (!options_parse_components (a->components, a->share, &comps, &error) ||
      !options_parse_exemplars (a->exemplars ? a->exemplars : "2000", &want, &error))
    return cli_usage_error (&error);
  int rc = options_claim_output (a->output, a->parts);
  if (rc != CLI_EXIT_OK)
    return rc;

  guint n = g_strv_length (a->parts);
  AdiffBundleLayout *layouts = g_new0 (AdiffBundleLayout, n);
  Merged m = { { 0 }, g_array_new (FALSE, FALSE, sizeof (float)),
               g_array_new (FALSE, FALSE, sizeof (gint32)), TRUE, g_string_new (NULL), 0 };
  int code = CLI_EXIT_ERROR;     /* when reading the parts fails */
  gboolean ok = scan_parts (a->parts, layouts, n, &error) &&
                merge_parts (a, n, layouts, want, &m, &error);
  AdiffStorage ex_store = ADIFF_STORE_F32;
  if (ok)
    ok = options_parse_exemplar_storage (a->storage, m.widest <= 1 ? 8 : m.widest == 2 ? 16 : 32,
                                     FALSE, &ex_store, &error);
  if (ok)
    {
      char *meta = merged_metadata (&m, n, cmdline);
      StatsFinishConfig fc = {
        .width = layouts[0].width, .height = layouts[0].height,
        .channels = layouts[0].channels, .components = comps, .partial = a->partial,
        .storage = { a->f16 ? ADIFF_STORE_F16 : ADIFF_STORE_F32, ex_store },
        .metadata = meta, .quiet = a->quiet,
      };
      guint n_ex = m.labels->len;
      ok = stats_finish_bundle (a->output, &fc, &m.moments, n_ex,
                                n_ex ? (const float *) m.exemplars->data : NULL,
                                n_ex && m.all_labels ? (const gint32 *) m.labels->data : NULL,
                                &error);
      if (!ok)
        code = cli_output_code (error);
      if (ok && !a->quiet)
        printf (_("%s: %" PRIu64 " items from %u parts, %u exemplars%s\n"),
                a->output, m.moments.n, n, n_ex, a->partial ? _(", partial") : "");
      g_free (meta);
    }
  stats_moments_clear (&m.moments);
  g_array_unref (m.exemplars);
  g_array_unref (m.labels);
  g_string_free (m.sources, TRUE);
  g_free (layouts);
  return ok ? CLI_EXIT_OK : cli_fail_error (&error, code);
}

int
cmd_merge (int argc, char **argv)
{
  MergeArgs a = { .share = STATS_DEFAULT_VARIANCE_SHARE };
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a.output,
      N_("Write the merged bundle to FILE (required)"), N_("FILE") },
    { "components", 'k', 0, G_OPTION_ARG_STRING, &a.components,
      N_("Eigenpairs to store: a number, all (default) or auto"), N_("K|all|auto") },
    { "variance-share", 0, 0, G_OPTION_ARG_DOUBLE, &a.share,
      N_("Share of the variance for --components auto (default 0.999)"), N_("S") },
    { "store-f16", 0, 0, G_OPTION_ARG_NONE, &a.f16,
      N_("Store eigenvectors as float16"), NULL },
    { "exemplars", 'e', 0, G_OPTION_ARG_STRING, &a.exemplars,
      N_("Exemplars to keep from the union of the parts' exemplars: a number "
         "(default 2000), all, or 0"), N_("N|all|0") },
    { "exemplar-storage", 0, 0, G_OPTION_ARG_STRING, &a.storage,
      N_("u8, f16, f32 or auto (default: the widest type among the parts)"), N_("TYPE") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &a.seed,
      N_("Seed of the exemplar choice (default 0)"), "S" },
    { "partial", 0, 0, G_OPTION_ARG_NONE, &a.partial,
      N_("Write a partial bundle again (for merging in stages)"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet, N_("No progress and no summary"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a.parts, NULL, NULL },
    { NULL }
  };
  GOptionContext *ctx = cli_context_new (N_("PART… — merge partial bundles"),
    N_("Combines bundles written by “adiff-stats build --partial” (counts, means and "
       "centered scatter matrices, merged exactly with Chan et al.'s pairwise update) "
       "and finishes the eigendecomposition.  The result equals a single build over "
       "all items up to rounding.  Exemplars are drawn so that they are a uniform "
       "random subset of all items (as far as the parts stored enough)."), entries);
  char *cmdline = options_command_line (argc - 1, argv + 1);
  int rc = cli_parse (ctx, &argc, &argv) ?
           options_require_output (a.output, a.parts, _("no PART given")) :
           CLI_EXIT_USAGE;
  if (rc == CLI_EXIT_OK)
    rc = run_merge (&a, cmdline);
  g_free (cmdline);
  g_free (a.output);
  g_free (a.components);
  g_free (a.exemplars);
  g_free (a.storage);
  g_strfreev (a.parts);
  return rc;
}
