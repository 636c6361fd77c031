/* shape.c — pixel operations used to shape dataset items: resampling,
 * cropping, mirroring, colour conversion.  All on interleaved floats. */
#include <math.h>
#include <string.h>
#include "dataset-private.h"

/* Filter taps of one axis: output i takes src[first[i] + k]·weight[i·taps + k]. */
typedef struct
{
  guint  taps;
  guint *first;
  float *weight;
} Taps;

static void
taps_init (Taps *t, guint src, guint dst)
{
  double scale = (double) src / dst;
  double support = MAX (scale, 1.0);   /* half-width of the triangle, in src pixels */

  t->taps = (guint) ceil (support) * 2 + 3;
  t->first = g_new (guint, dst);
  t->weight = g_new0 (float, (gsize) dst * t->taps);
  /* On the heap: taps grows with the reduction (a 2^22-pixel-wide image
   * shrunk to 8 needs a million), far beyond what a stack holds. */
  double *w = g_new (double, t->taps);
  for (guint i = 0; i < dst; i++)
    {
      double center = (i + 0.5) * scale;
      gint64 lo = (gint64) floor (center - support), hi = (gint64) ceil (center + support);
      lo = MAX (lo, 0);
      hi = MIN (hi, (gint64) src - 1);
      hi = MIN (hi, lo + t->taps - 1);
      double sum = 0;
      for (gint64 j = lo; j <= hi; j++)
        sum += w[j - lo] = MAX (0.0, 1.0 - fabs (j + 0.5 - center) / support);
      if (sum <= 0)  /* cannot happen with support ≥ 1, but never divide by 0 */
        {
          w[0] = sum = 1;
          hi = lo;
        }
      t->first[i] = (guint) lo;
      for (gint64 j = lo; j <= hi; j++)
        t->weight[(gsize) i * t->taps + (j - lo)] = (float) (w[j - lo] / sum);
    }
  g_free (w);
}

static void
taps_clear (Taps *t)
{
  g_free (t->first);
  g_free (t->weight);
}

void
adiff_io_resample (const float *src, guint src_w, guint src_h, guint channels,
                   float *dst, guint dst_w, guint dst_h)
{
  Taps tx, ty;
  float *mid = g_new (float, (gsize) dst_w * src_h * channels);

  taps_init (&tx, src_w, dst_w);
  taps_init (&ty, src_h, dst_h);
  /* Rows first: src_h × dst_w. */
  for (guint y = 0; y < src_h; y++)
    for (guint x = 0; x < dst_w; x++)
      for (guint c = 0; c < channels; c++)
        {
          const float *w = tx.weight + (gsize) x * tx.taps;
          const float *s = src + ((gsize) y * src_w + tx.first[x]) * channels + c;
          float acc = 0;
          for (guint k = 0; k < tx.taps && tx.first[x] + k < src_w; k++)
            acc += w[k] * s[(gsize) k * channels];
          mid[((gsize) y * dst_w + x) * channels + c] = acc;
        }
  /* Then columns: dst_h × dst_w. */
  gsize row = (gsize) dst_w * channels;
  for (guint y = 0; y < dst_h; y++)
    {
      const float *w = ty.weight + (gsize) y * ty.taps;
      float *out = dst + y * row;
      memset (out, 0, row * sizeof (float));
      for (guint k = 0; k < ty.taps && ty.first[y] + k < src_h; k++)
        {
          const float *in = mid + (ty.first[y] + k) * row;
          for (gsize i = 0; i < row; i++)
            out[i] += w[k] * in[i];
        }
    }
  taps_clear (&tx);
  taps_clear (&ty);
  g_free (mid);
}

void
adiff_io_crop (const float *src, guint src_w, guint channels, guint x0, guint y0,
               guint w, guint h, float *dst)
{
  gsize row = (gsize) w * channels;
  for (guint y = 0; y < h; y++)
    memcpy (dst + y * row, src + (((gsize) y0 + y) * src_w + x0) * channels,
            row * sizeof (float));
}

void
adiff_io_hflip (const float *src, guint w, guint h, guint channels, float *dst)
{
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      memcpy (dst + ((gsize) y * w + x) * channels,
              src + ((gsize) y * w + (w - 1 - x)) * channels, channels * sizeof (float));
}

void
adiff_io_rgb_to_gray (const float *rgb, gsize pixels, float *gray)
{
  for (gsize i = 0; i < pixels; i++)
    gray[i] = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
}

void
adiff_io_gray_to_rgb (const float *gray, gsize pixels, float *rgb)
{
  for (gsize i = 0; i < pixels; i++)
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
}
