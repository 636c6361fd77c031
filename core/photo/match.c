/* match.c — block matching on truncated basis coefficients.
 *
 * Every patch position gets its first k coefficients in the patch basis (the
 * smooth DCT frequencies, or the leading principal components of the bundle).
 * Two patches are compared by the mean squared difference of those k
 * coefficients: for k = P² this is the usual patch distance (the basis is
 * orthonormal), for k < P² it ignores the fine components, which at these noise
 * levels are mostly noise (BM3D prefilters its matching for the same reason),
 * and it is P²/k times cheaper.
 */
#include "photo/photo-private.h"
#include "photo/photo-simd.h"

#include <cblas.h>
#include <float.h>
#include <string.h>

/* The chunks that cover positions [x_lo, x_hi]: *x0 is a multiple of the
 * chunk, and the last chunk of a row ends at its last position w − P. */
void
adiff__photo_feature_span (int w, int P, int x_lo, int x_hi, int *x0, int *nx)
{
  int last = w - P;
  *x0 = x_lo / ADIFF_PHOTO_CHUNK * ADIFF_PHOTO_CHUNK;
  *nx = MIN (last + 1, (x_hi / ADIFF_PHOTO_CHUNK + 1) * ADIFF_PHOTO_CHUNK) - *x0;
}

/* Coefficients of positions [x_lo, x_hi] × rows y0 .. y0+ny−1 (the
 * plane must hold their patches).  The rest of their chunks' positions
 * get coefficients of zero patches (never used): each chunk is one BLAS
 * call over the same inputs, whatever x_lo and x_hi, so the coefficients
 * a region computes are those of the whole image.  feat->f must hold
 * ny × (the span's nx) × k floats. */
void
adiff__photo_features_compute (AdiffPhotoFeatures *feat, const AdiffPhotoRows *plane,
                               int w, int P, const float *basis, int k,
                               int x_lo, int x_hi, int y0, int ny, float *scratch)
{
  int n = P * P, x0, nx;
  adiff__photo_feature_span (w, P, x_lo, x_hi, &x0, &nx);

  feat->x0 = x0;
  feat->y0 = y0;
  feat->nx = nx;
  feat->ny = ny;
  feat->k = k;
  for (int r = 0; r < ny; r++)
    {
      int y = y0 + r;
      for (int c0 = x0; c0 < x0 + nx; c0 += ADIFF_PHOTO_CHUNK)
        {
          int m = MIN (ADIFF_PHOTO_CHUNK, x0 + nx - c0);
          /* im2col of the chunk */
          for (int i = 0; i < m; i++)
            {
              int x = c0 + i;
              float *dst = scratch + (gsize) i * n;
              if (x < x_lo || x > x_hi)
                memset (dst, 0, n * sizeof (float));
              else
                for (int dy = 0; dy < P; dy++)
                  memcpy (dst + dy * P, adiff__photo_at (plane, x, y + dy), P * sizeof (float));
            }
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, m, k, n, 1.0f,
                       scratch, n, basis, n, 0.0f,
                       feat->f + ((gsize) r * nx + (c0 - x0)) * k, k);
        }
    }
}

/* Squared distance over k coefficients (k a multiple of 8), giving up as soon
 * as the partial sum reaches `thr` after a block of 8 (the coefficients come
 * coarse first, so most candidates are rejected on the first blocks). */
static inline __attribute__ ((always_inline)) float
dist_bounded (const float *a, const float *b, int k, float thr)
{
  AdiffV8f s = splat8 (0.0f);
  float t = 0.0f;
  for (int i = 0; i < k; i += 8)
    {
      AdiffV8f d = ld8 (a + i) - ld8 (b + i);
      s += d * d;
      t = hsum8 (s);
      if (t >= thr)
        return t;
    }
  return t;
}

static inline float
dist_scalar (const float *a, const float *b, int k)
{
  float s = 0.0f;
  for (int i = 0; i < k; i++)
    {
      float d = a[i] - b[i];
      s += d * d;
    }
  return s;
}

/* The group of the reference patch at (rx, ry): up to pass->group_max
 * positions within ±radius whose distance is below the threshold, nearest
 * first; the reference itself is always first.  Returns the count (≥ 1).  The
 * features must cover ry − radius .. ry + radius and rx − radius .. rx +
 * radius (clipped to the image). */
ADIFF_HOT int
adiff__photo_match (const AdiffPhotoFeatures *feat, int w, int h, int P, int rx, int ry,
             const AdiffPhotoPass *pass, float guide_noise, int *pos_x, int *pos_y, float *dist)
{
  int k = feat->k, nx = feat->nx, nmax = pass->group_max;
  int x0 = MAX (0, rx - pass->radius), x1 = MIN (w - P, rx + pass->radius);
  int y0 = MAX (0, ry - pass->radius), y1 = MIN (h - P, ry + pass->radius);
  const float *fr = feat->f + ((gsize) (ry - feat->y0) * nx + rx - feat->x0) * k;
  gboolean simd = (k & 7) == 0;

  /* tau bounds the mean squared difference per pixel, Σ over all P² coefficients
   * divided by P².  The P² − k coefficients not compared are counted at their
   * expected value, 2σ² for a noisy guide (their signal part is small) */
  int n = P * P;
  float thr = pass->tau * n - (n - k) * 2.0f * guide_noise;
  if (thr <= 0.0f)
    thr = FLT_MIN;
  int count = 1;

  pos_x[0] = rx;
  pos_y[0] = ry;
  dist[0] = 0.0f;
  for (int y = y0; y <= y1; y++)
    {
      const float *fc = feat->f + ((gsize) (y - feat->y0) * nx + (x0 - feat->x0)) * k;
      for (int x = x0; x <= x1; x++, fc += k)
        {
          float d = simd ? dist_bounded (fr, fc, k, thr) : dist_scalar (fr, fc, k);
          if (d >= thr || (x == rx && y == ry))
            continue;
          /* insert into the sorted list */
          int j = count < nmax ? count++ : nmax - 1;
          while (j > 1 && dist[j - 1] > d)
            {
              dist[j] = dist[j - 1];
              pos_x[j] = pos_x[j - 1];
              pos_y[j] = pos_y[j - 1];
              j--;
            }
          dist[j] = d;
          pos_x[j] = x;
          pos_y[j] = y;
          if (count == nmax)
            thr = dist[nmax - 1];
        }
    }
  return count;
}
