/* stats-build.h — the statistics behind adiff-stats: streaming moments,
 * exemplar sampling, eigendecomposition and bundle assembly.  Built as the
 * static library libadiff-statcore, used by the tool, its tests and bench/.
 * Nothing here reads files of a dataset: items arrive through a callback
 * (adiff-stats/cmd-build.c connects it to the io library's AdiffDataset).
 */
#pragma once

#include <math.h>
#include <string.h>
#include <glib.h>
#include "adiff/adiff.h"

G_BEGIN_DECLS

/* ---- accumulate.c: streaming mean and scatter ------------------------- */

/* Centered moments of a set of items: the merge unit. */
typedef struct
{
  gsize    dim;
  guint64  n;
  double  *mean;      /* [dim] */
  double  *scatter;   /* [dim·dim] Σ (x−mean)(x−mean)ᵀ, full symmetric unless lower */
  /* Only the lower triangle in column-major order (entries c·dim + r with
   * r ≥ c) is set; the other half was never written, so its pages were
   * never resident: half the memory, and all the eigendecomposition reads. */
  gboolean lower;
} StatsMoments;

void     stats_moments_clear (StatsMoments *m);
/* Fill the upper half from the lower one (no-op when already full). */
void     stats_moments_symmetrize (StatsMoments *m);
/* Chan et al.'s pairwise update: into ← into ∪ (n, mean, scatter).
 * into may be empty (n = 0, arrays NULL): it then takes copies. */
void     stats_moments_merge (StatsMoments *into, gsize dim, guint64 n,
                              const double *mean, const double *scatter);

typedef struct _StatsAccum StatsAccum;

/* Items per DSYRK call by default: ~8 MB of block, 64..4096 items. */
gsize       stats_accum_default_block (gsize dim);
/* block: items per DSYRK call (0 = stats_accum_default_block). */
StatsAccum *stats_accum_new    (gsize dim, gsize block);
/* Add n items (n·dim floats).  Non-finite values are an error naming
 * `what` and the item's index. */
gboolean    stats_accum_add    (StatsAccum *acc, const float *items, gsize n,
                                const char *what, GError **error);
guint64     stats_accum_count  (const StatsAccum *acc);
/* Seconds spent in DSYRK and the floating-point operations it did
 * (dim·(dim+1)·items, counting a multiply-add as two). */
void        stats_accum_timing (const StatsAccum *acc, double *syrk_seconds,
                                double *seconds, double *flops);
/* Finish into out (takes ownership of the scatter buffer) and free acc. */
void        stats_accum_finish (StatsAccum *acc, StatsMoments *out);
/* The same, leaving out->scatter as its lower triangle (out->lower). */
void        stats_accum_finish_lower (StatsAccum *acc, StatsMoments *out);
void        stats_accum_free   (StatsAccum *acc);

/* ---- exemplars.c: seeded uniform random subset (reservoir) ------------ */

typedef struct _StatsReservoir StatsReservoir;

#define STATS_EXEMPLARS_ALL G_MAXUINT64

/* capacity: items to keep (STATS_EXEMPLARS_ALL = every item).  as_u8 keeps
 * them as bytes (value·255 rounded), a quarter of the memory, for 8-bit
 * sources. */
StatsReservoir *stats_reservoir_new   (gsize dim, guint64 capacity, gboolean as_u8,
                                       guint64 seed);
gboolean        stats_reservoir_add   (StatsReservoir *r, const float *items,
                                       const gint32 *labels, gsize n, GError **error);
guint           stats_reservoir_count (const StatsReservoir *r);
/* Kept items as floats (count·dim) and labels (count), newly allocated. */
float          *stats_reservoir_dup_items  (const StatsReservoir *r);
gint32         *stats_reservoir_dup_labels (const StatsReservoir *r);
void            stats_reservoir_free  (StatsReservoir *r);

/* ---- eigen.c: eigenpairs of a covariance -------------------------------- */

typedef enum { STATS_COMPONENTS_ALL, STATS_COMPONENTS_FIXED, STATS_COMPONENTS_AUTO } StatsComponentsMode;

typedef struct
{
  StatsComponentsMode mode;
  guint   k;          /* FIXED: components to keep (capped at dim) */
  double  share;      /* AUTO: smallest k whose eigenvalues hold this share of the variance */
} StatsComponents;

#define STATS_DEFAULT_VARIANCE_SHARE 0.999

typedef struct
{
  gsize   dim;
  guint   k;
  double *eigenvalues;   /* [k] descending, ≥ 0 */
  double *eigenvectors;  /* [k·dim] row i = unit eigenvector i */
  double *spectrum;      /* [dim] all eigenvalues, descending, clipped at 0 */
  double  residual;      /* mean variance of the dim−k discarded directions */
  double  total;         /* Σ spectrum */
} StatsEigen;

/* cov (dim×dim symmetric; only its lower triangle in column-major order is
 * read) is destroyed.  Memory beyond cov: dim·k doubles plus O(dim). */
gboolean stats_eigen_compute (double *cov, gsize dim, const StatsComponents *choice,
                              StatsEigen *out, GError **error);
void     stats_eigen_clear   (StatsEigen *e);
/* Components needed for a share of the variance, from a descending spectrum. */
guint    stats_eigen_components_for_share (const double *spectrum, gsize dim, double share);

/* ---- stream.c: stream items into moments and exemplars ----------------- */

/* Fill up to max items (max·dim floats) and labels (may be NULL); return
 * the count, 0 at the end; on error 0 and set error.  Runs on the reader
 * thread. */
typedef gsize (*StatsReadItems) (gpointer user, float *items, gint32 *labels,
                                 gsize max, GError **error);

typedef struct
{
  gsize     dim;
  guint64   expected_items;  /* for the progress line; 0 if unknown */
  guint64   n_exemplars;     /* 0, N or STATS_EXEMPLARS_ALL */
  gboolean  exemplars_u8;
  gboolean  labels;          /* the source has labels */
  guint64   seed;
  gsize     block;           /* items per block (0 = default) */
  const char *what;          /* source description for messages */
  gboolean  quiet;
  gboolean  lower;           /* leave moments.scatter as its lower triangle */
} StatsBuildConfig;

typedef struct
{
  StatsMoments moments;
  /* Exemplars as sampled (8-bit when exemplars_u8), or NULL; converted to
   * floats only when written, after the eigendecomposition freed the
   * covariance (stats_finish_* with StatsFinishConfig.reservoir). */
  StatsReservoir *reservoir;
  gboolean labels;
  double   seconds;          /* wall time of the streaming pass */
  double   accum_seconds;    /* time the accumulating thread was busy */
  double   syrk_seconds, flops;
} StatsBuildResult;

/* Items per DSYRK block for cfg (its block, or the default for its dim). */
gsize    stats_build_block (const StatsBuildConfig *config);
/* Bytes of the buffers items pass through on their way into the
 * accumulator: the chunks the reader fills and the DSYRK block. */
gsize    stats_build_buffer_bytes (const StatsBuildConfig *config);

/* Decoding (read) runs on its own thread, overlapped with accumulation. */
gboolean stats_build_stream (const StatsBuildConfig *config, StatsReadItems read,
                             gpointer user, StatsBuildResult *result, GError **error);
void     stats_build_result_clear (StatsBuildResult *result);

/* ---- finish.c: moments (+ exemplars) → bundle file ---------------------- */

typedef struct
{
  guint     width, height, channels;
  StatsComponents components;
  gboolean  partial;          /* write the scatter, no eigendecomposition */
  AdiffWriteOptions storage;
  const char *metadata;       /* GKeyFile text; explained variance is added */
  gboolean  quiet;
  /* Exemplars from a build: used when the exemplars argument is NULL. */
  const StatsReservoir *reservoir;
  gboolean  reservoir_labels;
} StatsFinishConfig;

/* moments->scatter is consumed (destroyed) unless partial; it may be a
 * lower triangle (moments->lower), made full when written as partial. */
gboolean stats_finish_bundle (const char *path, const StatsFinishConfig *config,
                              StatsMoments *moments, guint n_exemplars,
                              const float *exemplars, const gint32 *labels,
                              GError **error);

/* Build the in-memory bundle instead of writing a file (for tests and
 * comparisons); same consumption rules. */
AdiffBundle *stats_finish_in_memory (const StatsFinishConfig *config,
                                     StatsMoments *moments, guint n_exemplars,
                                     const float *exemplars, const gint32 *labels,
                                     GError **error);

/* ---- exemplar-counts.c: how many exemplars each merged part gives ----- */

/* How many exemplars to take from each of n parts so that the union is a
 * uniform random subset of all their items: a multivariate hypergeometric
 * draw of `want` from populations items[i], capped at have[i]. */
void stats_exemplar_counts (guint n_parts, const guint64 *items,
                                  const guint64 *have, guint64 want, GRand *rand,
                                  guint64 *take);

G_END_DECLS
