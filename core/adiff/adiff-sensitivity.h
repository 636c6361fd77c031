/* adiff-sensitivity.h — sensitivity fields: which input pixels influence
 * output coordinate q.
 *
 * Wiener: row q of W_σ (independent of the input).  Analytic (eq. 8):
 * the Jacobian row at input z, J_qp = [p ∈ M_q]/σ² · Cov_{w^q}(x_q, x_p).
 * Optimal: J_qp = 1/σ² · Cov_w(x_q, x_p).
 */
#pragma once

#include <glib.h>
#include "adiff-denoiser.h"

G_BEGIN_DECLS

/* Fill field (d doubles, the window's layout) with ∂x̂_q/∂z.  z (d floats) is
 * needed for the nonlinear methods and ignored by Wiener (may be NULL). */
gboolean adiff_sensitivity       (AdiffDenoiser *denoiser,
                                  const float   *z,
                                  gsize          q,
                                  double        *field,
                                  GError       **error);

/* The analytic mask M_q as a 0/1 vector of d bytes. */
gboolean adiff_analytic_mask     (AdiffBundle *bundle,
                                  double       sigma,
                                  double       tau,
                                  gsize        q,
                                  guint8      *mask,
                                  GError     **error);

G_END_DECLS
