/* denoiser.c — parameters, validation and dispatch to one file per method. */
#include "adiff-private.h"
#include <glib/gi18n-lib.h>

static const char *const method_names[] = { "wiener", "optimal", "analytic", "patch" };

ADIFF_EXPORT void
adiff_params_init (AdiffParams *params)
{
  memset (params, 0, sizeof *params);
  params->method = ADIFF_METHOD_WIENER;
  params->sigma = 25.0 / 255.0;
  params->tau = 0.02;
  params->equivariant = TRUE;
  params->overlap = 2;
}

ADIFF_EXPORT const char *
adiff_method_to_string (AdiffMethod method)
{
  return (guint) method < G_N_ELEMENTS (method_names) ? method_names[method] : "unknown";
}

ADIFF_EXPORT gboolean
adiff_method_from_string (const char *name, AdiffMethod *method)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (method_names); i++)
    if (g_ascii_strcasecmp (name, method_names[i]) == 0)
      {
        *method = (AdiffMethod) i;
        return TRUE;
      }
  return FALSE;
}

ADIFF_EXPORT gboolean
adiff_method_needs_exemplars (AdiffMethod method)
{
  return method != ADIFF_METHOD_WIENER;
}

static const AdiffDenoiserClass *
class_for (AdiffMethod method)
{
  switch (method)
    {
    case ADIFF_METHOD_WIENER:   return &adiff__wiener_class;
    case ADIFF_METHOD_OPTIMAL:  return &adiff__optimal_class;
    case ADIFF_METHOD_ANALYTIC: return &adiff__analytic_class;
    case ADIFF_METHOD_PATCH:    return &adiff__patch_class;
    }
  return NULL;
}

static gboolean
check_params (AdiffBundle *bundle, const AdiffParams *p, GError **error)
{
  if (!class_for (p->method))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("unknown denoising method %d"), (int) p->method);
      return FALSE;
    }
  /* σ above 1e6 is meaningless for data in [0,1] and overflows σ² in float. */
  if (!isfinite (p->sigma) || p->sigma <= 0 || p->sigma > 1e6)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("noise level σ = %g is not valid (need 0 < σ ≤ 1e6 in [0,1] units)"),
                   p->sigma);
      return FALSE;
    }
  if (!isfinite (p->tau) || p->tau <= 0 || p->tau > 1)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("mask threshold τ = %g is outside (0, 1]"), p->tau);
      return FALSE;
    }
  if (p->overlap == 1 || p->overlap > ADIFF_MAX_OVERLAP)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("window overlap %u is outside 2–%u (windows over each pixel "
                     "along each axis)"), p->overlap, ADIFF_MAX_OVERLAP);
      return FALSE;
    }
  if (adiff_method_needs_exemplars (p->method) && bundle->n_exemplars == 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NO_EXEMPLARS,
                   _("%s: the %s denoiser needs exemplars, and this bundle has none "
                   "(rebuild it with adiff-stats build --exemplars N)"),
                   bundle->name, adiff_method_to_string (p->method));
      return FALSE;
    }
  if (p->method == ADIFF_METHOD_PATCH && p->patch_size != 0 && p->patch_size % 2 == 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("patch size %u must be odd"), p->patch_size);
      return FALSE;
    }
  return TRUE;
}

ADIFF_EXPORT AdiffDenoiser *
adiff_denoiser_new (AdiffBundle *bundle, const AdiffParams *params, GError **error)
{
  g_return_val_if_fail (bundle != NULL && params != NULL, NULL);
  if (!check_params (bundle, params, error))
    return NULL;

  AdiffDenoiser *d = g_new0 (AdiffDenoiser, 1);
  d->bundle = adiff_bundle_ref (bundle);
  d->params = *params;
  if (d->params.overlap == 0)
    d->params.overlap = 2;         /* 0 asks for the default */
  d->klass = class_for (params->method);
  d->state = d->klass->prepare (d, error);
  if (!d->state)
    {
      adiff_bundle_unref (d->bundle);
      g_free (d);
      return NULL;
    }
  return d;
}

ADIFF_EXPORT void
adiff_denoiser_free (AdiffDenoiser *denoiser)
{
  if (!denoiser)
    return;
  denoiser->klass->finalize (denoiser->state);
  adiff_bundle_unref (denoiser->bundle);
  g_free (denoiser);
}

ADIFF_EXPORT AdiffBundle *
adiff_denoiser_get_bundle (AdiffDenoiser *denoiser)
{
  return denoiser->bundle;
}

ADIFF_EXPORT const AdiffParams *
adiff_denoiser_get_params (AdiffDenoiser *denoiser)
{
  return &denoiser->params;
}

ADIFF_EXPORT gboolean
adiff_denoiser_apply (AdiffDenoiser *denoiser, const float *in, gsize n,
                      float *out, GError **error)
{
  g_return_val_if_fail (denoiser != NULL && in != NULL && out != NULL, FALSE);
  if (!adiff__check_finite (in, n * denoiser->bundle->dim, _("the noisy input"), error))
    return FALSE;
  return denoiser->klass->apply (denoiser, in, n, out, error);
}

guint
adiff__denoiser_batch_size (AdiffDenoiser *denoiser, guint fallback)
{
  guint n = denoiser->klass->batch_size ? denoiser->klass->batch_size (denoiser) : 0;
  return n ? n : fallback;
}

void
adiff__denoiser_expect (AdiffDenoiser *denoiser, guint64 n, guint n_threads)
{
  if (denoiser->klass->expect)
    denoiser->klass->expect (denoiser, n, n_threads);
}

gboolean
adiff__denoiser_apply_shares (AdiffDenoiser *denoiser, const float *in, gsize n,
                             const float *share, float *out, GError **error)
{
  if (!denoiser->klass->apply_shares)
    return adiff_denoiser_apply (denoiser, in, n, out, error);
  if (!adiff__check_finite (in, n * denoiser->bundle->dim, _("the noisy input"), error))
    return FALSE;
  return denoiser->klass->apply_shares (denoiser, in, n, share, out, error);
}
