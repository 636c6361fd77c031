/* adiff-private.h — internals shared by libadiff's source files. */
#pragma once

#include <math.h>
#include <string.h>
#include "adiff/adiff.h"

#define ADIFF_EXPORT __attribute__ ((visibility ("default")))

struct _AdiffBundle
{
  gint     ref_count;
  char    *name;            /* file name or "<memory>" */
  guint    width, height, channels;
  gsize    dim;             /* width·height·channels */
  guint64  n_items;
  double  *mean;            /* [dim] */
  guint    n_components;
  double  *eigenvalues;     /* [k] */
  float   *eigenvectors;    /* [k·dim] */
  double   residual_variance;
  guint    n_exemplars;
  float   *exemplars;       /* [n·dim] or NULL */
  gint32  *labels;          /* [n] or NULL */
  double  *scatter;         /* [dim·dim] or NULL */
  char    *metadata;        /* never NULL */
};

/* Validate AdiffBundleData (sizes, finiteness, order) without copying. */
gboolean adiff__bundle_data_check (const AdiffBundleData *data,
                                  const char            *name,
                                  GError               **error);

/* An empty bundle (ref count 1) to be filled by a loader. */
AdiffBundle *adiff__bundle_alloc (const char *name);

/* Per-method implementation behind AdiffDenoiser. */
typedef struct _AdiffDenoiserClass AdiffDenoiserClass;
struct _AdiffDenoiserClass
{
  /* Prepare state from bundle and params; return NULL + error on failure. */
  gpointer (*prepare) (AdiffDenoiser *denoiser, GError **error);
  gboolean (*apply)   (AdiffDenoiser *denoiser, const float *in, gsize n,
                       float *out, GError **error);
  void     (*finalize)(gpointer state);
  /* Optional: apply knowing each coordinate's share of its output pixel
   * (the tiler's blending), so a fast mode can spend its effort where the
   * output uses it.  NULL: apply is used. */
  gboolean (*apply_shares) (AdiffDenoiser *denoiser, const float *in, gsize n,
                            const float *share, float *out, GError **error);
  /* Optional: windows per apply call that make good use of the caches
   * (0 or NULL: the caller's default). */
  guint    (*batch_size) (AdiffDenoiser *denoiser);
  /* Optional: n windows are about to come, so state a denoiser builds
   * lazily once enough windows were seen is built now. */
  void     (*expect) (AdiffDenoiser *denoiser, guint64 n, guint n_threads);
  /* ∂x̂_q/∂z into field [d] (adiff_sensitivity, which checked q and z;
   * z is NULL for Wiener). */
  gboolean (*jacobian_row) (AdiffDenoiser *denoiser, const float *z, gsize q,
                            double *field, GError **error);
};

struct _AdiffDenoiser
{
  AdiffBundle *bundle;
  AdiffParams  params;
  const AdiffDenoiserClass *klass;
  gpointer     state;
};

/* adiff_denoiser_apply for windows whose coordinate q makes up share[q]
 * of its output pixel ([dim], in (0, 1]); exact modes ignore it. */
gboolean adiff__denoiser_apply_shares (AdiffDenoiser *denoiser, const float *in,
                                      gsize n, const float *share, float *out,
                                      GError **error);

/* Tell the denoiser that n windows will follow (see the class's expect);
 * what it builds for them now uses n_threads threads (0: its own
 * n_threads). */
void     adiff__denoiser_expect (AdiffDenoiser *denoiser, guint64 n, guint n_threads);

/* Windows per apply call the denoiser prefers, or `fallback`. */
guint    adiff__denoiser_batch_size (AdiffDenoiser *denoiser, guint fallback);

extern const AdiffDenoiserClass adiff__wiener_class;
extern const AdiffDenoiserClass adiff__optimal_class;
extern const AdiffDenoiserClass adiff__analytic_class;
extern const AdiffDenoiserClass adiff__patch_class;

/* Wiener gains: g_i − s_r for each component and s_r = r/(r+σ²). */
void adiff__wiener_gains (const AdiffBundle *bundle, double sigma,
                         double *gains, double *rest_gain);

/* Checks shared by entry points. */
gboolean adiff__check_finite (const float *v, gsize n, const char *what,
                             GError **error);
