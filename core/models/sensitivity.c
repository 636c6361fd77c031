/* sensitivity.c — sensitivity fields ∂x̂_q/∂z of the denoisers.
 *
 * Wiener: x̂ = μ + W_σ(z − μ), so the field is row q of W_σ.
 * Exemplar models: x̂_q = Σ_i w_i x^(i)_q with w = softmax(ℓ) and
 * ∂ℓ_i/∂z_p = (x^(i)_p − z_p)/σ² on the coordinates the logit sees, so
 *
 *   ∂x̂_q/∂z_p = Cov_w(x_q, x_p)/σ²   for p in the compared set,
 *
 * the covariance of exemplar values under the weights: the whole window
 * for the optimal denoiser, M_q for the analytic model (eq. 8), and for
 * the patch baseline the patch around q's pixel, where each (exemplar,
 * position) item contributes the value at the same offset from its own
 * centre (zero outside its window).
 *
 * Everything is in double; one window costs a few passes over the
 * exemplars, which is fine for an interactive probe.
 */
#include "models/models-private.h"
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
  return adiff_check_finite (z, b->dim, _("the sensitivity input"), error);
}

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

/* Optimal and analytic: field[p] = [p ∈ mask] Cov_w(x_q, x_p)/σ². */
static void
exemplar_field (AdiffBundle *b, const float *z, const guint8 *mask, gsize q,
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

/* ---- patch baseline ---- */

typedef struct
{
  AdiffBundle *b;
  const float *z;
  int          r;          /* patch radius */
  int          ax, ay;     /* q's pixel */
  guint        c;          /* q's channel */
  gboolean     equivariant;
} PatchProbe;

static double
value (const float *v, const AdiffBundle *b, int x, int y, guint c)
{
  if (x < 0 || y < 0 || x >= (int) b->width || y >= (int) b->height)
    return 0.0;
  return v[((gsize) y * b->width + x) * b->channels + c];
}

/* Squared distance between the patch of z at q's pixel and the patch of
 * exemplar x at (bx, by). */
static double
patch_distance (const PatchProbe *pp, const float *x, int bx, int by)
{
  double s = 0;
  for (int dy = -pp->r; dy <= pp->r; dy++)
    for (int dx = -pp->r; dx <= pp->r; dx++)
      for (guint c = 0; c < pp->b->channels; c++)
        {
          double e = value (pp->z, pp->b, pp->ax + dx, pp->ay + dy, c)
                     - value (x, pp->b, bx + dx, by + dy, c);
          s += e * e;
        }
  return s;
}

/* Items are (exemplar, position); visit calls fn for each with its
 * distance.  Non-equivariant: q's own position only. */
typedef void (*ItemFunc) (const PatchProbe *pp, const float *x, int bx, int by,
                          double dist, gpointer data);

static void
visit (const PatchProbe *pp, ItemFunc fn, gpointer data)
{
  AdiffBundle *b = pp->b;
  for (gsize i = 0; i < b->n_exemplars; i++)
    {
      const float *x = b->exemplars + i * b->dim;
      for (int by = 0; by < (int) b->height; by++)
        for (int bx = 0; bx < (int) b->width; bx++)
          if (pp->equivariant || (bx == pp->ax && by == pp->ay))
            fn (pp, x, bx, by, patch_distance (pp, x, bx, by), data);
    }
}

typedef struct
{
  double  lo;        /* smallest distance */
  double  sum;       /* Σ exp(−(dist − lo)/2σ²) */
  double  inv_2s2;
  double *mean;      /* [(2r+1)²·C] mean of the offset values; [0..C) unused */
  double  mean_q;
  double *field;     /* [(2r+1)²·C] Σ w (x_q − mean_q)(x_o − mean_o) */
  int     stage;
} Moments;

static void
moment_item (const PatchProbe *pp, const float *x, int bx, int by, double dist,
             gpointer data)
{
  Moments *m = data;
  if (m->stage == 0)
    {
      m->lo = MIN (m->lo, dist);
      return;
    }
  double w = exp (-(dist - m->lo) * m->inv_2s2);
  if (m->stage == 1)
    {
      m->sum += w;
      m->mean_q += w * value (x, pp->b, bx, by, pp->c);
    }
  int k = 2 * pp->r + 1;
  guint C = pp->b->channels;
  double xq = value (x, pp->b, bx, by, pp->c);
  for (int dy = -pp->r; dy <= pp->r; dy++)
    for (int dx = -pp->r; dx <= pp->r; dx++)
      for (guint c = 0; c < C; c++)
        {
          gsize o = ((gsize) (dy + pp->r) * k + (dx + pp->r)) * C + c;
          double v = value (x, pp->b, bx + dx, by + dy, c);
          if (m->stage == 1)
            m->mean[o] += w * v;
          else
            m->field[o] += w * (xq - m->mean_q) * (v - m->mean[o]);
        }
}

static void
patch_field (AdiffDenoiser *den, const float *z, gsize q, double *field)
{
  AdiffBundle *b = den->bundle;
  double sigma = den->params.sigma;
  guint k = den->params.patch_size ? den->params.patch_size : adiff_patch_default_size (sigma);
  k = MIN (k, 2 * MAX (b->width, b->height) - 1);
  gsize pix = q / b->channels;
  PatchProbe pp = { b, z, (int) k / 2, (int) (pix % b->width), (int) (pix / b->width),
                    (guint) (q % b->channels), den->params.equivariant };
  gsize no = (gsize) k * k * b->channels;
  Moments m = { G_MAXDOUBLE, 0, 1.0 / (2 * sigma * sigma), g_new0 (double, no), 0,
                g_new0 (double, no), 0 };
  for (m.stage = 0; m.stage < 3; m.stage++)
    {
      visit (&pp, moment_item, &m);
      if (m.stage == 1)
        {
          m.mean_q /= m.sum;
          for (gsize o = 0; o < no; o++)
            m.mean[o] /= m.sum;
        }
    }
  /* Offsets → window coordinates; outside the window z has no entry. */
  memset (field, 0, b->dim * sizeof (double));
  for (int dy = -pp.r; dy <= pp.r; dy++)
    for (int dx = -pp.r; dx <= pp.r; dx++)
      {
        int x = pp.ax + dx, y = pp.ay + dy;
        if (x < 0 || y < 0 || x >= (int) b->width || y >= (int) b->height)
          continue;
        for (guint c = 0; c < b->channels; c++)
          {
            gsize o = ((gsize) (dy + pp.r) * k + (dx + pp.r)) * b->channels + c;
            field[((gsize) y * b->width + x) * b->channels + c] =
              m.field[o] / m.sum / (sigma * sigma);
          }
      }
  g_free (m.mean);
  g_free (m.field);
}

ADIFF_EXPORT gboolean
adiff_sensitivity (AdiffDenoiser *denoiser, const float *z, gsize q,
                   double *field, GError **error)
{
  g_return_val_if_fail (denoiser != NULL && field != NULL, FALSE);
  if (!check_args (denoiser, z, q, error))
    return FALSE;
  AdiffBundle *b = denoiser->bundle;
  const AdiffParams *p = &denoiser->params;
  switch (p->method)
    {
    case ADIFF_METHOD_WIENER:
      adiff_wiener_row (b, p->sigma, q, field);
      return TRUE;
    case ADIFF_METHOD_OPTIMAL:
      exemplar_field (b, z, NULL, q, p->sigma, field);
      return TRUE;
    case ADIFF_METHOD_ANALYTIC:
      {
        guint8 *mask = g_new (guint8, b->dim);
        gboolean ok = adiff_analytic_mask (b, p->sigma, p->tau, q, mask, error);
        if (ok)
          exemplar_field (b, z, mask, q, p->sigma, field);
        g_free (mask);
        return ok;
      }
    case ADIFF_METHOD_PATCH:
      patch_field (denoiser, z, q, field);
      return TRUE;
    }
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
               _("sensitivity: unknown method %d"), (int) p->method);
  return FALSE;
}
