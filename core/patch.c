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
 * pixel in double, and the weighted centre pixels a second SGEMM.
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

/* im2col: the zero-padded k×k patch around every pixel of each of m
 * windows, rows (window, position), P values each. */
static void
im2col (const PatchState *s, const AdiffBundle *b, const float *win, gsize m, float *out)
{
  guint W = b->width, H = b->height, C = b->channels, k = s->k;
  int r = (int) s->r;
  for (gsize j = 0; j < m; j++)
    for (guint y = 0; y < H; y++)
      for (guint x = 0; x < W; x++)
        {
          float *row = out + ((j * H + y) * W + x) * s->P;
          const float *w = win + j * b->dim;
          for (guint dy = 0; dy < k; dy++)
            {
              int yy = (int) y + (int) dy - r;
              for (guint dx = 0; dx < k; dx++)
                {
                  int xx = (int) x + (int) dx - r;
                  float *dst = row + ((gsize) dy * k + dx) * C;
                  gboolean in = yy >= 0 && yy < (int) H && xx >= 0 && xx < (int) W;
                  for (guint c = 0; c < C; c++)
                    dst[c] = in ? w[((gsize) yy * W + xx) * C + c] : 0.0f;
                }
            }
        }
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
  float     *q;          /* [m·A × P] window patches */
  float     *xp;         /* [nb·A × P] exemplar patches */
  double    *xn;         /* [nb·A] ½‖patch‖² */
  float     *g;          /* logits / weights scratch */
  float     *t;          /* [m·A × C] weighted centres */
  PixelSum  *ps;         /* [m·A] */
  double    *refine;     /* [m·A] logit error bound (0: fast mode) */
  double    *l;          /* [nb·A] logits of one row */
  double     max_norm;   /* largest exemplar patch norm */
} Pass;

/* A row's comparisons: logits g (n values) of one window patch q against
 * n exemplar patches (rows of xp, x_stride floats apart). */
typedef struct
{
  float        *g;
  const double *xn;        /* ½‖patch‖², xn_stride apart */
  gsize         xn_stride;
  const float  *q;
  const float  *xp;
  gsize         x_stride;
  gsize         n;
} Row;

static double
dot_double (const float *a, const float *b, gsize n)
{
  double s[4] = { 0, 0, 0, 0 };
  gsize i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++)
      s[k] += (double) a[i + k] * b[i + k];
  for (; i < n; i++)
    s[0] += (double) a[i] * b[i];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

/* w = exp(l − top) as floats, eight at a time; returns Σ w.  libm's exp
 * in double took most of the time here (logits far below the top
 * underflow into its slow path); the weights are floats anyway, and
 * adiff_exp_neg8 is within 3e-7 of exp and exactly 0 below −87. */
ADIFF_HOT static double
row_weights (const double *l, gsize n, double top, float *w)
{
  double sum = 0.0;
  gsize i = 0;
  for (; i + 8 <= n; i += 8)
    {
      AdiffV8f v;
      for (int k = 0; k < 8; k++)
        v[k] = (float) MAX (l[i + k] - top, -100.0);
      adiff_exp_neg8 (&v);
      memcpy (w + i, &v, sizeof v);
      sum += ((double) v[0] + v[1] + v[2] + v[3]) + ((double) v[4] + v[5] + v[6] + v[7]);
    }
  for (; i < n; i++)
    {
      w[i] = adiff_exp_neg ((float) MAX (l[i] - top, -100.0));
      sum += w[i];
    }
  return sum;
}

/* Fold a row into the pixel's online softmax, turning its logits into
 * weights in place (l: n doubles of scratch).  refine > 0 (exact mode):
 * logits that can carry weight are recomputed in double, since a float dot
 * product of length P is off by about ε·√P·‖q‖·‖x‖, which 1/σ² magnifies. */
static void
fold_row (PixelSum *ps, const Row *r, gsize P, double inv_s2, double refine, double *l)
{
  double top = ps->max;
  for (gsize i = 0; i < r->n; i++)
    {
      l[i] = ((double) r->g[i] - r->xn[i * r->xn_stride]) * inv_s2;
      top = MAX (top, l[i]);
    }
  if (refine > 0)
    {
      double cut = top - ADIFF_LOGIT_CUTOFF - refine;
      for (gsize i = 0; i < r->n; i++)
        if (l[i] >= cut)
          l[i] = (dot_double (r->q, r->xp + i * r->x_stride, P)
                  - r->xn[i * r->xn_stride]) * inv_s2;
      /* The top again, over the refined logits: when the float one
       * overshot by more than the cutoff (absurdly large inputs), every
       * weight would underflow and the pixel become 0/0. */
      top = ps->max;
      for (gsize i = 0; i < r->n; i++)
        top = MAX (top, l[i]);
    }
  double rescale = ps->max == -G_MAXDOUBLE ? 0.0 : exp (ps->max - top);
  ps->sum *= rescale;
  for (int c = 0; c < 3; c++)
    ps->acc[c] *= rescale;
  ps->max = top;
  ps->sum += row_weights (l, r->n, top, r->g);
}

static void
pass_equivariant (Pass *p, const float *centres)
{
  gsize rows = p->m * p->A, cols = p->nb * p->A, P = p->s->P;
  guint C = p->b->channels;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rows, (int) cols, (int) P,
               1.0f, p->q, (int) P, p->xp, (int) P, 0.0f, p->g, (int) cols);
  for (gsize a = 0; a < rows; a++)
    {
      Row r = { p->g + a * cols, p->xn, 1, p->q + a * P, p->xp, P, cols };
      fold_row (&p->ps[a], &r, P, p->s->inv_s2, p->refine[a], p->l);
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) C, (int) cols,
               1.0f, p->g, (int) cols, centres, (int) C, 0.0f, p->t, (int) C);
  for (gsize a = 0; a < rows; a++)
    for (guint c = 0; c < C; c++)
      p->ps[a].acc[c] += p->t[a * C + c];
}

/* Same position only: one SGEMM per position with strided rows. */
static void
pass_local (Pass *p, const float *centres)
{
  gsize A = p->A, P = p->s->P, m = p->m, nb = p->nb;
  guint C = p->b->channels;
  for (gsize a = 0; a < A; a++)
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) m, (int) nb, (int) P,
                   1.0f, p->q + a * P, (int) (A * P), p->xp + a * P, (int) (A * P),
                   0.0f, p->g, (int) nb);
      for (gsize j = 0; j < m; j++)
        {
          Row r = { p->g + j * nb, p->xn + a, A, p->q + (j * A + a) * P, p->xp + a * P, A * P, nb };
          fold_row (&p->ps[j * A + a], &r, P, p->s->inv_s2, p->refine[j * A + a], p->l);
        }
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) m, (int) C, (int) nb,
                   1.0f, p->g, (int) nb, centres + a * C, (int) (A * C), 0.0f, p->t, (int) C);
      for (gsize j = 0; j < m; j++)
        for (guint c = 0; c < C; c++)
          p->ps[j * A + a].acc[c] += p->t[j * C + c];
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

static gboolean
patch_apply (AdiffDenoiser *den, const float *in, gsize n, float *out, GError **error)
{
  const PatchState *s = den->state;
  AdiffBundle *b = den->bundle;
  gsize A = (gsize) b->width * b->height, d = b->dim, ne = b->n_exemplars;
  guint C = b->channels;
  /* Scratch sized by the work at hand, not the largest possible pass. */
  gsize mw = MIN (n, MAX (1, PATCH_ROWS / A)), nbx = MIN (ne, MAX (1, PATCH_ROWS / A));
  Pass p = { s, b, A };
  p.q = adiff_try_alloc (mw * A, s->P * sizeof (float), "window patches", error);
  p.xp = p.q ? adiff_try_alloc (nbx * A, s->P * sizeof (float), "exemplar patches", error) : NULL;
  p.g = p.xp ? adiff_try_alloc (mw * A, nbx * A * sizeof (float), "patch logits", error) : NULL;
  if (!p.g)
    {
      g_free (p.q); g_free (p.xp);
      return FALSE;
    }
  p.xn = g_new (double, nbx * A);
  p.t = g_new (float, mw * A * C);
  p.ps = g_new (PixelSum, mw * A);
  p.refine = g_new (double, mw * A);
  p.l = g_new (double, nbx * A);
  p.max_norm = exemplar_patch_norm (s, b);

  for (gsize j0 = 0; j0 < n; j0 += mw)
    {
      p.m = MIN (mw, n - j0);
      im2col (s, b, in + j0 * d, p.m, p.q);
      for (gsize a = 0; a < p.m * A; a++)
        {
          p.ps[a] = (PixelSum) { -G_MAXDOUBLE, 0, { 0, 0, 0 } };
          double qn = sqrt (dot_double (p.q + a * s->P, p.q + a * s->P, s->P));
          double err = 4.0 * FLT_EPSILON * sqrt ((double) s->P) * qn * p.max_norm * s->inv_s2;
          p.refine[a] = s->exact && err > 1e-9 ? 2 * err : 0.0;
        }
      for (gsize i0 = 0; i0 < ne; i0 += nbx)
        {
          p.nb = MIN (nbx, ne - i0);
          const float *ex = b->exemplars + i0 * d;
          im2col (s, b, ex, p.nb, p.xp);
          for (gsize row = 0; row < p.nb * A; row++)
            {
              double sq = 0;
              for (gsize v = 0; v < s->P; v++)
                sq += (double) p.xp[row * s->P + v] * p.xp[row * s->P + v];
              p.xn[row] = 0.5 * sq;
            }
          if (s->equivariant)
            pass_equivariant (&p, ex);
          else
            pass_local (&p, ex);
        }
      for (gsize a = 0; a < p.m * A; a++)
        for (guint c = 0; c < C; c++)
          out[j0 * d + a * C + c] = (float) (p.ps[a].acc[c] / p.ps[a].sum);
    }
  g_free (p.q); g_free (p.xp); g_free (p.g); g_free (p.xn); g_free (p.t); g_free (p.ps);
  g_free (p.refine); g_free (p.l);
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
