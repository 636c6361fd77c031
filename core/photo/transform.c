/* transform.c — the 2-D patch transform of a group (forward and inverse).
 *
 * Two kinds of orthonormal basis:
 *  - separable (2-D DCT or Haar wavelet): Y = C X Cᵀ, 2·P³ multiply-adds per patch;
 *  - dense (any P²×P² basis, e.g. the bundle's PCA): y = B x, P⁴ per patch.
 * Both are written as row updates ("axpy" on contiguous rows) that the
 * compiler keeps in SIMD registers; for P = 8 a row is one 8-float vector
 * (two SSE registers at -march=x86-64-v2, one AVX register in the x86-64-v3
 * clone picked at load time).
 * Coefficients of the separable transform are in natural (u, v) order; the
 * shrinkage is per coefficient, so the order does not matter there.
 */
#include "photo/transform.h"
#include "photo/photo-simd.h"

#include <math.h>
#include <string.h>

AdiffPhotoTransform *
adiff__photo_transform_new_separable (int P, const float *c1)
{
  AdiffPhotoTransform *t = g_new0 (AdiffPhotoTransform, 1);
  t->P = P;
  t->n = P * P;
  t->separable = TRUE;
  t->c = g_memdup2 (c1, sizeof (float) * P * P);
  t->ct = g_new (float, P * P);
  t->g = g_new (float, P * P);
  t->gt = g_new (float, P * P);
  for (int u = 0; u < P; u++)
    for (int x = 0; x < P; x++)
      t->ct[x * P + u] = c1[u * P + x];

  /* G = C⁻¹ by Gauss–Jordan in double (C is orthonormal for DCT and Haar,
   * only biorthogonal for bior1.5) */
  double a[ADIFF_PHOTO_MAX_PATCH][2 * ADIFF_PHOTO_MAX_PATCH];
  for (int r = 0; r < P; r++)
    for (int k = 0; k < 2 * P; k++)
      a[r][k] = k < P ? c1[r * P + k] : (k - P == r);
  for (int col = 0; col < P; col++)
    {
      int piv = col;
      for (int r = col + 1; r < P; r++)
        if (fabs (a[r][col]) > fabs (a[piv][col]))
          piv = r;
      for (int k = 0; k < 2 * P; k++)
        {
          double tmp = a[col][k];
          a[col][k] = a[piv][k];
          a[piv][k] = tmp;
        }
      double d = a[col][col];
      for (int k = 0; k < 2 * P; k++)
        a[col][k] /= d;
      for (int r = 0; r < P; r++)
        if (r != col)
          {
            double f = a[r][col];
            for (int k = 0; k < 2 * P; k++)
              a[r][k] -= f * a[col][k];
          }
    }
  for (int r = 0; r < P; r++)
    for (int k = 0; k < P; k++)
      {
        t->g[r * P + k] = (float) a[r][P + k];
        t->gt[k * P + r] = (float) a[r][P + k];
      }
  return t;
}

AdiffPhotoTransform *
adiff__photo_transform_new_dense (int P, const float *basis)
{
  AdiffPhotoTransform *t = g_new0 (AdiffPhotoTransform, 1);
  int n = P * P;
  t->P = P;
  t->n = n;
  t->separable = FALSE;
  t->b = g_memdup2 (basis, sizeof (float) * n * n);
  t->bt = g_new (float, n * n);
  for (int r = 0; r < n; r++)
    for (int i = 0; i < n; i++)
      t->bt[i * n + r] = basis[r * n + i];
  return t;
}

void
adiff__photo_transform_free (AdiffPhotoTransform *t)
{
  if (t == NULL)
    return;
  g_free (t->c);
  g_free (t->ct);
  g_free (t->g);
  g_free (t->gt);
  g_free (t->b);
  g_free (t->bt);
  g_free (t);
}

/* out (P×P) = A (P×P) · M (P×P), all row-major: out[r][:] = Σ_k A[r][k] M[k][:];
 * inlined where P is a constant, so the compiler unrolls and vectorises it. */
static inline __attribute__ ((always_inline)) void
matmul_fixed (const float *A, const float *M, float *out, const int P)
{
  for (int r = 0; r < P; r++)
    {
      float acc[ADIFF_PHOTO_MAX_PATCH] = { 0 };
      for (int k = 0; k < P; k++)
        {
          float a = A[r * P + k];
          for (int j = 0; j < P; j++)
            acc[j] += a * M[k * P + j];
        }
      memcpy (out + r * P, acc, P * sizeof (float));
    }
}

static inline __attribute__ ((always_inline)) void
matmul_8 (const float *A, const float *M, float *out)
{
  AdiffV8f m[8];
  for (int k = 0; k < 8; k++)
    m[k] = ld8 (M + k * 8);
  for (int r = 0; r < 8; r++)
    {
      AdiffV8f acc = splat8 (A[r * 8]) * m[0];
      for (int k = 1; k < 8; k++)
        acc += splat8 (A[r * 8 + k]) * m[k];
      st8 (out + r * 8, acc);
    }
}

/* The patch sizes the model's passes use get code of their own (a few
 * times faster than the loop over any P). */
static inline __attribute__ ((always_inline)) void
matmul_p (const float *A, const float *M, float *out, int P)
{
  switch (P)
    {
    case 8: matmul_8 (A, M, out); return;
    case 4: matmul_fixed (A, M, out, 4); return;
    case 5: matmul_fixed (A, M, out, 5); return;
    case 6: matmul_fixed (A, M, out, 6); return;
    case 7: matmul_fixed (A, M, out, 7); return;
    case 9: matmul_fixed (A, M, out, 9); return;
    case 10: matmul_fixed (A, M, out, 10); return;
    case 11: matmul_fixed (A, M, out, 11); return;
    case 12: matmul_fixed (A, M, out, 12); return;
    default: matmul_fixed (A, M, out, P); return;
    }
}

/* out[0..n) = Σ_i x[i] · M[i][0..n) */
static inline __attribute__ ((always_inline)) void
matvec_rows (const float *x, const float *M, float *out, int n)
{
  if ((n & 31) == 0)
    {
      for (int r0 = 0; r0 < n; r0 += 32)
        {
          AdiffV8f a0 = splat8 (0.0f), a1 = a0, a2 = a0, a3 = a0;
          for (int i = 0; i < n; i++)
            {
              const float *m = M + (gsize) i * n + r0;
              AdiffV8f xi = splat8 (x[i]);
              a0 += xi * ld8 (m);
              a1 += xi * ld8 (m + 8);
              a2 += xi * ld8 (m + 16);
              a3 += xi * ld8 (m + 24);
            }
          st8 (out + r0, a0);
          st8 (out + r0 + 8, a1);
          st8 (out + r0 + 16, a2);
          st8 (out + r0 + 24, a3);
        }
      return;
    }
  memset (out, 0, n * sizeof (float));
  for (int i = 0; i < n; i++)
    for (int r = 0; r < n; r++)
      out[r] += x[i] * M[(gsize) i * n + r];
}

/* N patches of n values (contiguous), each mapped by one linear map: with
 * a separable transform out = L · in · R (in as a P×P block), else
 * out[r] = Σ_i in[i] M[i][r].  Forward and inverse differ only in the
 * matrices they pass. */
static inline __attribute__ ((always_inline)) void
map_patches (const AdiffPhotoTransform *t, const float *left, const float *right,
             const float *m, const float *in, float *out, int N)
{
  int P = t->P, n = t->n;
  float tmp[ADIFF_PHOTO_MAX_PATCH * ADIFF_PHOTO_MAX_PATCH];
  for (int j = 0; j < N; j++)
    {
      const float *inj = in + (gsize) j * n;
      float *outj = out + (gsize) j * n;
      if (t->separable)
        {
          matmul_p (left, inj, tmp, P);
          matmul_p (tmp, right, outj, P);
        }
      else
        matvec_rows (inj, m, outj, n);
    }
}

/* Both directions compiled in the plain form (ADIFF_HOT: with an AVX2 clone)
 * and, on x86-64, with AVX2 and FMA (chosen by adiff__simd_level ()). */
#define TRANSFORM_KERNELS(suffix, attrs)                                               \
  attrs static void                                                                    \
  forward_##suffix (const AdiffPhotoTransform *t, const float *x, float *y, int N)     \
  {                                                                                    \
    /* y = C X Cᵀ, or y[r] = Σ_i x[i] B[r][i] */                                       \
    map_patches (t, t->c, t->ct, t->bt, x, y, N);                                      \
  }                                                                                    \
  attrs static void                                                                    \
  inverse_##suffix (const AdiffPhotoTransform *t, const float *y, float *x, int N)     \
  {                                                                                    \
    /* X = G Y Gᵀ with G = C⁻¹, or x[i] = Σ_r y[r] B[r][i] */                          \
    map_patches (t, t->g, t->gt, t->b, y, x, N);                                       \
  }

TRANSFORM_KERNELS (plain, ADIFF_HOT)
#if ADIFF_SIMD_X86
TRANSFORM_KERNELS (fma, ADIFF_TARGET_AVX2_FMA __attribute__ ((optimize ("O3"))))
#endif

/* The kernel of this CPU. */
#if ADIFF_SIMD_X86
#define KERNEL(name) (adiff__simd_level () >= ADIFF__SIMD_AVX2 ? name##_fma : name##_plain)
#else
#define KERNEL(name) name##_plain
#endif

void
adiff__photo_transform_forward (const AdiffPhotoTransform *t, const float *x, float *y, int N)
{
  KERNEL (forward) (t, x, y, N);
}

void
adiff__photo_transform_inverse (const AdiffPhotoTransform *t, const float *y, float *x, int N)
{
  KERNEL (inverse) (t, y, x, N);
}
