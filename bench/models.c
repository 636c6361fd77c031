/* models.c — speed of every denoiser per window, achieved GFLOP/s of the
 * exact modes against a plain SGEMM of similar shape on this machine, and
 * the error of the fast modes against exact mode.
 *
 *   models [--bundle B] [--windows N] [--sigma S]        window benchmarks
 *   models --photo IMG --gray-bundle G [--size 1000] [--crop 64] [--overlap 2]
 *          1-megapixel photo: analytic fast mode through the tiler, and
 *          RMSE of fast against exact mode on a centre crop
 *
 * Without --bundle the bundle is synthetic: 32×32×3 with a separable DCT
 * eigenbasis, power-law eigenvalues and --exemplars draws from that
 * Gaussian (default 50 000), so the run needs no data files.  σ is on the
 * 0–255 scale (default 25).  Targets (issue #4): exact analytic on one
 * 32×32×3 window with 50 000 exemplars < 2 s; fast analytic on a 1-megapixel
 * gray photo with 50 000 exemplars < 20 s with RMSE vs exact ≤ 1/1000.
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "adiff/adiff.h"
#include "io/adiff-io.h"

#include <sys/resource.h>

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* Process CPU seconds (all threads): on a shared machine the wall time
 * overstates the cost; CPU/cores is what an idle machine would take. */
static double
cpu_now (void)
{
  struct rusage u;
  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static double
gaussian (GRand *r)
{
  double u = 1.0 - g_rand_double (r), v = g_rand_double (r);
  return sqrt (-2 * log (u)) * cos (2 * G_PI * v);
}

/* ---- synthetic 32×32×3 bundle ---- */

static double
dct (guint f, guint x, guint n)
{
  return (f ? sqrt (2.0 / n) : sqrt (1.0 / n)) * cos (G_PI * (x + 0.5) * f / n);
}

typedef struct { double lambda; guint fx, fy, fc; } Mode;

static int
by_lambda (const void *a, const void *b)
{
  double x = ((const Mode *) a)->lambda, y = ((const Mode *) b)->lambda;
  return (x < y) - (x > y);
}

static AdiffBundle *
synthetic_bundle (guint side, guint n_exemplars)
{
  static const double colour[3][3] = {
    { 0.5773502692, 0.5773502692, 0.5773502692 },
    { 0.7071067812, 0.0, -0.7071067812 },
    { 0.4082482905, -0.8164965809, 0.4082482905 },
  };
  const guint C = 3;
  gsize d = (gsize) side * side * C;
  Mode *modes = g_new (Mode, d);
  gsize m = 0;
  for (guint fy = 0; fy < side; fy++)
    for (guint fx = 0; fx < side; fx++)
      for (guint fc = 0; fc < C; fc++)
        modes[m++] = (Mode) { 0.04 / pow (1.0 + fx * fx + fy * fy, 1.1) * (fc ? 0.15 : 1.0),
                              fx, fy, fc };
  qsort (modes, d, sizeof (Mode), by_lambda);
  double *vals = g_new (double, d), *vecs = g_new (double, d * d), *mean = g_new (double, d);
  for (gsize i = 0; i < d; i++)
    {
      vals[i] = modes[i].lambda;
      mean[i] = 0.45;
      for (guint y = 0; y < side; y++)
        for (guint x = 0; x < side; x++)
          for (guint c = 0; c < C; c++)
            vecs[i * d + ((gsize) y * side + x) * C + c] =
              dct (modes[i].fy, y, side) * dct (modes[i].fx, x, side) * colour[modes[i].fc][c];
    }
  /* Exemplars: coefficients → pixels through the separable inverse DCT. */
  float *ex = g_new (float, (gsize) n_exemplars * d);
  double *coef = g_new (double, d), *tmp = g_new (double, d);
  GRand *r = g_rand_new_with_seed (5);
  for (guint e = 0; e < n_exemplars; e++)
    {
      memset (coef, 0, d * sizeof (double));
      for (gsize i = 0; i < d; i++)
        coef[((gsize) modes[i].fy * side + modes[i].fx) * C + modes[i].fc] = sqrt (vals[i]) * gaussian (r);
      /* along x, then y, then colour */
      for (guint fy = 0; fy < side; fy++)
        for (guint x = 0; x < side; x++)
          for (guint c = 0; c < C; c++)
            {
              double s = 0;
              for (guint fx = 0; fx < side; fx++)
                s += coef[((gsize) fy * side + fx) * C + c] * dct (fx, x, side);
              tmp[((gsize) fy * side + x) * C + c] = s;
            }
      for (guint y = 0; y < side; y++)
        for (guint x = 0; x < side; x++)
          for (guint c = 0; c < C; c++)
            {
              double s = 0;
              for (guint fy = 0; fy < side; fy++)
                s += tmp[((gsize) fy * side + x) * C + c] * dct (fy, y, side);
              coef[((gsize) y * side + x) * C + c] = s;   /* reuse as output */
            }
      for (gsize p = 0; p < (gsize) side * side; p++)
        for (guint c = 0; c < C; c++)
          {
            double v = mean[p * C + c];
            for (guint fc = 0; fc < C; fc++)
              v += coef[p * C + fc] * colour[fc][c];
            ex[(gsize) e * d + p * C + c] = (float) v;
          }
    }
  AdiffBundleData data = {
    .width = side, .height = side, .channels = C, .n_items = n_exemplars,
    .mean = mean, .n_components = (guint) d, .eigenvalues = vals, .eigenvectors = vecs,
    .n_exemplars = n_exemplars, .exemplars = ex,
  };
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_new_from_data (&data, &error);
  if (!b)
    g_error ("%s", error->message);
  g_rand_free (r);
  g_free (modes); g_free (vals); g_free (vecs); g_free (mean);
  g_free (ex); g_free (coef); g_free (tmp);
  return b;
}

/* ---- helpers ---- */

static double
sgemm_gflops (int m, int n, int k)
{
  float *a = g_new0 (float, (gsize) m * k), *b = g_new0 (float, (gsize) n * k);
  float *c = g_new0 (float, (gsize) m * n);
  for (gsize i = 0; i < (gsize) m * k; i++) a[i] = (float) (i % 7) * 0.1f;
  for (gsize i = 0; i < (gsize) n * k; i++) b[i] = (float) (i % 5) * 0.1f;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, a, k, b, k, 0, c, n);
  int reps = 0;
  double t0 = now (), t;
  do
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, a, k, b, k, 0, c, n);
      reps++;
      t = now () - t0;
    }
  while (t < 0.5);
  g_free (a); g_free (b); g_free (c);
  return 2.0 * m * n * k * reps / t / 1e9;
}

/* Windows over each pixel along each axis in the photo benchmark. */
static int overlap = 2;
/* Patch size of the patch baseline (7: the calibrated k at σ = 25). */
static guint patch_k = 7;

static AdiffDenoiser *
make (AdiffBundle *b, AdiffMethod method, double sigma, gboolean exact)
{
  AdiffParams p;
  adiff_params_init (&p);
  p.method = method;
  p.sigma = sigma;
  p.exact = exact;
  p.overlap = (guint) overlap;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  if (!den)
    g_error ("%s", error->message);
  return den;
}

static double last_cpu;   /* CPU seconds per window of the last time_apply */

/* Wall seconds per window of n windows (CPU seconds in last_cpu). */
static double
time_apply (AdiffDenoiser *den, const float *z, gsize n, float *out)
{
  GError *error = NULL;
  double t0 = now (), c0 = cpu_now ();
  if (!adiff_denoiser_apply (den, z, n, out, &error))
    g_error ("%s", error->message);
  last_cpu = (cpu_now () - c0) / n;
  return (now () - t0) / n;
}

/* Rounds of the exact modes' measurement against their SGEMM. */
#define RATE_ROUNDS 3

typedef struct
{
  double t;           /* best seconds per window */
  double gf, ref;     /* GFLOP/s at that time; the SGEMM's median */
  double lo, med, hi; /* ratio of each round's rate to the SGEMM next to it */
} Rate;

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* The model (flops per window) and a plain SGEMM m×n×k timed in turn,
 * RATE_ROUNDS times: this machine's speed swings between runs by more
 * than the ratios we measure, so each round's ratio pairs the two under
 * the same conditions, and the median is printed with its range. */
static Rate
rate_against_sgemm (AdiffDenoiser *den, const float *z, gsize n, float *out, double flops,
                    int m, int nn, int k)
{
  Rate x = { G_MAXDOUBLE, 0, 0, 0, 0, 0 };
  double ratio[RATE_ROUNDS], ref[RATE_ROUNDS], cpu = 0;
  for (int r = 0; r < RATE_ROUNDS; r++)
    {
      /* OpenBLAS's threads spin for a while after the previous round's
       * SGEMM, taking cores from a model that does not call BLAS (they
       * sleep after ≈ 2²⁸ cycles). */
      g_usleep (300000);
      double t = time_apply (den, z, n, out);
      if (t < x.t)
        {
          x.t = t;
          cpu = last_cpu;
        }
      ref[r] = sgemm_gflops (m, nn, k);
      ratio[r] = flops / t / 1e9 / ref[r];
    }
  last_cpu = cpu;
  qsort (ratio, RATE_ROUNDS, sizeof (double), cmp_double);
  qsort (ref, RATE_ROUNDS, sizeof (double), cmp_double);
  x.gf = flops / x.t / 1e9;
  x.ref = ref[RATE_ROUNDS / 2];
  x.lo = ratio[0];
  x.med = ratio[RATE_ROUNDS / 2];
  x.hi = ratio[RATE_ROUNDS - 1];
  return x;
}

static void
compare (const float *a, const float *b, gsize n, double *rmse, double *max)
{
  double se = 0, mx = 0;
  for (gsize i = 0; i < n; i++)
    {
      double e = (double) a[i] - b[i];
      se += e * e;
      mx = MAX (mx, fabs (e));
    }
  *rmse = sqrt (se / n);
  *max = mx;
}

/* Σ_q |M_q| of the analytic masks, estimated from every 7th coordinate. */
static double
mask_total (AdiffBundle *b, double sigma, double tau)
{
  gsize d = adiff_bundle_get_dim (b), step = d > 64 ? 7 : 1, used = 0;
  guint8 *mask = g_new (guint8, d);
  double total = 0;
  for (gsize q = 0; q < d; q += step, used++)
    {
      adiff_analytic_mask (b, sigma, tau, q, mask, NULL);
      for (gsize p = 0; p < d; p++)
        total += mask[p];
    }
  g_free (mask);
  return total * d / used;
}

/* ---- window benchmarks ---- */

static void
windows_bench (AdiffBundle *b, double sigma, guint nw)
{
  gsize d = adiff_bundle_get_dim (b);
  guint n = adiff_bundle_get_n_exemplars (b);
  printf ("bundle %s: %u×%u×%u (d = %zu), %u exemplars, σ = %.1f/255\n",
          adiff_bundle_get_name (b), adiff_bundle_get_width (b), adiff_bundle_get_height (b),
          adiff_bundle_get_channels (b), d, n, sigma * 255);
  float *z = g_new (float, nw * d), *xe = g_new (float, nw * d), *xf = g_new (float, nw * d);
  GRand *r = g_rand_new_with_seed (1);
  const float *ex = adiff_bundle_get_exemplars (b);
  for (guint j = 0; j < nw; j++)
    {
      /* A held-out-like input: an exemplar blended with another, plus noise. */
      guint i1 = g_rand_int_range (r, 0, n), i2 = g_rand_int_range (r, 0, n);
      for (gsize p = 0; p < d; p++)
        z[j * d + p] = (float) (0.7 * ex[(gsize) i1 * d + p] + 0.3 * ex[(gsize) i2 * d + p]
                                + sigma * gaussian (r));
    }
  double peak = sgemm_gflops (1024, 1024, 1024);
  printf ("SGEMM 1024³: %.1f GFLOP/s\n\n", peak);
  printf ("(s/window is wall time; CPU seconds per window in brackets)\n");
  printf ("(exact modes: best of %d rounds, each followed by the SGEMM of similar shape;\n"
          " the ratio is the median of the rounds', their range after it)\n", RATE_ROUNDS);
  printf ("%-22s %12s %10s %10s %8s\n", "model", "s/window", "GFLOP/s", "SGEMM", "ratio");

  AdiffDenoiser *den = make (b, ADIFF_METHOD_WIENER, sigma, TRUE);
  double t = time_apply (den, z, nw, xe);
  printf ("%-22s %12.3g   [%.3g]\n", "wiener", t, last_cpu);
  adiff_denoiser_free (den);

  /* Optimal: two GEMMs of nw×n×d. */
  den = make (b, ADIFF_METHOD_OPTIMAL, sigma, TRUE);
  Rate rt = rate_against_sgemm (den, z, nw, xe, 4.0 * n * d, 64, 2048, (int) d);
  printf ("%-22s %12.3g %10.1f %10.1f %7.0f%%   (%.0f–%.0f %%) [%.3g]\n", "optimal exact",
          rt.t, rt.gf, rt.ref, 100 * rt.med, 100 * rt.lo, 100 * rt.hi, last_cpu);
  adiff_denoiser_free (den);
  den = make (b, ADIFF_METHOD_OPTIMAL, sigma, FALSE);
  t = time_apply (den, z, nw, xf);
  double rmse, mx;
  compare (xe, xf, nw * d, &rmse, &mx);
  printf ("%-22s %12.3g %10.1f %10s %8s   vs exact: RMSE %.2g, max %.2g\n", "optimal fast", t,
          4.0 * n * d / t / 1e9, "", "", rmse, mx);
  adiff_denoiser_free (den);

  /* Analytic exact: one window at a time (the 2-s target is per window).
   * Operation count of a direct evaluation: per exemplar, 3 flops per mask
   * entry (difference, square, sum) and 2 per coordinate (weighted sum). */
  double mt = mask_total (b, sigma, 0.02);
  guint ne = MIN (nw, 4u);
  den = make (b, ADIFF_METHOD_ANALYTIC, sigma, TRUE);
  rt = rate_against_sgemm (den, z, ne, xe, (double) n * (3 * mt + 2 * d), (int) d, 64,
                           (int) MAX (1, mt / d));
  printf ("%-22s %12.3g %10.1f %10.1f %7.0f%%   (%.0f–%.0f %%) [%.3g] mean |M_q| = %.1f\n",
          "analytic exact", rt.t, rt.gf, rt.ref, 100 * rt.med, 100 * rt.lo, 100 * rt.hi,
          last_cpu, mt / d);
  adiff_denoiser_free (den);
  den = make (b, ADIFF_METHOD_ANALYTIC, sigma, FALSE);
  t = time_apply (den, z, nw, xf);
  compare (xe, xf, ne * d, &rmse, &mx);
  printf ("%-22s %12.3g %10s %10s %8s   [%.3g] vs exact: RMSE %.2g, max %.2g (%u windows)\n",
          "analytic fast", t, "", "", "", last_cpu, rmse, mx, ne);
  adiff_denoiser_free (den);

  /* Patch: equivariant and local, k = patch_k, on a subset of exemplars
   * (the cost is linear in their number; scaled to all of them): 64 for
   * the equivariant machine, a block of the local variant (1 024, the
   * block it takes with a real bundle; the figure for 64 is printed too).
   * Work of one window, counted as a direct evaluation does it: the cross
   * terms, an SGEMM of its A patches (A = positions) against the A·sub
   * patches of the exemplars (equivariant) or against the sub patches at
   * the same position (local), inner dimension P = k²·C, and the weighted
   * centre pixels, inner dimension C.  core/patch.c gets the cross terms
   * as box sums (≈ C + 4 operations per pair where the SGEMM takes 2k²·C),
   * so this is an effective rate: the direct evaluation's operations over
   * our time, against an SGEMM of the direct evaluation's shape. */
  guint C = adiff_bundle_get_channels (b);
  double A = (double) adiff_bundle_get_width (b) * adiff_bundle_get_height (b);
  double P = (double) patch_k * patch_k * C;
  static const struct { gboolean equi; guint sub; } runs[] = {
    { TRUE, 64 }, { FALSE, 1024 }, { FALSE, 64 },
  };
  for (guint k = 0; k < G_N_ELEMENTS (runs); k++)
    {
      gboolean equi = runs[k].equi;
      guint sub = MIN (n, runs[k].sub);
      AdiffBundleData data = {
        .width = adiff_bundle_get_width (b), .height = adiff_bundle_get_height (b),
        .channels = adiff_bundle_get_channels (b), .n_items = sub,
        .mean = adiff_bundle_get_mean (b), .n_exemplars = sub, .exemplars = ex,
      };
      AdiffBundle *small = adiff_bundle_new_from_data (&data, NULL);
      AdiffParams p;
      adiff_params_init (&p);
      p.method = ADIFF_METHOD_PATCH;
      p.sigma = sigma;
      p.exact = TRUE;
      p.equivariant = equi;
      p.patch_size = patch_k;
      den = adiff_denoiser_new (small, &p, NULL);
      /* One window for the equivariant machine (its product is already
       * positions × exemplar positions); the local variant's products are
       * windows × exemplars at one position, so it gets the batch.  A
       * first call pays for the worker threads' first BLAS calls and page
       * faults, which a long run does once. */
      guint wins = equi ? 1 : MIN (nw, 64u);
      time_apply (den, z, wins, xe);
      double cols = equi ? A * sub : sub;
      rt = rate_against_sgemm (den, z, wins, xe, 2.0 * A * cols * (P + C),
                               equi ? (int) A : (int) wins,
                               equi ? (int) MIN (cols, 4096.0) : (int) cols, (int) P);
      printf ("%-22s %12.3g %10.1f %10.1f %7.0f%%   (%.0f–%.0f %%) k = %u, %u exemplars, "
              "%u window(s); ×%.0f for all %u: %.3g s/window\n",
              equi ? "patch equivariant" : "patch local", rt.t, rt.gf, rt.ref, 100 * rt.med,
              100 * rt.lo, 100 * rt.hi, patch_k, sub, wins, (double) n / sub, n,
              rt.t * n / sub);
      adiff_denoiser_free (den);
      adiff_bundle_unref (small);
    }
  g_rand_free (r);
  g_free (z); g_free (xe); g_free (xf);
}

/* ---- 1-megapixel photo ---- */

static float *
gray_crop (const AdiffIoImage *im, guint size, guint *w, guint *h)
{
  *w = MIN (size, im->width);
  *h = MIN (size, im->height);
  guint x0 = (im->width - *w) / 2, y0 = (im->height - *h) / 2;
  float *g = g_new (float, (gsize) *w * *h);
  for (guint y = 0; y < *h; y++)
    for (guint x = 0; x < *w; x++)
      {
        const float *px = im->data + (((gsize) y + y0) * im->width + x + x0) * im->channels;
        g[(gsize) y * *w + x] = im->channels == 3
                                ? 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2] : px[0];
      }
  return g;
}

static double
denoise_time (AdiffDenoiser *den, const float *in, float *out, guint w, guint h)
{
  GError *error = NULL;
  double t0 = now (), c0 = cpu_now ();
  if (!adiff_denoise_image (den, in, out, w, h, 1, NULL, NULL, &error))
    g_error ("%s", error->message);
  printf ("  [%.2f s wall, %.2f s CPU]\n", now () - t0, cpu_now () - c0);
  return now () - t0;
}

static void
photo_bench (const char *photo, const char *bundle_path, guint size, guint crop, double sigma)
{
  GError *error = NULL;
  AdiffIoImage im = { 0 };
  if (!adiff_io_image_load (photo, &im, &error))
    g_error ("%s", error->message);
  AdiffBundle *b = adiff_bundle_open (bundle_path, NULL, &error);
  if (!b)
    g_error ("%s", error->message);
  guint w, h;
  float *clean = gray_crop (&im, size, &w, &h);
  gsize np = (gsize) w * h;
  float *z = g_new (float, np), *xf = g_new (float, np);
  GRand *r = g_rand_new_with_seed (25);
  for (gsize i = 0; i < np; i++)
    z[i] = (float) (clean[i] + sigma * gaussian (r));
  printf ("photo %s: %u×%u gray crop, bundle %s (%u×%u, %u exemplars), σ = %.1f/255\n",
          photo, w, h, bundle_path, adiff_bundle_get_width (b), adiff_bundle_get_height (b),
          adiff_bundle_get_n_exemplars (b), sigma * 255);
  double t0 = now (), c0 = cpu_now ();
  AdiffDenoiser *fast = make (b, ADIFF_METHOD_ANALYTIC, sigma, FALSE);
  double tp = now () - t0;
  printf ("analytic fast, prepare (masks; the indexes are built at the first large apply): %.2f s wall, %.2f s CPU\n", tp, cpu_now () - c0);
  double t = denoise_time (fast, z, xf, w, h);
  double se = 0, sz = 0;
  for (gsize i = 0; i < np; i++)
    {
      se += (xf[i] - clean[i]) * (double) (xf[i] - clean[i]);
      sz += (z[i] - clean[i]) * (double) (z[i] - clean[i]);
    }
  printf ("analytic fast, whole image: %.2f s + %.2f s prepare (%.2f megapixels; "
          "%.1f s per megapixel with prepare); PSNR noisy %.2f dB → %.2f dB\n",
          t, tp, np / 1e6, (t + tp) * 1e6 / np, 10 * log10 (np / sz), 10 * log10 (np / se));
  /* Exact mode on a crop (its cost is far larger), fast on the same crop. */
  guint cw = MIN (w, crop), ch = MIN (h, crop);
  float *cz = g_new (float, (gsize) cw * ch), *ce = g_new (float, (gsize) cw * ch);
  float *cf = g_new (float, (gsize) cw * ch);
  for (guint y = 0; y < ch; y++)
    memcpy (cz + (gsize) y * cw, z + ((gsize) y + (h - ch) / 2) * w + (w - cw) / 2, cw * sizeof (float));
  AdiffDenoiser *exact = make (b, ADIFF_METHOD_ANALYTIC, sigma, TRUE);
  double te = denoise_time (exact, cz, ce, cw, ch);
  double tf = denoise_time (fast, cz, cf, cw, ch);
  double rmse, mx;
  compare (ce, cf, (gsize) cw * ch, &rmse, &mx);
  printf ("%u×%u centre crop: exact %.2f s, fast %.2f s; fast vs exact RMSE %.2g (= 1/%.0f), max %.2g\n",
          cw, ch, te, tf, rmse, 1 / MAX (rmse, 1e-12), mx);
  adiff_denoiser_free (exact);
  adiff_denoiser_free (fast);
  adiff_bundle_unref (b);
  adiff_io_image_clear (&im);
  g_rand_free (r);
  g_free (clean); g_free (z); g_free (xf); g_free (cz); g_free (ce); g_free (cf);
}

int
main (int argc, char **argv)
{
  char *bundle = NULL, *photo = NULL, *gray = NULL;
  int windows = 64, exemplars = 50000, size = 1000, crop = 64;
  double sigma255 = 25;
  GOptionEntry entries[] = {
    { "bundle", 0, 0, G_OPTION_ARG_FILENAME, &bundle, "Bundle for the window benchmarks", "B" },
    { "exemplars", 0, 0, G_OPTION_ARG_INT, &exemplars, "Synthetic exemplars (default 50000)", "N" },
    { "windows", 0, 0, G_OPTION_ARG_INT, &windows, "Windows per batch (default 64)", "N" },
    { "sigma", 0, 0, G_OPTION_ARG_DOUBLE, &sigma255, "Noise σ on the 0–255 scale", "S" },
    { "photo", 0, 0, G_OPTION_ARG_FILENAME, &photo, "Photo for the 1-megapixel benchmark", "IMG" },
    { "gray-bundle", 0, 0, G_OPTION_ARG_FILENAME, &gray, "Gray bundle for --photo", "G" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Crop side for --photo (default 1000)", "N" },
    { "crop", 0, 0, G_OPTION_ARG_INT, &crop, "Side of the centre crop where --photo compares fast with exact mode (default 64)", "N" },
    { "overlap", 0, 0, G_OPTION_ARG_INT, &overlap, "Windows over each pixel along each axis for --photo (default 2)", "N" },
    { "patch", 0, 0, G_OPTION_ARG_INT, &patch_k, "Patch size of the patch baseline (odd, default 7)", "K" },
    { NULL }
  };
  setvbuf (stdout, NULL, _IOLBF, 0);
  GOptionContext *ctx = g_option_context_new ("— speed and fast-mode error of the denoisers");
  g_option_context_add_main_entries (ctx, entries, NULL);
  GError *error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || windows < 1 || exemplars < 1 ||
      patch_k % 2 == 0 || patch_k > 63)
    {
      fprintf (stderr, "models: %s\n", error ? error->message : "bad numbers");
      return 2;
    }
  g_option_context_free (ctx);
  double sigma = sigma255 / 255;
  if (photo)
    {
      if (!gray)
        {
          fprintf (stderr, "models: --photo needs --gray-bundle\n");
          return 2;
        }
      photo_bench (photo, gray, (guint) size, (guint) MAX (crop, 8), sigma);
      return 0;
    }
  double t0 = now ();
  AdiffBundle *b = bundle ? adiff_bundle_open (bundle, NULL, &error)
                          : synthetic_bundle (32, (guint) exemplars);
  if (!b)
    g_error ("%s", error->message);
  printf ("(bundle ready in %.1f s)\n", now () - t0);
  windows_bench (b, sigma, (guint) windows);
  adiff_bundle_unref (b);
  return 0;
}
