/* bundle.c — the in-memory bundle: validation, construction, accessors.
 * Reading and writing files lives in read.c and write.c. */
#include "adiff-private.h"
#include <inttypes.h>
#include <glib/gi18n-lib.h>

/* A window larger than this is refused everywhere (d = 65536 is a 256×256
 * gray or 147×147 RGB window; its covariance alone is 32 GiB). */
#define MAX_DIM 65536

static gboolean
check_doubles (const double *v, gsize n, const char *name, const char *what,
               GError **error)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i]))
      {
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
                     _("%s: %s has a non-finite value at index %zu"),
                     name, what, i);
        return FALSE;
      }
  return TRUE;
}

gboolean
adiff__bundle_data_check (const AdiffBundleData *data, const char *name,
                         GError **error)
{
  if (data->width == 0 || data->height == 0 ||
      (data->channels != 1 && data->channels != 3))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("%s: window %u×%u with %u channels is not valid "
                   "(need a non-empty window with 1 or 3 channels)"),
                   name, data->width, data->height, data->channels);
      return FALSE;
    }
  guint64 dim = (guint64) data->width * data->height * data->channels;
  if (dim > MAX_DIM)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("%s: window of %" PRIu64 " values exceeds the limit of %d"),
                   name, dim, MAX_DIM);
      return FALSE;
    }
  if (data->n_components > dim)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("%s: %u components for a window of %" PRIu64 " values"),
                   name, data->n_components, dim);
      return FALSE;
    }
  if (!data->mean || (data->n_components && (!data->eigenvalues || !data->eigenvectors)) ||
      (data->n_exemplars && !data->exemplars))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("%s: missing mean, eigenpairs or exemplars"), name);
      return FALSE;
    }
  if (!check_doubles (data->mean, dim, name, "the mean", error) ||
      !check_doubles (data->eigenvalues, data->n_components, name, "the eigenvalues", error) ||
      !check_doubles (data->eigenvectors, (gsize) data->n_components * dim, name,
                      "the eigenvectors", error))
    return FALSE;
  for (guint i = 0; i < data->n_components; i++)
    {
      if (data->eigenvalues[i] < 0 ||
          (i > 0 && data->eigenvalues[i] > data->eigenvalues[i - 1]))
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                       _("%s: eigenvalue %u (%g) is negative or out of descending order"),
                       name, i, data->eigenvalues[i]);
          return FALSE;
        }
    }
  if (!isfinite (data->residual_variance) || data->residual_variance < 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("%s: residual variance %g is not a finite value ≥ 0"),
                   name, data->residual_variance);
      return FALSE;
    }
  if (data->n_exemplars)
    {
      const float *x = data->exemplars;
      gsize n = (gsize) data->n_exemplars * dim;
      for (gsize i = 0; i < n; i++)
        if (!isfinite (x[i]))
          {
            g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
                         _("%s: exemplar %zu has a non-finite value"),
                         name, i / dim);
            return FALSE;
          }
    }
  if (data->scatter &&
      !check_doubles (data->scatter, (gsize) dim * dim, name, "the scatter matrix", error))
    return FALSE;
  return TRUE;
}

AdiffBundle *
adiff__bundle_alloc (const char *name)
{
  AdiffBundle *b = g_new0 (AdiffBundle, 1);
  b->ref_count = 1;
  b->name = g_strdup (name ? name : "<memory>");
  b->metadata = g_strdup ("");
  return b;
}

ADIFF_EXPORT AdiffBundle *
adiff_bundle_new_from_data (const AdiffBundleData *data, GError **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  if (!adiff__bundle_data_check (data, "<memory>", error))
    return NULL;

  AdiffBundle *b = adiff__bundle_alloc (NULL);
  gsize d = (gsize) data->width * data->height * data->channels;
  gsize k = data->n_components;
  b->width = data->width;
  b->height = data->height;
  b->channels = data->channels;
  b->dim = d;
  b->n_items = data->n_items;
  b->mean = g_memdup2 (data->mean, d * sizeof (double));
  b->n_components = k;
  b->eigenvalues = k ? g_memdup2 (data->eigenvalues, k * sizeof (double)) : NULL;
  b->eigenvectors = g_new (float, k * d + 1);
  for (gsize i = 0; i < k * d; i++)
    b->eigenvectors[i] = (float) data->eigenvectors[i];
  b->residual_variance = data->residual_variance;
  b->n_exemplars = data->n_exemplars;
  if (data->n_exemplars)
    b->exemplars = g_memdup2 (data->exemplars, (gsize) data->n_exemplars * d * sizeof (float));
  if (data->labels && data->n_exemplars)
    b->labels = g_memdup2 (data->labels, data->n_exemplars * sizeof (gint32));
  if (data->scatter)
    b->scatter = g_memdup2 (data->scatter, d * d * sizeof (double));
  g_free (b->metadata);
  b->metadata = g_strdup (data->metadata ? data->metadata : "");
  return b;
}

ADIFF_EXPORT AdiffBundle *
adiff_bundle_ref (AdiffBundle *bundle)
{
  g_return_val_if_fail (bundle != NULL, NULL);
  g_atomic_int_inc (&bundle->ref_count);
  return bundle;
}

ADIFF_EXPORT void
adiff_bundle_unref (AdiffBundle *bundle)
{
  if (!bundle || !g_atomic_int_dec_and_test (&bundle->ref_count))
    return;
  g_free (bundle->name);
  g_free (bundle->mean);
  g_free (bundle->eigenvalues);
  g_free (bundle->eigenvectors);
  g_free (bundle->exemplars);
  g_free (bundle->labels);
  g_free (bundle->scatter);
  g_free (bundle->metadata);
  g_free (bundle);
}

ADIFF_EXPORT guint   adiff_bundle_get_width (const AdiffBundle *b)        { return b->width; }
ADIFF_EXPORT guint   adiff_bundle_get_height (const AdiffBundle *b)       { return b->height; }
ADIFF_EXPORT guint   adiff_bundle_get_channels (const AdiffBundle *b)     { return b->channels; }
ADIFF_EXPORT gsize   adiff_bundle_get_dim (const AdiffBundle *b)          { return b->dim; }
ADIFF_EXPORT guint64 adiff_bundle_get_n_items (const AdiffBundle *b)      { return b->n_items; }
ADIFF_EXPORT guint   adiff_bundle_get_n_components (const AdiffBundle *b) { return b->n_components; }
ADIFF_EXPORT const double *adiff_bundle_get_mean (const AdiffBundle *b)   { return b->mean; }
ADIFF_EXPORT const double *adiff_bundle_get_eigenvalues (const AdiffBundle *b) { return b->eigenvalues; }
ADIFF_EXPORT const float *adiff_bundle_get_eigenvectors (const AdiffBundle *b) { return b->eigenvectors; }
ADIFF_EXPORT double  adiff_bundle_get_residual_variance (const AdiffBundle *b) { return b->residual_variance; }
ADIFF_EXPORT guint   adiff_bundle_get_n_exemplars (const AdiffBundle *b)  { return b->n_exemplars; }
ADIFF_EXPORT const float *adiff_bundle_get_exemplars (const AdiffBundle *b) { return b->exemplars; }
ADIFF_EXPORT const gint32 *adiff_bundle_get_labels (const AdiffBundle *b) { return b->labels; }
ADIFF_EXPORT const double *adiff_bundle_get_scatter (const AdiffBundle *b) { return b->scatter; }
ADIFF_EXPORT const char *adiff_bundle_get_metadata (const AdiffBundle *b) { return b->metadata; }
ADIFF_EXPORT const char *adiff_bundle_get_name (const AdiffBundle *b)     { return b->name; }
