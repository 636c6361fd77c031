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
  /* Local variant (box sums, no patches). */
  float     *xs;         /* [nbp·A·C] the block regrouped (regroup_task) */
  gsize      nbp;        /* nbx rounded up to whole sub-blocks */
  double    *xnl;        /* [nbp·A] ½‖patch‖² of the block's exemplars */
  double    *gd;         /* [workers × g_stride] cross terms of a band */
  gpointer   rs;         /* [workers × rs_stride] vectors of box sums */
  gsize      rs_stride;
  guint      bands, chunks;  /* tasks: bands of rows × chunks of windows */
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

/* ---- The local variant: cross terms as box sums ----
 *
 * At position a the cross term of a window z and an exemplar x is
 * Σ over the k×k patch of Σ_c z·x: per-pixel products summed along rows,
 * then down columns — C + 2k operations per position instead of the
 * k²·C of a dot product of patches, and no patches built.  The exemplars
 * go in sub-blocks of LOCAL_SUB, one per lane, and the sums are in
 * double: the logits are then accurate far beyond what a float weight
 * resolves, so exact mode has nothing to refine (a patch GEMM's float
 * logits are off by up to 10⁻³ nats, and refining them took a fifth of
 * the time). */

/* Exemplars per sub-block: a band's part of the regrouped sub-block, its
 * norms and cross terms stay in the L2 cache while every window of the
 * pass meets them (CIFAR-10, 8-row bands: ≈ 0.6 MB). */
#define LOCAL_SUB 64
/* Output rows per task (its box sums also read r rows either side). */
#define LOCAL_BAND_ROWS 8

/* Eight floats or doubles at any address (scratch rows and the regrouped
 * exemplars are plain allocations).  Eight lanes, not sixteen: GCC keeps
 * a 64-byte vector in a register, and spilled 128-byte ones to the stack
 * on every addition. */
typedef float  PatchV8f __attribute__ ((vector_size (32), aligned (4)));
typedef double PatchV8d __attribute__ ((vector_size (64), aligned (8)));
typedef gint64 PatchV8l __attribute__ ((vector_size (64)));

/* Sub-block sb of the block regrouped, exemplar = lane:
 * xs[((sb·A + a)·C + c)·LOCAL_SUB + lane]; lanes past the block are zero. */
static void
regroup_task (guint sb, guint worker, gpointer data)
{
  Pass *p = data;
  gsize n = p->A * p->b->channels, d = p->b->dim;
  float *xs = p->xs + (gsize) sb * n * LOCAL_SUB;
  for (guint lane = 0; lane < LOCAL_SUB; lane++)
    {
      gsize i = (gsize) sb * LOCAL_SUB + lane;
      const float *x = p->centres + i * d;
      for (gsize v = 0; v < n; v++)
        xs[v * LOCAL_SUB + lane] = i < p->nb ? x[v] : 0.0f;
    }
  (void) worker;
}

/* out[x] = Σ of v[xx] for |xx − x| ≤ r, 0 ≤ xx < n: a running sum, the
 * entering term added and the leaving one taken away (in double the
 * rounding of these is ≈ n·10⁻¹⁶ of the sums, far below what the float
 * weights resolve; the direct sums took 2r additions each). */
static inline void
running_sums (const PatchV8d *v, int n, int r, PatchV8d *out)
{
  AdiffV8d run = { 0 };
  for (int x = 0; x <= MIN (r, n - 1); x++)
    run += v[x];
  for (int x = 0; x < n; x++)
    {
      out[x] = run;
      if (x + r + 1 < n)
        run += v[x + r + 1];
      if (x - r >= 0)
        run -= v[x - r];
    }
}

/* Σ over each position's k×k patch (zero padded) of Σ_c u·v, in double,
 * for lanes [h, h + 8) of a sub-block: u a window (u_lanes = 0: one value
 * per pixel and channel for every lane) or a sub-block (u_lanes =
 * LOCAL_SUB), v a sub-block, at the positions of rows [y0, y1):
 * out[(a − y0·W)·LOCAL_SUB + lane].  rs: scratch of (H + 2)·W vectors. */
ADIFF_HOT_WIDE static void
box_sums8 (const PatchState *s, const AdiffBundle *b, const float *u, gsize u_lanes,
           const float *v, guint h, guint y0, guint y1, PatchV8d *rs, double *out)
{
  int W = (int) b->width, H = (int) b->height, C = (int) b->channels, r = (int) s->r;
  int r0 = MAX (0, (int) y0 - r), r1 = MIN (H, (int) y1 + r);
  PatchV8d *prod = rs + (gsize) (r1 - r0) * W;
  for (int y = r0; y < r1; y++)
    {
      for (int x = 0; x < W; x++)
        {
          gsize at = ((gsize) y * W + x) * C;
          AdiffV8d sum = { 0 };
          for (int c = 0; c < C; c++)
            {
              AdiffV8d ud = u_lanes
                ? __builtin_convertvector (*(const PatchV8f *) (u + (at + c) * LOCAL_SUB + h),
                                           AdiffV8d)
                : (AdiffV8d) {} + (double) u[at + c];
              AdiffV8f vf = *(const PatchV8f *) (v + (at + c) * LOCAL_SUB + h);
              sum += ud * __builtin_convertvector (vf, AdiffV8d);
            }
          prod[x] = sum;
        }
      running_sums (prod, W, r, rs + (gsize) (y - r0) * W);
    }
  /* Down the columns: the first output row's sums, then the next row's
   * added and the row that left taken away, as along the rows. */
  PatchV8d *col = prod + W;
  for (int x = 0; x < W; x++)
    col[x] = (AdiffV8d) { 0 };
  for (int yy = r0; yy <= MIN (r1 - 1, (int) y0 + r); yy++)
    for (int x = 0; x < W; x++)
      col[x] += rs[(gsize) (yy - r0) * W + x];
  for (int y = (int) y0; y < (int) y1; y++)
    {
      double *o = out + (gsize) (y - (int) y0) * W * LOCAL_SUB + h;
      const PatchV8d *in = y + r + 1 < r1 ? rs + (gsize) (y + r + 1 - r0) * W : NULL;
      const PatchV8d *gone = y - r >= r0 ? rs + (gsize) (y - r - r0) * W : NULL;
      for (int x = 0; x < W; x++)
        {
          *(PatchV8d *) (o + (gsize) x * LOCAL_SUB) = col[x];
          if (in)
            col[x] += in[x];
          if (gone)
            col[x] -= gone[x];
        }
    }
}

/* box_sums8 for the first nv lanes (a multiple of 8). */
static void
box_sums (const PatchState *s, const AdiffBundle *b, const float *u, gsize u_lanes,
          const float *v, gsize nv, guint y0, guint y1, PatchV8d *rs, double *out)
{
  for (guint h = 0; h < nv; h += 8)
    box_sums8 (s, b, u, u_lanes, v, h, y0, y1, rs, out);
}

/* ½‖patch‖² of sub-block sb's exemplars at every position:
 * xn[(sb·A + a)·LOCAL_SUB + lane], +∞ for lanes past the block (their
 * logits are then −∞: no weight). */
static void
block_norms_task (guint sb, guint worker, gpointer data)
{
  Pass *p = data;
  gsize A = p->A;
  const float *xs = p->xs + (gsize) sb * A * p->b->channels * LOCAL_SUB;
  double *xn = p->xnl + (gsize) sb * A * LOCAL_SUB;
  box_sums (p->s, p->b, xs, LOCAL_SUB, xs, LOCAL_SUB, 0, p->b->height,
            (PatchV8d *) p->rs + worker * p->rs_stride, xn);
  for (gsize a = 0; a < A; a++)
    for (guint lane = 0; lane < LOCAL_SUB; lane++)
      {
        double *h = xn + a * LOCAL_SUB + lane;
        *h = (gsize) sb * LOCAL_SUB + lane < p->nb ? 0.5 * *h : INFINITY;
      }
}

/* Local variant, per block of exemplars: the block regrouped, and ½‖patch‖²
 * of each at every position. */
static void
local_block_norms (Pass *p)
{
  guint subs = (guint) ((p->nb + LOCAL_SUB - 1) / LOCAL_SUB);
  adiff_parallel_for (subs, p->workers, regroup_task, p);
  adiff_parallel_for (subs, p->workers, block_norms_task, p);
}

/* Fold the logits (cross − xn)/σ² of nv exemplars (a multiple of 8)
 * into the pixel's online softmax, with their centre pixels xs (the
 * sub-block at the position: C rows of LOCAL_SUB lanes).  Weights are
 * floats relative to the new top, and the weighted centres are summed in
 * the same pass. */
ADIFF_HOT_WIDE static void
fold_local (PixelSum *ps, const double *cross, const double *xn, gsize nv, double inv_s2,
            const float *xs, guint C)
{
  AdiffV8d top8 = (AdiffV8d) {} + ps->max;
  for (gsize i = 0; i < nv; i += 8)
    {
      AdiffV8d l = (*(const PatchV8d *) (cross + i) - *(const PatchV8d *) (xn + i)) * inv_s2;
      top8 = (AdiffV8d) (((PatchV8l) l & (l > top8)) | ((PatchV8l) top8 & ~(l > top8)));
    }
  double top = top8[0];
  for (int k = 1; k < 8; k++)
    top = MAX (top, top8[k]);
  AdiffV8f acc = { 0 }, centre[3] = { { 0 } }, floor = (AdiffV8f) {} - 100.0f;
  for (gsize i = 0; i < nv; i += 8)
    {
      AdiffV8d l = (*(const PatchV8d *) (cross + i) - *(const PatchV8d *) (xn + i)) * inv_s2
                   - top;
      AdiffV8f v = __builtin_convertvector (l, AdiffV8f);
      v = (AdiffV8f) (((AdiffV8i) v & (v > floor)) | ((AdiffV8i) floor & ~(v > floor)));
      adiff_exp_neg8 (&v);
      acc += v;
      for (guint c = 0; c < C; c++)
        centre[c] += v * *(const PatchV8f *) (xs + c * LOCAL_SUB + i);
    }
  /* top ≥ ps->max; most rows leave it as it is. */
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
 * a sub-block at a time (it stays in cache while every window meets it):
 * cross terms, softmax, weighted centre pixels. */
static void
local_rows (Pass *p, gsize j0, gsize j1, guint y0, guint y1, guint worker)
{
  const AdiffBundle *b = p->b;
  gsize A = p->A, C = b->channels, W = b->width, sub_step = A * C * LOCAL_SUB;
  double *cross = p->gd + worker * p->g_stride;
  PatchV8d *rs = (PatchV8d *) p->rs + worker * p->rs_stride;
  for (gsize s0 = 0; s0 < p->nb; s0 += LOCAL_SUB)
    {
      gsize nv = (MIN (LOCAL_SUB, p->nb - s0) + 7) / 8 * 8;
      const float *xs = p->xs + s0 / LOCAL_SUB * sub_step;
      const double *xn = p->xnl + s0 * A;
      for (gsize j = j0; j < j1; j++)
        {
          box_sums (p->s, b, p->windows + j * b->dim, 0, xs, nv, y0, y1, rs, cross);
          for (gsize a = y0 * W; a < y1 * W; a++)
            {
              PixelSum *ps = &p->ps[j * A + a];
              fold_local (ps, cross + (a - y0 * W) * LOCAL_SUB, xn + a * LOCAL_SUB, nv,
                          p->s->inv_s2, xs + a * C * LOCAL_SUB, (guint) C);
            }
        }
    }
}

/* Task: a band of rows of a chunk of the windows. */
static void
local_task (guint task, guint worker, gpointer data)
{
  Pass *p = data;
  guint H = p->b->height, band = task % p->bands, chunk = task / p->bands;
  gsize per = (p->m + p->chunks - 1) / p->chunks, j0 = chunk * per;
  guint y0 = band * LOCAL_BAND_ROWS;
  if (j0 < p->m)
    local_rows (p, j0, MIN (p->m, j0 + per), y0, MIN (H, y0 + LOCAL_BAND_ROWS), worker);
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
    adiff_parallel_for (p->bands * p->chunks, p->workers, local_task, p);
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

/* Windows per pass of the local variant: each block is regrouped and its
 * norms found once per pass. */
#define PATCH_LOCAL_WINDOWS 64
/* Exemplars per block of the local variant (regrouped: 12 MB for CIFAR-10
 * windows). */
#define PATCH_LOCAL_EXEMPLARS 1024

/* Scratch of a pass, sized by the work at hand.  Equivariant: a block's
 * patches at every position, shared by the workers, and a row of logits
 * per window patch (nbx·A).  Local: the regrouped block and its norms,
 * and per worker the logits of a window's positions against LOCAL_SUB
 * exemplars and the box sums' scratch. */
static gboolean
pass_alloc (Pass *p, gsize n, GError **error)
{
  const PatchState *s = p->s;
  gsize A = p->A, P = s->P, ne = p->b->n_exemplars, C = p->b->channels, wk = p->workers;
  if (s->equivariant)
    {
      p->mw = MIN (n, MAX (1, PATCH_ROWS / A));
      p->nbx = MIN (ne, MAX (1, PATCH_ROWS / A));
      p->l_stride = p->nbx * A;
      p->g_stride = MIN (PATCH_TASK_ROWS, p->mw * A) * p->l_stride;
      p->q = adiff_try_alloc (p->mw * A, P * sizeof (float), "window patches", error);
      p->xp = p->q ? adiff_try_alloc (p->nbx * A, P * sizeof (float), "exemplar patches",
                                      error)
                   : NULL;
      if (!p->xp)
        return FALSE;
      p->xn = g_new (double, p->nbx * A);
      p->xnf = g_new (float, p->nbx * A);
      p->t = g_new (float, p->mw * A * C);
      p->refine = g_new (double, p->mw * A);
    }
  else
    {
      p->mw = MIN (n, PATCH_LOCAL_WINDOWS);
      p->nbx = MIN (ne, PATCH_LOCAL_EXEMPLARS);
      p->nbp = (p->nbx + LOCAL_SUB - 1) / LOCAL_SUB * LOCAL_SUB;
      p->g_stride = (gsize) LOCAL_BAND_ROWS * p->b->width * LOCAL_SUB;
      p->rs_stride = (p->b->height + 2) * (gsize) p->b->width;
      p->xs = adiff_try_alloc (p->nbp * A, C * sizeof (float), "regrouped exemplars", error);
      p->xnl = p->xs ? adiff_try_alloc (A, p->nbp * sizeof (double), "patch norms", error)
                     : NULL;
      p->gd = p->xnl ? adiff_try_alloc (wk, p->g_stride * sizeof (double), "cross terms",
                                        error)
                     : NULL;
      p->rs = p->gd ? adiff_try_alloc (wk * p->rs_stride, sizeof (PatchV8d), "box sums",
                                       error)
                    : NULL;
      if (!p->rs)
        return FALSE;
      p->ps = g_new (PixelSum, p->mw * A);
      return TRUE;
    }
  p->g = adiff_try_alloc (wk, p->g_stride * sizeof (float), "patch logits", error);
  p->l = p->g ? adiff_try_alloc (wk, p->l_stride * sizeof (float), "patch logits", error)
              : NULL;
  if (!p->l)
    return FALSE;
  p->hot_stride = p->l_stride / HOT_GROUP + 1;
  p->hot = g_new (guint32, wk * p->hot_stride);
  p->ps = g_new (PixelSum, p->mw * A);
  return TRUE;
}

static void
pass_free (Pass *p)
{
  g_free (p->q); g_free (p->xp); g_free (p->g); g_free (p->l); g_free (p->hot);
  g_free (p->xn); g_free (p->xnf); g_free (p->t); g_free (p->ps); g_free (p->refine);
  g_free (p->xnl); g_free (p->gd); g_free (p->xs); g_free (p->rs);
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
        {
          /* Four tasks per worker at least: chunks of windows too when
           * the bands are few. */
          p.bands = (b->height + LOCAL_BAND_ROWS - 1) / LOCAL_BAND_ROWS;
          p.chunks = (guint) CLAMP ((4 * p.workers + p.bands - 1) / p.bands, 1, p.m);
        }
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
