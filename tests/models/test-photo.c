/* test-photo.c — the photo model (core/photo): the two passes against a
 * brute-force double reference written here (exhaustive matching, the 3-D
 * transform as explicit matrices, gains, inverse-variance aggregation) on a
 * 24×24 image; invariants (σ → 0 is the identity, constants stay, gray
 * stays gray through the colour path and scales as the model says);
 * the building blocks (bases, bior1.5, opponent transform); bad input. */
#include "synth.h"
#include "photo/photo-private.h"
#include "photo/transform.h"

/* ---- the reference ------------------------------------------------------ */

#define REF_MAXP 8
#define REF_MAXN (REF_MAXP * REF_MAXP)

/* 1-D rows: the DCT-II, or the Haar wavelet (P a power of 2), both
 * orthonormal; or bior1.5 for P = 8, whose values (BM3D's table) are taken
 * from the library: /photo/bior15 checks them, everything built on them
 * (2-D basis, order, inverse) is computed here. */
static void
ref_basis_1d (AdiffPhotoBasis kind, int P, double c[REF_MAXP][REF_MAXP])
{
  if (kind == ADIFF_PHOTO_BASIS_BIOR15 && P == 8)
    {
      float *c1 = adiff__photo_basis_1d (kind, P);
      for (int u = 0; u < P; u++)
        for (int x = 0; x < P; x++)
          c[u][x] = c1[u * P + x];
      g_free (c1);
      return;
    }
  for (int u = 0; u < P; u++)
    for (int x = 0; x < P; x++)
      c[u][x] = kind == ADIFF_PHOTO_BASIS_HAAR ? 0
                : (u ? sqrt (2.0 / P) : sqrt (1.0 / P)) * cos (G_PI * (2 * x + 1) * u / (2.0 * P));
  if (kind != ADIFF_PHOTO_BASIS_HAAR)
    return;
  int row = 0;
  for (int x = 0; x < P; x++)
    c[row][x] = 1 / sqrt (P);
  row++;
  for (int len = P; len > 1; len /= 2)   /* details: support len, coarse first */
    for (int i = 0; i < P / len; i++, row++)
      for (int x = 0; x < len; x++)
        c[row][i * len + x] = (x < len / 2 ? 1 : -1) / sqrt (len);
}

/* The N×N Haar matrix across a group (N a power of 2, ≤ 64). */
static void
ref_haar_group (int N, double *hm)
{
  memset (hm, 0, sizeof (double) * N * N);
  int row = 0;
  for (int x = 0; x < N; x++)
    hm[x] = 1 / sqrt (N);
  row++;
  for (int len = N; len > 1; len /= 2)
    for (int i = 0; i < N / len; i++, row++)
      for (int x = 0; x < len; x++)
        hm[row * N + i * len + x] = (x < len / 2 ? 1 : -1) / sqrt (len);
}

/* 2-D basis rows ordered coarse first: by u + v, then max (u, v), then index. */
static void
ref_basis_2d (AdiffPhotoBasis kind, int P, double *b)
{
  double c[REF_MAXP][REF_MAXP];
  int order[REF_MAXN], n = P * P, r = 0;
  ref_basis_1d (kind, P, c);
  for (int s = 0; s <= 2 * (P - 1); s++)
    for (int m = 0; m < P; m++)
      for (int i = 0; i < n; i++)
        if (i / P + i % P == s && MAX (i / P, i % P) == m)
          order[r++] = i;
  for (r = 0; r < n; r++)
    for (int y = 0; y < P; y++)
      for (int x = 0; x < P; x++)
        b[r * n + y * P + x] = c[order[r] / P][y] * c[order[r] % P][x];
}

static double
ref_bessel_i0 (double x)
{
  double s = 0, t = 1;
  for (int k = 1; k < 60; k++)
    {
      s += t;
      t *= (x / (2 * k)) * (x / (2 * k));
    }
  return s;
}

static void
ref_coefs (const double *plane, int w, int P, const double *b, int x0, int y0, double *out)
{
  int n = P * P;
  for (int r = 0; r < n; r++)
    {
      double s = 0;
      for (int i = 0; i < n; i++)
        s += b[r * n + i] * plane[(y0 + i / P) * w + x0 + i % P];
      out[r] = s;
    }
}

/* inv = the inverse of the n×n matrix a (Gauss–Jordan, partial pivoting);
 * the transpose for the orthonormal bases, not for bior1.5. */
static void
ref_inverse (const double *a, int n, double *inv)
{
  double *m = g_new (double, (gsize) n * 2 * n);
  for (int r = 0; r < n; r++)
    for (int k = 0; k < 2 * n; k++)
      m[r * 2 * n + k] = k < n ? a[r * n + k] : (k - n == r);
  for (int col = 0; col < n; col++)
    {
      int piv = col;
      for (int r = col + 1; r < n; r++)
        if (fabs (m[r * 2 * n + col]) > fabs (m[piv * 2 * n + col]))
          piv = r;
      for (int k = 0; k < 2 * n; k++)
        {
          double t = m[col * 2 * n + k];
          m[col * 2 * n + k] = m[piv * 2 * n + k];
          m[piv * 2 * n + k] = t;
        }
      double d = m[col * 2 * n + col];
      for (int k = 0; k < 2 * n; k++)
        m[col * 2 * n + k] /= d;
      for (int r = 0; r < n; r++)
        if (r != col)
          {
            double f = m[r * 2 * n + col];
            for (int k = 0; k < 2 * n; k++)
              m[r * 2 * n + k] -= f * m[col * 2 * n + k];
          }
    }
  for (int r = 0; r < n; r++)
    for (int k = 0; k < n; k++)
      inv[r * n + k] = m[r * 2 * n + n + k];
  g_free (m);
}

typedef struct { double d; int x, y, order; } Cand;

static int
cand_cmp (const void *a, const void *b)
{
  const Cand *p = a, *q = b;
  return p->d < q->d ? -1 : p->d > q->d ? 1 : p->order - q->order;
}

/* The groups of one pass added to the sums num, den: pilot == NULL is pass
 * 1 (hard threshold), else pass 2 (gain p²/(p²+σ²) from the pilot; groups
 * matched on the pilot).  The references are those of `grid` (the pass
 * itself, or the final pass a companion rides on) moved by `offset`, the
 * weights times `weight`. */
static void
ref_groups (const double *noisy, const double *pilot, int w, int h, double sigma,
            double lambda, double beta, const AdiffPhotoPass *q, const AdiffPhotoPass *grid,
            int offset, double weight, double *num, double *den)
{
  int P = q->patch, n = P * P, k = q->match_dims, GP = grid->patch, step = grid->step;
  const double *guide = pilot ? pilot : noisy;
  double guide_noise = pilot ? 0 : sigma * sigma;
  double *b = g_new (double, n * n), *binv = g_new (double, n * n);
  double win1[REF_MAXP], hm[64 * 64];
  ref_basis_2d (q->basis, P, b);
  ref_inverse (b, n, binv);
  for (int i = 0; i < P; i++)
    {
      double t = 2.0 * i / (P - 1) - 1;
      win1[i] = ref_bessel_i0 (beta * sqrt (MAX (0, 1 - t * t))) / ref_bessel_i0 (beta);
    }
  int nref_x = (w - GP + step - 1) / step + 1, nref_y = (h - GP + step - 1) / step + 1;
  Cand *cand = g_new (Cand, w * h);
  for (int iy = 0; iy < nref_y; iy++)
    for (int ix = 0; ix < nref_x; ix++)
      {
        int rx = MIN (ix * step, w - GP) + offset, ry = MIN (iy * step, h - GP) + offset;
        double fr[REF_MAXN], fc[REF_MAXN];
        ref_coefs (guide, w, P, b, rx, ry, fr);
        double thr = q->tau * n - (n - k) * 2 * guide_noise;
        int nc = 0;
        for (int y = MAX (0, ry - q->radius); y <= MIN (h - P, ry + q->radius); y++)
          for (int x = MAX (0, rx - q->radius); x <= MIN (w - P, rx + q->radius); x++)
            {
              if (x == rx && y == ry)
                continue;
              ref_coefs (guide, w, P, b, x, y, fc);
              double d = 0;
              for (int i = 0; i < k; i++)
                d += (fr[i] - fc[i]) * (fr[i] - fc[i]);
              if (d < thr)
                {
                  cand[nc] = (Cand) { d, x, y, nc };
                  nc++;
                }
            }
        qsort (cand, nc, sizeof *cand, cand_cmp);
        int count = 1 + MIN (nc, q->group_max - 1), N = 1;
        while (N * 2 <= count)
          N *= 2;
        int gx[64] = { rx }, gy[64] = { ry };
        for (int j = 1; j < N; j++)
          {
            gx[j] = cand[j - 1].x;
            gy[j] = cand[j - 1].y;
          }
        /* 3-D coefficients: patch basis, then Haar across the group */
        double c2[64][REF_MAXN], p2[64][REF_MAXN], c3[64][REF_MAXN], p3[64][REF_MAXN];
        for (int j = 0; j < N; j++)
          {
            ref_coefs (noisy, w, P, b, gx[j], gy[j], c2[j]);
            if (pilot)
              ref_coefs (pilot, w, P, b, gx[j], gy[j], p2[j]);
          }
        ref_haar_group (N, hm);
        for (int i = 0; i < N; i++)
          for (int r = 0; r < n; r++)
            {
              c3[i][r] = p3[i][r] = 0;
              for (int j = 0; j < N; j++)
                {
                  c3[i][r] += hm[i * N + j] * c2[j][r];
                  if (pilot)
                    p3[i][r] += hm[i * N + j] * p2[j][r];
                }
            }
        double s2 = sigma * sigma, sum = 0;
        for (int i = 0; i < N; i++)
          for (int r = 0; r < n; r++)
            {
              double p2 = p3[i][r] * p3[i][r];
              double g = pilot ? p2 / (p2 + q->gain_noise * s2)
                               : fabs (c3[i][r]) >= lambda * sigma;
              c3[i][r] *= g;
              sum += pilot ? g * g : g;
            }
        double wgt = weight / (s2 * MAX (sum, pilot ? 1e-3 : 1));
        /* back: Haar transpose, then the patch basis' inverse */
        for (int j = 0; j < N; j++)
          for (int i = 0; i < n; i++)
            {
              double v = 0;
              for (int a = 0; a < N; a++)
                for (int r = 0; r < n; r++)
                  v += hm[a * N + j] * c3[a][r] * binv[i * n + r];
              int px = gx[j] + i % P, py = gy[j] + i / P;
              double ww = wgt * win1[i / P] * win1[i % P];
              num[py * w + px] += ww * v;
              den[py * w + px] += ww;
            }
      }
  g_free (cand);
  g_free (b);
  g_free (binv);
}

static void
ref_finish (const double *num, const double *den, const double *noisy, int n, double *out)
{
  for (int i = 0; i < n; i++)
    out[i] = den[i] > 0 ? num[i] / den[i] : noisy[i];
}

/* The pilot (pass 1). */
static void
ref_pilot (const double *noisy, int w, int h, double sigma, const AdiffPhotoConfig *c,
           double *out)
{
  double *num = g_new0 (double, w * h), *den = g_new0 (double, w * h);
  ref_groups (noisy, NULL, w, h, sigma, c->lambda, c->kaiser_beta, &c->pass1, &c->pass1, 0, 1,
              num, den);
  ref_finish (num, den, noisy, w * h, out);
  g_free (num);
  g_free (den);
}

/* The final pass and its companions (patches in the middle of its own, at
 * its references), all into the same sums. */
static void
ref_final (const double *noisy, const double *pilot, int w, int h, double sigma,
           const AdiffPhotoConfig *c, double *out)
{
  double *num = g_new0 (double, w * h), *den = g_new0 (double, w * h);
  ref_groups (noisy, pilot, w, h, sigma, c->lambda, c->kaiser_beta, &c->pass2, &c->pass2, 0, 1,
              num, den);
  for (int k = 0; k < ADIFF_PHOTO_MAX_COMPANIONS && c->companion[k].patch > 0; k++)
    ref_groups (noisy, pilot, w, h, sigma, c->lambda, c->kaiser_beta, &c->companion[k],
                &c->pass2, (c->pass2.patch - c->companion[k].patch) / 2,
                c->companion_weight[k], num, den);
  ref_finish (num, den, noisy, w * h, out);
  g_free (num);
  g_free (den);
}

/* A 24×24 test image in [0,1]: a smooth wave, an edge, noise σ. */
static void
test_image (int w, int h, double sigma, guint32 seed, float *noisy, float *clean)
{
  GRand *r = g_rand_new_with_seed (seed);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double v = 0.45 + 0.25 * sin (0.55 * x) * cos (0.35 * y) + (x + y > 26 ? 0.2 : 0);
        double u1 = g_rand_double_range (r, 1e-12, 1), u2 = g_rand_double (r);
        if (clean)
          clean[y * w + x] = v;
        noisy[y * w + x] = v + sigma * sqrt (-2 * log (u1)) * cos (2 * G_PI * u2);
      }
  g_rand_free (r);
}

/* The configurations the reference is compared on (the [0,1] scale):
 * 4×4 patches (Haar pilot, DCT), the default's 8×8 patches (bior1.5 pilot,
 * DCT), the same with pass 2 in a dense basis (the DCT's rows given as a
 * bundle's would be: the matrix path of matching and of the transforms),
 * and the 8×8 one with two companions (4×4 and 5×5, the second at weight
 * 0.7, searching less far). */
enum { CFG_SMALL, CFG_BIOR, CFG_DENSE, CFG_COMPANIONS, N_CFG };

static void
test_config (AdiffPhotoConfig *c, int kind, double sigma, guint threads, float **pca)
{
  /* pilot and final pass of the 4×4 and of the 8×8 configurations; τ below */
  static const AdiffPhotoPass passes[2][2] = {
    { { .patch = 4, .basis = ADIFF_PHOTO_BASIS_HAAR, .step = 2, .group_max = 8, .radius = 5,
        .match_dims = 16, .gain_noise = 1 },
      { .patch = 4, .basis = ADIFF_PHOTO_BASIS_DCT, .step = 1, .group_max = 8, .radius = 4,
        .match_dims = 8, .gain_noise = 0.8 } },
    { { .patch = 8, .basis = ADIFF_PHOTO_BASIS_BIOR15, .step = 3, .group_max = 8, .radius = 6,
        .match_dims = 64, .gain_noise = 1 },
      { .patch = 8, .basis = ADIFF_PHOTO_BASIS_DCT, .step = 2, .group_max = 8, .radius = 5,
        .match_dims = 24, .gain_noise = 0.8 } },
  };
  const AdiffPhotoPass *pp = passes[kind == CFG_SMALL ? 0 : 1];

  adiff__photo_config_init (c, 25, 1);
  memset (c->companion, 0, sizeof c->companion);   /* the gray default's; set below */
  c->n_threads = threads;
  c->pass1 = pp[0];
  c->pass2 = pp[1];
  c->pass1.tau = 5 * sigma * sigma;
  c->pass2.tau = 0.7 * sigma * sigma;
  *pca = NULL;
  if (kind == CFG_DENSE)
    {
      *pca = adiff__photo_basis_separable (ADIFF_PHOTO_BASIS_DCT, 8);
      c->pca = *pca;
      c->pca_size = 8;
      c->pass2.basis = ADIFF_PHOTO_BASIS_PCA;
    }
  if (kind == CFG_COMPANIONS)
    {
      c->companion[0] = c->pass2;
      c->companion[0].patch = 4;
      c->companion[0].match_dims = 16;
      c->companion[0].group_max = 4;
      c->companion[1] = c->pass2;
      c->companion[1].patch = 5;
      c->companion[1].match_dims = 12;
      c->companion[1].radius = 3;
      c->companion_weight[0] = 1;
      c->companion_weight[1] = 0.7f;
    }
}

/* Both passes of the model equal the reference to 1e-4 (one band and
 * several, 1 and 2 threads; every configuration above). */
static void
test_reference (void)
{
  const int w = 24, h = 24;
  const double sigma = 0.1;
  float noisy[24 * 24], clean[24 * 24], out[24 * 24];
  double dn[24 * 24], pilot[24 * 24], ref[24 * 24];
  test_image (w, h, sigma, 5, noisy, clean);
  for (int i = 0; i < w * h; i++)
    dn[i] = noisy[i];
  for (int kind = 0; kind < N_CFG; kind++)
    for (guint threads = 1; threads <= 2; threads++)
      {
        AdiffPhotoConfig c;
        float *pca;
        test_config (&c, kind, sigma, threads, &pca);
        ref_pilot (dn, w, h, sigma, &c, pilot);
        ref_final (dn, pilot, w, h, sigma, &c, ref);
        if (kind == CFG_COMPANIONS)
          {
            /* the companions change the result */
            AdiffPhotoConfig alone = c;
            double ref_alone[24 * 24];
            memset (alone.companion, 0, sizeof alone.companion);
            ref_final (dn, pilot, w, h, sigma, &alone, ref_alone);
            double d = 0;
            for (int i = 0; i < w * h; i++)
              d = MAX (d, fabs (ref[i] - ref_alone[i]));
            g_assert_cmpfloat (d, >, 1e-3);
          }
        /* the case is not trivial: the reference denoises */
        g_assert_cmpfloat (max_abs_diff (noisy, ref, w * h), >, sigma);
        double err_ref = 0, err_noisy = 0;
        for (int i = 0; i < w * h; i++)
          {
            err_ref += (ref[i] - clean[i]) * (ref[i] - clean[i]);
            err_noisy += (noisy[i] - clean[i]) * (noisy[i] - clean[i]);
          }
        g_assert_cmpfloat (err_ref, <, 0.5 * err_noisy);
        for (int n_final = 0; n_final <= 1; n_final++)
          {
            GError *error = NULL;
            float *plane = noisy, *res = out;
            c.n_final = n_final;
            g_assert_true (adiff__photo_model (&plane, 1, w, h, sigma, &c, &res, NULL, &error));
            g_assert_no_error (error);
            double d = max_abs_diff (out, n_final ? ref : pilot, w * h);
            g_test_message ("configuration %d, threads %u, %s: max |model − reference| = %.3g",
                            kind, threads, n_final ? "pass 2" : "pass 1", d);
            g_assert_cmpfloat (d, <, 1e-4);
          }
        g_free (pca);
      }
}

/* ---- invariants through the public call --------------------------------- */

static float *
denoise_public (const float *in, int w, int h, int ch, double sigma, AdiffPhotoQuality q)
{
  AdiffPhotoParams p;
  GError *error = NULL;
  float *out = g_new (float, (gsize) w * h * ch);
  adiff_photo_params_init (&p, q, sigma);
  g_assert_true (adiff_photo_denoise (&p, NULL, in, w, h, ch, out, NULL, NULL, &error));
  g_assert_no_error (error);
  return out;
}

/* σ → 0: every coefficient passes the threshold and every gain is ≈ 1. */
static void
test_identity (void)
{
  const int w = 40, h = 33;
  float *in = g_new (float, w * h);
  test_image (w, h, 0.05, 9, in, NULL);
  float *out = denoise_public (in, w, h, 1, 1e-5, ADIFF_PHOTO_QUALITY_DEFAULT);
  g_assert_cmpfloat (max_abs_diff_f (in, out, w * h), <, 1e-4);
  g_free (out);
  g_free (in);
}

/* A constant image is a fixed point (every coefficient but the DC is 0, the DC
 * passes the threshold and the Wiener gain ≈ 1), also through the ensemble and
 * with 1 or 2 threads; the RGB path keeps a gray constant gray. */
static void
test_constant (void)
{
  const int w = 37, h = 29;
  float *img = g_new (float, w * h), *out = g_new (float, w * h);
  float *rgb = g_new (float, 3 * w * h), *rgb_out = g_new (float, 3 * w * h);
  for (int i = 0; i < w * h; i++)
    img[i] = 128.0f / 255;
  for (int i = 0; i < 3 * w * h; i++)
    rgb[i] = 90.0f / 255;
  const int ens[] = { 1, 4 };
  for (guint t = 1; t <= 2; t++)
    for (guint e = 0; e < G_N_ELEMENTS (ens); e++)
      {
        AdiffPhotoConfig c;
        GError *err = NULL;
        adiff__photo_config_init (&c, 25, 1);
        c.n_threads = t;
        c.n_ensemble = ens[e];
        g_assert_true (adiff__photo_run (&c, img, w, h, 1, 255, 25, out, NULL, &err));
        g_assert_no_error (err);
        for (int i = 0; i < w * h; i++)
          g_assert_cmpfloat (fabsf (out[i] - 128.0f / 255), <, 0.5f / 255);
        g_assert_true (adiff__photo_run (&c, rgb, w, h, 3, 255, 25, rgb_out, NULL, &err));
        for (int i = 0; i < 3 * w * h; i++)
          g_assert_cmpfloat (fabsf (rgb_out[i] - 90.0f / 255), <, 0.5f / 255);
      }
  g_free (img);
  g_free (out);
  g_free (rgb);
  g_free (rgb_out);
}

/* R = G = B: the chroma planes are 0 and stay 0, so the result is gray, and
 * it is the gray model on the luma Y = √3·v.  The model is homogeneous
 * (x, σ, τ) → (a·x, a·σ, a²·τ), so that is √3 × the gray model of v at
 * σ/√3 with τ/3: the gray result of the noise the luma carries. */
static void
test_gray_rgb (void)
{
  const int w = 30, h = 27;
  const double sigma = 0.08;
  float *v = g_new (float, w * h), *rgb = g_new (float, 3 * w * h);
  float *gray = g_new (float, w * h), *out = g_new (float, 3 * w * h);
  test_image (w, h, sigma, 11, v, NULL);
  for (int i = 0; i < w * h; i++)
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = v[i];
  AdiffPhotoConfig c, cg;
  GError *err = NULL;
  adiff__photo_config_init (&c, sigma * 255, 3);
  cg = c;
  cg.pass1.tau /= 3;
  cg.pass2.tau /= 3;
  g_assert_true (adiff__photo_run (&c, rgb, w, h, 3, 255, sigma * 255, out, NULL, &err));
  g_assert_true (adiff__photo_run (&cg, v, w, h, 1, 255, sigma * 255 / sqrt (3), gray, NULL,
                                   &err));
  g_assert_no_error (err);
  double d = 0;
  for (int i = 0; i < w * h; i++)
    for (int ch = 0; ch < 3; ch++)
      d = MAX (d, fabs (out[3 * i + ch] - gray[i]));
  g_test_message ("R=G=B vs gray: max |diff| = %.3g", d);
  g_assert_cmpfloat (d, <, 1e-4);
  g_free (v);
  g_free (rgb);
  g_free (gray);
  g_free (out);
}

/* ---- building blocks ----------------------------------------------------- */

/* Every basis is orthonormal and the transforms invert each other. */
static void
test_bases (void)
{
  const int sizes[] = { 4, 8, 11 };
  const AdiffPhotoBasis kinds[] = { ADIFF_PHOTO_BASIS_DCT, ADIFF_PHOTO_BASIS_HAAR };
  for (guint si = 0; si < G_N_ELEMENTS (sizes); si++)
    for (guint ki = 0; ki < G_N_ELEMENTS (kinds); ki++)
      {
        int P = sizes[si], n = P * P;
        float *b = adiff__photo_basis_separable (kinds[ki], P);
        for (int r = 0; r < n; r++)
          for (int s = 0; s < n; s++)
            {
              double dot = 0;
              for (int i = 0; i < n; i++)
                dot += (double) b[r * n + i] * b[s * n + i];
              g_assert_cmpfloat (fabs (dot - (r == s)), <, 1e-5);
            }
        float *c1 = adiff__photo_basis_1d (kinds[ki], P);
        AdiffPhotoTransform *ts = adiff__photo_transform_new_separable (P, c1);
        AdiffPhotoTransform *td = adiff__photo_transform_new_dense (P, b);
        float x[3 * 256], y[3 * 256], yd[3 * 256], z[3 * 256];
        for (int i = 0; i < 3 * n; i++)
          x[i] = sinf (i * 0.37f) * 100.0f;
        adiff__photo_transform_forward (ts, x, y, 3);
        adiff__photo_transform_forward (td, x, yd, 3);
        /* the separable coefficients are a permutation of the dense ones: same energy */
        double ex = 0, ey = 0, eyd = 0;
        for (int i = 0; i < 3 * n; i++)
          {
            ex += x[i] * x[i];
            ey += y[i] * y[i];
            eyd += yd[i] * yd[i];
          }
        g_assert_cmpfloat (fabs (ex - ey) / ex, <, 1e-5);
        g_assert_cmpfloat (fabs (ex - eyd) / ex, <, 1e-5);
        adiff__photo_transform_inverse (ts, y, z, 3);
        for (int i = 0; i < 3 * n; i++)
          g_assert_cmpfloat (fabsf (z[i] - x[i]), <, 1e-3);
        adiff__photo_transform_inverse (td, yd, z, 3);
        for (int i = 0; i < 3 * n; i++)
          g_assert_cmpfloat (fabsf (z[i] - x[i]), <, 1e-3);
        adiff__photo_transform_free (ts);
        adiff__photo_transform_free (td);
        g_free (c1);
        g_free (b);
      }
}

/* bior1.5 is not orthogonal: the inverse is C⁻¹; forward∘inverse = identity. */
static void
test_bior (void)
{
  float *c1 = adiff__photo_basis_1d (ADIFF_PHOTO_BASIS_BIOR15, 8);
  AdiffPhotoTransform *t = adiff__photo_transform_new_separable (8, c1);
  float x[2 * 64], y[2 * 64], z[2 * 64];
  for (int i = 0; i < 2 * 64; i++)
    x[i] = cosf (i * 0.71f) * 50.0f + i;
  adiff__photo_transform_forward (t, x, y, 2);
  adiff__photo_transform_inverse (t, y, z, 2);
  for (int i = 0; i < 2 * 64; i++)
    g_assert_cmpfloat (fabsf (z[i] - x[i]), <, 1e-3);
  for (int r = 0; r < 8; r++)   /* unit-norm rows: coefficient noise variance σ² */
    {
      double nrm = 0;
      for (int k = 0; k < 8; k++)
        nrm += c1[r * 8 + k] * c1[r * 8 + k];
      g_assert_cmpfloat (fabs (nrm - 1.0), <, 1e-5);
    }
  adiff__photo_transform_free (t);
  g_free (c1);
}

static void
test_opponent (void)
{
  float rgb[3] = { 10.0f, 200.0f, 77.0f }, o[3], back[3];
  adiff__photo_rgb_to_opp (rgb, o);
  adiff__photo_opp_to_rgb (o, back);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat (fabsf (back[c] - rgb[c]), <, 1e-3);
  /* orthonormal: the norm is kept */
  g_assert_cmpfloat (fabsf ((o[0] * o[0] + o[1] * o[1] + o[2] * o[2])
                            - (rgb[0] * rgb[0] + rgb[1] * rgb[1] + rgb[2] * rgb[2])), <, 1.0f);
}

/* ---- bad input ------------------------------------------------------------ */

static void
expect_error (const AdiffPhotoParams *p, AdiffBundle *b, guint w, guint h, guint ch, int code)
{
  float *in = g_new0 (float, (gsize) MAX (w, 1) * MAX (h, 1) * MAX (ch, 1) + 1);
  float *out = g_new0 (float, (gsize) MAX (w, 1) * MAX (h, 1) * MAX (ch, 1) + 1);
  GError *error = NULL;
  g_assert_false (adiff_photo_denoise (p, b, in, w, h, ch, out, NULL, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, code);
  g_error_free (error);
  g_free (in);
  g_free (out);
}

static gboolean
stop_at_once (double fraction, gpointer data)
{
  return FALSE;
}

static void
test_bad_input (void)
{
  AdiffPhotoParams p;
  adiff_photo_params_init (&p, ADIFF_PHOTO_QUALITY_DEFAULT, NAN);
  expect_error (&p, NULL, 16, 16, 1, ADIFF_ERROR_INVALID_ARGUMENT);
  p.sigma = INFINITY;
  expect_error (&p, NULL, 16, 16, 1, ADIFF_ERROR_INVALID_ARGUMENT);
  p.sigma = 0;
  expect_error (&p, NULL, 16, 16, 1, ADIFF_ERROR_INVALID_ARGUMENT);
  p.sigma = -0.1;
  expect_error (&p, NULL, 16, 16, 1, ADIFF_ERROR_INVALID_ARGUMENT);
  p.sigma = 1.5;
  expect_error (&p, NULL, 16, 16, 1, ADIFF_ERROR_INVALID_ARGUMENT);
  p.sigma = 0.1;
  expect_error (&p, NULL, 0, 16, 1, ADIFF_ERROR_LIMIT);
  expect_error (&p, NULL, 16, 0, 1, ADIFF_ERROR_LIMIT);
  expect_error (&p, NULL, 16, 16, 2, ADIFF_ERROR_MISMATCH);
  expect_error (&p, NULL, 16, 16, 4, ADIFF_ERROR_MISMATCH);
  expect_error (&p, NULL, 7, 16, 1, ADIFF_ERROR_MISMATCH);   /* smaller than a patch */
  p.quality = 7;
  expect_error (&p, NULL, 16, 16, 1, ADIFF_ERROR_INVALID_ARGUMENT);

  /* best quality with a bundle that is not gray 8×8 with 64 components */
  AdiffBundle *b = synth_bundle (4, 4, 1, 10, 0, 3);
  adiff_photo_params_init (&p, ADIFF_PHOTO_QUALITY_BEST, 0.1);
  expect_error (&p, b, 16, 16, 1, ADIFF_ERROR_MISMATCH);
  adiff_bundle_unref (b);

  /* out-of-range internal parameters */
  AdiffPhotoConfig c;
  GError *err = NULL;
  float img[16 * 16] = { 0 }, out[16 * 16];
  adiff__photo_config_init (&c, 25, 1);
  c.pass2.group_max = 24;  /* not a power of 2 */
  g_assert_false (adiff__photo_run (&c, img, 16, 16, 1, 1, 25, out, NULL, &err));
  g_assert_error (err, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&err);
  adiff__photo_config_init (&c, 25, 1);
  c.pass2.gain_noise = 0;  /* the gain would be 1 */
  g_assert_false (adiff__photo_run (&c, img, 16, 16, 1, 1, 25, out, NULL, &err));
  g_assert_error (err, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&err);
  adiff__photo_config_init (&c, 25, 1);
  c.n_ensemble = 3;
  g_assert_false (adiff__photo_run (&c, img, 16, 16, 1, 1, 25, out, NULL, &err));
  g_assert_error (err, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&err);
  /* a companion outside the final pass's footprint, or with a bad weight */
  for (int bad = 0; bad < 4; bad++)
    {
      adiff__photo_config_init (&c, 25, 1);
      if (bad == 0)
        c.companion[0].patch = c.pass2.patch + 1;
      else if (bad == 1)
        c.companion[0].radius = c.pass2.radius + 1;
      else if (bad == 2)
        c.companion_weight[0] = 0;
      else
        c.companion_weight[0] = NAN;
      g_assert_false (adiff__photo_run (&c, img, 16, 16, 1, 1, 25, out, NULL, &err));
      g_assert_error (err, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
      g_clear_error (&err);
    }

  /* a progress callback that says stop */
  adiff_photo_params_init (&p, ADIFF_PHOTO_QUALITY_DEFAULT, 0.1);
  g_assert_false (adiff_photo_denoise (&p, NULL, img, 16, 16, 1, out, stop_at_once, NULL, &err));
  g_assert_error (err, ADIFF_ERROR, ADIFF_ERROR_CANCELLED);
  g_clear_error (&err);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/photo/reference", test_reference);
  g_test_add_func ("/photo/identity", test_identity);
  g_test_add_func ("/photo/constant", test_constant);
  g_test_add_func ("/photo/gray-rgb", test_gray_rgb);
  g_test_add_func ("/photo/bases", test_bases);
  g_test_add_func ("/photo/bior15", test_bior);
  g_test_add_func ("/photo/opponent", test_opponent);
  g_test_add_func ("/photo/bad-input", test_bad_input);
  return g_test_run ();
}
