/* blend.c — the window grid and blending weights of the tiler.
 *
 * Windows sit every n/overlap samples (at least 1), so each sample is
 * covered by about `overlap` windows along the axis.
 *
 * Weight: w(i) = sin²(π(i + ½)/n) for i in [0, n), a Hann window sampled at
 * pixel centres: smooth, largest in the middle where a window denoiser has
 * the most context, and strictly positive at the edges so that every pixel
 * has a non-zero total weight whatever the stride.  With stride n/2 and n
 * even the shifted copies sum to exactly 1 (sin² + cos²), with stride n/k
 * (k dividing n) to k/2; the tiler divides by the sum, which keeps it exact
 * for any n and stride.  A 2-D window uses the
 * product w(x)·w(y), so the normalisation is separable too.
 */
#include <math.h>
#include "tiling/blend.h"

void
adiff__axis_init (AdiffAxis *axis, guint size, guint length, guint overlap)
{
  g_return_if_fail (size > 0 && length > 0 && overlap >= 2);
  axis->size = size;
  axis->length = length;
  axis->stride = MAX (1u, size / overlap);
  axis->first = -(gint64) ((size - 1) / axis->stride) * axis->stride;
  axis->count = (guint) ((length - 1 - axis->first) / axis->stride + 1);

  axis->weight = g_new (float, size);
  for (guint i = 0; i < size; i++)
    {
      double s = sin (G_PI * (i + 0.5) / size);
      axis->weight[i] = (float) (s * s);
    }

  /* The grid is periodic with the stride, so the summed weight at x only
   * depends on x mod stride (origins are multiples of the stride). */
  axis->inv_sum = g_new (float, axis->stride);
  for (guint x = 0; x < axis->stride; x++)
    {
      double sum = 0;
      for (guint i = 0; i < size; i++)
        if (((gint64) x - i) % axis->stride == 0)   /* x − i is an origin */
          sum += axis->weight[i];
      axis->inv_sum[x] = (float) (1.0 / sum);
    }
}

void
adiff__axis_clear (AdiffAxis *axis)
{
  g_clear_pointer (&axis->weight, g_free);
  g_clear_pointer (&axis->inv_sum, g_free);
}

/* The share of each window coordinate in its output pixel: its blending
 * weight times the normalisation there (origins are multiples of the
 * stride, so the normalisation at image x equals the one at window x),
 * relative to the default 2 × 2 windows per pixel and at most 1.  Fast
 * analytic mode sizes its candidate budgets by it; with more windows per
 * pixel each window's share shrinks, but its error is not averaged away
 * in proportion (measured: at overlap 4 the unscaled shares took the
 * cameraman crop at σ = 15 to 1/870 of exact, the default's are 1/1 647). */
float *
adiff__axis_shares (const AdiffAxis *ax, const AdiffAxis *ay, guint channels)
{
  guint ww = ax->size, wh = ay->size;
  float *share = g_new (float, (gsize) ww * wh * channels);
  /* Windows per pixel relative to the default (1 at the default). */
  float more = (float) MAX (1u, ww / 2) / ax->stride * MAX (1u, wh / 2) / ay->stride;
  for (guint y = 0; y < wh; y++)
    for (guint x = 0; x < ww; x++)
      {
        float f = ay->weight[y] * adiff__axis_norm (ay, y) *
                  ax->weight[x] * adiff__axis_norm (ax, x) * more;
        for (guint c = 0; c < channels; c++)
          share[((gsize) y * ww + x) * channels + c] = MIN (f, 1.0f);
      }
  return share;
}
