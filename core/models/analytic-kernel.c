/* analytic-kernel.c — the exact kernel of the analytic denoiser: one
 * window against blocks of exemplars, with an online log-sum-exp per mask
 * group (see analytic.c for the model).
 *
 * For a block, e_{p,i} = (z_p − x^(i)_p)² is stored coordinate-major
 * (row p holds the block's exemplars), so a group's masked distance is a
 * sum of |M| contiguous rows: vector adds.  Logits are −dist/2σ² in float
 * (dist is a sum of positive terms, so no cancellation); the running sums
 * are kept in double.
 */
#include "models/analytic-private.h"

void
adiff__accum_init (AnaAccum *a, const AnalyticState *s)
{
  a->gmax = g_new (float, s->n_groups);
  a->gsum = g_new0 (double, s->n_groups);
  a->acc = g_new0 (double, s->d);
  a->e = g_new (float, s->d * ANA_BLOCK);
  a->xt = g_new (float, s->d * ANA_BLOCK);
  a->dist = g_new (float, ANA_BLOCK);
  a->w = g_new (float, ANA_BLOCK);
  adiff__accum_reset (a, s);
}

void
adiff__accum_reset (AnaAccum *a, const AnalyticState *s)
{
  memset (a->gsum, 0, s->n_groups * sizeof (double));
  memset (a->acc, 0, s->d * sizeof (double));
  for (guint g = 0; g < s->n_groups; g++)
    a->gmax[g] = -G_MAXFLOAT;
}

void
adiff__accum_clear (AnaAccum *a)
{
  g_free (a->gmax); g_free (a->gsum); g_free (a->acc);
  g_free (a->e); g_free (a->xt); g_free (a->dist); g_free (a->w);
}

/* The 8×8 block r (row k = eight coordinates of exemplar k) transposed in
 * place: row j becomes coordinate j of the eight exemplars.  Three rounds
 * of two-input shuffles (AVX2: unpck, shufps, vperm2f128). */
static inline void
transpose8 (AdiffV8f r[8])
{
#define LO1 0, 8, 1, 9, 4, 12, 5, 13
#define HI1 2, 10, 3, 11, 6, 14, 7, 15
#define LO2 0, 1, 8, 9, 4, 5, 12, 13
#define HI2 2, 3, 10, 11, 6, 7, 14, 15
#define LO3 0, 1, 2, 3, 8, 9, 10, 11
#define HI3 4, 5, 6, 7, 12, 13, 14, 15
  /* __builtin_shufflevector: clang's, and GCC's since 12 (the lane
   * indices are constants, as both require). */
  AdiffV8f t[8], u[8];
  for (int k = 0; k < 8; k += 2)
    {
      t[k] = __builtin_shufflevector (r[k], r[k + 1], LO1);
      t[k + 1] = __builtin_shufflevector (r[k], r[k + 1], HI1);
    }
  for (int k = 0; k < 8; k += 4)
    {
      u[k] = __builtin_shufflevector (t[k], t[k + 2], LO2);
      u[k + 1] = __builtin_shufflevector (t[k], t[k + 2], HI2);
      u[k + 2] = __builtin_shufflevector (t[k + 1], t[k + 3], LO2);
      u[k + 3] = __builtin_shufflevector (t[k + 1], t[k + 3], HI2);
    }
  for (int k = 0; k < 4; k++)
    {
      r[k] = __builtin_shufflevector (u[k], u[k + 4], LO3);
      r[k + 4] = __builtin_shufflevector (u[k], u[k + 4], HI3);
    }
#undef LO1
#undef HI1
#undef LO2
#undef HI2
#undef LO3
#undef HI3
}

/* Exemplars i0..i0+7 of the block on every coordinate (the exact kernel's
 * region): rows of eight coordinates are read and transposed in
 * registers instead of scattered one float at a time. */
ADIFF_HOT static void
fill_dense8 (gsize d, const float *ex, const float *z, const guint32 *idx,
             gsize i0, gsize i, float *e, float *xt)
{
  const float *x[8];
  for (int k = 0; k < 8; k++)
    x[k] = ex + (idx ? idx[i0 + i + k] : i0 + i + k) * d;
  gsize p = 0;
  for (; p + 8 <= d; p += 8)
    {
      AdiffV8f r[8];
      for (int k = 0; k < 8; k++)
        memcpy (&r[k], x[k] + p, sizeof r[k]);
      transpose8 (r);
      for (int j = 0; j < 8; j++)
        {
          AdiffV8f t = z[p + j] - r[j];
          memcpy (xt + (p + j) * ANA_BLOCK + i, &r[j], sizeof r[j]);
          t *= t;
          memcpy (e + (p + j) * ANA_BLOCK + i, &t, sizeof t);
        }
    }
  for (; p < d; p++)
    for (int k = 0; k < 8; k++)
      {
        float t = z[p] - x[k][p];
        xt[p * ANA_BLOCK + i + k] = x[k][p];
        e[p * ANA_BLOCK + i + k] = t * t;
      }
}

/* Fill e on the region's coordinates and xt on its members for nb
 * exemplars; pad to ANA_BLOCK with far-away zero exemplars. */
ADIFF_HOT static void
fill_block (gsize d, const float *ex, const float *z, const guint32 *idx,
            gsize i0, gsize nb, const guint32 *coords, gsize n_coords,
            const guint32 *members, gsize n_members, float *e, float *xt)
{
  gsize i = 0;
  /* Exact mode's region holds every coordinate (and so every member). */
  if (n_coords == d && n_members == d)
    for (; i + 8 <= nb; i += 8)
      fill_dense8 (d, ex, z, idx, i0, i, e, xt);
  for (; i < ANA_BLOCK; i++)
    {
      if (i >= nb)
        {
          for (gsize j = 0; j < n_coords; j++)
            e[coords[j] * ANA_BLOCK + i] = 1e30f;
          for (gsize j = 0; j < n_members; j++)
            xt[members[j] * ANA_BLOCK + i] = 0.0f;
          continue;
        }
      const float *x = ex + (idx ? idx[i0 + i] : i0 + i) * d;
      for (gsize j = 0; j < n_coords; j++)
        {
          gsize p = coords[j];
          float t = z[p] - x[p];
          e[p * ANA_BLOCK + i] = t * t;
        }
      for (gsize j = 0; j < n_members; j++)
        xt[members[j] * ANA_BLOCK + i] = x[members[j]];
    }
}

/* dist = Σ of the mask's rows of e.  The 64 sums stay in eight vector
 * registers (a loop over dist itself would load and store all of them
 * for every row: store-bound at one store per cycle); two rows per step
 * so two loads feed each add. */
ADIFF_HOT static void
masked_distance (const float *e, const guint32 *mask, gsize len, float *dist)
{
  enum { V = ANA_BLOCK / 8 };
  AdiffV8f acc[V], acc2[V];
  memcpy (acc, e + (gsize) mask[0] * ANA_BLOCK, sizeof acc);
  memset (acc2, 0, sizeof acc2);
  gsize j = 1;
  for (; j + 2 <= len; j += 2)
    {
      const float *r = e + (gsize) mask[j] * ANA_BLOCK;
      const float *t = e + (gsize) mask[j + 1] * ANA_BLOCK;
      for (int v = 0; v < V; v++)
        {
          AdiffV8f a, b;
          memcpy (&a, r + 8 * v, sizeof a);
          memcpy (&b, t + 8 * v, sizeof b);
          acc[v] += a;
          acc2[v] += b;
        }
    }
  if (j < len)
    {
      const float *r = e + (gsize) mask[j] * ANA_BLOCK;
      for (int v = 0; v < V; v++)
        {
          AdiffV8f a;
          memcpy (&a, r + 8 * v, sizeof a);
          acc[v] += a;
        }
    }
  for (int v = 0; v < V; v++)
    acc[v] += acc2[v];
  memcpy (dist, acc, sizeof acc);
}

/* w = exp(−dist/2σ² − m) with m the new running maximum; returns Σ w. */
ADIFF_HOT static float
block_weights (const float *dist, float inv_2s2, float *gmax, float *scale, float *w)
{
  float mn = adiff__smallest (dist, ANA_BLOCK);
  float m = MAX (*gmax, -mn * inv_2s2);
  *scale = *gmax == -G_MAXFLOAT ? 0.0f : adiff__exp_neg (*gmax - m);
  *gmax = m;
  return adiff__exp_weights (dist, ANA_BLOCK, inv_2s2, m, w);
}

/* Eight lanes of minima: GCC leaves a float min-reduction scalar (a
 * dependency chain through every element) unless told to ignore NaN and
 * −0, so the compare-and-select is written on vectors. */
ADIFF_HOT float
adiff__smallest (const float *dist, gsize n)
{
  AdiffV8f lo;
  memcpy (&lo, dist, sizeof lo);
  for (gsize i = 8; i < n; i += 8)
    {
      AdiffV8f v;
      memcpy (&v, dist + i, sizeof v);
      AdiffV8i less = v < lo;
      lo = (AdiffV8f) (((AdiffV8i) v & less) | ((AdiffV8i) lo & ~less));
    }
  float mn = lo[0];
  for (int k = 1; k < 8; k++)
    mn = lo[k] < mn ? lo[k] : mn;
  return mn;
}

ADIFF_HOT float
adiff__exp_weights (const float *dist, gsize n, float inv_2s2, float m, float *w)
{
  AdiffV8f lanes = { 0 };
  for (gsize i = 0; i < n; i += 8)
    {
      AdiffV8f v;
      memcpy (&v, dist + i, sizeof v);
      v = -v * inv_2s2 - m;
      adiff__exp_neg8 (&v);
      memcpy (w + i, &v, sizeof v);
      lanes += v;
    }
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
         + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

ADIFF_HOT static float
dot_block (const float *w, const float *x)
{
  float lanes[8] = { 0 };
  for (int i = 0; i < ANA_BLOCK; i += 8)
    for (int k = 0; k < 8; k++)
      lanes[k] += w[i + k] * x[i + k];
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
         + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

void
adiff__accum_block (const AnalyticState *s, const AnaRegion *r, const float *ex,
                 const float *z, const guint32 *idx, gsize i0, gsize nb, AnaAccum *a)
{
  gsize m0 = s->member_start[r->g0], m1 = s->member_start[r->g1];
  fill_block (s->d, ex, z, idx, i0, nb, r->coords, r->n_coords,
              s->members + m0, m1 - m0, a->e, a->xt);
  for (guint g = r->g0; g < r->g1; g++)
    {
      gsize m0 = s->mask_start[g];
      masked_distance (a->e, s->mask_idx + m0, s->mask_start[g + 1] - m0, a->dist);
      float scale;
      float sum = block_weights (a->dist, s->inv_2s2, &a->gmax[g], &scale, a->w);
      a->gsum[g] = a->gsum[g] * scale + sum;
      for (gsize j = s->member_start[g]; j < s->member_start[g + 1]; j++)
        {
          guint32 q = s->members[j];
          a->acc[q] = a->acc[q] * scale + dot_block (a->w, a->xt + (gsize) q * ANA_BLOCK);
        }
    }
}

void
adiff__accum_merge (const AnalyticState *s, AnaAccum *dst, const AnaAccum *src)
{
  for (guint g = 0; g < s->n_groups; g++)
    {
      if (src->gmax[g] == -G_MAXFLOAT)
        continue;
      float m = MAX (dst->gmax[g], src->gmax[g]);
      double sd = dst->gmax[g] == -G_MAXFLOAT ? 0.0 : exp ((double) dst->gmax[g] - m);
      double ss = exp ((double) src->gmax[g] - m);
      dst->gmax[g] = m;
      dst->gsum[g] = dst->gsum[g] * sd + src->gsum[g] * ss;
      for (gsize j = s->member_start[g]; j < s->member_start[g + 1]; j++)
        {
          guint32 q = s->members[j];
          dst->acc[q] = dst->acc[q] * sd + src->acc[q] * ss;
        }
    }
}

void
adiff__accum_finish (const AnalyticState *s, const AnaAccum *a, float *out)
{
  for (guint g = 0; g < s->n_groups; g++)
    for (gsize j = s->member_start[g]; j < s->member_start[g + 1]; j++)
      {
        guint32 q = s->members[j];
        out[q] = (float) (a->acc[q] / a->gsum[g]);
      }
}


