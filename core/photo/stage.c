/* stage.c — one band of a grouped pass: match the band's reference
 * patches, filter each group in the 3-D basis, aggregate every estimate
 * with its inverse-variance weight into the band's own sums (rows the band
 * can touch only).  pipeline.c adds the bands' sums to the image's, band
 * after band, so each pixel's float sum is fixed by the image alone.
 */
#include "photo/photo-private.h"
#include "photo/transform.h"
#include "photo/photo-simd.h"
#include "parallel.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* Orthonormal multilevel Haar transform along the group (N rows, power of 2)
 * of n coefficients each. */
static inline __attribute__ ((always_inline)) void
haar_forward (float *x, int N, int n, float *tmp)
{
  const float s = (float) M_SQRT1_2;
  for (int len = N; len > 1; len /= 2)
    {
      int half = len / 2;
      for (int i = 0; i < half; i++)
        {
          const float *a = x + (gsize) (2 * i) * n, *b = a + n;
          float *lo = tmp + (gsize) i * n, *hi = tmp + (gsize) (half + i) * n;
          if ((n & 7) == 0)
            for (int c = 0; c < n; c += 8)
              {
                AdiffV8f va = ld8 (a + c), vb = ld8 (b + c);
                st8 (lo + c, (va + vb) * s);
                st8 (hi + c, (va - vb) * s);
              }
          else
            for (int c = 0; c < n; c++)
              {
                lo[c] = (a[c] + b[c]) * s;
                hi[c] = (a[c] - b[c]) * s;
              }
        }
      memcpy (x, tmp, (gsize) len * n * sizeof (float));
    }
}

static inline __attribute__ ((always_inline)) void
haar_inverse (float *x, int N, int n, float *tmp)
{
  const float s = (float) M_SQRT1_2;
  for (int len = 2; len <= N; len *= 2)
    {
      int half = len / 2;
      for (int i = 0; i < half; i++)
        {
          const float *lo = x + (gsize) i * n, *hi = x + (gsize) (half + i) * n;
          float *a = tmp + (gsize) (2 * i) * n, *b = a + n;
          if ((n & 7) == 0)
            for (int c = 0; c < n; c += 8)
              {
                AdiffV8f vl = ld8 (lo + c), vh = ld8 (hi + c);
                st8 (a + c, (vl + vh) * s);
                st8 (b + c, (vl - vh) * s);
              }
          else
            for (int c = 0; c < n; c++)
              {
                a[c] = (lo[c] + hi[c]) * s;
                b[c] = (lo[c] - hi[c]) * s;
              }
        }
      memcpy (x, tmp, (gsize) len * n * sizeof (float));
    }
}

static inline __attribute__ ((always_inline)) void
gather (float *dst, const AdiffPhotoRows *plane, int P, int N, const int *px, const int *py)
{
  if (P == 8)
    {
      for (int j = 0; j < N; j++)
        {
          float *const *rows = plane->row + (py[j] - plane->y0);
          int x = px[j] - plane->x0;
          for (int dy = 0; dy < 8; dy++)
            st8 (dst + j * 64 + dy * 8, ld8 (rows[dy] + x));
        }
      return;
    }
  for (int j = 0; j < N; j++)
    {
      float *const *rows = plane->row + (py[j] - plane->y0);
      int x = px[j] - plane->x0;
      for (int dy = 0; dy < P; dy++)
        memcpy (dst + (gsize) j * P * P + dy * P, rows[dy] + x, P * sizeof (float));
    }
}

/* Shrink the 3-D coefficients c (N·n) in place; returns the estimate's weight
 * (inverse of its noise variance, up to the common factor). */
static inline __attribute__ ((always_inline)) float
shrink_group (const AdiffPhotoStage *st, int ch, float *c, const float *p, int len)
{
  float sigma = st->sigma[ch], s2 = sigma * sigma;

  switch (st->shrink)
    {
    case ADIFF_PHOTO_SHRINK_HARD:
      {
        float thr = st->lambda * sigma;
        int kept = 0;
        for (int i = 0; i < len; i++)
          {
            if (fabsf (c[i]) < thr)
              c[i] = 0.0f;
            else
              kept++;
          }
        return 1.0f / (s2 * MAX (kept, 1));
      }
    case ADIFF_PHOTO_SHRINK_PILOT:
    default:
      {
        /* local Wiener filter: signal variance from the pilot's coefficient */
        float n2 = st->pass.gain_noise * s2;
        int i = 0;
        AdiffV8f acc = splat8 (0.0f);
        for (; i + 8 <= len; i += 8)
          {
            AdiffV8f pv = ld8 (p + i);
            AdiffV8f p2 = pv * pv;
            AdiffV8f g = p2 / (p2 + n2);
            st8 (c + i, ld8 (c + i) * g);
            acc += g * g;
          }
        float sum_g2 = hsum8 (acc);
        for (; i < len; i++)
          {
            float p2 = p[i] * p[i];
            float g = p2 / (p2 + n2);
            c[i] *= g;
            sum_g2 += g * g;
          }
        return 1.0f / (s2 * MAX (sum_g2, 1e-3f));
      }
    }
}

/* Filter one channel of a group (N patches at pos_x/pos_y) and add its
 * estimates to the band's sums (first row ay0). */
ADIFF_HOT static void
filter_group (const AdiffPhotoStage *st, int c, int N, const int *pos_x, const int *pos_y,
              float *pix, float *coef, float *pcoef, float *tmp,
              float *acc_num, float *acc_den, int ay0)
{
  int P = st->pass.patch, n = P * P, w = st->noisy->width, x0 = st->noisy->x0;

  gather (pix, &st->noisy[c], P, N, pos_x, pos_y);
  adiff__photo_transform_forward (st->transform, pix, coef, N);
  haar_forward (coef, N, n, tmp);
  if (st->shrink == ADIFF_PHOTO_SHRINK_PILOT)
    {
      gather (pix, &st->pilot[c], P, N, pos_x, pos_y);
      adiff__photo_transform_forward (st->transform, pix, pcoef, N);
      haar_forward (pcoef, N, n, tmp);
    }
  float wgt = shrink_group (st, c, coef, pcoef, N * n) * st->weight;
  haar_inverse (coef, N, n, tmp);
  adiff__photo_transform_inverse (st->transform, coef, pix, N);

  float ww[ADIFF_PHOTO_MAX_PATCH * ADIFF_PHOTO_MAX_PATCH];
  for (int i = 0; i < n; i++)
    ww[i] = wgt * st->window[i];
  for (int j = 0; j < N; j++)
    {
      const float *e = pix + (gsize) j * n;
      gsize o = (gsize) (pos_y[j] - ay0) * w + (pos_x[j] - x0);
      for (int dy = 0; dy < P; dy++, o += w)
        {
          float *an = acc_num + o, *ad = acc_den + o;
          const float *wr = ww + dy * P, *er = e + dy * P;
          if (P == 8)
            {
              AdiffV8f wv = ld8 (wr);
              st8 (an, ld8 (an) + wv * ld8 (er));
              st8 (ad, ld8 (ad) + wv);
            }
          else
            for (int dx = 0; dx < P; dx++)
              {
                an[dx] += wr[dx] * er[dx];
                ad[dx] += wr[dx];
              }
        }
    }
}

void
adiff__photo_band_rows (const AdiffPhotoStage *st, AdiffPhotoBand *band)
{
  int P = st->pass.patch, R = st->pass.radius;
  band->ay0 = MAX (0, st->ref_y[band->i0] - R);
  band->ay1 = MIN (st->h - P, st->ref_y[band->i1 - 1] + R) + P;
}

/* Positions (x_lo..x_hi, y_lo..) whose coefficients the band compares:
 * those of st's patches within its search windows around the references
 * of grid (st itself, or the stage st is the companion of), moved by
 * st->offset. */
static void
band_positions (const AdiffPhotoStage *st, const AdiffPhotoStage *grid,
                const AdiffPhotoBand *band, int *x_lo, int *x_hi, int *y_lo, int *ny)
{
  int P = st->pass.patch, R = st->pass.radius, o = st->offset;
  *x_lo = MAX (0, grid->ref_x[band->j0] + o - R);
  *x_hi = MIN (st->w - P, grid->ref_x[band->j1 - 1] + o + R);
  *y_lo = MAX (0, grid->ref_y[band->i0] + o - R);
  *ny = MIN (st->h - P, grid->ref_y[band->i1 - 1] + o + R) + 1 - *y_lo;
}

void
adiff__photo_scratch_clear (AdiffPhotoScratch *wk)
{
  g_free (wk->feat.f);
  g_free (wk->scratch);
  g_free (wk->pix);
  g_free (wk->coef);
  g_free (wk->pcoef);
  g_free (wk->tmp);
  memset (wk, 0, sizeof *wk);
}

/* What a band of st needs (its references every `step` rows, st's own or
 * those of the stage it is the companion of), into the maxima. */
static void
scratch_need (const AdiffPhotoStage *st, int step, gsize *feat, gsize *scratch, gsize *group)
{
  const AdiffPhotoPass *pass = &st->pass;
  int P = pass->patch, x0, nx;
  int x_lo = MAX (0, st->noisy->x0), x_hi = MIN (st->w - P, st->noisy->x0 + st->noisy->width - P);
  int rows = MIN (st->h - P + 1, (ADIFF_PHOTO_BAND_REFS - 1) * step + 2 * pass->radius + 1);
  adiff__photo_feature_span (st->w, P, x_lo, MAX (x_lo, x_hi), &x0, &nx);
  *feat = MAX (*feat, adiff__photo_features_floats (nx, pass->match_dims, rows));
  *scratch = MAX (*scratch, adiff__photo_features_scratch (nx, P));
  *group = MAX (*group, (gsize) pass->group_max * P * P);
}

/* Buffers for a band of any of the stages (over all the planes' columns). */
gboolean
adiff__photo_scratch_init (AdiffPhotoScratch *wk, const AdiffPhotoStage *stages, int n_stages,
                           GError **error)
{
  gsize feat = 1, scratch = 1, group = 1;
  memset (wk, 0, sizeof *wk);
  for (int s = 0; s < n_stages; s++)
    {
      for (const AdiffPhotoStage *c = &stages[s]; c != NULL; c = c->companion)
        scratch_need (c, stages[s].pass.step, &feat, &scratch, &group);
    }
  if (!(wk->feat.f = adiff__try_alloc (feat, sizeof (float), "photo model: matching coefficients",
                                       error)))
    return FALSE;
  wk->scratch = g_new (float, scratch);
  wk->pix = g_new (float, group);
  wk->coef = g_new (float, group);
  wk->pcoef = g_new (float, group);
  wk->tmp = g_new (float, group);
  return TRUE;
}

/* Match, filter and aggregate st's groups at the band's references of grid
 * (moved by st->offset) into sums. */
static void
run_groups (const AdiffPhotoStage *st, const AdiffPhotoStage *grid, const AdiffPhotoBand *band,
            AdiffPhotoScratch *wk, AdiffPhotoSums *sums)
{
  const AdiffPhotoPass *pass = &st->pass;
  int w = st->w, h = st->h, P = pass->patch, o = st->offset, x_lo, x_hi, y_lo, ny;
  int pos_x[ADIFF_PHOTO_MAX_GROUP], pos_y[ADIFF_PHOTO_MAX_GROUP];
  float dist[ADIFF_PHOTO_MAX_GROUP];

  band_positions (st, grid, band, &x_lo, &x_hi, &y_lo, &ny);
  adiff__photo_features_compute (&wk->feat, st->guide, w, P, st->basis, st->transform,
                                 pass->match_dims, x_lo, x_hi, y_lo, ny, wk->scratch);
  for (int iy = band->i0; iy < band->i1; iy++)
    for (int ix = band->j0; ix < band->j1; ix++)
      {
        int count = adiff__photo_match (&wk->feat, w, h, P, grid->ref_x[ix] + o,
                                        grid->ref_y[iy] + o, pass, st->guide_noise, pos_x,
                                        pos_y, dist);
        int N = 1;
        while (N * 2 <= count)   /* the Haar transform across the group wants 2^j */
          N *= 2;
        for (int c = 0; c < st->nch; c++)
          filter_group (st, c, N, pos_x, pos_y, wk->pix, wk->coef, wk->pcoef, wk->tmp,
                        sums->num[c], sums->den[c], band->ay0);
      }
}

void
adiff__photo_band_run (const AdiffPhotoStage *st, const AdiffPhotoBand *band,
                       AdiffPhotoScratch *wk, AdiffPhotoSums *sums)
{
  gsize len = (gsize) (band->ay1 - band->ay0) * st->noisy->width;
  for (int c = 0; c < st->nch; c++)
    {
      memset (sums->num[c], 0, len * sizeof (float));
      memset (sums->den[c], 0, len * sizeof (float));
    }
  for (const AdiffPhotoStage *c = st; c != NULL; c = c->companion)
    run_groups (c, st, band, wk, sums);
}
