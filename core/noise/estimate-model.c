/* estimate-model.c — the noise model a + b·x from the noisy image itself
 * (adiff_noise_model_estimate), in the manner of Foi, Trimeche, Katkovnik
 * and Egiazarian, "Practical Poissonian–Gaussian noise modeling and fitting
 * for single-image raw-data", IEEE TIP 17(10), 2008: local means and
 * robust local noise estimates from a wavelet detail band, in smooth
 * places only, binned by level, and a line fitted to variance against mean.
 *
 * Each sample is one 2×2 block of one channel with its 3×3 neighbourhood
 * of blocks (6×6 pixels):
 *  - the noise: the block's diagonal Haar detail d = (p00 − p01 − p10 + p11)/2,
 *    of variance a + b·x (the Haar transform is orthonormal) and blind to
 *    any plane the image makes there;
 *  - the level: the mean of the 36 pixels;
 *  - smoothness: the nine block means fitted by a plane; with noise alone
 *    their residual variance, scaled to a pixel's (×4: a block mean averages
 *    four), estimates the local noise variance from 6 degrees of freedom,
 *    as the mean square of the 8 neighbouring blocks' diagonal details does
 *    from 8 and the variance of the nine blocks' horizontal and vertical
 *    details about their means (a plane makes them equal; fine texture
 *    shows there first) from 16.  A sample is smooth when the
 *    three stay below KAPPA, KAPPA and KAPPA_HV times the variance the
 *    model predicts at its level (in the first round, which has no model,
 *    the first and third below KAPPA times the second).  They use only
 *    coefficients orthogonal to d, independent of it under Gaussian noise,
 *    so choosing samples by them does not bias d.
 * The smooth samples, sorted by level, are cut into bins (make_bins); per
 * bin the level's mean and the variance (the mean square of d, outliers cut
 * at 5 robust deviations, median |d| / 0.6745); a line a + b·level fitted
 * by least squares weighted by count/variance² (the variance of a variance
 * estimate grows with its square), re-weighted from the fit and one-sidedly
 * robust (fit_model), with a, b ≥ 0.  Two rounds of choosing and fitting follow the
 * first.  Blocks that touch a pixel at exactly 0 or 1 (clipped) or a
 * non-finite one are left out. */
#include "adiff-private.h"
#include <glib/gi18n-lib.h>

#define KAPPA          2.5      /* smoothness: ≈ the 99th percentile of the first two ratios under noise */
#define KAPPA_HV       2.0      /* and of the third (16 degrees of freedom) */
#define MIN_SAMPLES    500      /* fewer smooth samples: too small to tell */
#define BIN_SAMPLES    1000     /* samples per bin at most, */
#define MIN_BIN_SAMPLES 200     /* and at least, */
#define BIN_WIDTH      0.05     /* when it spans this much brightness */
#define OUTLIER_SE     3.0      /* a bin this many standard errors above the line: less weight */
#define FIT_ITERATIONS 8
#define MIN_SPAN       0.05     /* the bins' levels must span this much of [0,1] */
#define MAX_CANDIDATES (1 << 18) /* more blocks than this: a sparser grid of them */
#define ROUNDS         3
#define OUTLIER_CUT    5.0      /* robust deviations: a detail beyond is not noise */

typedef struct
{
  float level;      /* mean of the 6×6 pixels */
  float detail;     /* the centre block's diagonal detail */
  float plane_var;  /* residual variance of the plane through the block means, ×4 */
  float nbr_var;    /* mean square of the 8 neighbours' diagonal details */
  float hv_var;     /* variance of the 9 blocks' horizontal and vertical details */
} Sample;

typedef struct
{
  double level, variance, count;
} Bin;

/* ---- samples ------------------------------------------------------------- */

static gboolean
is_clipped (float v)
{
  return !isfinite (v) || v == 0.0f || v == 1.0f;
}

/* The sample of the block whose top-left pixel is (x, y) in channel c
 * (its neighbourhood inside the image); FALSE when a pixel is clipped. */
static gboolean
take_sample (const float *image, guint width, guint channels, guint x, guint y, guint c,
             Sample *s)
{
  gsize row = (gsize) width * channels;
  double mean[9], detail[9], hd[9], vd[9];
  for (int j = 0; j < 3; j++)
    for (int i = 0; i < 3; i++)
      {
        const float *p = image + (gsize) (y + 2 * j - 2) * row + (gsize) (x + 2 * i - 2) * channels + c;
        float p00 = p[0], p01 = p[channels], p10 = p[row], p11 = p[row + channels];
        if (is_clipped (p00) || is_clipped (p01) || is_clipped (p10) || is_clipped (p11))
          return FALSE;
        mean[3 * j + i] = 0.25 * ((double) p00 + p01 + p10 + p11);
        detail[3 * j + i] = 0.5 * ((double) p00 - p01 - p10 + p11);
        hd[3 * j + i] = 0.5 * ((double) p00 - p01 + p10 - p11);
        vd[3 * j + i] = 0.5 * ((double) p00 + p01 - p10 - p11);
      }
  /* least-squares plane over the offsets (i − 1, j − 1): Σ offset² = 6 */
  double sum = 0, sum2 = 0, gx = 0, gy = 0, nbr = 0, h = 0, h2 = 0, v = 0, v2 = 0;
  for (int k = 0; k < 9; k++)
    {
      h += hd[k]; h2 += hd[k] * hd[k];
      v += vd[k]; v2 += vd[k] * vd[k];
      sum += mean[k];
      sum2 += mean[k] * mean[k];
      gx += (k % 3 - 1) * mean[k];
      gy += (k / 3 - 1) * mean[k];
      if (k != 4)
        nbr += detail[k] * detail[k];
    }
  double rss = sum2 - sum * sum / 9 - gx * gx / 6 - gy * gy / 6;
  s->level = (float) (sum / 9);
  s->detail = (float) detail[4];
  s->plane_var = (float) (4 * fmax (0, rss) / 6);
  s->nbr_var = (float) (nbr / 8);
  s->hv_var = (float) ((h2 - h * h / 9 + v2 - v * v / 9) / 16);
  return TRUE;
}

/* Every stride-th block inside the border, all channels. */
static GArray *
collect_samples (const float *image, guint width, guint height, guint channels)
{
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  guint bw = width / 2, bh = height / 2;
  if (bw < 3 || bh < 3)
    return samples;
  double candidates = (double) (bw - 2) * (bh - 2) * channels;
  guint stride = candidates > MAX_CANDIDATES ? (guint) ceil (sqrt (candidates / MAX_CANDIDATES)) : 1;
  for (guint by = 1; by + 1 < bh; by += stride)
    for (guint bx = 1; bx + 1 < bw; bx += stride)
      for (guint c = 0; c < channels; c++)
        {
          Sample s;
          if (take_sample (image, width, channels, 2 * bx, 2 * by, c, &s))
            g_array_append_val (samples, s);
        }
  return samples;
}

/* ---- bins and the line -------------------------------------------------- */

/* By level; ties by detail, so that the order (and the bins) do not depend
 * on the sort's handling of equal keys. */
static int
compare_level (const void *a, const void *b)
{
  const Sample *x = a, *y = b;
  if (x->level != y->level)
    return (x->level > y->level) - (x->level < y->level);
  return (x->detail > y->detail) - (x->detail < y->detail);
}

static int
compare_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

/* Level mean and variance of n samples sorted by level.  The variance is
 * the mean square of the details within OUTLIER_CUT robust deviations
 * (median |d| / 0.6745): unbiased, unlike the median itself, for the few
 * photon counts of dark places, whose details are far from Gaussian, and
 * blind to the rare textured sample the smoothness test let through. */
static void
fill_bin (const Sample *s, guint n, float *scratch, Bin *bin)
{
  double level = 0;
  for (guint i = 0; i < n; i++)
    {
      level += s[i].level;
      scratch[i] = fabsf (s[i].detail);
    }
  qsort (scratch, n, sizeof (float), compare_float);
  double mad = n % 2 ? scratch[n / 2] : 0.5 * (scratch[n / 2 - 1] + scratch[n / 2]);
  double cut = OUTLIER_CUT * mad / 0.6745, sum = 0;
  guint m = 0;
  for (; m < n && scratch[m] <= cut; m++)
    sum += (double) scratch[m] * scratch[m];
  bin->level = level / n;
  bin->variance = m ? sum / m : 0;
  bin->count = n;
}

/* The kept samples (sorted by level) into bins: a bin closes at BIN_SAMPLES
 * samples, or earlier at MIN_BIN_SAMPLES once it spans BIN_WIDTH of
 * brightness, so that the few samples of a rare level range (the dark
 * parts of a bright photo) still get bins of their own; a short last bin
 * joins the one before. */
static Bin *
make_bins (Sample *s, guint n, guint *n_bins)
{
  GArray *bins = g_array_new (FALSE, FALSE, sizeof (Bin));
  float *scratch = g_new (float, n);
  guint from = 0;
  for (guint i = 1; i <= n; i++)
    {
      guint count = i - from;
      gboolean full = count >= BIN_SAMPLES ||
                      (count >= MIN_BIN_SAMPLES && s[i - 1].level - s[from].level >= BIN_WIDTH);
      gboolean last = i == n;
      if (!full && !last)
        continue;
      if (last && count < MIN_BIN_SAMPLES && bins->len > 0)
        {
          /* the rest joins the previous bin */
          Bin *prev = &g_array_index (bins, Bin, bins->len - 1);
          from -= (guint) prev->count;
          g_array_set_size (bins, bins->len - 1);
        }
      Bin bin;
      fill_bin (s + from, i - from, scratch, &bin);
      g_array_append_val (bins, bin);
      from = i;
    }
  g_free (scratch);
  *n_bins = bins->len;
  return (Bin *) g_array_free (bins, FALSE);
}

/* Weighted least squares of variance = a + b·level with a, b ≥ 0. */
static void
fit_line (const Bin *bins, guint n, const double *w, AdiffNoiseModel *m)
{
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (guint i = 0; i < n; i++)
    {
      double x = bins[i].level, y = bins[i].variance;
      sw += w[i]; sx += w[i] * x; sy += w[i] * y;
      sxx += w[i] * x * x; sxy += w[i] * x * y;
    }
  double det = sw * sxx - sx * sx;
  m->a = det > 0 ? (sxx * sy - sx * sxy) / det : sy / sw;
  m->b = det > 0 ? (sw * sxy - sx * sy) / det : 0;
  if (m->a < 0)               /* the best line through the origin */
    {
      m->a = 0;
      m->b = sxx > 0 ? fmax (0, sxy / sxx) : 0;
    }
  else if (m->b < 0)          /* the best constant */
    {
      m->b = 0;
      m->a = sy / sw;
    }
}

/* Fit, re-weighting by the fitted variance: a variance estimate from n
 * Gaussian samples has a relative standard error √(2/n), so count/v² is its
 * inverse variance; a bin far above the line (more than OUTLIER_SE standard
 * errors: texture the smoothness test let through, which only ever adds
 * variance) is weighted down further, by (OUTLIER_SE/r)², as Huber's
 * estimator does on one side. */
static void
fit_model (const Bin *bins, guint n, AdiffNoiseModel *m)
{
  double *w = g_new (double, n), floor_var = 0;
  for (guint i = 0; i < n; i++)
    floor_var = fmax (floor_var, bins[i].variance);
  floor_var = fmax (floor_var * 1e-4, 1e-12);   /* no weight from a zero variance */
  for (guint i = 0; i < n; i++)
    w[i] = bins[i].count / pow (fmax (bins[i].variance, floor_var), 2);
  for (int iter = 0; iter < FIT_ITERATIONS; iter++)
    {
      fit_line (bins, n, w, m);
      for (guint i = 0; i < n; i++)
        {
          double v = fmax (m->a + m->b * bins[i].level, floor_var);
          double r = (bins[i].variance - v) / (v * sqrt (2 / bins[i].count));
          w[i] = bins[i].count / (v * v) * (r > OUTLIER_SE ? pow (OUTLIER_SE / r, 2) : 1);
        }
    }
  g_free (w);
}

/* ---- rounds --------------------------------------------------------------- */

/* Is s smooth under model m (NULL: the first round's self-referenced test)? */
static gboolean
is_smooth (const Sample *s, const AdiffNoiseModel *m)
{
  if (!m)
    return s->plane_var <= KAPPA * s->nbr_var && s->hv_var <= KAPPA * s->nbr_var;
  double v = m->a + m->b * s->level;
  return s->plane_var <= KAPPA * v && s->nbr_var <= KAPPA * v && s->hv_var <= KAPPA_HV * v;
}

/* One round: choose, bin, fit.  FALSE (error set) when too few samples or
 * too narrow a span of levels. */
static gboolean
fit_round (GArray *all, const AdiffNoiseModel *previous, GArray *kept, AdiffNoiseModel *m,
           GError **error)
{
  g_array_set_size (kept, 0);
  for (guint i = 0; i < all->len; i++)
    if (is_smooth (&g_array_index (all, Sample, i), previous))
      g_array_append_val (kept, g_array_index (all, Sample, i));
  if (kept->len < MIN_SAMPLES)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("too small or too busy to estimate a noise model: %u smooth places "
                     "where %u are needed"), kept->len, MIN_SAMPLES);
      return FALSE;
    }
  guint n_bins;
  Bin *bins = make_bins ((Sample *) kept->data, kept->len, &n_bins);
  double span = bins[n_bins - 1].level - bins[0].level;
  if (span < MIN_SPAN)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                 _("too flat to estimate a noise model: its smooth places span "
                   "brightness %.3f–%.3f only, too little to tell a from b"),
                 bins[0].level, bins[n_bins - 1].level);
  else
    fit_model (bins, n_bins, m);
  g_free (bins);
  return span >= MIN_SPAN;
}

ADIFF_EXPORT gboolean
adiff_noise_model_estimate (const float *image, guint width, guint height, guint channels,
                            AdiffNoiseModel *model, GError **error)
{
  g_return_val_if_fail ((image != NULL || width == 0 || height == 0) && model != NULL, FALSE);
  GArray *all = collect_samples (image, width, height, channels);
  g_array_sort (all, compare_level);      /* what each round keeps stays sorted */
  GArray *kept = g_array_new (FALSE, FALSE, sizeof (Sample));
  AdiffNoiseModel m = { 0, 0 };
  gboolean ok = TRUE;
  for (int round = 0; round < ROUNDS && ok && (round == 0 || m.a > 0 || m.b > 0); round++)
    ok = fit_round (all, round ? &m : NULL, kept, &m, error);
  g_array_unref (kept);
  g_array_unref (all);
  if (ok && m.a == 0 && m.b == 0)
    {
      g_set_error_literal (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                           _("shows no noise to model"));
      ok = FALSE;
    }
  if (ok)
    {
      model->a = MIN (m.a, 1.0);
      model->b = MIN (m.b, 1.0);
    }
  return ok;
}
