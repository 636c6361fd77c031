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

typedef enum { ADIFF_COLORMAP_INFERNO, ADIFF_COLORMAP_VIRIDIS, ADIFF_COLORMAP_COOLWARM } AdiffColormap;

/* Render a field of width·height values (summed over channels by the caller
 * or passed per pixel) to RGB floats in [0,1].  signed_: map −m..m with a
 * diverging map centred on 0; else |v| from 0..m.  m = max |v|. */
void     adiff_render_field      (const double *field, guint width, guint height,
                                  gboolean signed_, AdiffColormap map,
                                  float *rgb);
gboolean adiff_colormap_from_string (const char *name, AdiffColormap *map);
void     adiff_colormap_lookup   (AdiffColormap map, double t, float rgb[3]);

G_END_DECLS
