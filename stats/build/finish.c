/* finish.c — from moments to a bundle: covariance = scatter / n (the
 * empirical covariance of the training items, as the paper's Gaussian
 * model uses), eigendecomposition, metadata; or, for a partial bundle, the
 * scatter itself so that shards can be merged exactly later.
 */
#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "progress.h"
#include "stats-build.h"

/* The streaming pass freed its blocks, chunks and decoding buffers, but
 * glibc keeps freed heap memory (of the decoding threads' arenas above all)
 * mapped: hand it back before the eigendecomposition adds its d×k
 * eigenvectors, or it counts in the peak on top of them. */
static void
return_free_memory (void)
{
#ifdef __GLIBC__
  malloc_trim (0);
#endif
}

static char *
complete_metadata (const StatsFinishConfig *cfg, const StatsMoments *m,
                   const StatsEigen *eig)
{
  GKeyFile *kf = g_key_file_new ();
  if (cfg->metadata)
    g_key_file_load_from_data (kf, cfg->metadata, (gsize) -1, G_KEY_FILE_KEEP_COMMENTS, NULL);
  const char *g = "bundle";
  g_key_file_set_uint64 (kf, g, "items", m->n);
  g_key_file_set_integer (kf, g, "width", (gint) cfg->width);
  g_key_file_set_integer (kf, g, "height", (gint) cfg->height);
  g_key_file_set_integer (kf, g, "channels", (gint) cfg->channels);
  g_key_file_set_string (kf, g, "value-range", "0 1");
  g_key_file_set_string (kf, g, "color-encoding", "sRGB");
  g_key_file_set_string (kf, g, "covariance", "scatter / items");
  if (!g_key_file_has_key (kf, g, "tool", NULL))
    g_key_file_set_string (kf, g, "tool", "adiff-stats " ADIFF_VERSION);
  if (eig)
    {
      double kept = 0;
      for (guint i = 0; i < eig->k; i++)
        kept += eig->spectrum[i];
      g_key_file_set_double (kf, g, "total-variance", eig->total);
      g_key_file_set_double (kf, g, "explained-variance",
                             eig->total > 0 ? kept / eig->total : 1.0);
    }
  g_key_file_set_boolean (kf, g, "partial", cfg->partial);
  char *text = g_key_file_to_data (kf, NULL, NULL);
  g_key_file_free (kf);
  return text;
}

typedef gboolean (*Sink) (const AdiffBundleData *data, gpointer user, GError **error);

static gboolean
finish (const StatsFinishConfig *cfg, StatsMoments *m, guint n_ex, const float *ex,
        const gint32 *labels, Sink sink, gpointer user, GError **error)
{
  gsize d = m->dim;
  if (d != (gsize) cfg->width * cfg->height * cfg->channels || m->n < 1)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   "statistics of %" G_GSIZE_FORMAT " values do not fit a %u×%u×%u window",
                   d, cfg->width, cfg->height, cfg->channels);
      return FALSE;
    }
  AdiffBundleData data = {
    .width = cfg->width, .height = cfg->height, .channels = cfg->channels,
    .n_items = m->n, .mean = m->mean, .n_exemplars = n_ex, .exemplars = ex,
    .labels = labels,
  };
  StatsEigen eig = { 0 };
  gboolean ok;
  if (cfg->partial)
    {
      /* Isotropic model of the same total variance: still a usable bundle. */
      stats_moments_symmetrize (m);
      double trace = 0;
      for (gsize p = 0; p < d; p++)
        trace += m->scatter[p * d + p];
      data.residual_variance = MAX (trace, 0.0) / ((double) m->n * d);
      data.scatter = m->scatter;
    }
  else
    {
      /* The lower triangle (column-major) is all DSYTRD reads: leave the
       * other half untouched, and non-resident when it was never written. */
      for (gsize c = 0; c < d; c++)
        for (gsize r = c; r < d; r++)
          m->scatter[c * d + r] /= (double) m->n;
      return_free_memory ();
      CliProgress *progress = cli_progress_new (_("eigendecomposition"), 0, cfg->quiet);
      ok = stats_eigen_compute (m->scatter, d, &cfg->components, &eig, error);
      cli_progress_free (progress);
      g_clear_pointer (&m->scatter, g_free);   /* destroyed by the decomposition */
      if (!ok)
        return FALSE;
      data.n_components = eig.k;
      data.eigenvalues = eig.eigenvalues;
      data.eigenvectors = eig.eigenvectors;
      data.residual_variance = eig.residual;
    }
  /* Only now, with the covariance gone, expand sampled exemplars to floats. */
  float *owned_ex = NULL;
  gint32 *owned_labels = NULL;
  if (!ex && cfg->reservoir && stats_reservoir_count (cfg->reservoir))
    {
      data.n_exemplars = stats_reservoir_count (cfg->reservoir);
      data.exemplars = owned_ex = stats_reservoir_dup_items (cfg->reservoir);
      if (cfg->reservoir_labels)
        data.labels = owned_labels = stats_reservoir_dup_labels (cfg->reservoir);
    }
  char *meta = complete_metadata (cfg, m, cfg->partial ? NULL : &eig);
  data.metadata = meta;
  ok = sink (&data, user, error);
  g_free (meta);
  g_free (owned_ex);
  g_free (owned_labels);
  stats_eigen_clear (&eig);
  return ok;
}

typedef struct
{
  const char *path;
  const AdiffWriteOptions *storage;
} FileSink;

static gboolean
to_file (const AdiffBundleData *data, gpointer user, GError **error)
{
  FileSink *s = user;
  return adiff_bundle_write (s->path, data, s->storage, error);
}

static gboolean
to_memory (const AdiffBundleData *data, gpointer user, GError **error)
{
  AdiffBundle **out = user;
  *out = adiff_bundle_new_from_data (data, error);
  return *out != NULL;
}

gboolean
stats_finish_bundle (const char *path, const StatsFinishConfig *cfg, StatsMoments *m,
                     guint n_ex, const float *ex, const gint32 *labels, GError **error)
{
  FileSink s = { path, &cfg->storage };
  return finish (cfg, m, n_ex, ex, labels, to_file, &s, error);
}

AdiffBundle *
stats_finish_in_memory (const StatsFinishConfig *cfg, StatsMoments *m, guint n_ex,
                        const float *ex, const gint32 *labels, GError **error)
{
  AdiffBundle *b = NULL;
  if (!finish (cfg, m, n_ex, ex, labels, to_memory, &b, error))
    return NULL;
  return b;
}
