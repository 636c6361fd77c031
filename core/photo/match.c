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
#include "photo/transform.h"

#include <cblas.h>
#include <float.h>
#include <string.h>

/* The tiles that cover positions [x_lo, x_hi]: *x0 is a multiple of
 * ADIFF_PHOTO_TILE (tiles are anchored to the image's column 0), and the
 * last tile of a row ends at its last position w − P. */
void
adiff__photo_feature_span (int w, int P, int x_lo, int x_hi, int *x0, int *nx)
{
  int last = w - P;
  *x0 = x_lo / ADIFF_PHOTO_TILE * ADIFF_PHOTO_TILE;
  *nx = MIN (last + 1, (x_hi / ADIFF_PHOTO_TILE + 1) * ADIFF_PHOTO_TILE) - *x0;
}

/* Floats of feature storage for ny rows of nx positions with k coefficients:
 * rows are cut into tiles of eight positions, the last one padded. */
gsize
adiff__photo_features_floats (int nx, int k, int ny)
{
  return (gsize) ny * adiff__pad8 (nx) * k;
}

/* Scratch for nx positions: their column transforms (P rows of the padded
 * width), or the eight patches of a tile. */
gsize
adiff__photo_features_scratch (int nx, int P)
{
  return MAX ((gsize) P * (adiff__pad8 (nx) + P), (gsize) 8 * P * P);
}

/* Separable basis C ⊗ C: first the column transforms V[u][x] = Σ_dy C[u][dy]
 * plane[y + dy][x] of the row's columns (shared by the P positions that
 * cover a column), then coefficient (u, v) of position x is Σ_j C[v][j]
 * V[u][x + j], eight positions at a time: P² + k·P multiply-adds per position
 * instead of k·P².  V is indexed from column x0 (the first tile's); only the
 * columns of positions [x_lo, x_hi] are read, the rest of V is zero, so each
 * coefficient of those positions is the same sum whatever the span. */
static inline __attribute__ ((always_inline)) void
features_row_separable (float *out, const AdiffPhotoRows *plane, int x0, int x_lo, int x_hi,
                        int y, int P, const float *c, const int *order, int k, int ntiles,
                        float *V)
{
  int vs = ntiles * 8 + P;   /* V's row stride: room for the last tile's lanes */
  int a = x_lo - x0, len = x_hi + P - x_lo;
  for (int u = 0; u < P; u++)
    {
      float *vu = V + (gsize) u * vs;
      memset (vu, 0, vs * sizeof (float));
      vu += a;
      for (int dy = 0; dy < P; dy++)
        {
          const float *src = adiff__photo_at (plane, x_lo, y + dy);
          float cu = c[u * P + dy];
          for (int x = 0; x < len; x++)
            vu[x] += cu * src[x];
        }
    }
  for (int t = 0; t < ntiles; t++)
    for (int r = 0; r < k; r++)
      {
        int u = order[r] / P, v = order[r] % P;
        const float *vu = V + (gsize) u * vs + t * 8, *cv = c + v * P;
        AdiffV8f acc = splat8 (0.0f);
        for (int j = 0; j < P; j++)
          acc += cv[j] * ld8 (vu + j);
        st8 (out + ((gsize) t * k + r) * 8, acc);
      }
}

/* Any basis (P² rows): the eight patches of a tile times the first k rows.
 * Positions outside [x_lo, x_hi] get coefficients of zero patches (never
 * compared): each tile is one BLAS call of the same shape whatever the
 * span, so the coefficients a region computes are those of the whole image. */
static void
features_row_dense (float *out, const AdiffPhotoRows *plane, int x0, int x_lo, int x_hi,
                    int y, int P, const float *basis, int k, int ntiles, float *scratch)
{
  int n = P * P;
  for (int t = 0; t < ntiles; t++)
    {
      for (int l = 0; l < 8; l++)
        {
          int x = x0 + t * 8 + l;
          float *dst = scratch + (gsize) l * n;
          if (x < x_lo || x > x_hi)
            memset (dst, 0, n * sizeof (float));
          else
            for (int dy = 0; dy < P; dy++)
              memcpy (dst + dy * P, adiff__photo_at (plane, x, y + dy), P * sizeof (float));
        }
      /* (k × n basis) · (8 × n patches)ᵀ: row d holds coefficient d of the tile */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, k, 8, n, 1.0f,
                   basis, n, scratch, n, 0.0f, out + (gsize) t * k * 8, 8);
    }
}

/* Squared distances over k coefficients from the reference fr to the eight
 * positions of a tile c (coefficient d of lane l at c[8·d + l]), starting
 * from s0 (+∞ on lanes outside the search window).  Stops early once every
 * lane has reached thr (the coefficients come coarse first, so most
 * candidates are rejected on the first ones). */
typedef unsigned (*BelowMask) (AdiffV8f v, float thr);

/* The masks are passed to match_body as a pointer, which the optimiser turns
 * into a direct, inlined call.  Without optimisation (-O0: the sanitizer
 * builds) GCC refuses to force that inlining and stops with an error, so
 * there they are plain static functions called through the pointer. */
#ifdef __OPTIMIZE__
#define BELOW_MASK_FN static inline __attribute__ ((always_inline))
#else
#define BELOW_MASK_FN static inline
#endif

/* Bit l set when lane l of v is below thr (the plain form; the AVX one is a
 * compare and a movemask). */
BELOW_MASK_FN unsigned
below_plain (AdiffV8f v, float thr)
{
  unsigned m = 0;
  for (int l = 0; l < 8; l++)
    m |= (unsigned) (v[l] < thr) << l;
  return m;
}

#if ADIFF_SIMD_X86
ADIFF_TARGET_AVX2_FMA BELOW_MASK_FN unsigned
below_avx (AdiffV8f v, float thr)
{
  return (unsigned) _mm256_movemask_ps (_mm256_cmp_ps ((__m256) v, _mm256_set1_ps (thr),
                                                       _CMP_LT_OQ));
}
#endif

static inline __attribute__ ((always_inline)) AdiffV8f
dist8 (const float *fr, const float *c, int k, float thr, AdiffV8f s, BelowMask below)
{
  int d = 0;
  /* blocks of sixteen coefficients on four accumulators (the adds' latency,
   * not the loads, bounds one accumulator) */
  for (; d + 16 <= k; d += 16)
    {
      AdiffV8f a[4] = { s, splat8 (0.0f), splat8 (0.0f), splat8 (0.0f) };
#pragma GCC unroll 16
      for (int i = 0; i < 16; i++)
        {
          AdiffV8f e = ld8 (c + 8 * (d + i)) - fr[d + i];
          a[i & 3] += e * e;
        }
      s = (a[0] + a[1]) + (a[2] + a[3]);
      if (d + 16 == k)
        return s;
      if (!below (s, thr))
        return s;
    }
  for (; d < k; d++)
    {
      AdiffV8f e = ld8 (c + 8 * d) - fr[d];
      s += e * e;
    }
  return s;
}

/* Put (x, y, d) into the group sorted by distance (the reference stays
 * first); returns the new count. */
static inline __attribute__ ((always_inline)) int
group_insert (int count, int nmax, int x, int y, float d, int *pos_x, int *pos_y,
              float *dist)
{
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
  return count;
}

/* adiff__photo_match's search (below). */
static inline __attribute__ ((always_inline)) int
match_body (const AdiffPhotoFeatures *feat, int w, int h, int P, int rx, int ry,
            const AdiffPhotoPass *pass, float guide_noise, int *pos_x, int *pos_y,
            float *dist, BelowMask below)
{
  int k = feat->k, nx = feat->nx, nmax = pass->group_max;
  int x0 = MAX (0, rx - pass->radius), x1 = MIN (w - P, rx + pass->radius);
  int y0 = MAX (0, ry - pass->radius), y1 = MIN (h - P, ry + pass->radius);
  int ntiles = (nx + 7) / 8, fx0 = feat->x0;   /* fx0: a multiple of 8 */
  const float *ref = feat->f + ((gsize) (ry - feat->y0) * ntiles + (rx - fx0) / 8) * k * 8
                     + (rx - fx0) % 8;
  float fr[ADIFF_PHOTO_MAX_PATCH * ADIFF_PHOTO_MAX_PATCH];
  for (int d = 0; d < k; d++)
    fr[d] = ref[8 * d];

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
  const AdiffV8f inf = splat8 (INFINITY);
  const AdiffV8i lane = { 0, 1, 2, 3, 4, 5, 6, 7 };
  for (int y = y0; y <= y1; y++)
    {
      const float *row = feat->f + (gsize) (y - feat->y0) * ntiles * k * 8;
      for (int t = (x0 - fx0) / 8; t <= (x1 - fx0) / 8; t++)
        {
          /* lanes outside [x0, x1] and the reference itself start at +∞ */
          AdiffV8i x = lane + (fx0 + t * 8);
          AdiffV8i outside = (x < x0) | (x > x1) | ((x == rx) & -(y == ry));
          AdiffV8f d8 = dist8 (fr, row + (gsize) t * k * 8, k, thr,
                               (AdiffV8f) ((AdiffV8i) inf & outside), below);
          for (unsigned m = below (d8, thr); m; m &= m - 1)
            {
              int l = __builtin_ctz (m);
              if (!(d8[l] < thr))   /* thr fell since the mask was taken */
                continue;
              count = group_insert (count, nmax, fx0 + t * 8 + l, y, d8[l], pos_x, pos_y, dist);
              if (count == nmax)
                thr = dist[nmax - 1];
            }
        }
    }
  return count;
}

/* The kernels of this file, compiled once per instruction set: the plain
 * form (ADIFF_HOT: with an AVX2 clone) and, on x86-64, with AVX2 and FMA (a
 * multiply-add per coefficient instead of two operations), chosen by
 * adiff__simd_level (). */
#define MATCH_KERNELS(suffix, attrs, below)                                             \
  attrs static void                                                                     \
  features_row_##suffix (float *out, const AdiffPhotoRows *plane, int x0, int x_lo,     \
                         int x_hi, int y, int P, const float *c, const int *order,      \
                         int k, int ntiles, float *V)                                   \
  {                                                                                     \
    features_row_separable (out, plane, x0, x_lo, x_hi, y, P, c, order, k, ntiles, V);  \
  }                                                                                     \
  attrs static int                                                                      \
  match_##suffix (const AdiffPhotoFeatures *feat, int w, int h, int P, int rx, int ry,  \
                  const AdiffPhotoPass *pass, float guide_noise, int *pos_x,            \
                  int *pos_y, float *dist)                                              \
  {                                                                                     \
    return match_body (feat, w, h, P, rx, ry, pass, guide_noise, pos_x, pos_y, dist,    \
                       below);                                                          \
  }

MATCH_KERNELS (plain, ADIFF_HOT, below_plain)
#if ADIFF_SIMD_X86
MATCH_KERNELS (fma, ADIFF_TARGET_AVX2_FMA __attribute__ ((optimize ("O3"))), below_avx)
#endif

static void
features_row (float *out, const AdiffPhotoRows *plane, int x0, int x_lo, int x_hi, int y, int P,
              const float *c, const int *order, int k, int ntiles, float *V)
{
#if ADIFF_SIMD_X86
  if (adiff__simd_level () >= ADIFF__SIMD_AVX2)
    {
      features_row_fma (out, plane, x0, x_lo, x_hi, y, P, c, order, k, ntiles, V);
      return;
    }
#endif
  features_row_plain (out, plane, x0, x_lo, x_hi, y, P, c, order, k, ntiles, V);
}

/* Coefficients of positions [x_lo, x_hi] × rows y0 .. y0+ny−1 (the plane
 * must hold their patches), over the tiles that cover them
 * (adiff__photo_feature_span).  Stored by tiles of eight neighbouring
 * positions, coefficient-major inside a tile, so that the eight distances of
 * a tile are one vector computation over contiguous memory.  feat->f must
 * hold adiff__photo_features_floats (nx, k, ny), scratch
 * adiff__photo_features_scratch (nx, P), for the span's nx. */
void
adiff__photo_features_compute (AdiffPhotoFeatures *feat, const AdiffPhotoRows *plane, int w,
                               int P, const float *basis, const AdiffPhotoTransform *tr,
                               int k, int x_lo, int x_hi, int y0, int ny, float *scratch)
{
  int x0, nx, ntiles;
  int order[ADIFF_PHOTO_MAX_PATCH * ADIFF_PHOTO_MAX_PATCH];

  adiff__photo_feature_span (w, P, x_lo, x_hi, &x0, &nx);
  ntiles = (nx + 7) / 8;
  feat->x0 = x0;
  feat->y0 = y0;
  feat->nx = nx;
  feat->ny = ny;
  feat->k = k;
  if (tr->separable)
    adiff__photo_basis_order (P, order);
  for (int r = 0; r < ny; r++)
    {
      float *out = feat->f + (gsize) r * ntiles * k * 8;
      if (tr->separable)
        features_row (out, plane, x0, x_lo, x_hi, y0 + r, P, tr->c, order, k, ntiles, scratch);
      else
        features_row_dense (out, plane, x0, x_lo, x_hi, y0 + r, P, basis, k, ntiles, scratch);
    }
}

/* The group of the reference patch at (rx, ry): up to pass->group_max
 * positions within ±radius whose distance is below the threshold, nearest
 * first; the reference itself is always first.  Returns the count (≥ 1).  The
 * features must cover ry − radius .. ry + radius and rx − radius .. rx +
 * radius (clipped to the image). */
int
adiff__photo_match (const AdiffPhotoFeatures *feat, int w, int h, int P, int rx, int ry,
                    const AdiffPhotoPass *pass, float guide_noise, int *pos_x, int *pos_y,
                    float *dist)
{
#if ADIFF_SIMD_X86
  if (adiff__simd_level () >= ADIFF__SIMD_AVX2)
    return match_fma (feat, w, h, P, rx, ry, pass, guide_noise, pos_x, pos_y, dist);
#endif
  return match_plain (feat, w, h, P, rx, ry, pass, guide_noise, pos_x, pos_y, dist);
}
