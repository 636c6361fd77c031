/* patch.c — the patch baseline of Kamb & Ganguli ("An analytic theory of
 * creativity in convolutional diffusion models", 2024): the equivariant
 * local score (ELS) machine as a denoiser.
 *
 * Output pixel a (all channels) looks at the k×k patch of z around a (zero
 * outside the window) and compares it with the k×k patches of every
 * exemplar at every position b (equivariant; zero padded the same way):
 *
 *   w_{i,b} = softmax_{i,b}( −‖P_a z − P_b x^(i)‖² / 2σ² )
 *   x̂_a     = Σ_{i,b} w_{i,b} x^(i)_b           (the patches' centre pixels)
 *
 * one softmax over all exemplars and positions.  The non-equivariant
 * ("local") variant compares only with the same position b = a.  With
 * k ≥ 2·window−1 the patch covers the whole window wherever it sits, and
 * the local model is the optimal denoiser.
 *
 * ‖P_a z‖² is common to a pixel's softmax, so its logits are
 * (P_a z·P_b x − ½‖P_b x‖²)/σ².  For a displacement δ = b − a the cross
 * terms of every a are box sums of one product image, Σ_c z(p)·x(p + δ)
 * summed over the k×k patch around a: running sums along rows, then down
 * columns — about C + 4 operations per pair (a, b) where a dot product of
 * patches takes k²·C, and no patches are built.  The exemplars go in
 * sub-blocks of SUB_EXEMPLARS, one per lane, and the sums are in double:
 * the logits are then accurate far beyond what the float weights resolve
 * (an SGEMM of patches, the first way we did it, left float logits off by
 * up to 10⁻³ nats that exact mode had to recompute; that took a fifth of
 * the time).  Each pixel's softmax is online: chunks of SUB_EXEMPLARS
 * logits folded into a running maximum, sum and weighted sum.
 *
 * Exact and fast mode are the same computation here (the float GEMM that
 * gave fast mode its meaning is gone; see docs/models.md).  Patch size 0
 * picks a default per σ from the calibration table below.
 */
#include "models/models-private.h"

/* Default k per noise level.  Kamb & Ganguli calibrate the locality scale
 * of their ELS machine to trained CIFAR-10 networks at each time step: it
 * grows from 3 pixels at low noise to about 25 (nearly the whole 32×32
 * image) at the highest.  Their calibration files are not public in
 * readable form, so the knots between are our interpolation on σ (our
 * [0,1] units; σ(t) of the DDPM schedule) — see docs/models.md. */
static const struct { double sigma; guint k; } default_k[] = {
  { 0.02, 3 }, { 0.05, 5 }, { 0.10, 7 }, { 0.20, 9 }, { 0.35, 11 },
  { 0.50, 13 }, { 0.80, 15 }, { 1.20, 17 }, { 2.0, 19 }, { 4.0, 21 },
  { 8.0, 23 },
};

guint
adiff__patch_default_size (double sigma)
{
  for (guint i = 0; i < G_N_ELEMENTS (default_k); i++)
    if (sigma <= default_k[i].sigma)
      return default_k[i].k;
  return 25;
}

typedef struct
{
  guint    k, r;          /* patch size and radius */
  gboolean equivariant;
  double   inv_s2;
} PatchState;

static gpointer
patch_prepare (AdiffDenoiser *den, GError **error)
{
  AdiffBundle *b = den->bundle;
  PatchState *s = g_new0 (PatchState, 1);
  s->k = den->params.patch_size ? den->params.patch_size
                                : adiff__patch_default_size (den->params.sigma);
  /* Beyond 2·window − 1 a patch only adds zeros. */
  guint kmax = 2 * MAX (b->width, b->height) - 1;
  s->k = MIN (s->k, kmax);
  s->r = s->k / 2;
  s->equivariant = den->params.equivariant;
  s->inv_s2 = 1.0 / (den->params.sigma * den->params.sigma);
  return s;
}

/* Online softmax state of one output pixel. */
typedef struct
{
  double max, sum;
  double acc[3];
} PixelSum;

/* Exemplars per sub-block (one per lane): a band's part of the regrouped
 * sub-block, its norms and cross terms stay in the L2 cache while every
 * window of the pass meets them (CIFAR-10, 8-row bands: ≈ 0.6 MB). */
#define SUB_EXEMPLARS 64
/* Output rows per task (its box sums also read r rows either side). */
#define BAND_ROWS 8
/* Windows per pass: each block is regrouped and its norms found once per
 * pass. */
#define PASS_WINDOWS 64
/* Exemplars per block (regrouped: 12 MB for CIFAR-10 windows). */
#define BLOCK_EXEMPLARS 1024

typedef struct
{
  const PatchState *s;
  const AdiffBundle *b;
  gsize      A;          /* positions per window */
  gsize      m, nb;      /* windows and exemplars in this pass and block */
  gsize      mw;         /* windows per pass at most */
  gsize      nbx;        /* exemplars per block at most */
  gsize      nbp;        /* nbx rounded up to whole sub-blocks */
  guint      workers;
  const float *windows;  /* the pass's windows */
  const float *centres;  /* the block's exemplars */
  float     *xs;         /* [nbp·A·C] the block regrouped (regroup) */
  double    *xn;         /* [nbp·A] ½‖patch‖² of the block's exemplars */
  double    *cross;      /* [workers × cross_stride] cross terms of a band */
  gsize      cross_stride;
  gpointer   rs;         /* [workers × rs_stride] vectors of box sums */
  gsize      rs_stride;
  PixelSum  *ps;         /* [mw·A] */
  guint      bands, chunks;  /* tasks: bands of rows × chunks of windows */
} Pass;

/* The box sums are AdiffV8d / AdiffV8dAny (simd.h): eight lanes, not
 * sixteen: GCC keeps a 64-byte vector in a register, and spilled 128-byte
 * ones to the stack on every addition. */

/* Sub-block sb of the block regrouped, exemplar = lane:
 * xs[((sb·A + a)·C + c)·SUB_EXEMPLARS + lane]; lanes past the block are
 * zero. */
static void
regroup (Pass *p, guint sb)
{
  gsize n = p->A * p->b->channels, d = p->b->dim;
  float *xs = p->xs + (gsize) sb * n * SUB_EXEMPLARS;
  for (guint lane = 0; lane < SUB_EXEMPLARS; lane++)
    {
      gsize i = (gsize) sb * SUB_EXEMPLARS + lane;
      const float *x = i < p->nb ? p->centres + i * d : NULL;
      for (gsize v = 0; v < n; v++)
        xs[v * SUB_EXEMPLARS + lane] = x ? x[v] : 0.0f;
    }
}

/* Vectors per pixel in box_sums16: sixteen lanes as two of eight. */
#define PAIR 2

/* out[x] = Σ of v[xx] for |xx − x| ≤ r, 0 ≤ xx < n, for pairs of vectors
 * (v[PAIR·x + k]): a running sum, the entering term added and the leaving
 * one taken away (in double the rounding of these is ≈ n·10⁻¹⁶ of the
 * sums, far below what the float weights resolve; direct sums took 2r
 * additions each). */
static inline void
running_sums (const AdiffV8dAny *v, int n, int r, AdiffV8dAny *out)
{
  AdiffV8d run[PAIR] = { { 0 } };
  for (int x = 0; x <= MIN (r, n - 1); x++)
    for (int k = 0; k < PAIR; k++)
      run[k] += v[PAIR * x + k];
  for (int x = 0; x < n; x++)
    for (int k = 0; k < PAIR; k++)
      {
        out[PAIR * x + k] = run[k];
        if (x + r + 1 < n)
          run[k] += v[PAIR * (x + r + 1) + k];
        if (x - r >= 0)
          run[k] -= v[PAIR * (x - r) + k];
      }
}

/* A displacement δ = (dx, dy) from the output pixel a to the exemplar's
 * position b, and the rectangle [x0, x1) × [y0, y1) of pixels p with
 * p + δ inside the window (outside it the products are zero padding). */
typedef struct
{
  int dx, dy, x0, x1, y0, y1;
} Shift;

static Shift
shift_make (const AdiffBundle *b, int dx, int dy)
{
  int W = (int) b->width, H = (int) b->height;
  return (Shift) { dx, dy, MAX (0, -dx), MIN (W, W - dx), MAX (0, -dy), MIN (H, H - dy) };
}

/* Σ over the k×k patch around a (zero padded) of Σ_c u(p)·v(p + δ), in
 * double, for lanes [h, h + 16) of a sub-block: u a window (u_lanes = 0:
 * one value per pixel and channel for every lane) or a sub-block
 * (u_lanes = SUB_EXEMPLARS), v a sub-block, for the positions a in rows
 * [y0, y1) with a + δ inside the window:
 * out[((ay − y0)·W + ax)·SUB_EXEMPLARS + lane].  rs: scratch of
 * (H + 2)·W·PAIR vectors.  Sixteen lanes as two vectors of eight: GCC
 * keeps 64-byte vectors in registers, and spilled 128-byte ones to the
 * stack on every addition. */
ADIFF_HOT_WIDE static void
box_sums16 (const PatchState *s, const AdiffBundle *b, const float *u, gsize u_lanes,
            const float *v, guint h, Shift sh, int y0, int y1, AdiffV8dAny *rs, double *out)
{
  int W = (int) b->width, C = (int) b->channels, r = (int) s->r, n = sh.x1 - sh.x0;
  int ay0 = MAX (y0, sh.y0), ay1 = MIN (y1, sh.y1);
  int r0 = MAX (sh.y0, ay0 - r), r1 = MIN (sh.y1, ay1 + r);
  gsize row = (gsize) W * PAIR;
  /* v's values at p + δ: p's index plus this (p + δ is inside). */
  gssize off = ((gssize) sh.dy * W + sh.dx) * C;
  AdiffV8dAny *prod = rs + (gsize) (r1 - r0) * row, *col = prod + row;
  for (int y = r0; y < r1; y++)
    {
      for (int x = sh.x0; x < sh.x1; x++)
        {
          gsize at = ((gsize) y * W + x) * C;
          AdiffV8d sum[PAIR] = { { 0 } };
          for (int c = 0; c < C; c++)
            {
              gsize va = (gsize) ((gssize) (at + c) + off) * SUB_EXEMPLARS + h;
              AdiffV8d zd = (AdiffV8d) {} + (double) (u_lanes ? 0.0f : u[at + c]);
              for (int k = 0; k < PAIR; k++)
                {
                  AdiffV8d ud = u_lanes
                    ? __builtin_convertvector (
                        *(const AdiffV8fAny *) (u + (at + c) * SUB_EXEMPLARS + h + 8 * k), AdiffV8d)
                    : zd;
                  AdiffV8f vf = *(const AdiffV8fAny *) (v + va + 8 * k);
                  sum[k] += ud * __builtin_convertvector (vf, AdiffV8d);
                }
            }
          for (int k = 0; k < PAIR; k++)
            prod[PAIR * (x - sh.x0) + k] = sum[k];
        }
      running_sums (prod, n, r, rs + (gsize) (y - r0) * row);
    }
  /* Down the columns: the first output row's sums, then the next row's
   * added and the row that left taken away, as along the rows. */
  for (int x = 0; x < PAIR * n; x++)
    col[x] = (AdiffV8d) { 0 };
  for (int yy = r0; yy < MIN (r1, ay0 + r + 1); yy++)
    for (int x = 0; x < PAIR * n; x++)
      col[x] += rs[(gsize) (yy - r0) * row + x];
  for (int y = ay0; y < ay1; y++)
    {
      double *o = out + ((gsize) (y - y0) * W + sh.x0) * SUB_EXEMPLARS + h;
      const AdiffV8dAny *in = y + r + 1 < r1 ? rs + (gsize) (y + r + 1 - r0) * row : NULL;
      const AdiffV8dAny *gone = y - r >= r0 ? rs + (gsize) (y - r - r0) * row : NULL;
      for (int x = 0; x < n; x++)
        for (int k = 0; k < PAIR; k++)
          {
            int i = PAIR * x + k;
            *(AdiffV8dAny *) (o + (gsize) x * SUB_EXEMPLARS + 8 * k) = col[i];
            if (in)
              col[i] += in[i];
            if (gone)
              col[i] -= gone[i];
          }
    }
}

/* box_sums16 for the first nv lanes (a multiple of 8: the lanes past nv
 * up to a multiple of 16 are summed too, over zero exemplars). */
static void
box_sums (const PatchState *s, const AdiffBundle *b, const float *u, gsize u_lanes,
          const float *v, gsize nv, Shift sh, int y0, int y1, AdiffV8dAny *rs, double *out)
{
  for (guint h = 0; h < nv; h += 16)
    box_sums16 (s, b, u, u_lanes, v, h, sh, y0, y1, rs, out);
}

/* Sub-block sb of the block regrouped, then ½‖patch‖² of its exemplars
 * at every position: xn[(sb·A + a)·SUB_EXEMPLARS + lane], +∞ for lanes
 * past the block (their logits are then −∞: no weight). */
static void
sub_block_task (guint sb, guint worker, gpointer data)
{
  Pass *p = data;
  gsize A = p->A;
  regroup (p, sb);
  const float *xs = p->xs + (gsize) sb * A * p->b->channels * SUB_EXEMPLARS;
  double *xn = p->xn + (gsize) sb * A * SUB_EXEMPLARS;
  box_sums (p->s, p->b, xs, SUB_EXEMPLARS, xs, SUB_EXEMPLARS, shift_make (p->b, 0, 0), 0,
            (int) p->b->height, (AdiffV8dAny *) p->rs + worker * p->rs_stride, xn);
  for (gsize a = 0; a < A; a++)
    for (guint lane = 0; lane < SUB_EXEMPLARS; lane++)
      {
        double *h = xn + a * SUB_EXEMPLARS + lane;
        *h = (gsize) sb * SUB_EXEMPLARS + lane < p->nb ? 0.5 * *h : INFINITY;
      }
}

/* Per block of exemplars: the block regrouped, and ½‖patch‖² of each at
 * every position. */
static void
block_prepare (Pass *p)
{
  guint subs = (guint) ((p->nb + SUB_EXEMPLARS - 1) / SUB_EXEMPLARS);
  adiff__parallel_for (subs, p->workers, sub_block_task, p);
}

/* Fold the logits (cross − xn)/σ² of nv ≤ SUB_EXEMPLARS exemplars (a
 * multiple of 8) into the pixel's online softmax, with their centre
 * pixels xs (the sub-block at the position b: C rows of SUB_EXEMPLARS
 * lanes).  Weights are floats relative to the new top, and the weighted
 * centres are summed in the same pass. */
ADIFF_HOT_WIDE static void
fold_chunk (PixelSum *ps, const double *cross, const double *xn, gsize nv, double inv_s2,
            const float *xs, guint C)
{
  AdiffV8d best8 = (AdiffV8d) {} - G_MAXDOUBLE, logit[SUB_EXEMPLARS / 8];
  for (gsize i = 0; i < nv; i += 8)
    {
      AdiffV8d l = (*(const AdiffV8dAny *) (cross + i) - *(const AdiffV8dAny *) (xn + i)) * inv_s2;
      logit[i / 8] = l;
      best8 = (AdiffV8d) (((AdiffV8l) l & (l > best8)) | ((AdiffV8l) best8 & ~(l > best8)));
    }
  double best = best8[0];
  for (int k = 1; k < 8; k++)
    best = MAX (best, best8[k]);
  /* Every weight would be exactly 0 (adiff__exp_neg8 is 0 at or below −87)
   * and the pixel's sums stay as they are: most chunks of the equivariant
   * machine, whose positions mostly match badly. */
  if (best < ps->max - 88.0)
    return;
  double top = MAX (ps->max, best);
  AdiffV8f acc = { 0 }, centre[3] = { { 0 } }, floor = (AdiffV8f) {} - 100.0f;
  for (gsize i = 0; i < nv; i += 8)
    {
      AdiffV8d l = logit[i / 8] - top;
      /* Eight weights of exactly 0: nothing to add. */
      AdiffV8l live = l > -88.0;
      gint64 any = 0;
      for (int k = 0; k < 8; k++)
        any |= live[k];
      if (!any)
        continue;
      AdiffV8f v = __builtin_convertvector (l, AdiffV8f);
      v = (AdiffV8f) (((AdiffV8i) v & (v > floor)) | ((AdiffV8i) floor & ~(v > floor)));
      adiff__exp_neg8 (&v);
      acc += v;
      for (guint c = 0; c < C; c++)
        centre[c] += v * *(const AdiffV8fAny *) (xs + c * SUB_EXEMPLARS + i);
    }
  /* top ≥ ps->max; most chunks leave it as it is. */
  double rescale = ps->max == -G_MAXDOUBLE ? 0.0 : ps->max == top ? 1.0 : exp (ps->max - top);
  double sum = 0.0;
  for (int k = 0; k < 8; k++)
    sum += acc[k];
  ps->sum = ps->sum * rescale + sum;
  for (guint c = 0; c < 3; c++)
    {
      float t = 0.0f;
      for (int k = 0; k < 8; k++)
        t += centre[c][k];
      ps->acc[c] = ps->acc[c] * rescale + t;
    }
  ps->max = top;
}

/* The positions of rows [y0, y1) of windows [j0, j1) against the block,
 * a sub-block at a time (it stays in cache while every window meets it),
 * at every displacement (equivariant) or none (local): cross terms,
 * softmax, weighted centre pixels. */
static void
band_rows (Pass *p, gsize j0, gsize j1, int y0, int y1, guint worker)
{
  const AdiffBundle *b = p->b;
  int W = (int) b->width, H = (int) b->height;
  int reach_x = p->s->equivariant ? W - 1 : 0, reach_y = p->s->equivariant ? H - 1 : 0;
  gsize A = p->A, C = b->channels, sub_step = A * C * SUB_EXEMPLARS;
  double *cross = p->cross + worker * p->cross_stride;
  AdiffV8dAny *rs = (AdiffV8dAny *) p->rs + worker * p->rs_stride;
  for (gsize s0 = 0; s0 < p->nb; s0 += SUB_EXEMPLARS)
    {
      gsize nv = (MIN (SUB_EXEMPLARS, p->nb - s0) + 7) / 8 * 8;
      const float *xs = p->xs + s0 / SUB_EXEMPLARS * sub_step;
      const double *xn = p->xn + s0 * A;
      for (gsize j = j0; j < j1; j++)
        for (int dy = -reach_y; dy <= reach_y; dy++)
          for (int dx = -reach_x; dx <= reach_x; dx++)
            {
              Shift sh = shift_make (b, dx, dy);
              int ay0 = MAX (y0, sh.y0), ay1 = MIN (y1, sh.y1);
              if (ay0 >= ay1 || sh.x0 >= sh.x1)
                continue;
              box_sums (p->s, b, p->windows + j * b->dim, 0, xs, nv, sh, y0, y1, rs, cross);
              for (int y = ay0; y < ay1; y++)
                for (int x = sh.x0; x < sh.x1; x++)
                  {
                    gsize a = (gsize) y * W + x, at = (gsize) ((y + dy) * W + x + dx);
                    fold_chunk (&p->ps[j * A + a],
                                cross + ((gsize) (y - y0) * W + x) * SUB_EXEMPLARS,
                                xn + at * SUB_EXEMPLARS, nv, p->s->inv_s2,
                                xs + at * C * SUB_EXEMPLARS, (guint) C);
                  }
            }
    }
}

/* Task: a band of rows of a chunk of the windows. */
static void
band_task (guint task, guint worker, gpointer data)
{
  Pass *p = data;
  guint H = p->b->height, band = task % p->bands, chunk = task / p->bands;
  gsize per = (p->m + p->chunks - 1) / p->chunks, j0 = chunk * per;
  guint y0 = band * BAND_ROWS;
  if (j0 < p->m)
    band_rows (p, j0, MIN (p->m, j0 + per), (int) y0, (int) MIN (H, y0 + BAND_ROWS), worker);
}

static gboolean
pass_alloc (Pass *p, gsize n, GError **error)
{
  gsize A = p->A, C = p->b->channels, wk = p->workers;
  p->mw = MIN (n, PASS_WINDOWS);
  p->nbx = MIN (p->b->n_exemplars, BLOCK_EXEMPLARS);
  p->nbp = (p->nbx + SUB_EXEMPLARS - 1) / SUB_EXEMPLARS * SUB_EXEMPLARS;
  p->cross_stride = (gsize) BAND_ROWS * p->b->width * SUB_EXEMPLARS;
  p->rs_stride = (p->b->height + 2) * (gsize) p->b->width * PAIR;
  p->xs = adiff__try_alloc (p->nbp * A, C * sizeof (float), "regrouped exemplars", error);
  p->xn = p->xs ? adiff__try_alloc (A, p->nbp * sizeof (double), "patch norms", error) : NULL;
  p->cross = p->xn ? adiff__try_alloc (wk, p->cross_stride * sizeof (double), "cross terms",
                                      error)
                   : NULL;
  p->rs = p->cross ? adiff__try_alloc (wk * p->rs_stride, sizeof (AdiffV8dAny), "box sums", error)
                   : NULL;
  if (!p->rs)
    return FALSE;
  p->ps = g_new (PixelSum, p->mw * A);
  return TRUE;
}

static void
pass_free (Pass *p)
{
  g_free (p->xs); g_free (p->xn); g_free (p->cross); g_free (p->rs); g_free (p->ps);
}

static gboolean
patch_apply (AdiffDenoiser *den, const float *in, gsize n, float *out, GError **error)
{
  const PatchState *s = den->state;
  AdiffBundle *b = den->bundle;
  gsize A = (gsize) b->width * b->height, d = b->dim, ne = b->n_exemplars;
  guint C = b->channels;
  Pass p = { s, b, A };
  p.workers = adiff__thread_count (den->params.n_threads);
  if (!pass_alloc (&p, n, error))
    {
      pass_free (&p);
      return FALSE;
    }
  for (gsize j0 = 0; j0 < n; j0 += p.mw)
    {
      p.m = MIN (p.mw, n - j0);
      p.windows = in + j0 * d;
      for (gsize a = 0; a < p.m * A; a++)
        p.ps[a] = (PixelSum) { -G_MAXDOUBLE, 0, { 0, 0, 0 } };
      /* Four tasks per worker at least: chunks of windows too when the
       * bands are few. */
      p.bands = (b->height + BAND_ROWS - 1) / BAND_ROWS;
      p.chunks = (guint) CLAMP ((4 * p.workers + p.bands - 1) / p.bands, 1, p.m);
      for (gsize i0 = 0; i0 < ne; i0 += p.nbx)
        {
          p.nb = MIN (p.nbx, ne - i0);
          p.centres = b->exemplars + i0 * d;
          block_prepare (&p);
          adiff__parallel_for (p.bands * p.chunks, p.workers, band_task, &p);
        }
      for (gsize a = 0; a < p.m * A; a++)
        for (guint c = 0; c < C; c++)
          out[j0 * d + a * C + c] = (float) (p.ps[a].acc[c] / p.ps[a].sum);
    }
  pass_free (&p);
  return TRUE;
}

/* ---- Jacobian (adiff_sensitivity) ---- */

typedef struct
{
  AdiffBundle *b;
  const float *z;
  int          r;          /* patch radius */
  int          ax, ay;     /* q's pixel */
  guint        c;          /* q's channel */
  gboolean     equivariant;
} PatchProbe;

static double
value (const float *v, const AdiffBundle *b, int x, int y, guint c)
{
  if (x < 0 || y < 0 || x >= (int) b->width || y >= (int) b->height)
    return 0.0;
  return v[((gsize) y * b->width + x) * b->channels + c];
}

/* Squared distance between the patch of z at q's pixel and the patch of
 * exemplar x at (bx, by). */
static double
patch_distance (const PatchProbe *pp, const float *x, int bx, int by)
{
  double s = 0;
  for (int dy = -pp->r; dy <= pp->r; dy++)
    for (int dx = -pp->r; dx <= pp->r; dx++)
      for (guint c = 0; c < pp->b->channels; c++)
        {
          double e = value (pp->z, pp->b, pp->ax + dx, pp->ay + dy, c)
                     - value (x, pp->b, bx + dx, by + dy, c);
          s += e * e;
        }
  return s;
}

/* Items are (exemplar, position); visit calls fn for each with its
 * distance.  Non-equivariant: q's own position only. */
typedef void (*ItemFunc) (const PatchProbe *pp, const float *x, int bx, int by,
                          double dist, gpointer data);

static void
visit (const PatchProbe *pp, ItemFunc fn, gpointer data)
{
  AdiffBundle *b = pp->b;
  for (gsize i = 0; i < b->n_exemplars; i++)
    {
      const float *x = b->exemplars + i * b->dim;
      for (int by = 0; by < (int) b->height; by++)
        for (int bx = 0; bx < (int) b->width; bx++)
          if (pp->equivariant || (bx == pp->ax && by == pp->ay))
            fn (pp, x, bx, by, patch_distance (pp, x, bx, by), data);
    }
}

typedef struct
{
  double  lo;        /* smallest distance */
  double  sum;       /* Σ exp(−(dist − lo)/2σ²) */
  double  inv_2s2;
  double *mean;      /* [(2r+1)²·C] mean of the offset values; [0..C) unused */
  double  mean_q;
  double *field;     /* [(2r+1)²·C] Σ w (x_q − mean_q)(x_o − mean_o) */
  int     stage;
} Moments;

static void
moment_item (const PatchProbe *pp, const float *x, int bx, int by, double dist,
             gpointer data)
{
  Moments *m = data;
  if (m->stage == 0)
    {
      m->lo = MIN (m->lo, dist);
      return;
    }
  double w = exp (-(dist - m->lo) * m->inv_2s2);
  if (m->stage == 1)
    {
      m->sum += w;
      m->mean_q += w * value (x, pp->b, bx, by, pp->c);
    }
  int k = 2 * pp->r + 1;
  guint C = pp->b->channels;
  double xq = value (x, pp->b, bx, by, pp->c);
  for (int dy = -pp->r; dy <= pp->r; dy++)
    for (int dx = -pp->r; dx <= pp->r; dx++)
      for (guint c = 0; c < C; c++)
        {
          gsize o = ((gsize) (dy + pp->r) * k + (dx + pp->r)) * C + c;
          double v = value (x, pp->b, bx + dx, by + dy, c);
          if (m->stage == 1)
            m->mean[o] += w * v;
          else
            m->field[o] += w * (xq - m->mean_q) * (v - m->mean[o]);
        }
}

/* The patch baseline's Jacobian row: the covariance over (exemplar,
 * position) items, of the value at q's offset from the item's centre
 * and each value of the patch around it (zero outside its window). */
static gboolean
patch_jacobian_row (AdiffDenoiser *den, const float *z, gsize q, double *field,
                    GError **error)
{
  AdiffBundle *b = den->bundle;
  double sigma = den->params.sigma;
  guint k = den->params.patch_size ? den->params.patch_size : adiff__patch_default_size (sigma);
  k = MIN (k, 2 * MAX (b->width, b->height) - 1);
  gsize pix = q / b->channels;
  PatchProbe pp = { b, z, (int) k / 2, (int) (pix % b->width), (int) (pix / b->width),
                    (guint) (q % b->channels), den->params.equivariant };
  gsize no = (gsize) k * k * b->channels;
  Moments m = { G_MAXDOUBLE, 0, 1.0 / (2 * sigma * sigma), g_new0 (double, no), 0,
                g_new0 (double, no), 0 };
  for (m.stage = 0; m.stage < 3; m.stage++)
    {
      visit (&pp, moment_item, &m);
      if (m.stage == 1)
        {
          m.mean_q /= m.sum;
          for (gsize o = 0; o < no; o++)
            m.mean[o] /= m.sum;
        }
    }
  /* Offsets → window coordinates; outside the window z has no entry. */
  memset (field, 0, b->dim * sizeof (double));
  for (int dy = -pp.r; dy <= pp.r; dy++)
    for (int dx = -pp.r; dx <= pp.r; dx++)
      {
        int x = pp.ax + dx, y = pp.ay + dy;
        if (x < 0 || y < 0 || x >= (int) b->width || y >= (int) b->height)
          continue;
        for (guint c = 0; c < b->channels; c++)
          {
            gsize o = ((gsize) (dy + pp.r) * k + (dx + pp.r)) * b->channels + c;
            field[((gsize) y * b->width + x) * b->channels + c] =
              m.field[o] / m.sum / (sigma * sigma);
          }
      }
  g_free (m.mean);
  g_free (m.field);
  return TRUE;
}

static void
patch_finalize (gpointer state)
{
  g_free (state);
}

const AdiffDenoiserClass adiff__patch_class = {
  .prepare = patch_prepare,
  .apply = patch_apply,
  .finalize = patch_finalize,
  .jacobian_row = patch_jacobian_row,
};
