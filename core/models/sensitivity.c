/* sensitivity.c — sensitivity fields ∂x̂_q/∂z of the denoisers: the
 * arguments checked, then the model's own Jacobian row (the jacobian_row
 * slot of its class, next to the model):
 *
 *   Wiener (wiener.c): x̂ = μ + W_σ(z − μ), so the field is row q of W_σ;
 *   optimal, analytic (exemplar-field.c): the covariance of exemplar
 *     values under the softmax weights, over the whole window for the
 *     optimal denoiser and over M_q for the analytic model (eq. 8);
 *   patch (patch.c): the same over (exemplar, position) items, on the
 *     patch around q's pixel.
 *
 * Everything is in double.
 */
#include "adiff-private.h"
#include <glib/gi18n-lib.h>

static gboolean
check_args (AdiffDenoiser *den, const float *z, gsize q, GError **error)
{
  AdiffBundle *b = den->bundle;
  if (q >= b->dim)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("sensitivity: coordinate %zu is outside the window "
                   "of %zu values"), q, b->dim);
      return FALSE;
    }
  if (den->params.method == ADIFF_METHOD_WIENER)
    return TRUE;
  if (!z)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("sensitivity: the %s denoiser needs the input window"),
                   adiff_method_to_string (den->params.method));
      return FALSE;
    }
  return adiff__check_finite (z, b->dim, _("the sensitivity input"), error);
}

ADIFF_EXPORT gboolean
adiff_sensitivity (AdiffDenoiser *denoiser, const float *z, gsize q,
                   double *field, GError **error)
{
  g_return_val_if_fail (denoiser != NULL && field != NULL, FALSE);
  if (!check_args (denoiser, z, q, error))
    return FALSE;
  return denoiser->klass->jacobian_row (denoiser, z, q, field, error);
}
