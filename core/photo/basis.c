/* basis.c — the fixed orthonormal patch bases and the aggregation window. */
#include "photo/photo-private.h"

#include <math.h>

/* 1-D orthonormal matrices (P×P, row = basis vector, coarse first). */
static void
dct_1d (int P, double c1[ADIFF_PHOTO_MAX_PATCH][ADIFF_PHOTO_MAX_PATCH])
{
  for (int u = 0; u < P; u++)
    for (int x = 0; x < P; x++)
      c1[u][x] = (u == 0 ? sqrt (1.0 / P) : sqrt (2.0 / P)) * cos (M_PI * (2 * x + 1) * u / (2.0 * P));
}

/* Haar wavelet for P a power of 2: row 0 the scaling function, then the
 * details from coarse to fine (row 2^l + i: level l, position i). */
static void
haar_1d (int P, double c1[ADIFF_PHOTO_MAX_PATCH][ADIFF_PHOTO_MAX_PATCH])
{
  for (int u = 0; u < P; u++)
    for (int x = 0; x < P; x++)
      c1[u][x] = 0.0;
  for (int x = 0; x < P; x++)
    c1[0][x] = sqrt (1.0 / P);
  for (int len = P; len > 1; len /= 2)
    for (int i = 0, row = P / len; i < P / len; i++)
      {
        double v = sqrt (1.0 / len);
        for (int x = 0; x < len / 2; x++)
          {
            c1[row + i][i * len + x] = v;
            c1[row + i][i * len + len / 2 + x] = -v;
          }
      }
}

/* bior1.5 for P = 8 (3 levels, periodic), rows normalised to unit norm, as
 * hard-coded in BM3D's reference implementation (getTransfMatrix). */
static const double bior15_8[8][8] = {
  { 0.353553390593274, 0.353553390593274, 0.353553390593274, 0.353553390593274,
    0.353553390593274, 0.353553390593274, 0.353553390593274, 0.353553390593274 },
  { 0.219417649252501, 0.449283757993216, 0.449283757993216, 0.219417649252501,
    -0.219417649252501, -0.449283757993216, -0.449283757993216, -0.219417649252501 },
  { 0.569359398342846, 0.402347308162278, -0.402347308162278, -0.569359398342846,
    -0.083506045090284, 0.083506045090284, -0.083506045090284, 0.083506045090284 },
  { -0.083506045090284, 0.083506045090284, -0.083506045090284, 0.083506045090284,
    0.569359398342846, 0.402347308162278, -0.402347308162278, -0.569359398342846 },
  { 0.707106781186547, -0.707106781186547, 0, 0, 0, 0, 0, 0 },
  { 0, 0, 0.707106781186547, -0.707106781186547, 0, 0, 0, 0 },
  { 0, 0, 0, 0, 0.707106781186547, -0.707106781186547, 0, 0 },
  { 0, 0, 0, 0, 0, 0, 0.707106781186547, -0.707106781186547 },
};

static gboolean
is_pow2 (int P)
{
  return (P & (P - 1)) == 0;
}

/* The 1-D matrix of a separable basis, as floats (P×P, rows). */
float *
adiff__photo_basis_1d (AdiffPhotoBasis kind, int P)
{
  double c1[ADIFF_PHOTO_MAX_PATCH][ADIFF_PHOTO_MAX_PATCH];
  float *m = g_new (float, P * P);
  if (kind == ADIFF_PHOTO_BASIS_HAAR && is_pow2 (P))
    haar_1d (P, c1);
  else if (kind == ADIFF_PHOTO_BASIS_BIOR15 && P == 8)
    for (int u = 0; u < 8; u++)
      for (int x = 0; x < 8; x++)
        c1[u][x] = bior15_8[u][x];
  else
    dct_1d (P, c1);
  for (int u = 0; u < P; u++)
    for (int x = 0; x < P; x++)
      m[u * P + x] = (float) c1[u][x];
  return m;
}

/* The index pairs (u, v) of a separable P×P basis as u·P + v, ordered by
 * u + v, then by max(u, v), then by index: smooth first, so that matching on
 * the first k compares the coarse content of patches. */
void
adiff__photo_basis_order (int P, int *order)
{
  int n = P * P;
  for (int i = 0; i < n; i++)
    order[i] = i;
  /* insertion sort of index pairs by (u + v, max(u, v), index) */
  for (int i = 1; i < n; i++)
    {
      int t = order[i], j = i;
      int tu = t / P, tv = t % P;
      int tk1 = tu + tv, tk2 = MAX (tu, tv);
      while (j > 0)
        {
          int s = order[j - 1], su = s / P, sv = s % P;
          int sk1 = su + sv, sk2 = MAX (su, sv);
          if (sk1 < tk1 || (sk1 == tk1 && (sk2 < tk2 || (sk2 == tk2 && s < t))))
            break;
          order[j] = s;
          j--;
        }
      order[j] = t;
    }
}

/* The separable 2-D basis of P×P patches as P² rows (row r is the basis
 * image of index pair order[r] = (u, v), pixel index y·P + x), coarse first
 * (adiff__photo_basis_order). */
float *
adiff__photo_basis_separable (AdiffPhotoBasis kind, int P)
{
  int n = P * P;
  float *b = g_new (float, (gsize) n * n);
  float *c1 = adiff__photo_basis_1d (kind, P);
  int order[ADIFF_PHOTO_MAX_PATCH * ADIFF_PHOTO_MAX_PATCH];

  adiff__photo_basis_order (P, order);
  for (int r = 0; r < n; r++)
    {
      int u = order[r] / P, v = order[r] % P;
      for (int y = 0; y < P; y++)
        for (int x = 0; x < P; x++)
          b[(gsize) r * n + y * P + x] = c1[u * P + y] * c1[v * P + x];
    }
  g_free (c1);
  return b;
}

static double
bessel_i0 (double x)
{
  double sum = 1.0, term = 1.0;
  for (int k = 1; k < 50; k++)
    {
      term *= (x / (2.0 * k)) * (x / (2.0 * k));
      sum += term;
      if (term < 1e-12 * sum)
        break;
    }
  return sum;
}

/* Separable Kaiser window of parameter beta (0 = flat), as BM3D aggregates. */
float *
adiff__photo_window_kaiser (int P, float beta)
{
  double k1[ADIFF_PHOTO_MAX_PATCH];
  float *w = g_new (float, P * P);

  for (int i = 0; i < P; i++)
    {
      double t = P > 1 ? 2.0 * i / (P - 1) - 1.0 : 0.0;
      k1[i] = bessel_i0 (beta * sqrt (MAX (0.0, 1.0 - t * t))) / bessel_i0 (beta);
    }
  for (int y = 0; y < P; y++)
    for (int x = 0; x < P; x++)
      w[y * P + x] = (float) (k1[y] * k1[x]);
  return w;
}
