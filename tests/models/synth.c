/* synth.c — see synth.h.  The references are written as directly as
 * possible from the formulas, in double, with no BLAS. */
#include <lapacke.h>
#include "synth.h"

static double
gaussian (GRand *r)
{
  double u = 1.0 - g_rand_double (r), v = g_rand_double (r);
  return sqrt (-2 * log (u)) * cos (2 * G_PI * v);
}

typedef struct { guint w, h, c; } Geom;

static double
cov (Geom g, gsize p, gsize q)
{
  gsize pp = p / g.c, qp = q / g.c;
  int dx = abs ((int) (pp % g.w) - (int) (qp % g.w));
  int dy = abs ((int) (pp / g.w) - (int) (qp / g.w));
  double chan = (p % g.c == q % g.c) ? 1.0 : 0.6;
  return 0.02 * pow (0.7, dx) * pow (0.6, dy) * chan;
}

/* Full eigen-decomposition of the covariance, descending. */
static void
eigen (Geom g, gsize d, double *lambda, double *vecs /* d×d rows */)
{
  double *a = g_new (double, d * d);
  for (gsize p = 0; p < d; p++)
    for (gsize q = 0; q < d; q++)
      a[p * d + q] = cov (g, p, q);
  double *wr = g_new (double, d);
  int info = LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'V', 'U', (int) d, a, (int) d, wr);
  g_assert_cmpint (info, ==, 0);
  for (gsize i = 0; i < d; i++)        /* ascending → descending, columns → rows */
    {
      gsize src = d - 1 - i;
      lambda[i] = MAX (wr[src], 0.0);
      for (gsize p = 0; p < d; p++)
        vecs[i * d + p] = a[p * d + src];
    }
  g_free (a);
  g_free (wr);
}

static void
draw (Geom g, gsize d, const double *mean, const double *lambda,
      const double *vecs, GRand *r, double *x)
{
  for (gsize p = 0; p < d; p++)
    x[p] = mean[p];
  for (gsize i = 0; i < d; i++)
    {
      double a = sqrt (lambda[i]) * gaussian (r);
      for (gsize p = 0; p < d; p++)
        x[p] += a * vecs[i * d + p];
    }
}

/* The bundle's arrays, allocated; free with synth_data_free. */
static AdiffBundleData
synth_data (guint w, guint h, guint c, guint n, guint k, guint32 seed)
{
  Geom g = { w, h, c };
  gsize d = (gsize) w * h * c;
  double *mean = g_new (double, d), *lambda = g_new (double, d);
  double *vecs = g_new (double, d * d), *x = g_new (double, d);
  float *ex = g_new (float, (gsize) n * d + 1);
  for (gsize p = 0; p < d; p++)
    mean[p] = 0.5 + 0.1 * ((double) p / d - 0.5);
  eigen (g, d, lambda, vecs);
  GRand *r = g_rand_new_with_seed (seed);
  for (guint i = 0; i < n; i++)
    {
      draw (g, d, mean, lambda, vecs, r, x);
      for (gsize p = 0; p < d; p++)
        ex[i * d + p] = (float) x[p];
    }
  g_rand_free (r);
  g_free (x);
  if (k == 0 || k > d)
    k = d;
  double rest = 0;
  for (gsize i = k; i < d; i++)
    rest += lambda[i];
  return (AdiffBundleData) {
    .width = w, .height = h, .channels = c, .n_items = n,
    .mean = mean, .n_components = k, .eigenvalues = lambda, .eigenvectors = vecs,
    .residual_variance = k < d ? rest / (d - k) : 0.0,
    .n_exemplars = n, .exemplars = ex,
  };
}

static void
synth_data_free (AdiffBundleData *data)
{
  g_free ((double *) data->mean);
  g_free ((double *) data->eigenvalues);
  g_free ((double *) data->eigenvectors);
  g_free ((float *) data->exemplars);
}

AdiffBundle *
synth_bundle (guint w, guint h, guint c, guint n, guint k, guint32 seed)
{
  AdiffBundleData data = synth_data (w, h, c, n, k, seed);
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_new_from_data (&data, &error);
  g_assert_no_error (error);
  synth_data_free (&data);
  return b;
}

void
synth_bundle_write (const char *path, guint w, guint h, guint c, guint n, guint k,
                    guint32 seed)
{
  AdiffBundleData data = synth_data (w, h, c, n, k, seed);
  GError *error = NULL;
  g_assert_true (adiff_bundle_write (path, &data, NULL, &error));
  g_assert_no_error (error);
  synth_data_free (&data);
}

void
synth_noisy (AdiffBundle *b, double sigma, guint32 seed, float *z)
{
  /* A draw from the same Gaussian: the bundle's mean and eigenpairs (plus
   * the residual variance isotropically), then noise. */
  gsize d = b->dim;
  GRand *r = g_rand_new_with_seed (seed);
  for (gsize p = 0; p < d; p++)
    z[p] = (float) (b->mean[p] + sqrt (b->residual_variance) * gaussian (r));
  for (guint i = 0; i < b->n_components; i++)
    {
      double a = sqrt (b->eigenvalues[i]) * gaussian (r);
      for (gsize p = 0; p < d; p++)
        z[p] += (float) (a * b->eigenvectors[i * d + p]);
    }
  for (gsize p = 0; p < d; p++)
    z[p] += (float) (sigma * gaussian (r));
  g_rand_free (r);
}

double *
ref_wiener_matrix (AdiffBundle *b, double sigma)
{
  gsize d = b->dim;
  double s2 = sigma * sigma, r = b->residual_variance;
  double sr = r > 0 ? r / (r + s2) : 0;
  double *w = g_new0 (double, d * d);
  for (gsize p = 0; p < d; p++)
    w[p * d + p] = sr;
  for (guint i = 0; i < b->n_components; i++)
    {
      double gi = b->eigenvalues[i] / (b->eigenvalues[i] + s2) - sr;
      const float *u = b->eigenvectors + i * d;
      for (gsize p = 0; p < d; p++)
        for (gsize q = 0; q < d; q++)
          w[p * d + q] += gi * (double) u[p] * u[q];
    }
  return w;
}

guint8 *
ref_masks (AdiffBundle *b, double sigma, double tau)
{
  gsize d = b->dim;
  double *w = ref_wiener_matrix (b, sigma);
  guint8 *m = g_new0 (guint8, d * d);
  for (gsize q = 0; q < d; q++)
    {
      double mx = 0;
      for (gsize p = 0; p < d; p++)
        mx = MAX (mx, fabs (w[q * d + p]));
      for (gsize p = 0; p < d; p++)
        m[q * d + p] = fabs (w[q * d + p]) >= tau * mx;
    }
  g_free (w);
  return m;
}

/* Softmax-weighted mean of column q of the exemplars, with the given
 * squared distances. */
static double
softmax_mean (AdiffBundle *b, const double *dist, double sigma, gsize q)
{
  double lo = G_MAXDOUBLE, num = 0, den = 0;
  for (guint i = 0; i < b->n_exemplars; i++)
    lo = MIN (lo, dist[i]);
  for (guint i = 0; i < b->n_exemplars; i++)
    {
      double w = exp (-(dist[i] - lo) / (2 * sigma * sigma));
      num += w * b->exemplars[i * b->dim + q];
      den += w;
    }
  return num / den;
}

void
ref_optimal (AdiffBundle *b, double sigma, const float *z, double *out)
{
  gsize d = b->dim;
  double *dist = g_new0 (double, b->n_exemplars);
  for (guint i = 0; i < b->n_exemplars; i++)
    for (gsize p = 0; p < d; p++)
      {
        double e = (double) z[p] - b->exemplars[i * d + p];
        dist[i] += e * e;
      }
  for (gsize q = 0; q < d; q++)
    out[q] = softmax_mean (b, dist, sigma, q);
  g_free (dist);
}

void
ref_analytic (AdiffBundle *b, double sigma, double tau, const float *z, double *out)
{
  gsize d = b->dim;
  guint8 *m = ref_masks (b, sigma, tau);
  double *dist = g_new (double, b->n_exemplars);
  for (gsize q = 0; q < d; q++)
    {
      for (guint i = 0; i < b->n_exemplars; i++)
        {
          dist[i] = 0;
          for (gsize p = 0; p < d; p++)
            if (m[q * d + p])
              {
                double e = (double) z[p] - b->exemplars[i * d + p];
                dist[i] += e * e;
              }
        }
      out[q] = softmax_mean (b, dist, sigma, q);
    }
  g_free (dist);
  g_free (m);
}

/* Value at (x, y, c) of a window, 0 outside. */
static double
at (const float *v, guint w, guint h, guint c, int x, int y, guint ch)
{
  if (x < 0 || y < 0 || x >= (int) w || y >= (int) h)
    return 0;
  return v[((gsize) y * w + x) * c + ch];
}

void
ref_patch (AdiffBundle *b, double sigma, guint k, gboolean equivariant,
           const float *z, double *out)
{
  guint w = b->width, h = b->height, c = b->channels, n = b->n_exemplars;
  int r = (int) k / 2;
  gsize np = (gsize) n * w * h;
  double *dist = g_new (double, np);
  double *centre = g_new (double, np * c);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        gsize cnt = 0;
        for (guint i = 0; i < n; i++)
          for (guint v = 0; v < h; v++)
            for (guint u = 0; u < w; u++)
              {
                if (!equivariant && (u != x || v != y))
                  continue;
                const float *e = b->exemplars + (gsize) i * b->dim;
                double s = 0;
                for (int dy = -r; dy <= r; dy++)
                  for (int dx = -r; dx <= r; dx++)
                    for (guint ch = 0; ch < c; ch++)
                      {
                        double t = at (z, w, h, c, (int) x + dx, (int) y + dy, ch)
                                   - at (e, w, h, c, (int) u + dx, (int) v + dy, ch);
                        s += t * t;
                      }
                dist[cnt] = s;
                for (guint ch = 0; ch < c; ch++)
                  centre[cnt * c + ch] = at (e, w, h, c, (int) u, (int) v, ch);
                cnt++;
              }
        double lo = G_MAXDOUBLE;
        for (gsize j = 0; j < cnt; j++)
          lo = MIN (lo, dist[j]);
        for (guint ch = 0; ch < c; ch++)
          {
            double num = 0, den = 0;
            for (gsize j = 0; j < cnt; j++)
              {
                double wt = exp (-(dist[j] - lo) / (2 * sigma * sigma));
                num += wt * centre[j * c + ch];
                den += wt;
              }
            out[((gsize) y * w + x) * c + ch] = num / den;
          }
      }
  g_free (dist);
  g_free (centre);
}

double
max_abs_diff (const float *a, const double *b, gsize n)
{
  double m = 0;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs ((double) a[i] - b[i]));
  return m;
}

double
max_abs_diff_f (const float *a, const float *b, gsize n)
{
  double m = 0;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs ((double) a[i] - b[i]));
  return m;
}

double
rms_diff_f (const float *a, const float *b, gsize n)
{
  double se = 0;
  for (gsize i = 0; i < n; i++)
    se += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
  return sqrt (se / n);
}
