/* estimate.c — blind estimate of the noise level of an image.
 *
 * Donoho & Johnstone's robust estimator: the finest diagonal Haar detail
 * coefficients d = (a − b − c + e)/2 of each 2×2 block are, for white
 * Gaussian noise of level σ, Gaussian with standard deviation σ (the Haar
 * transform is orthonormal), while a smooth image contributes almost
 * nothing to them.  σ̂ = median |d| / 0.6745 (the median absolute deviation
 * of a zero-median band; 0.6745 is the normal distribution's MAD).
 */
#include "adiff-private.h"

static int
compare_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

ADIFF_EXPORT double
adiff_estimate_sigma (const float *image, guint width, guint height,
                      guint channels)
{
  g_return_val_if_fail (image != NULL || width == 0 || height == 0, 0.0);
  guint bw = width / 2, bh = height / 2;
  gsize n;
  if (bw == 0 || bh == 0 || channels == 0 ||
      !g_size_checked_mul (&n, (gsize) bw * bh, channels))
    return 0.0;
  float *d = g_try_new (float, n);
  if (!d)
    return 0.0;
  gsize row = (gsize) width * channels, m = 0;
  for (guint by = 0; by < bh; by++)
    for (guint bx = 0; bx < bw; bx++)
      for (guint c = 0; c < channels; c++)
        {
          const float *p = image + (gsize) 2 * by * row + (gsize) 2 * bx * channels + c;
          float v = 0.5f * (p[0] - p[channels] - p[row] + p[row + channels]);
          if (isfinite (v))
            d[m++] = fabsf (v);
        }
  double sigma = 0.0;
  if (m > 0)
    {
      /* Sorting is O(n log n) on a quarter of the pixels; fine next to
       * denoising the same image. */
      qsort (d, m, sizeof (float), compare_float);
      double med = m % 2 ? d[m / 2] : 0.5 * (d[m / 2 - 1] + d[m / 2]);
      sigma = med / 0.6745;
    }
  g_free (d);
  return sigma;
}
