/* stage.c — one grouped pass: match, filter each group in the 3-D basis,
 * aggregate all estimates with inverse-variance weights.
 *
 * Work is cut into horizontal bands of reference rows.  A worker takes a band,
 * computes the matching coefficients of the rows the band can reach, filters
 * the band's groups into a private accumulator (rows the band can touch only),
 * then adds it to the image's accumulator under a lock.  Memory: the image's
 * accumulator (2 floats per pixel and channel) plus, per worker, a band's
 * features and accumulator.
 */
#include "photo/photo-private.h"
#include "photo/transform.h"
#include "photo/photo-simd.h"
#include "parallel.h"
#include <glib/gi18n-lib.h>

#include <cblas.h>
#include <math.h>
#include <string.h>

#define BAND_REF_ROWS 16  /* reference rows per band */

/* One worker's buffers. */
typedef struct
{
  AdiffPhotoFeatures feat;
  float *scratch;
  float *acc_num[ADIFF_PHOTO_MAX_CH], *acc_den[ADIFF_PHOTO_MAX_CH];
  float *pix, *coef, *pcoef, *tmp;
} Worker;

typedef struct
{
  const AdiffPhotoStage *st;
  int      *ref_x, n_rx;       /* reference positions (include the last ones) */
  int      *ref_y, n_ry;
  int       n_bands;
  gint      bands_done;        /* atomic */
  GMutex    lock;
  float    *num[ADIFF_PHOTO_MAX_CH];  /* w×h */
  float    *den[ADIFF_PHOTO_MAX_CH];
  Worker   *workers;
} StageRun;

static int *
ref_positions (int len, int P, int step, int *n)
{
  int last = len - P, count = last / step + 1 + (last % step != 0);
  int *pos = g_new (int, count);
  for (int i = 0, v = 0; i < count; i++, v += step)
    pos[i] = MIN (v, last);
  *n = count;
  return pos;
}

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
gather (float *dst, const float *plane, int w, int P, int N, const int *px, const int *py)
{
  if (P == 8)
    {
      for (int j = 0; j < N; j++)
        for (int dy = 0; dy < 8; dy++)
          st8 (dst + j * 64 + dy * 8, ld8 (plane + (gsize) (py[j] + dy) * w + px[j]));
      return;
    }
  for (int j = 0; j < N; j++)
    for (int dy = 0; dy < P; dy++)
      memcpy (dst + (gsize) j * P * P + dy * P, plane + (gsize) (py[j] + dy) * w + px[j],
              P * sizeof (float));
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
        int i = 0;
        AdiffV8f acc = splat8 (0.0f);
        for (; i + 8 <= len; i += 8)
          {
            AdiffV8f pv = ld8 (p + i);
            AdiffV8f p2 = pv * pv;
            AdiffV8f g = p2 / (p2 + s2);
            st8 (c + i, ld8 (c + i) * g);
            acc += g * g;
          }
        float sum_g2 = hsum8 (acc);
        for (; i < len; i++)
          {
            float p2 = p[i] * p[i];
            float g = p2 / (p2 + s2);
            c[i] *= g;
            sum_g2 += g * g;
          }
        return 1.0f / (s2 * MAX (sum_g2, 1e-3f));
      }
    }
}

/* Filter one channel of a group (N patches at pos_x/pos_y) and add its
 * estimates to the band's accumulators (first row ay0). */
ADIFF_HOT static void
filter_group (const AdiffPhotoStage *st, int c, int N, const int *pos_x, const int *pos_y,
              float *pix, float *coef, float *pcoef, float *tmp,
              float *acc_num, float *acc_den, int ay0)
{
  int w = st->w, P = st->pass.patch, n = P * P;

  gather (pix, st->noisy[c], w, P, N, pos_x, pos_y);
  adiff__photo_transform_forward (st->transform, pix, coef, N);
  haar_forward (coef, N, n, tmp);
  if (st->shrink == ADIFF_PHOTO_SHRINK_PILOT)
    {
      gather (pix, st->pilot[c], w, P, N, pos_x, pos_y);
      adiff__photo_transform_forward (st->transform, pix, pcoef, N);
      haar_forward (pcoef, N, n, tmp);
    }
  float wgt = shrink_group (st, c, coef, pcoef, N * n);
  haar_inverse (coef, N, n, tmp);
  adiff__photo_transform_inverse (st->transform, coef, pix, N);

  float ww[ADIFF_PHOTO_MAX_PATCH * ADIFF_PHOTO_MAX_PATCH];
  for (int i = 0; i < n; i++)
    ww[i] = wgt * st->window[i];
  for (int j = 0; j < N; j++)
    {
      const float *e = pix + (gsize) j * n;
      for (int dy = 0; dy < P; dy++)
        {
          gsize o = (gsize) (pos_y[j] + dy - ay0) * w + pos_x[j];
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

/* Rows of features and of accumulator a band can reach. */
static void
band_rows (const AdiffPhotoStage *st, int *feat_rows, int *acc_rows)
{
  const AdiffPhotoPass *pass = &st->pass;
  int P = pass->patch;
  *feat_rows = MIN (st->h - P + 1, BAND_REF_ROWS * pass->step + 2 * pass->radius + P);
  *acc_rows = MIN (st->h, *feat_rows + P);
}

static void
worker_clear (Worker *wk)
{
  g_free (wk->feat.f);
  g_free (wk->scratch);
  for (int c = 0; c < ADIFF_PHOTO_MAX_CH; c++)
    {
      g_free (wk->acc_num[c]);
      g_free (wk->acc_den[c]);
    }
  g_free (wk->pix);
  g_free (wk->coef);
  g_free (wk->pcoef);
  g_free (wk->tmp);
}

static gboolean
worker_init (Worker *wk, const AdiffPhotoStage *st, GError **error)
{
  const AdiffPhotoPass *pass = &st->pass;
  int P = pass->patch, n = P * P, nx = st->w - P + 1, feat_rows, acc_rows;
  gsize group = (gsize) pass->group_max * n;
  band_rows (st, &feat_rows, &acc_rows);
  if (!(wk->feat.f = adiff__try_alloc ((gsize) feat_rows * nx, pass->match_dims * sizeof (float),
                                       "photo model: matching coefficients", error)) ||
      !(wk->scratch = adiff__try_alloc (nx, n * sizeof (float), "photo model: patches", error)))
    return FALSE;
  for (int c = 0; c < st->nch; c++)
    if (!(wk->acc_num[c] = adiff__try_alloc ((gsize) acc_rows * st->w, sizeof (float),
                                             "photo model: band", error)) ||
        !(wk->acc_den[c] = adiff__try_alloc ((gsize) acc_rows * st->w, sizeof (float),
                                             "photo model: band", error)))
      return FALSE;
  wk->pix = g_new (float, group);
  wk->coef = g_new (float, group);
  wk->pcoef = g_new (float, group);
  wk->tmp = g_new (float, group);
  return TRUE;
}

/* Report the share of bands done (the caller's thread only: worker 0). */
static void
band_progress (StageRun *run, guint worker)
{
  AdiffPhotoProgress *pr = run->st->progress;
  int done = g_atomic_int_add (&run->bands_done, 1) + 1;
  if (pr == NULL || pr->func == NULL || worker != 0)
    return;
  if (!pr->func (pr->done + pr->span * done / run->n_bands, pr->data))
    g_atomic_int_set (&pr->cancelled, 1);
}

static void
stage_band (guint band, guint worker, gpointer data)
{
  StageRun *run = data;
  const AdiffPhotoStage *st = run->st;
  const AdiffPhotoPass *pass = &st->pass;
  Worker *wk = &run->workers[worker];
  int w = st->w, h = st->h, P = pass->patch, R = pass->radius, nch = st->nch;
  int pos_x[ADIFF_PHOTO_MAX_GROUP], pos_y[ADIFF_PHOTO_MAX_GROUP];
  float dist[ADIFF_PHOTO_MAX_GROUP];

  if (st->progress && g_atomic_int_get (&st->progress->cancelled))
    return;
  int i0 = band * BAND_REF_ROWS, i1 = MIN (run->n_ry, i0 + BAND_REF_ROWS);
  int fy0 = MAX (0, run->ref_y[i0] - R);
  int fy1 = MIN (h - P, run->ref_y[i1 - 1] + R);
  int ay0 = fy0, ay1 = fy1 + P;  /* accumulator rows [ay0, ay1) */

  adiff__photo_features_compute (&wk->feat, st->guide, w, h, P, st->basis, pass->match_dims,
                                 fy0, fy1 - fy0 + 1, wk->scratch);
  for (int c = 0; c < nch; c++)
    {
      memset (wk->acc_num[c], 0, (gsize) (ay1 - ay0) * w * sizeof (float));
      memset (wk->acc_den[c], 0, (gsize) (ay1 - ay0) * w * sizeof (float));
    }

  for (int iy = i0; iy < i1; iy++)
    for (int ix = 0; ix < run->n_rx; ix++)
      {
        int count = adiff__photo_match (&wk->feat, w, h, P, run->ref_x[ix], run->ref_y[iy],
                                        pass, st->guide_noise, pos_x, pos_y, dist);
        int N = 1;
        while (N * 2 <= count)   /* the Haar transform across the group wants 2^j */
          N *= 2;
        for (int c = 0; c < nch; c++)
          filter_group (st, c, N, pos_x, pos_y, wk->pix, wk->coef, wk->pcoef, wk->tmp,
                        wk->acc_num[c], wk->acc_den[c], ay0);
      }

  g_mutex_lock (&run->lock);
  for (int c = 0; c < nch; c++)
    {
      float *gn = run->num[c] + (gsize) ay0 * w, *gd = run->den[c] + (gsize) ay0 * w;
      gsize len = (gsize) (ay1 - ay0) * w;
      for (gsize i = 0; i < len; i++)
        {
          gn[i] += wk->acc_num[c][i];
          gd[i] += wk->acc_den[c][i];
        }
    }
  g_mutex_unlock (&run->lock);
  band_progress (run, worker);
}

static void
run_clear (StageRun *run, guint n_workers)
{
  for (int c = 0; c < ADIFF_PHOTO_MAX_CH; c++)
    {
      g_free (run->num[c]);
      g_free (run->den[c]);
    }
  if (run->workers)
    for (guint t = 0; t < n_workers; t++)
      worker_clear (&run->workers[t]);
  g_free (run->workers);
  g_free (run->ref_x);
  g_free (run->ref_y);
  g_mutex_clear (&run->lock);
}

gboolean
adiff__photo_stage_run (const AdiffPhotoStage *st, GError **error)
{
  StageRun run = { 0 };
  int P = st->pass.patch, w = st->w, h = st->h;
  gsize npix = (gsize) w * h;

  run.st = st;
  run.ref_x = ref_positions (w, P, st->pass.step, &run.n_rx);
  run.ref_y = ref_positions (h, P, st->pass.step, &run.n_ry);
  run.n_bands = (run.n_ry + BAND_REF_ROWS - 1) / BAND_REF_ROWS;
  g_mutex_init (&run.lock);
  guint n_workers = MIN (adiff__thread_count (st->n_threads), (guint) run.n_bands);
  run.workers = g_new0 (Worker, n_workers);
  gboolean ok = TRUE;
  for (int c = 0; c < st->nch && ok; c++)
    ok = (run.num[c] = adiff__try_alloc (npix, sizeof (float), "photo model: sums", error)) &&
         (run.den[c] = adiff__try_alloc (npix, sizeof (float), "photo model: weights", error));
  for (guint t = 0; t < n_workers && ok; t++)
    ok = worker_init (&run.workers[t], st, error);
  if (!ok)
    {
      run_clear (&run, n_workers);
      return FALSE;
    }
  for (int c = 0; c < st->nch; c++)
    {
      memset (run.num[c], 0, npix * sizeof (float));
      memset (run.den[c], 0, npix * sizeof (float));
    }

  adiff__parallel_for ((guint) run.n_bands, n_workers, stage_band, &run);

  if (st->progress && g_atomic_int_get (&st->progress->cancelled))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED, _("denoising cancelled"));
      run_clear (&run, n_workers);
      return FALSE;
    }
  for (int c = 0; c < st->nch; c++)
    for (gsize i = 0; i < npix; i++)
      st->out[c][i] = run.den[c][i] > 0.0f ? run.num[c][i] / run.den[c][i] : st->noisy[c][i];
  run_clear (&run, n_workers);
  return TRUE;
}
