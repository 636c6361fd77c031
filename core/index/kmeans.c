/* kmeans.c — the k-means of the fast-mode indexes (see kmeans.h). */
#include <string.h>
#include <cblas.h>
#include "index/kmeans.h"
#include "simd.h"

/* Points per SGEMM when assigning ROWS. */
#define ROWS_BLOCK 4096

/* Offset of coordinate j of centre c. */
static inline gsize
at (const AdiffKmeans *km, guint c, guint j)
{
  return km->layout == ADIFF__KMEANS_ROWS ? (gsize) c * km->m + j : (gsize) j * km->kp + c;
}

void
adiff__kmeans_init (AdiffKmeans *km, AdiffKmeansLayout layout, guint k, guint m)
{
  km->layout = layout;
  km->k = k;
  km->m = m;
  km->kp = layout == ADIFF__KMEANS_COLUMNS ? (guint) adiff__pad8 (k) : k;
  km->cent = g_new0 (float, (gsize) m * km->kp);
  km->cnorm = g_new (float, km->kp);
  for (guint i = 0; i < km->kp; i++)
    km->cnorm[i] = G_MAXFLOAT / 4;
  km->scratch = layout == ADIFF__KMEANS_COLUMNS ? g_new (float, km->kp)
                                                : g_new (float, (gsize) ROWS_BLOCK * k);
}

void
adiff__kmeans_clear (AdiffKmeans *km)
{
  g_clear_pointer (&km->cent, g_free);
  g_clear_pointer (&km->cnorm, g_free);
  g_clear_pointer (&km->scratch, g_free);
}

ADIFF_HOT guint32
adiff__argmin8 (const float *score, guint kp)
{
  AdiffV8f bv = { G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT,
             G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT, G_MAXFLOAT };
  AdiffV8i bi = { 0 }, ci = { 0, 1, 2, 3, 4, 5, 6, 7 }, eight = { 8, 8, 8, 8, 8, 8, 8, 8 };
  for (guint c = 0; c < kp; c += 8, ci += eight)
    {
      AdiffV8f v;
      memcpy (&v, score + c, sizeof v);
      AdiffV8i lt = v < bv;
      bi = (ci & lt) | (bi & ~lt);
      bv = (AdiffV8f) (((AdiffV8i) v & lt) | ((AdiffV8i) bv & ~lt));
    }
  guint32 best = (guint32) bi[0];
  float b = bv[0];
  for (int k = 1; k < 8; k++)
    if (bv[k] < b || (bv[k] == b && (guint32) bi[k] < best))
      {
        b = bv[k];
        best = (guint32) bi[k];
      }
  return best;
}

/* COLUMNS: the nearest of kp centres to the point x, eight lanes wide. */
ADIFF_HOT static guint32
nearest_column (const float *x, guint m, const float *cent, const float *cnorm, guint kp,
                float *score)
{
  for (guint c = 0; c < kp; c++)
    score[c] = cnorm[c];
  for (guint j = 0; j < m; j++)
    {
      float t = -2.0f * x[j];
      const float *row = cent + (gsize) j * kp;
      for (guint c = 0; c < kp; c++)
        score[c] += t * row[c];
    }
  return adiff__argmin8 (score, kp);
}

/* ROWS: the nearest centre of the n points x, by blocks of one SGEMM
 * (−2 x·c) and the norms. */
static void
assign_rows (AdiffKmeans *km, const float *x, gsize n, guint32 *assign)
{
  guint C = km->k, k = km->m;
  float *keys = km->scratch;
  for (gsize i0 = 0; i0 < n; i0 += ROWS_BLOCK)
    {
      gsize nb = MIN (ROWS_BLOCK, n - i0);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nb, (int) C, (int) k,
                   -2.0f, x + i0 * k, (int) k, km->cent, (int) k, 0.0f, keys, (int) C);
      for (gsize i = 0; i < nb; i++)
        {
          guint best = 0;
          float bk = G_MAXFLOAT;
          for (guint c = 0; c < C; c++)
            {
              float v = keys[i * C + c] + km->cnorm[c];
              if (v < bk)
                {
                  bk = v;
                  best = c;
                }
            }
          assign[i0 + i] = best;
        }
    }
}

static void
assign_points (AdiffKmeans *km, const float *x, const guint32 *idx, gsize n,
               guint32 *assign)
{
  if (km->layout == ADIFF__KMEANS_ROWS)
    {
      g_assert (idx == NULL);
      assign_rows (km, x, n, assign);
      return;
    }
  for (gsize i = 0; i < n; i++)
    assign[i] = nearest_column (x + (gsize) (idx ? idx[i] : i) * km->m, km->m, km->cent,
                                km->cnorm, km->kp, km->scratch);
}

static void
centre_norms (AdiffKmeans *km)
{
  for (guint c = 0; c < km->k; c++)
    {
      double v = 0;
      for (guint j = 0; j < km->m; j++)
        v += (double) km->cent[at (km, c, j)] * km->cent[at (km, c, j)];
      km->cnorm[c] = (float) v;
    }
}

/* Centres ← mean of their points x[idx[i]]; empty ones stay. */
static void
centre_update (AdiffKmeans *km, const float *x, const guint32 *idx, gsize n,
               const guint32 *assign, double *sum, guint32 *count)
{
  guint k = km->k, m = km->m;
  memset (sum, 0, (gsize) k * m * sizeof (double));
  memset (count, 0, k * sizeof (guint32));
  for (gsize i = 0; i < n; i++)
    {
      const float *p = x + (gsize) (idx ? idx[i] : i) * m;
      count[assign[i]]++;
      for (guint j = 0; j < m; j++)
        sum[(gsize) assign[i] * m + j] += p[j];
    }
  for (guint c = 0; c < k; c++)
    if (count[c])
      for (guint j = 0; j < m; j++)
        km->cent[at (km, c, j)] = (float) (sum[(gsize) c * m + j] / count[c]);
  centre_norms (km);
}

void
adiff__kmeans_run (AdiffKmeans *km, const AdiffKmeansParams *params, const float *x,
                   const guint32 *idx, gsize n, guint32 *assign)
{
  guint k = km->k, m = km->m;
  gsize ns = params->sample_per_cluster ? MIN (n, (gsize) k * params->sample_per_cluster) : n;
  /* The points iterated on: an evenly spaced sample, or all of them. */
  guint32 *own = NULL;
  const guint32 *sample = idx;
  if (ns < n)
    {
      own = g_new (guint32, ns);
      for (gsize i = 0; i < ns; i++)
        own[i] = idx ? idx[i * n / ns] : (guint32) (i * n / ns);
      sample = own;
    }
  for (guint c = 0; c < k; c++)
    {
      gsize s = (gsize) c * ns / k;
      const float *p = x + (gsize) (sample ? sample[s] : s) * m;
      for (guint j = 0; j < m; j++)
        km->cent[at (km, c, j)] = p[j];
    }
  centre_norms (km);
  guint32 *count = g_new (guint32, k);
  double *sum = g_new (double, (gsize) k * m);
  if (k > 1)
    {
      guint32 *as = g_new (guint32, ns);
      for (guint it = 0; it < params->iterations; it++)
        {
          assign_points (km, x, sample, ns, as);
          centre_update (km, x, sample, ns, as, sum, count);
        }
      g_free (as);
      assign_points (km, x, idx, n, assign);
    }
  else
    memset (assign, 0, n * sizeof (guint32));
  if (params->final_update)
    centre_update (km, x, idx, n, assign, sum, count);
  g_free (own); g_free (count); g_free (sum);
}

void
adiff__kmeans_lists (const guint32 *assign, gsize n, guint k, guint32 *start,
                     guint32 *members)
{
  memset (start, 0, (k + 1) * sizeof (guint32));
  for (gsize i = 0; i < n; i++)
    start[assign[i] + 1]++;
  for (guint c = 0; c < k; c++)
    start[c + 1] += start[c];
  guint32 *fill = g_memdup2 (start, (k + 1) * sizeof (guint32));
  for (gsize i = 0; i < n; i++)
    members[fill[assign[i]]++] = (guint32) i;
  g_free (fill);
}
