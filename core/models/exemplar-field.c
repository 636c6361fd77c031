/* exemplar-field.c — the Jacobian row shared by the exemplar models
 * (optimal, analytic): x̂_q = Σ_i w_i x^(i)_q with w = softmax(ℓ) and
 * ∂ℓ_i/∂z_p = (x^(i)_p − z_p)/σ² on the coordinates the logit sees, so
 *
 *   ∂x̂_q/∂z_p = Cov_w(x_q, x_p)/σ²   for p in the compared set,
 *
 * the covariance of exemplar values under the weights.  In double; one
 * window costs a few passes over the exemplars, which is fine for an
 * interactive probe.
 */
#include "models/models-private.h"

/* Masked squared distances in double (mask NULL = every coordinate). */
static void
distances (AdiffBundle *b, const float *z, const guint8 *mask, double *dist)
{
  gsize d = b->dim;
  for (gsize i = 0; i < b->n_exemplars; i++)
    {
      const float *x = b->exemplars + i * d;
      double s = 0;
      for (gsize p = 0; p < d; p++)
        if (!mask || mask[p])
          {
            double e = (double) z[p] - x[p];
            s += e * e;
          }
      dist[i] = s;
    }
}

/* dist → normalised softmax weights of −dist/2σ², in place. */
static void
softmax (double *dist, gsize n, double sigma)
{
  double lo = G_MAXDOUBLE, sum = 0;
  for (gsize i = 0; i < n; i++)
    lo = MIN (lo, dist[i]);
  for (gsize i = 0; i < n; i++)
    {
      dist[i] = exp (-(dist[i] - lo) / (2 * sigma * sigma));
      sum += dist[i];
    }
  for (gsize i = 0; i < n; i++)
    dist[i] /= sum;
}

void
adiff__exemplar_field (AdiffBundle *b, const float *z, const guint8 *mask, gsize q,
                double sigma, double *field)
{
  gsize d = b->dim, n = b->n_exemplars;
  double *w = g_new (double, n), *mean = g_new0 (double, d);
  distances (b, z, mask, w);
  softmax (w, n, sigma);
  for (gsize i = 0; i < n; i++)
    for (gsize p = 0; p < d; p++)
      mean[p] += w[i] * b->exemplars[i * d + p];
  memset (field, 0, d * sizeof (double));
  for (gsize i = 0; i < n; i++)
    {
      const float *x = b->exemplars + i * d;
      double cq = w[i] * (x[q] - mean[q]) / (sigma * sigma);
      for (gsize p = 0; p < d; p++)
        if (!mask || mask[p])
          field[p] += cq * (x[p] - mean[p]);
    }
  g_free (w);
  g_free (mean);
}
