/* blend.h — geometry of the overlapping windows behind adiff_denoise_rows
 * and their blending weights (blend.c; private to libadiff).
 *
 * Along each axis the windows sit on a regular grid of origins
 * o_i = first + i·stride that extends past both image borders, so every
 * pixel — border pixels included — is covered by windows in exactly the
 * same pattern as an interior pixel.  Samples outside the image are read
 * by mirroring (half-sample symmetric: −1 → 0, n → n−1), which also pads
 * images smaller than the window.
 */
#pragma once

#include <glib.h>

typedef struct
{
  guint  size;      /* window extent along this axis */
  guint  stride;    /* distance between origins: size/overlap (at least 1) */
  guint  length;    /* image extent along this axis */
  gint64 first;     /* first origin: the smallest multiple of stride > −size */
  guint  count;     /* number of origins < length */
  float *weight;    /* [size] blending weight, strictly positive */
  float *inv_sum;   /* [stride] 1 / Σ_i weight(x − o_i), periodic in x */
} AdiffAxis;

/* Fill axis for a window of size samples over an image of length samples,
 * about `overlap` (≥ 2) windows over each sample. */
void   adiff__axis_init  (AdiffAxis *axis, guint size, guint length, guint overlap);
void   adiff__axis_clear (AdiffAxis *axis);

/* Each window coordinate's share of its output pixel ([size_x·size_y·
 * channels], newly allocated), for adiff__denoiser_apply_shares. */
float *adiff__axis_shares (const AdiffAxis *ax, const AdiffAxis *ay, guint channels);

/* Origin of window i along the axis. */
static inline gint64
adiff__axis_origin (const AdiffAxis *axis, guint i)
{
  return axis->first + (gint64) i * axis->stride;
}

/* 1 / summed weight at image coordinate x ≥ 0. */
static inline float
adiff__axis_norm (const AdiffAxis *axis, guint x)
{
  return axis->inv_sum[x % axis->stride];
}

/* The image coordinate mirrored into [0, n) for any i (n ≥ 1). */
static inline guint
adiff__mirror (gint64 i, guint n)
{
  gint64 period = 2 * (gint64) n;
  gint64 m = i % period;
  if (m < 0)
    m += period;
  return (guint) (m < n ? m : period - 1 - m);
}
