/* vst.c — the generalised Anscombe transform (GAT) and its exact unbiased
 * inverse, for noise of variance a + b·x (adiff-noise.h).
 *
 * The observation is modelled as Poisson–Gaussian, z = b·p + n with
 * p ~ Poisson(x/b), n ~ N(0, a).  Mäkitalo and Foi ("Optimal inversion of
 * the generalized Anscombe transformation for Poisson–Gaussian noise",
 * IEEE TIP 22(1), 2013, eq. 2, with α = b, σ² = a, μ = 0) stabilise it with
 *
 *   f(z) = 2/b·√(b·z + 3/8·b² + a)     (0 where the root is of a negative),
 *
 * which in the units of the Poisson count (y = x/b, σ' = √a/b) is
 * f = 2√(z/b + 3/8 + σ'²).  We compute F = f − 2√a/b as
 * 2(z + 3b/8)/(√(b·z + 3b²/8 + a) + √a): the same noise, finite for every
 * b ≥ 0 and linear (z/√a) at b = 0.
 *
 * The denoiser estimates E[f(z) | x], not f(x), so the inverse must undo
 * the expectation: the exact unbiased inverse maps D = E[f(z) | y] back to
 * y (M&F 2013, eq. 7).  M&F give a closed-form approximation of it (for
 * σ' = 0 in their 2011 paper, shifted by σ'² for the GAT):
 *
 *   y ≈ D²/4 + √(3/2)/4·D⁻¹ − 11/8·D⁻² + 5/8·√(3/2)·D⁻³ − 1/8 − σ'².
 *
 * Measured against the exact inverse (the table below), it misses by up to
 * 0.018 counts at σ' = 0 (near y = 16), 0.03 at σ' ≈ 1 (y < 1) and still
 * 0.012 at y = 100, where its D⁻¹ term decays slowly; its leading terms
 * alone, y ≈ D²/4 − 1/8 − σ'², are within 2e-8 counts at σ' = 0 and
 * 5e-5 for every σ' once y ≥ 1000.  So "exact enough" is had from the
 * definition, as M&F's own software does with a precomputed table: for
 * y ≤ TABLE_Y counts, E[f | y] is computed by summing the Poisson
 * distribution over k with, per k, the Gaussian integral
 * g(k) = E[f(k + σ'·u)] (u standard normal; Simpson's rule, the square
 * root's kink removed by substitution), tabulated on a grid uniform in √y
 * and inverted by interpolation onto a grid uniform in D; above it, and everywhere when σ' is so
 * large (> SIGMA_TABLE) that the transform is all but linear, the leading
 * terms, which in [0,1] units around F = D − 2σ' are
 *
 *   x = b·y = b·F²/4 + √a·F − b/8        (x = √a·F at b = 0).
 *
 * Below E[f | 0] the inverse is 0 (M&F's choice: the intensity is not
 * negative).  tests/noise measures the whole against a brute-force sum. */
#include "adiff-private.h"
#include <glib/gi18n-lib.h>

#define TABLE_Y        1000.0  /* counts the table covers; the leading terms above */
#define TABLE_N        8192    /* grid intervals, uniform in √y */
#define LOOKUP_N       16384   /* intervals of the inverse's grid, uniform in D */
#define SIGMA_TABLE    1000.0  /* σ' above which the leading terms are exact everywhere */
#define SIMPSON_N      256     /* intervals of each Gaussian integral (even) */
#define GAUSS_REACH    10.0    /* the Gaussian integral stops at ±10 σ' */
#define POISSON_REACH  10.0    /* the Poisson sum stops at ±10 standard deviations (+30) */

struct _AdiffVst
{
  double  a, b, sqrt_a;
  double  sigma_n;     /* σ' = √a/b, the read noise in counts (b > 0) */
  double *table;       /* [TABLE_N + 1] E[f | y_i], y_i = TABLE_Y·(i/TABLE_N)², or NULL */
  double *lookup;      /* [LOOKUP_N + 1] y at D = table[0] + j·step: the inverse */
  double  step;
};

ADIFF_EXPORT gboolean
adiff_noise_model_check (const AdiffNoiseModel *model, GError **error)
{
  g_return_val_if_fail (model != NULL, FALSE);
  const char *bad = NULL;
  double v = 0;
  if (!isfinite (model->a) || model->a < 0 || model->a > 1)
    bad = "a", v = model->a;
  else if (!isfinite (model->b) || model->b < 0 || model->b > 1)
    bad = "b", v = model->b;
  if (bad)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("noise model: %s = %g is outside [0, 1]"), bad, v);
      return FALSE;
    }
  if (model->a == 0 && model->b == 0)
    {
      g_set_error_literal (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                           _("noise model: a and b are both 0 (no noise)"));
      return FALSE;
    }
  return TRUE;
}

/* ---- the transform ----------------------------------------------------- */

/* F(z) = f(z) − 2√a/b for the model (a, b), √a given. */
static double
shifted_gat (double a, double b, double sqrt_a, double z)
{
  double r = b * z + 0.375 * b * b + a;
  if (r <= 0)
    return -2 * sqrt_a / b;          /* f = 0 (only possible when b > 0) */
  return 2 * (z + 0.375 * b) / (sqrt (r) + sqrt_a);
}

ADIFF_EXPORT double
adiff_vst_forward (const AdiffVst *vst, double z)
{
  return shifted_gat (vst->a, vst->b, vst->sqrt_a, z);
}

ADIFF_EXPORT void
adiff_vst_range (const AdiffVst *vst, double *lo, double *hi)
{
  *lo = adiff_vst_forward (vst, 0);
  *hi = adiff_vst_forward (vst, 1);
}

ADIFF_EXPORT gboolean
adiff_noise_model_photo_sigma (const AdiffNoiseModel *model, double *sigma, GError **error)
{
  g_return_val_if_fail (model != NULL && sigma != NULL, FALSE);
  if (!adiff_noise_model_check (model, error))
    return FALSE;
  double sqrt_a = sqrt (model->a);
  double s = 1 / (shifted_gat (model->a, model->b, sqrt_a, 1) -
                  shifted_gat (model->a, model->b, sqrt_a, 0));
  if (s > 1)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("noise model a = %g, b = %g: the noise is too strong for the photo "
                     "model (σ %.3g after the transform, above 1)"), model->a, model->b, s);
      return FALSE;
    }
  *sigma = s;
  return TRUE;
}

/* ---- the table of E[f | y] --------------------------------------------- */

static double
normal_pdf (double u)
{
  return exp (-0.5 * u * u) / sqrt (2 * G_PI);
}

/* Simpson's rule of h(t) over [t0, t1]. */
static double
simpson (double (*h) (double, const double *), const double *p, double t0, double t1)
{
  double step = (t1 - t0) / SIMPSON_N, sum = h (t0, p) + h (t1, p);
  for (int i = 1; i < SIMPSON_N; i++)
    sum += (i % 2 ? 4 : 2) * h (t0 + i * step, p);
  return sum * step / 3;
}

/* p = { c, σ' }: 2√(c + σ'u)·φ(u), and with u = u0 + t² (p[2] = u0) its
 * smooth form 4√σ'·t²·φ(u0 + t²) past the root's zero. */
static double
gauss_plain (double u, const double *p)
{
  return 2 * sqrt (fmax (0, p[0] + p[1] * u)) * normal_pdf (u);
}

static double
gauss_past_kink (double t, const double *p)
{
  return 4 * sqrt (p[1]) * t * t * normal_pdf (p[2] + t * t);
}

/* g(k) = E[f(k + σ'u)] = E[2√(max(0, k + 3/8 + σ'² + σ'u))], in counts. */
static double
gauss_expectation (double k, double sigma_n)
{
  double c = k + 0.375 + sigma_n * sigma_n;
  if (sigma_n == 0)
    return 2 * sqrt (c);
  double p[3] = { c, sigma_n, -c / sigma_n };
  if (p[2] <= -GAUSS_REACH)
    return simpson (gauss_plain, p, -GAUSS_REACH, GAUSS_REACH);
  return simpson (gauss_past_kink, p, 0, sqrt (GAUSS_REACH - p[2]));
}

/* E[f | y] = Σ_k Poisson(k; y)·g(k): the probabilities by recurrence out
 * from the mode, where one exp() starts them. */
static double
count_expectation (double y, const double *g, guint n_g)
{
  if (y == 0)
    return g[0];
  double reach = POISSON_REACH * sqrt (y) + 30;
  guint mode = MIN ((guint) y, n_g - 1);
  guint k0 = y > reach ? (guint) (y - reach) : 0, k1 = MIN ((guint) (y + reach), n_g - 1);
  double p_mode = exp (mode * log (y) - y - lgamma (mode + 1.0));
  double sum = p_mode * g[mode], p = p_mode;
  for (guint k = mode; k < k1; k++)
    {
      p *= y / (k + 1);
      sum += p * g[k + 1];
    }
  p = p_mode;
  for (guint k = mode; k > k0; k--)
    {
      p *= k / y;
      sum += p * g[k - 1];
    }
  return sum;
}

static double *
expectation_table (double sigma_n)
{
  guint n_g = (guint) (TABLE_Y + POISSON_REACH * sqrt (TABLE_Y) + 32);
  double *g = g_new (double, n_g);
  for (guint k = 0; k < n_g; k++)
    g[k] = gauss_expectation (k, sigma_n);
  double *table = g_new (double, TABLE_N + 1);
  for (guint i = 0; i <= TABLE_N; i++)
    {
      double s = (double) i / TABLE_N;
      table[i] = count_expectation (TABLE_Y * s * s, g, n_g);
    }
  g_free (g);
  return table;
}

/* The inverse resampled on a grid uniform in D, so that a pixel costs one
 * interpolation, not a search: for each grid point, y where
 * table[i] ≤ D < table[i + 1], linear between the two (E[f | y] increases
 * with y; one pass over both grids). */
static double *
inverse_lookup (const double *table, double *step)
{
  double *lookup = g_new (double, LOOKUP_N + 1);
  *step = (table[TABLE_N] - table[0]) / LOOKUP_N;
  guint i = 0;
  for (guint j = 0; j <= LOOKUP_N; j++)
    {
      double D = j == LOOKUP_N ? table[TABLE_N] : table[0] + j * *step;
      while (i + 1 < TABLE_N && table[i + 1] <= D)
        i++;
      double s0 = (double) i / TABLE_N, s1 = (double) (i + 1) / TABLE_N;
      double y0 = TABLE_Y * s0 * s0, y1 = TABLE_Y * s1 * s1;
      lookup[j] = y0 + (y1 - y0) * (D - table[i]) / (table[i + 1] - table[i]);
    }
  return lookup;
}

ADIFF_EXPORT AdiffVst *
adiff_vst_new (const AdiffNoiseModel *model, GError **error)
{
  if (!adiff_noise_model_check (model, error))
    return NULL;
  AdiffVst *vst = g_new0 (AdiffVst, 1);
  vst->a = model->a;
  vst->b = model->b;
  vst->sqrt_a = sqrt (model->a);
  if (model->b > 0)
    vst->sigma_n = vst->sqrt_a / model->b;
  if (model->b > 0 && vst->sigma_n <= SIGMA_TABLE)
    {
      vst->table = expectation_table (vst->sigma_n);
      vst->lookup = inverse_lookup (vst->table, &vst->step);
    }
  return vst;
}

ADIFF_EXPORT void
adiff_vst_free (AdiffVst *vst)
{
  if (!vst)
    return;
  g_free (vst->table);
  g_free (vst->lookup);
  g_free (vst);
}

/* ---- the inverse ------------------------------------------------------- */

/* The leading terms D²/4 − 1/8 − σ'², in [0,1] units around F = D − 2σ'. */
static double
asymptotic_inverse (const AdiffVst *vst, double F)
{
  return fmax (0, vst->sqrt_a * F + vst->b * (0.25 * F * F - 0.125));
}

ADIFF_EXPORT double
adiff_vst_inverse (const AdiffVst *vst, double d)
{
  if (!vst->table)
    return d > 0 ? asymptotic_inverse (vst, d) : 0;    /* and 0 for NaN */
  double D = d + 2 * vst->sigma_n;
  if (!(D > vst->table[0]))
    return 0;                    /* below E[f | 0], and NaN */
  if (D >= vst->table[TABLE_N])
    return asymptotic_inverse (vst, d);
  double u = (D - vst->table[0]) / vst->step;
  guint j = MIN ((guint) u, LOOKUP_N - 1);
  return vst->b * (vst->lookup[j] + (u - j) * (vst->lookup[j + 1] - vst->lookup[j]));
}
