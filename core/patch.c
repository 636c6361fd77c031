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
 * variant compares only with the same position b = a.  With k ≥ 2·window−1
 * the patch covers the whole window wherever it sits, and the
 * non-equivariant model is the optimal denoiser.
 *
 * ‖P_a z‖² is common to a row, so logits are (P_a z·P_b x − ½‖P_b x‖²)/σ²:
 * the cross terms are an SGEMM of the windows' patches (im2col) against a
 * block of exemplars' patches, the softmax an online log-sum-exp per output
 * pixel (float weights, double sums), and the weighted centre pixels a
 * second SGEMM.  Our workers split the rows (equivariant) or positions
 * (local), each calling BLAS on one thread for its own part (see
 * blas_single_begin).
 *
 * Exact mode recomputes in double the logits that can carry weight (see
 * fold_row); fast mode keeps the float GEMM logits.  Patch size 0 picks a
 * default per σ from the calibration table below.
 */
#include <cblas.h>
#include "models-private.h"

/* Patch rows (windows × positions, exemplars × positions) per SGEMM. */
#define PATCH_ROWS 4096

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
adiff_patch_default_size (double sigma)
{
  for (guint i = 0; i < G_N_ELEMENTS (default_k); i++)
    if (sigma <= default_k[i].sigma)
      return default_k[i].k;
  return 25;
}

typedef struct
{
  guint    k, r;          /* patch size and radius */
  gsize    P;             /* k·k·C */
  gboolean equivariant;
  gboolean exact;
  double   inv_s2;
} PatchState;

static gpointer
patch_prepare (AdiffDenoiser *den, GError **error)
{
  AdiffBundle *b = den->bundle;
  PatchState *s = g_new0 (PatchState, 1);
  s->k = den->params.patch_size ? den->params.patch_size
                                : adiff_patch_default_size (den->params.sigma);
  /* Beyond 2·window − 1 a patch only adds zeros. */
  guint kmax = 2 * MAX (b->width, b->height) - 1;
  s->k = MIN (s->k, kmax);
  s->r = s->k / 2;
  s->P = (gsize) s->k * s->k * b->channels;
  s->equivariant = den->params.equivariant;
  s->exact = den->params.exact;
  s->inv_s2 = 1.0 / (den->params.sigma * den->params.sigma);
  return s;
}

/* The zero-padded k×k patch of a window around pixel (x, y): P values,
 * row by row (a row's pixels inside the window are contiguous).  Plain
 * loops: the rows are a few dozen floats, and three library calls per
 * row cost more than the copies (the local variant builds a patch of
 * every window and exemplar at every position). */
ADIFF_HOT static void
patch_at (const PatchState *s, const AdiffBundle *b, const float *w, guint x, guint y,
          float *dst)
{
  int W = (int) b->width, H = (int) b->height, k = (int) s->k, r = (int) s->r;
  int C = (int) b->channels, row = k * C;
  int x0 = (int) x - r, lo = MAX (0, -x0) * C, hi = MAX (MIN (k, W - x0) * C, lo);
  for (int dy = 0; dy < k; dy++, dst += row)
    {
      int yy = (int) y + dy - r, a = lo, e = hi;
      if (yy < 0 || yy >= H)
        a = e = row;    /* the whole row is padding */
      const float *src = w + (gsize) MAX (yy, 0) * W * C;
      for (int i = 0; i < a; i++)
        dst[i] = 0.0f;
      for (int i = a; i < e; i++)
        dst[i] = src[x0 * C + i];
      for (int i = e; i < row; i++)
        dst[i] = 0.0f;
    }
}

/* im2col: the patch around every pixel of each of m windows, rows
 * (window, position). */
static void
im2col (const PatchState *s, const AdiffBundle *b, const float *win, gsize m, float *out)
{
  guint W = b->width, H = b->height;
  for (gsize j = 0; j < m; j++)
    for (guint y = 0; y < H; y++)
      for (guint x = 0; x < W; x++)
        patch_at (s, b, win + j * b->dim, x, y, out + ((j * H + y) * W + x) * s->P);
}

/* Online softmax state of one output pixel. */
typedef struct
{
  double max, sum;
  double acc[3];
} PixelSum;

typedef struct
{
  const PatchState *s;
  const AdiffBundle *b;
  gsize      A;          /* positions per window */
  gsize      m, nb;      /* windows and exemplars in this pass */
  gsize      mw;         /* windows per pass at most */
  gsize      nbx;        /* exemplars per pass at most */
  const float *windows;  /* the pass's windows (local: patches built per task) */
  double     max_norm;   /* equivariant: largest exemplar patch norm */
  double     n_logits;   /* terms of an output pixel's softmax */
  float     *q;          /* [m·A × P] window patches */
  float     *xp;         /* [nb·A × P] exemplar patches (local: workers × nb × P) */
  double    *xn;         /* [nb·A] ½‖patch‖² (equivariant; local: xnl) */
  float     *xnf;        /* the same in float */
  float     *g;          /* [workers × g_stride] logits / weights */
  float     *t;          /* [m·A × C] weighted centres */
  PixelSum  *ps;         /* [m·A] */
  double    *refine;     /* [m·A] logit error bound (0: fast mode) */
  float     *l;          /* [workers × l_stride] logits of one row */
  gsize      l_stride;   /* one worker's part of l: a row (nb·A) */
  gsize      g_stride;   /* one worker's part of g: its rows' logits */
  guint32   *hot;        /* [workers × hot_stride] groups of a row to refine */
  gsize      hot_stride;
  guint      workers;
  const float *centres;  /* the block's exemplars (their pixels) */
  /* Local variant: norms of the patches at every position, by sums along
   * rows and down columns (local_square_sums) instead of per patch. */
  double    *xnl;        /* [A·nbx] ½‖patch‖² of the block's exemplars */
  float     *xnlf;       /* the same in float */
  double    *top_norm;   /* [A] the block's largest patch norm there */
  double    *qn;         /* [mw·A] ‖window patch‖ */
  double    *rows;       /* [workers·A] scratch of local_square_sums */
} Pass;

/* A row's comparisons: logits g (n values) of one window patch q against
 * n exemplar patches (rows of xp, P floats each). */
typedef struct
{
  float        *g;
  const double *xn;        /* ½‖patch‖² of each exemplar patch */
  const float  *xnf;
  const float  *q;
  const float  *xp;
  gsize         n;
} Row;

typedef double AdiffV8d __attribute__ ((vector_size (64)));

/* a·b in double, eight lanes at a time (the exact logits and norms), in
 * four independent sums: one sum was a chain of dependent additions, and
 * these dot products (refined logits, and the equivariant machine's
 * norms and margins, of length k²·C) took longer than the SGEMM. */
ADIFF_HOT_WIDE static double
dot_double (const float *a, const float *b, gsize n)
{
  AdiffV8d acc[4] = { { 0 } };
  gsize i = 0;
  for (; i + 32 <= n; i += 32)
    for (int k = 0; k < 4; k++)
      {
        AdiffV8f x, y;
        memcpy (&x, a + i + 8 * k, sizeof x);
        memcpy (&y, b + i + 8 * k, sizeof y);
        acc[k] += __builtin_convertvector (x, AdiffV8d) * __builtin_convertvector (y, AdiffV8d);
      }
  for (; i + 8 <= n; i += 8)
    {
      AdiffV8f x, y;
      memcpy (&x, a + i, sizeof x);
      memcpy (&y, b + i, sizeof y);
      acc[0] += __builtin_convertvector (x, AdiffV8d) * __builtin_convertvector (y, AdiffV8d);
    }
  AdiffV8d t = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  double s = ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
  for (; i < n; i++)
    s += (double) a[i] * b[i];
  return s;
}

/* Lane-wise maximum (a macro: no vector crosses a call boundary). */
#define V16_MAX(a, b) \
  ((AdiffV16f) (((AdiffV16i) (a) & ((a) > (b))) | ((AdiffV16i) (b) & ~((a) > (b)))))

/* l = (g − xn)/σ² in float, sixteen at a time; returns their largest. */
ADIFF_HOT_WIDE static float
row_logits (const Row *r, float inv_s2, float *l)
{
  AdiffV16f top = (AdiffV16f) {} - G_MAXFLOAT;
  float last = -G_MAXFLOAT;
  gsize i = 0;
  for (; i + 16 <= r->n; i += 16)
    {
      AdiffV16f v, x;
      memcpy (&v, r->g + i, sizeof v);
      memcpy (&x, r->xnf + i, sizeof x);
      v = (v - x) * inv_s2;
      memcpy (l + i, &v, sizeof v);
      top = V16_MAX (top, v);
    }
  for (; i < r->n; i++)
    {
      l[i] = (r->g[i] - r->xnf[i]) * inv_s2;
      last = MAX (last, l[i]);
    }
  for (int k = 0; k < 16; k++)
    last = MAX (last, top[k]);
  return last;
}

/* Logits per group for the search of those that can carry weight. */
#define HOT_GROUP 64

/* w = exp(l − top) as floats into w, sixteen at a time; returns Σ w
 * (float lanes over a row, summed in double).  libm's exp in double took
 * most of the time here (logits far below the top underflow into its slow
 * path); adiff_exp_neg16 is within 3e-7 of exp and exactly 0 below −87.
 * Also lists in hot[] the groups of HOT_GROUP logits that hold one at or
 * above cut (*n_hot of them). */
ADIFF_HOT_WIDE static double
row_weights (const float *l, gsize n, float top, float cut, float *w, guint32 *hot,
             gsize *n_hot)
{
  AdiffV16f acc = { 0 }, floor = (AdiffV16f) {} - 100.0f;
  double sum = 0.0;
  gsize i = 0;
  *n_hot = 0;
  for (; i + HOT_GROUP <= n; i += HOT_GROUP)
    {
      AdiffV16f hi = floor;
      for (gsize j = i; j < i + HOT_GROUP; j += 16)
        {
          AdiffV16f v;
          memcpy (&v, l + j, sizeof v);
          hi = V16_MAX (hi, v);
          v = v - top;
          v = V16_MAX (v, floor);
          adiff_exp_neg16 (&v);
          memcpy (w + j, &v, sizeof v);
          acc += v;
        }
      float h = hi[0];
      for (int k = 1; k < 16; k++)
        h = MAX (h, hi[k]);
      if (h >= cut)
        hot[(*n_hot)++] = (guint32) i;
    }
  if (i < n)
    hot[(*n_hot)++] = (guint32) i;     /* the tail: checked one by one */
  for (; i < n; i++)
    {
      w[i] = adiff_exp_neg (MAX (l[i] - top, -100.0f));
      sum += w[i];
    }
  for (int k = 0; k < 16; k++)
    sum += acc[k];
  return sum;
}

static inline double
refined_logit (const Row *r, gsize P, double inv_s2, gsize i)
{
  return (dot_double (r->q, r->xp + i * P, P) - r->xn[i]) * inv_s2;
}

/* exp(x) as a float weight: adiff_exp_neg (within 3e-7 of exp, and
 * libm's exp in double cost as much as a refined logit) unless x > 0 (a
 * refined logit a little above the float top). */
static inline float
weight_of (double x)
{
  return x > 0 ? (float) exp (x) : adiff_exp_neg ((float) MAX (x, -100.0));
}

/* The logits of l[i0, end) at or above fcut: their indices into cand,
 * how many.  Sixteen at a time, and one by one only where a vector holds
 * one (they are few: testing each logit in double, or even in float one
 * by one, took a fifth of the fold). */
ADIFF_HOT_WIDE static gsize
group_candidates (const float *l, gsize i0, gsize end, float fcut, guint32 *cand)
{
  gsize nc = 0, i = i0;
  for (; i + 16 <= end; i += 16)
    {
      AdiffV16f v;
      memcpy (&v, l + i, sizeof v);
      AdiffV16i ge = v >= fcut;
      int any = 0;
      for (int k = 0; k < 16; k++)
        any |= ge[k];
      if (!any)
        continue;
      for (int k = 0; k < 16; k++)
        {
          cand[nc] = (guint32) (i + k);
          nc += l[i + k] >= fcut;
        }
    }
  for (; i < end; i++)
    {
      cand[nc] = (guint32) i;
      nc += l[i] >= fcut;
    }
  return nc;
}

/* Exact mode: logits that can carry weight (l ≥ cut) recomputed in
 * double, their weights (relative to top) replaced; returns the change
 * of the row's sum and the largest refined logit in *best. */
static double
refine_row (const Row *r, gsize P, double inv_s2, const float *l, double cut, float fcut,
            double top, const guint32 *hot, gsize n_hot, double *best)
{
  double change = 0.0;
  for (gsize h = 0; h < n_hot; h++)
    {
      guint32 cand[HOT_GROUP];
      gsize nc = group_candidates (l, hot[h], MIN (hot[h] + HOT_GROUP, r->n), fcut, cand);
      for (gsize k = 0; k < nc; k++)
        {
          gsize i = cand[k];
          if (l[i] < cut)
            continue;
          double ld = refined_logit (r, P, inv_s2, i);
          float w = weight_of (ld - top);
          change += (double) w - r->g[i];
          r->g[i] = w;
          *best = MAX (*best, ld);
        }
    }
  return change;
}

/* Every logit of the row in double, weights against the refined top
 * (never below the pixel's running maximum, which it returns): for rows
 * whose float logits are off by more than the cutoff (absurdly large
 * inputs). */
static double
refine_all (const Row *r, gsize P, double inv_s2, double max, double *sum)
{
  for (gsize i = 0; i < r->n; i++)
    max = MAX (max, refined_logit (r, P, inv_s2, i));
  *sum = 0.0;
  for (gsize i = 0; i < r->n; i++)
    {
      r->g[i] = weight_of (refined_logit (r, P, inv_s2, i) - max);
      *sum += r->g[i];
    }
  return max;
}

/* How far below the top exact mode refines: a logit further down weighs
 * less than e^−gap of the top one, so the float error of all such logits
 * together (at most `refine` each, relative to their weights) moves the
 * output by at most n·e^−gap·refine ≤ 1e-8 (pixel values of order 1):
 * ln(n·refine·10⁸), 20–30 nats for our bundles where the cutoff is 40
 * (the refined logits are most of what exact mode adds to fast mode). */
static double
refine_gap (double n_logits, double refine)
{
  return CLAMP (log (n_logits * refine * 1e8), 0.0, ADIFF_LOGIT_CUTOFF);
}

/* Fold a row into the pixel's online softmax, turning its logits into
 * weights in place (l: n floats of scratch).  The weights are taken
 * relative to the top of the float logits.  refine > 0 (exact mode):
 * logits that can carry weight are recomputed in double, since a float
 * dot product of length P is off by about ε·√P·‖q‖·‖x‖, which 1/σ²
 * magnifies; when the refined top is more than the cutoff from the float
 * one (absurdly large inputs: every weight would underflow, or could
 * overflow) the row is redone in double. */
static void
fold_row (PixelSum *ps, const Row *r, gsize P, double inv_s2, double refine, double n_logits,
          float *l, guint32 *hot)
{
  double top = MAX (ps->max, (double) row_logits (r, (float) inv_s2, l));
  double cut = refine > 0 ? top - refine_gap (n_logits, refine) - refine : G_MAXDOUBLE;
  /* The float cut rounded down: a group is never missed. */
  float fcut = refine > 0 ? nextafterf ((float) cut, -G_MAXFLOAT) : G_MAXFLOAT;
  gsize n_hot;
  double sum = row_weights (l, r->n, (float) top, fcut, r->g, hot, &n_hot);
  if (refine > 0)
    {
      double best = -G_MAXDOUBLE;
      sum += refine_row (r, P, inv_s2, l, cut, fcut, top, hot, n_hot, &best);
      double real = MAX (ps->max, best);
      if (real < top - ADIFF_LOGIT_CUTOFF || real > top + ADIFF_LOGIT_CUTOFF)
        top = refine_all (r, P, inv_s2, ps->max, &sum);
    }
  /* top ≥ ps->max; most rows leave it as it is. */
  double rescale = ps->max == -G_MAXDOUBLE ? 0.0 : ps->max == top ? 1.0 : exp (ps->max - top);
  ps->sum *= rescale;
  for (int c = 0; c < 3; c++)
    ps->acc[c] *= rescale;
  ps->max = top;
  ps->sum += sum;
}

/* ½‖patch‖² of n patches, in double and float. */
static void
patch_norms (const float *xp, gsize n, gsize P, double *xn, float *xnf)
{
  for (gsize row = 0; row < n; row++)
    {
      xn[row] = 0.5 * dot_double (xp + row * P, xp + row * P, P);
      xnf[row] = (float) xn[row];
    }
}

/* Exact mode's margin for a window patch q: twice the float error bound
 * of its logits (0 in fast mode, or when negligible). */
static double
margin_of_norm (const PatchState *s, double qn, double max_norm)
{
  double err = 4.0 * FLT_EPSILON * sqrt ((double) s->P) * qn * max_norm * s->inv_s2;
  return s->exact && err > 1e-9 ? 2 * err : 0.0;
}

static double
refine_margin (const PatchState *s, const float *q, double max_norm)
{
  return margin_of_norm (s, sqrt (dot_double (q, q, s->P)), max_norm);
}

/* Output rows per task: both SGEMMs and the folds of those rows. */
#define PATCH_TASK_ROWS 256

static void
equivariant_task (guint task, guint worker, gpointer data)
{
  Pass *p = data;
  gsize rows = p->m * p->A, cols = p->nb * p->A, P = p->s->P;
  gsize r0 = (gsize) task * PATCH_TASK_ROWS, nr = MIN (PATCH_TASK_ROWS, rows - r0);
  guint C = p->b->channels;
  float *g = p->g + worker * p->g_stride;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nr, (int) cols, (int) P,
               1.0f, p->q + r0 * P, (int) P, p->xp, (int) P, 0.0f, g, (int) cols);
  for (gsize a = r0; a < r0 + nr; a++)
    {
      Row r = { g + (a - r0) * cols, p->xn, p->xnf, p->q + a * P, p->xp, cols };
      fold_row (&p->ps[a], &r, P, p->s->inv_s2, p->refine[a], p->n_logits,
                p->l + worker * p->l_stride,
                p->hot + worker * p->hot_stride);
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) nr, (int) C, (int) cols,
               1.0f, g, (int) cols, p->centres, (int) C, 0.0f, p->t + r0 * C, (int) C);
  for (gsize a = r0; a < r0 + nr; a++)
    for (guint c = 0; c < C; c++)
      p->ps[a].acc[c] += p->t[a * C + c];
}

/* Same position only: at position a, the windows' and the block's
 * exemplars' patches (built here, in the worker's scratch, so they stay
 * in cache), one SGEMM between them, and the weighted centre pixels. */
static void
local_task (guint a, guint worker, gpointer data)
{
  Pass *p = data;
  const AdiffBundle *b = p->b;
  const PatchState *s = p->s;
  gsize A = p->A, P = s->P, m = p->m, nb = p->nb, nbx = p->nbx;
  guint C = b->channels, x = (guint) (a % b->width), y = (guint) (a / b->width);
  float *q = p->q + worker * p->mw * P, *xp = p->xp + worker * nbx * P;
  float *xnf = p->xnlf + a * nbx, *t = p->t + worker * p->mw * C;
  float *g = p->g + worker * p->g_stride;
  double *xn = p->xnl + a * nbx;
  for (gsize i = 0; i < nb; i++)
    patch_at (s, b, p->centres + i * b->dim, x, y, xp + i * P);
  for (gsize j = 0; j < m; j++)
    patch_at (s, b, p->windows + j * b->dim, x, y, q + j * P);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) m, (int) nb, (int) P,
               1.0f, q, (int) P, xp, (int) P, 0.0f, g, (int) nb);
  for (gsize j = 0; j < m; j++)
    {
      Row r = { g + j * nb, xn, xnf, q + j * P, xp, nb };
      fold_row (&p->ps[j * A + a], &r, P, s->inv_s2,
                margin_of_norm (s, p->qn[j * A + a], p->top_norm[a]), p->n_logits,
                p->l + worker * p->l_stride,
                p->hot + worker * p->hot_stride);
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) m, (int) C, (int) nb,
               1.0f, g, (int) nb, p->centres + a * C, (int) b->dim, 0.0f, t, (int) C);
  for (gsize j = 0; j < m; j++)
    for (guint c = 0; c < C; c++)
      p->ps[j * A + a].acc[c] += t[j * C + c];
}

/* Σ over each position's k×k patch of Σ_c v[p,c]², in double: sums along
 * rows, then down columns (2k terms per position instead of k²·C).
 * out[a·stride]; row: A doubles of scratch. */
static void
local_square_sums (const PatchState *s, const AdiffBundle *b, const float *v, double *row,
                   double *out, gsize stride)
{
  guint W = b->width, H = b->height, C = b->channels, r = s->r;
  for (guint y = 0; y < H; y++)
    for (guint x = 0; x < W; x++)
      {
        double sum = 0.0;
        for (guint xx = x > r ? x - r : 0; xx < MIN (W, x + r + 1); xx++)
          for (guint c = 0; c < C; c++)
            {
              double t = v[((gsize) y * W + xx) * C + c];
              sum += t * t;
            }
        row[(gsize) y * W + x] = sum;
      }
  for (guint y = 0; y < H; y++)
    for (guint x = 0; x < W; x++)
      {
        double sum = 0.0;
        for (guint yy = y > r ? y - r : 0; yy < MIN (H, y + r + 1); yy++)
          sum += row[(gsize) yy * W + x];
        out[((gsize) y * W + x) * stride] = sum;
      }
}

static void
block_norms_task (guint i, guint worker, gpointer data)
{
  Pass *p = data;
  local_square_sums (p->s, p->b, p->centres + i * p->b->dim, p->rows + worker * p->A,
                     p->xnl + i, p->nbx);
}

/* Local variant, per block of exemplars: ½‖patch‖² of each at every
 * position (once per block and pass, where every task recomputed its
 * position's in double from the patches), and the largest patch norm per
 * position (exact mode's margins need it there, not over the window). */
static void
local_block_norms (Pass *p)
{
  gsize A = p->A, nbx = p->nbx;
  adiff_parallel_for ((guint) p->nb, p->workers, block_norms_task, p);
  for (gsize a = 0; a < A; a++)
    {
      double top = 0.0;
      for (gsize i = 0; i < p->nb; i++)
        {
          double h = 0.5 * p->xnl[a * nbx + i];
          p->xnl[a * nbx + i] = h;
          p->xnlf[a * nbx + i] = (float) h;
          top = MAX (top, h);
        }
      p->top_norm[a] = sqrt (2.0 * top);
    }
}

/* Local variant, per pass of windows: their patches' norms. */
static void
local_window_norms (Pass *p)
{
  for (gsize j = 0; j < p->m; j++)
    {
      double *qn = p->qn + j * p->A;
      local_square_sums (p->s, p->b, p->windows + j * p->b->dim, p->rows, qn, 1);
      for (gsize a = 0; a < p->A; a++)
        qn[a] = sqrt (qn[a]);
    }
}

/* max ‖patch‖ over exemplars: at most the norm of the whole window. */
static double
exemplar_patch_norm (const PatchState *s, const AdiffBundle *b)
{
  double m = 0;
  for (gsize i = 0; i < b->n_exemplars; i++)
    {
      const float *x = b->exemplars + i * b->dim;
      m = MAX (m, dot_double (x, x, b->dim));
    }
  return sqrt (m);
}

/* One block of exemplars against the windows of the pass, split over the
 * workers by rows (equivariant) or positions (local). */
static void
pass_run (Pass *p)
{
  if (p->s->equivariant)
    {
      gsize rows = p->m * p->A;
      guint tasks = (guint) ((rows + PATCH_TASK_ROWS - 1) / PATCH_TASK_ROWS);
      adiff_parallel_for (tasks, p->workers, equivariant_task, p);
    }
  else
    adiff_parallel_for ((guint) p->A, p->workers, local_task, p);
}

/* Our workers split the rows, each calling BLAS on its own part: BLAS's
 * own threads would spin between its calls while the rows' softmax runs
 * (which costs about as much as the SGEMM here), taking the cores from
 * it.  So BLAS runs on the calling thread meanwhile (OpenBLAS; other
 * BLAS builds are left as they are). */
static int
blas_single_begin (void)
{
#ifdef OPENBLAS_VERSION
  int n = openblas_get_num_threads ();
  openblas_set_num_threads (1);
  return n;
#else
  return 0;
#endif
}

static void
blas_single_end (int n)
{
#ifdef OPENBLAS_VERSION
  openblas_set_num_threads (n);
#else
  (void) n;
#endif
}

/* Windows per pass of the local variant: its products are windows ×
 * exemplars at one position, and their patches are built per task. */
#define PATCH_LOCAL_WINDOWS 64
/* Exemplars per block of the local variant: a position's patches of the
 * block are read again, shifted by a pixel, at the next position, and
 * stay in the L2 cache for it (≈ 1 MB for 1 024 exemplars at k = 7);
 * with 4 096, every position read them from memory again (CIFAR-10,
 * 64 windows: 81 against 60 GFLOP/s). */
#define PATCH_LOCAL_EXEMPLARS 1024

/* Scratch of a pass, sized by the work at hand.  Equivariant: a block's
 * patches at every position, shared by the workers, and a row of logits
 * per window patch (nbx·A).  Local: each worker's patches of one
 * position, a row per window (nbx, so blocks can be larger). */
static gboolean
pass_alloc (Pass *p, gsize n, GError **error)
{
  const PatchState *s = p->s;
  gsize A = p->A, P = s->P, ne = p->b->n_exemplars, C = p->b->channels, wk = p->workers;
  gsize q_rows, xp_rows, t_len;
  if (s->equivariant)
    {
      p->mw = MIN (n, MAX (1, PATCH_ROWS / A));
      p->nbx = MIN (ne, MAX (1, PATCH_ROWS / A));
      p->l_stride = p->nbx * A;
      p->g_stride = MIN (PATCH_TASK_ROWS, p->mw * A) * p->l_stride;
      q_rows = p->mw * A;
      xp_rows = p->nbx * A;
      t_len = p->mw * A * C;
    }
  else
    {
      p->mw = MIN (n, PATCH_LOCAL_WINDOWS);
      p->nbx = MIN (ne, PATCH_LOCAL_EXEMPLARS);
      p->l_stride = p->nbx;
      p->g_stride = p->mw * p->nbx;
      q_rows = wk * p->mw;
      xp_rows = wk * p->nbx;
      t_len = wk * p->mw * C;
    }
  p->q = adiff_try_alloc (q_rows, P * sizeof (float), "window patches", error);
  p->xp = p->q ? adiff_try_alloc (xp_rows, P * sizeof (float), "exemplar patches", error)
               : NULL;
  p->g = p->xp ? adiff_try_alloc (wk, p->g_stride * sizeof (float), "patch logits", error)
               : NULL;
  p->l = p->g ? adiff_try_alloc (wk, p->l_stride * sizeof (float), "patch logits", error)
              : NULL;
  if (!p->l)
    return FALSE;
  p->hot_stride = p->l_stride / HOT_GROUP + 1;
  p->hot = g_new (guint32, wk * p->hot_stride);
  if (s->equivariant)
    {
      p->xn = g_new (double, xp_rows);
      p->xnf = g_new (float, xp_rows);
    }
  else
    {
      p->xnl = adiff_try_alloc (A, p->nbx * sizeof (double), "patch norms", error);
      p->xnlf = p->xnl ? adiff_try_alloc (A, p->nbx * sizeof (float), "patch norms", error)
                       : NULL;
      if (!p->xnlf)
        return FALSE;
      p->top_norm = g_new (double, A);
      p->rows = g_new (double, wk * A);
      p->qn = g_new (double, p->mw * A);
    }
  p->t = g_new (float, t_len);
  p->ps = g_new (PixelSum, p->mw * A);
  p->refine = g_new (double, s->equivariant ? p->mw * A : 1);
  return TRUE;
}

static void
pass_free (Pass *p)
{
  g_free (p->q); g_free (p->xp); g_free (p->g); g_free (p->l); g_free (p->hot);
  g_free (p->xn); g_free (p->xnf); g_free (p->t); g_free (p->ps); g_free (p->refine);
  g_free (p->xnl); g_free (p->xnlf); g_free (p->top_norm); g_free (p->qn); g_free (p->rows);
}

static gboolean
patch_apply (AdiffDenoiser *den, const float *in, gsize n, float *out, GError **error)
{
  const PatchState *s = den->state;
  AdiffBundle *b = den->bundle;
  gsize A = (gsize) b->width * b->height, d = b->dim, ne = b->n_exemplars;
  guint C = b->channels;
  Pass p = { s, b, A };
  p.workers = adiff_thread_count (den->params.n_threads);
  if (!pass_alloc (&p, n, error))
    {
      pass_free (&p);
      return FALSE;
    }
  /* The local variant's margins take the largest norm per position. */
  if (s->equivariant)
    p.max_norm = exemplar_patch_norm (s, b);
  p.n_logits = (double) ne * (s->equivariant ? (double) A : 1.0);
  int blas_threads = blas_single_begin ();

  for (gsize j0 = 0; j0 < n; j0 += p.mw)
    {
      p.m = MIN (p.mw, n - j0);
      p.windows = in + j0 * d;
      for (gsize a = 0; a < p.m * A; a++)
        p.ps[a] = (PixelSum) { -G_MAXDOUBLE, 0, { 0, 0, 0 } };
      if (s->equivariant)
        {
          im2col (s, b, p.windows, p.m, p.q);
          for (gsize a = 0; a < p.m * A; a++)
            p.refine[a] = refine_margin (s, p.q + a * s->P, p.max_norm);
        }
      else
        local_window_norms (&p);
      for (gsize i0 = 0; i0 < ne; i0 += p.nbx)
        {
          p.nb = MIN (p.nbx, ne - i0);
          p.centres = b->exemplars + i0 * d;
          if (s->equivariant)
            {
              im2col (s, b, p.centres, p.nb, p.xp);
              patch_norms (p.xp, p.nb * A, s->P, p.xn, p.xnf);
            }
          else
            local_block_norms (&p);
          pass_run (&p);
        }
      for (gsize a = 0; a < p.m * A; a++)
        for (guint c = 0; c < C; c++)
          out[j0 * d + a * C + c] = (float) (p.ps[a].acc[c] / p.ps[a].sum);
    }
  blas_single_end (blas_threads);
  pass_free (&p);
  return TRUE;
}

static void
patch_finalize (gpointer state)
{
  g_free (state);
}

const AdiffDenoiserClass adiff_patch_class = {
  patch_prepare, patch_apply, patch_finalize
};
