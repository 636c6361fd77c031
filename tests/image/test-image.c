/* test-image.c — the tiler (adiff_denoise_rows / adiff_denoise_image) and
 * the noise estimator.
 *
 * Bundles are synthetic: a stationary Gaussian model with covariance
 * C_pq = v·ρ^(|Δx|+|Δy|) (×½ across channels), turned into eigenpairs with
 * LAPACK.  Images of that model are drawn with a separable AR(1) filter,
 * whose covariance is exactly that separable exponential.
 *
 * The Wiener filter has two tiling paths (window by window, and folded into
 * one matrix per block, core/tiling/linear.c); every test of the result runs both.
 */

#include <lapacke.h>
#include <math.h>
#include "adiff/adiff.h"
#include "tiling/tiler.h"          /* adiff__denoise_rows_full: force each path */
#include "models/analytic-private.h"  /* the fast-mode indexes, built or not */

static const AdiffTilePath paths[] = { ADIFF_TILE_WINDOWS, ADIFF_TILE_FOLDED };
static const char *const path_names[] = { "windows", "folded" };

#define VAR 0.04
#define RHO 0.8

/* ---- synthetic data ------------------------------------------------------ */

static AdiffBundle *make_bundle_ex (guint w, guint h, guint c, guint n_exemplars);

static AdiffBundle *
make_bundle (guint w, guint h, guint c)
{
  return make_bundle_ex (w, h, c, 0);
}

/* With n_exemplars random exemplars for the nonparametric models. */
static AdiffBundle *
make_bundle_ex (guint w, guint h, guint c, guint n_exemplars)
{
  gsize d = (gsize) w * h * c;
  double *a = g_new (double, d * d), *ev = g_new (double, d);
  for (gsize p = 0; p < d; p++)
    for (gsize q = 0; q < d; q++)
      {
        gint px = (p / c) % w, py = (p / c) / w, qx = (q / c) % w, qy = (q / c) / w;
        double chan = p % c == q % c ? 1.0 : 0.5;
        a[p * d + q] = VAR * chan * pow (RHO, abs (px - qx) + abs (py - qy));
      }
  g_assert_cmpint (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'V', 'U', d, a, d, ev), ==, 0);
  double *vals = g_new (double, d), *vecs = g_new (double, d * d), *mean = g_new (double, d);
  for (gsize i = 0; i < d; i++)
    {
      gsize src = d - 1 - i;                 /* dsyev sorts ascending */
      vals[i] = MAX (ev[src], 0.0);
      for (gsize p = 0; p < d; p++)
        vecs[i * d + p] = a[p * d + src];
      mean[i] = 0.5;
    }
  float *ex = n_exemplars ? g_new (float, n_exemplars * d) : NULL;
  GRand *r = g_rand_new_with_seed (9);
  for (gsize i = 0; i < n_exemplars * d; i++)
    ex[i] = (float) g_rand_double (r);
  g_rand_free (r);
  AdiffBundleData data = {
    .width = w, .height = h, .channels = c, .n_items = 1000, .mean = mean,
    .n_components = d, .eigenvalues = vals, .eigenvectors = vecs,
    .n_exemplars = n_exemplars, .exemplars = ex,
  };
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_new_from_data (&data, &error);
  g_assert_no_error (error);
  g_free (a); g_free (ev); g_free (vals); g_free (vecs); g_free (mean); g_free (ex);
  return b;
}

static double
gauss (GRand *r)
{
  double u = g_rand_double_range (r, 1e-12, 1.0), v = g_rand_double (r);
  return sqrt (-2 * log (u)) * cos (2 * G_PI * v);
}

/* A stationary field with covariance VAR·ρ^(|Δx|+|Δy|) per channel, mean ½. */
static float *
make_field (guint w, guint h, guint c, GRand *r)
{
  gsize n = (gsize) w * h * c;
  double *f = g_new (double, n);
  double s = sqrt (1 - RHO * RHO);
  for (gsize i = 0; i < n; i++)
    f[i] = gauss (r);
  for (guint y = 0; y < h; y++)            /* AR(1) along x */
    for (guint x = 1; x < w; x++)
      for (guint k = 0; k < c; k++)
        {
          gsize i = ((gsize) y * w + x) * c + k;
          f[i] = RHO * f[i - c] + s * f[i];
        }
  for (guint y = 1; y < h; y++)            /* AR(1) along y */
    for (guint x = 0; x < w; x++)
      for (guint k = 0; k < c; k++)
        {
          gsize i = ((gsize) y * w + x) * c + k;
          f[i] = RHO * f[i - (gsize) w * c] + s * f[i];
        }
  float *img = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    img[i] = (float) (0.5 + sqrt (VAR) * f[i]);
  g_free (f);
  return img;
}

static float *
random_image (guint w, guint h, guint c, GRand *r)
{
  gsize n = (gsize) w * h * c;
  float *img = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    img[i] = (float) g_rand_double (r);
  return img;
}

static AdiffDenoiser *
wiener (AdiffBundle *b, double sigma)
{
  AdiffParams p;
  adiff_params_init (&p);
  p.sigma = sigma;
  GError *error = NULL;
  AdiffDenoiser *d = adiff_denoiser_new (b, &p, &error);
  g_assert_no_error (error);
  return d;
}

/* ---- brute-force reference tiling --------------------------------------- */

static gint
mirror (gint i, gint n)
{
  while (i < 0 || i >= n)
    i = i < 0 ? -1 - i : 2 * n - 1 - i;
  return i;
}

static double
hann (guint i, guint n)
{
  double s = sin (G_PI * (i + 0.5) / n);
  return s * s;
}

/* Every window origin that is a multiple of stride = size/overlap and
 * touches the image; each window denoised alone; weights accumulated per
 * pixel. */
static float *
reference_tiling (AdiffDenoiser *den, const float *in, guint w, guint h, guint c)
{
  AdiffBundle *b = adiff_denoiser_get_bundle (den);
  guint ww = adiff_bundle_get_width (b), wh = adiff_bundle_get_height (b);
  guint bc = adiff_bundle_get_channels (b);
  guint overlap = adiff_denoiser_get_params (den)->overlap;
  gint sx = MAX (1, ww / overlap), sy = MAX (1, wh / overlap);
  gsize n = (gsize) w * h * c;
  double *acc = g_new0 (double, n), *wsum = g_new0 (double, n);
  float *win = g_new (float, (gsize) ww * wh * bc);
  GError *error = NULL;
  for (gint oy = -(gint) wh + 1; oy < (gint) h; oy++)
    for (gint ox = -(gint) ww + 1; ox < (gint) w; ox++)
      {
        if (((oy % sy) + sy) % sy || ((ox % sx) + sx) % sx)
          continue;
        for (guint g = 0; g < c / bc; g++)
          {
            for (guint y = 0; y < wh; y++)
              for (guint x = 0; x < ww; x++)
                for (guint k = 0; k < bc; k++)
                  win[(y * ww + x) * bc + k] =
                    in[((gsize) mirror (oy + y, h) * w + mirror (ox + x, w)) * c + g + k];
            g_assert_true (adiff_denoiser_apply (den, win, 1, win, &error));
            g_assert_no_error (error);
            for (guint y = 0; y < wh; y++)
              for (guint x = 0; x < ww; x++)
                {
                  gint iy = oy + y, ix = ox + x;
                  if (iy < 0 || iy >= (gint) h || ix < 0 || ix >= (gint) w)
                    continue;
                  double f = hann (x, ww) * hann (y, wh);
                  for (guint k = 0; k < bc; k++)
                    {
                      gsize i = ((gsize) iy * w + ix) * c + g + k;
                      acc[i] += f * win[(y * ww + x) * bc + k];
                      wsum[i] += f;
                    }
                }
          }
      }
  float *out = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    out[i] = (float) (acc[i] / wsum[i]);
  g_free (acc); g_free (wsum); g_free (win);
  return out;
}

/* ---- streaming instrumentation ------------------------------------------ */

typedef struct
{
  const float *in;
  float       *out;
  guint        width, height, channels;
  guint        next_read, next_write;   /* first row not yet read / written */
  guint        max_ahead;               /* max (rows read − rows written) */
  guint        cancel_after;            /* progress calls before cancelling, 0 = never */
  guint        progress_calls;
} Stream;

static gboolean
stream_read (guint y, guint n, float *buf, gpointer data, GError **error)
{
  Stream *s = data;
  gsize row = (gsize) s->width * s->channels;
  /* Rows come in increasing order, each once: exactly the next unread rows. */
  g_assert_cmpuint (y, ==, s->next_read);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (y + n, <=, s->height);
  memcpy (buf, s->in + y * row, n * row * sizeof (float));
  s->next_read = y + n;
  s->max_ahead = MAX (s->max_ahead, s->next_read - s->next_write);
  return TRUE;
}

static gboolean
stream_write (guint y, guint n, const float *buf, gpointer data, GError **error)
{
  Stream *s = data;
  gsize row = (gsize) s->width * s->channels;
  g_assert_cmpuint (y, ==, s->next_write);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (y + n, <=, s->next_read);   /* never ahead of the input */
  memcpy (s->out + y * row, buf, n * row * sizeof (float));
  s->next_write = y + n;
  return TRUE;
}

static gboolean
stream_progress (double fraction, gpointer data)
{
  Stream *s = data;
  g_assert_true (fraction > 0 && fraction <= 1);
  s->progress_calls++;
  return s->cancel_after == 0 || s->progress_calls < s->cancel_after;
}

static void
assert_close (const float *a, const float *b, gsize n, double tol)
{
  double worst = 0;
  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs ((double) a[i] - b[i]));
  if (worst > tol)
    g_error ("largest difference %g exceeds %g", worst, tol);
}

/* ---- cases ----------------------------------------------------------------- */

typedef struct
{
  guint bw, bh, bc;   /* bundle window */
  guint w, h, c;      /* image */
} Geometry;

static const Geometry geometries[] = {
  { 8, 8, 1, 37, 29, 1 },      /* odd sizes, several windows */
  { 8, 8, 1, 5, 3, 1 },        /* smaller than the window */
  { 8, 8, 1, 8, 8, 1 },        /* exactly one window */
  { 6, 4, 3, 21, 13, 3 },      /* RGB bundle, non-square window */
  { 4, 4, 1, 19, 11, 3 },      /* gray bundle on RGB, per channel */
  { 5, 7, 1, 23, 16, 1 },      /* odd window sizes */
  { 1, 1, 1, 4, 3, 1 },        /* degenerate 1×1 window */
};

/* σ → 0: the Wiener filter is the identity, so the blend must be too,
 * borders included. */
static void
test_identity (gconstpointer data)
{
  const Geometry *t = data;
  GRand *r = g_rand_new_with_seed (1);
  AdiffBundle *b = make_bundle (t->bw, t->bh, t->bc);
  AdiffDenoiser *den = wiener (b, 1e-6);
  gsize n = (gsize) t->w * t->h * t->c;
  float *in = random_image (t->w, t->h, t->c, r), *out = g_new (float, n);
  GError *error = NULL;
  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    {
      Stream s = { in, out, t->w, t->h, t->c };
      g_assert_true (adiff__denoise_rows_full (den, t->w, t->h, t->c, paths[p], NULL,
                                              stream_read, stream_write, &s, NULL, NULL,
                                              &error));
      g_assert_no_error (error);
      g_test_message ("%s path", path_names[p]);
      assert_close (in, out, n, 2e-4);
    }
  g_free (in); g_free (out);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  g_rand_free (r);
}

/* Streaming, in-memory and in-place all equal a brute-force tiling written
 * independently here; the reader and writer see rows in order, once each,
 * and the rows in flight never exceed window height + stride. */
static void
test_streaming (gconstpointer data)
{
  const Geometry *t = data;
  GRand *r = g_rand_new_with_seed (2);
  AdiffBundle *b = make_bundle (t->bw, t->bh, t->bc);
  AdiffDenoiser *den = wiener (b, 0.1);
  gsize n = (gsize) t->w * t->h * t->c;
  float *in = random_image (t->w, t->h, t->c, r);
  float *ref = reference_tiling (den, in, t->w, t->h, t->c);
  GError *error = NULL;

  Stream s = { in, g_new (float, n), t->w, t->h, t->c };
  for (guint p = 0; p < G_N_ELEMENTS (paths) + 1; p++)
    {
      /* Both forced paths, then the automatic choice of the public entry
       * points (last: compared with the in-memory forms below). */
      s.next_read = s.next_write = s.max_ahead = 0;
      AdiffTileStats st = { 0 };
      AdiffTilePath path = p < G_N_ELEMENTS (paths) ? paths[p] : ADIFF_TILE_AUTO;
      g_assert_true (adiff__denoise_rows_full (den, t->w, t->h, t->c, path, &st, stream_read,
                                              stream_write, &s, stream_progress, &s, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (s.next_read, ==, t->h);
      g_assert_cmpuint (s.next_write, ==, t->h);
      /* The contract: at most window height + stride rows of input held,
       * both as the callbacks see it and inside the tiler. */
      guint bound = t->bh + MAX (1, t->bh / 2);
      g_assert_cmpuint (s.max_ahead, <=, bound);
      g_assert_cmpuint (st.peak_input_rows, <=, bound);
      g_assert_cmpuint (st.strip_floats, <=,
                        (gsize) 4 * (t->w + 2 * t->bw) * t->c * bound + 4 * t->bw * t->bh * t->c);
      g_test_message ("%s path%s, %ux%u image, %u-row window: at most %u rows in flight, "
                      "%u buffered, %zu strip floats",
                      p < G_N_ELEMENTS (paths) ? path_names[p] : "auto",
                      st.folded ? " (folded)" : "", t->w, t->h, t->bh, s.max_ahead,
                      st.peak_input_rows, st.strip_floats);
      assert_close (s.out, ref, n, 1e-5);
    }

  float *mem = g_new (float, n), *inplace = g_memdup2 (in, n * sizeof (float));
  g_assert_true (adiff_denoise_image (den, in, mem, t->w, t->h, t->c, NULL, NULL, &error));
  g_assert_true (adiff_denoise_image (den, inplace, inplace, t->w, t->h, t->c, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (mem, n * sizeof (float), s.out, n * sizeof (float));
  g_assert_cmpmem (inplace, n * sizeof (float), s.out, n * sizeof (float));

  g_free (s.out); g_free (mem); g_free (inplace); g_free (in); g_free (ref);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  g_rand_free (r);
}

/* A nonlinear model goes window by window: the same blend as the
 * brute-force tiling, each window there denoised alone (so batching in the
 * model is checked too), with the default overlap and with 4 windows over
 * each pixel along each axis. */
static void
test_streaming_nonlinear (gconstpointer data)
{
  const Geometry *t = data;
  static const AdiffMethod methods[] = { ADIFF_METHOD_OPTIMAL, ADIFF_METHOD_ANALYTIC };
  GRand *r = g_rand_new_with_seed (8);
  AdiffBundle *b = make_bundle_ex (t->bw, t->bh, t->bc, 40);
  gsize n = (gsize) t->w * t->h * t->c;
  float *in = random_image (t->w, t->h, t->c, r), *out = g_new (float, n);
  for (guint m = 0; m < 2 * G_N_ELEMENTS (methods); m++)
    {
      AdiffParams p;
      adiff_params_init (&p);
      p.method = methods[m % G_N_ELEMENTS (methods)];
      p.overlap = m < G_N_ELEMENTS (methods) ? 2 : 4;
      p.sigma = 0.2;
      p.exact = TRUE;
      GError *error = NULL;
      AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
      g_assert_no_error (error);
      float *ref = reference_tiling (den, in, t->w, t->h, t->c);
      Stream s = { in, out, t->w, t->h, t->c };
      AdiffTileStats st = { 0 };
      g_assert_true (adiff__denoise_rows_full (den, t->w, t->h, t->c, ADIFF_TILE_AUTO, &st,
                                              stream_read, stream_write, &s, NULL, NULL,
                                              &error));
      g_assert_no_error (error);
      g_assert_false (st.folded);
      g_assert_cmpuint (st.peak_input_rows, <=, t->bh + MAX (1, t->bh / p.overlap));
      assert_close (out, ref, n, 1e-5);
      g_free (ref);
      adiff_denoiser_free (den);
    }
  g_free (in); g_free (out);
  adiff_bundle_unref (b);
  g_rand_free (r);
}

/* A tall image: the rows held stay bounded by the window, whatever the
 * height. */
static void
test_memory_bound (void)
{
  AdiffBundle *b = make_bundle (8, 8, 1);
  AdiffDenoiser *den = wiener (b, 0.1);
  guint w = 16, h = 2000;
  GRand *r = g_rand_new_with_seed (3);
  float *in = random_image (w, h, 1, r);
  Stream s = { in, g_new (float, (gsize) w * h), w, h, 1 };
  GError *error = NULL;
  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    {
      AdiffTileStats st = { 0 };
      s.next_read = s.next_write = s.max_ahead = 0;
      g_assert_true (adiff__denoise_rows_full (den, w, h, 1, paths[p], &st, stream_read,
                                              stream_write, &s, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (s.max_ahead, <=, 8 + 4);
      g_assert_cmpuint (st.peak_input_rows, <=, 8 + 4);
      g_test_message ("%s path, 2000-row image, 8-row window: at most %u rows in flight, "
                      "%u buffered", path_names[p], s.max_ahead, st.peak_input_rows);
    }
  g_free (in); g_free (s.out);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  g_rand_free (r);
}

/* Squared error averaged over the phases (x mod period, y mod period) of a
 * tiling, away from the image border: pixels on a phase next to a window
 * edge (0 or period − 1 along either axis) against all other phases. */
static double
edge_ratio (const float *out, const float *clean, guint w, guint h, guint period,
            guint margin, double *mse)
{
  double edge = 0, inner = 0;
  gsize n_edge = 0, n_inner = 0;
  for (guint y = margin; y < h - margin; y++)
    for (guint x = margin; x < w - margin; x++)
      {
        double e = out[(gsize) y * w + x] - clean[(gsize) y * w + x];
        guint px = x % period, py = y % period;
        if (px == 0 || py == 0 || px == period - 1 || py == period - 1)
          edge += e * e, n_edge++;
        else
          inner += e * e, n_inner++;
      }
  *mse = (edge + inner) / (n_edge + n_inner);
  return (edge / n_edge) / (inner / n_inner);
}

/* Seamlessness.  A 512×512 field from the bundle's own stationary model,
 * noise σ = 0.1, denoised with 16×16 windows (stride 8).  Statistic: the
 * MSE on pixels at window edges (phase 0 or 7 of the stride along either
 * axis, ≈44 % of the pixels) over the MSE of all other pixels, must stay
 * below 1.02, with the default overlap and with 4 windows over each pixel
 * along each axis (stride 4).  Control showing the statistic sees seams:
 * the same image cut into plain non-overlapping 16×16 tiles gives a ratio
 * well above that. */
static void
test_seamless (void)
{
  guint w = 512, h = 512, ww = 16;
  double sigma = 0.1, mse, plain_mse;
  GRand *r = g_rand_new_with_seed (4);
  AdiffBundle *b = make_bundle (ww, ww, 1);
  AdiffDenoiser *den = wiener (b, sigma);
  AdiffParams p4 = *adiff_denoiser_get_params (den);
  p4.overlap = 4;
  AdiffDenoiser *den4 = adiff_denoiser_new (b, &p4, NULL);
  float *clean = make_field (w, h, 1, r);
  gsize n = (gsize) w * h;
  float *noisy = g_new (float, n), *out = g_new (float, n), *tile = g_new (float, ww * ww);
  for (gsize i = 0; i < n; i++)
    noisy[i] = clean[i] + (float) (sigma * gauss (r));
  GError *error = NULL;
  double ratio = 0;
  for (guint p = 0; p < G_N_ELEMENTS (paths) + 1; p++)
    {
      /* Both paths at overlap 2, then overlap 4 (windows only). */
      gboolean four = p == G_N_ELEMENTS (paths);
      Stream st = { noisy, out, w, h, 1 };
      g_assert_true (adiff__denoise_rows_full (four ? den4 : den, w, h, 1,
                                              four ? ADIFF_TILE_AUTO : paths[p], NULL,
                                              stream_read, stream_write, &st, NULL, NULL,
                                              &error));
      g_assert_no_error (error);
      double r = edge_ratio (out, clean, w, h, ww / 2, ww, &mse);
      g_test_message ("%s: MSE %.4g, window-edge / other MSE %.4f",
                      four ? "overlap 4" : path_names[p], mse, r);
      ratio = MAX (ratio, r);
      g_assert_cmpfloat (mse, <, 0.5 * sigma * sigma);    /* it did denoise */
    }

  for (guint ty = 0; ty < h; ty += ww)          /* the control: plain tiles */
    for (guint tx = 0; tx < w; tx += ww)
      {
        for (guint y = 0; y < ww; y++)
          memcpy (tile + y * ww, noisy + (gsize) (ty + y) * w + tx, ww * sizeof (float));
        g_assert_true (adiff_denoiser_apply (den, tile, 1, tile, &error));
        for (guint y = 0; y < ww; y++)
          memcpy (out + (gsize) (ty + y) * w + tx, tile + y * ww, ww * sizeof (float));
      }
  double plain = edge_ratio (out, clean, w, h, ww, ww, &plain_mse);

  g_test_message ("noise MSE %.4g; plain tiles: MSE %.4g, window-edge / other MSE %.4f",
                  sigma * sigma, plain_mse, plain);
  g_assert_cmpfloat (ratio, <, 1.02);
  g_assert_cmpfloat (plain, >, 1.10);
  g_free (clean); g_free (noisy); g_free (out); g_free (tile);
  adiff_denoiser_free (den);
  adiff_denoiser_free (den4);
  adiff_bundle_unref (b);
  g_rand_free (r);
}

static void
test_mismatch (void)
{
  AdiffBundle *b = make_bundle (4, 4, 3);
  AdiffDenoiser *den = wiener (b, 0.1);
  float img[16 * 16 * 4] = { 0 };
  GError *error = NULL;
  for (guint c = 1; c <= 4; c++)
    {
      if (c == 3)
        continue;
      g_assert_false (adiff_denoise_image (den, img, img, 16, 16, c, NULL, NULL, &error));
      g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH);
      g_assert_nonnull (strstr (error->message, "3 channels"));
      g_clear_error (&error);
    }
  g_assert_false (adiff_denoise_image (den, img, img, 0, 16, 3, NULL, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
}

static void
test_cancel (void)
{
  AdiffBundle *b = make_bundle (8, 8, 1);
  AdiffDenoiser *den = wiener (b, 0.1);
  guint w = 20, h = 40;
  GRand *r = g_rand_new_with_seed (5);
  float *in = random_image (w, h, 1, r);
  Stream s = { in, g_new (float, (gsize) w * h), w, h, 1 };
  s.cancel_after = 3;
  GError *error = NULL;
  g_assert_false (adiff_denoise_rows (den, w, h, 1, stream_read, stream_write, &s,
                                      stream_progress, &s, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED);
  g_assert_cmpuint (s.progress_calls, ==, 3);
  g_assert_cmpuint (s.next_write, <, h);
  g_clear_error (&error);
  g_free (in); g_free (s.out);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  g_rand_free (r);
}

/* Within a strip the exemplar models report progress between chunks of
 * windows, so a cancel lands before the strip ends: on a wide image whose
 * first strip holds many windows, cancelling at the second call stops
 * with nothing written. */
typedef struct
{
  guint  calls;
  double last;
} Within;

static gboolean
cancel_at_second (double fraction, gpointer data)
{
  Within *w = data;
  g_assert_true (fraction > w->last && fraction < 1);
  w->last = fraction;
  return ++w->calls < 2;
}

static void
test_cancel_within_strip (void)
{
  AdiffBundle *b = make_bundle_ex (8, 8, 1, 20);
  AdiffParams p;
  adiff_params_init (&p);
  p.method = ADIFF_METHOD_OPTIMAL;
  p.sigma = 0.1;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  g_assert_no_error (error);
  guint w = 400, h = 8;
  GRand *r = g_rand_new_with_seed (6);
  float *in = random_image (w, h, 1, r);
  Stream s = { in, g_new (float, (gsize) w * h), w, h, 1 };
  Within within = { 0, 0.0 };
  g_assert_false (adiff_denoise_rows (den, w, h, 1, stream_read, stream_write, &s,
                                      cancel_at_second, &within, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED);
  g_assert_cmpuint (within.calls, ==, 2);
  g_assert_cmpfloat (within.last, <, 0.5);   /* still in the first strip */
  g_assert_cmpuint (s.next_write, ==, 0);
  g_clear_error (&error);
  g_free (in); g_free (s.out);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  g_rand_free (r);
}

/* A non-finite pixel is reported, not propagated. */
static void
test_non_finite (void)
{
  AdiffBundle *b = make_bundle (4, 4, 1);
  AdiffDenoiser *den = wiener (b, 0.1);
  float img[10 * 10] = { 0 };
  img[57] = NAN;
  GError *error = NULL;
  g_assert_false (adiff_denoise_image (den, img, img, 10, 10, 1, NULL, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC);
  g_clear_error (&error);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
}

static void
test_window_for_pixel (void)
{
  static const struct { guint iw, ih, ww, wh, x, y, left, top; } cases[] = {
    { 100, 80, 32, 32, 50, 40, 34, 24 },    /* centred */
    { 100, 80, 32, 32, 3, 2, 0, 0 },        /* clamped at the top left */
    { 100, 80, 32, 32, 99, 79, 68, 48 },    /* clamped at the bottom right */
    { 20, 10, 32, 32, 5, 5, 0, 0 },         /* image smaller than the window */
    { 32, 32, 32, 32, 31, 0, 0, 0 },        /* exactly one window */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint l, t;
      adiff_window_for_pixel (cases[i].iw, cases[i].ih, cases[i].ww, cases[i].wh,
                              cases[i].x, cases[i].y, &l, &t);
      g_assert_cmpuint (l, ==, cases[i].left);
      g_assert_cmpuint (t, ==, cases[i].top);
    }
}

/* Known σ on a smooth image: within 10 %. */
static void
test_estimate_sigma (void)
{
  static const double sigmas[] = { 5 / 255.0, 0.05, 0.1, 0.2 };
  guint w = 256, h = 192, c = 3;
  GRand *r = g_rand_new_with_seed (6);
  float *img = g_new (float, (gsize) w * h * c);
  for (guint i = 0; i < G_N_ELEMENTS (sigmas); i++)
    {
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          for (guint k = 0; k < c; k++)
            img[((gsize) y * w + x) * c + k] =
              (float) (0.5 + 0.3 * sin (x / 17.0 + k) * cos (y / 23.0)
                       + sigmas[i] * gauss (r));
      double est = adiff_estimate_sigma (img, w, h, c);
      g_test_message ("sigma %.4f estimated %.4f", sigmas[i], est);
      g_assert_cmpfloat (fabs (est / sigmas[i] - 1), <, 0.10);
    }
  g_assert_cmpfloat (adiff_estimate_sigma (img, 1, 1, 1), ==, 0.0);
  g_free (img);
  g_rand_free (r);
}

/* adiff_denoise_region: any cut of the image into rectangles, each given
 * only the input adiff_region_input asks for, gives the pixels of the
 * streaming tiler (window by window): Wiener and fast analytic mode, with
 * the default overlap and 4, on every geometry. */
static void
region_cut (AdiffDenoiser *den, const float *in, guint w, guint h, guint c,
            guint cw, guint ch, float *out)
{
  for (guint y = 0; y < h; y += ch)
    for (guint x = 0; x < w; x += cw)
      {
        AdiffRect reg = { x, y, MIN (cw, w - x), MIN (ch, h - y) }, need;
        adiff_region_input (den, w, h, &reg, &need);
        g_assert_cmpuint (need.x + need.width, <=, w);
        g_assert_cmpuint (need.y + need.height, <=, h);
        float *part = g_new (float, (gsize) need.width * need.height * c);
        for (guint r = 0; r < need.height; r++)
          memcpy (part + (gsize) r * need.width * c,
                  in + ((gsize) (need.y + r) * w + need.x) * c,
                  (gsize) need.width * c * sizeof (float));
        float *res = g_new (float, (gsize) reg.width * reg.height * c);
        GError *error = NULL;
        g_assert_true (adiff_denoise_region (den, w, h, c, part, &need, res, &reg, &error));
        g_assert_no_error (error);
        for (guint r = 0; r < reg.height; r++)
          memcpy (out + ((gsize) (y + r) * w + x) * c, res + (gsize) r * reg.width * c,
                  (gsize) reg.width * c * sizeof (float));
        g_free (part);
        g_free (res);
      }
}

static void
test_region (gconstpointer data)
{
  const Geometry *t = data;
  static const guint cuts[][2] = { { 1, 1 }, { 3, 5 }, { 7, 4 }, { 16, 16 }, { 1000, 1000 } };
  GRand *r = g_rand_new_with_seed (12);
  AdiffBundle *b = make_bundle_ex (t->bw, t->bh, t->bc, 300);
  gsize n = (gsize) t->w * t->h * t->c;
  float *in = random_image (t->w, t->h, t->c, r);
  float *ref = g_new (float, n), *out = g_new (float, n);
  for (guint m = 0; m < 4; m++)
    {
      AdiffParams p;
      adiff_params_init (&p);
      p.method = m % 2 ? ADIFF_METHOD_ANALYTIC : ADIFF_METHOD_WIENER;
      p.overlap = m < 2 ? 2 : 4;
      p.sigma = 0.2;
      GError *error = NULL;
      AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
      g_assert_no_error (error);
      Stream s = { in, ref, t->w, t->h, t->c };
      g_assert_true (adiff__denoise_rows_full (den, t->w, t->h, t->c, ADIFF_TILE_WINDOWS, NULL,
                                              stream_read, stream_write, &s, NULL, NULL,
                                              &error));
      g_assert_no_error (error);
      for (guint k = 0; k < G_N_ELEMENTS (cuts); k++)
        {
          region_cut (den, in, t->w, t->h, t->c, cuts[k][0], cuts[k][1], out);
          assert_close (out, ref, n, 1e-6);
        }
      adiff_denoiser_free (den);
    }
  /* Input that misses part of what the region reads is refused. */
  AdiffParams p;
  adiff_params_init (&p);
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, NULL);
  AdiffRect reg = { 0, 0, 1, 1 }, small = { 1, 1, 1, 1 };
  GError *error = NULL;
  g_assert_false (adiff_denoise_region (den, t->w, t->h, t->c, in, &small, out, &reg, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  adiff_denoiser_free (den);
  g_free (in); g_free (ref); g_free (out);
  adiff_bundle_unref (b);
  g_rand_free (r);
}

/* adiff_region_prepare builds the analytic model's fast-mode indexes
 * before the first region, on the threads given, and the regions give the
 * streaming tiler's pixels still (the indexes are the same whatever the
 * thread count).  8-bit exemplars: fast mode takes the per-group indexes. */
static void
test_region_prepare (void)
{
  guint w = 37, h = 29, c = 3;
  AdiffBundle *b = make_bundle_ex (4, 4, 1, 300);
  gsize total = (gsize) b->n_exemplars * b->dim, n = (gsize) w * h * c;
  for (gsize i = 0; i < total; i++)
    b->exemplars[i] = CLAMP (rintf (b->exemplars[i] * 255.0f), 0.0f, 255.0f) * (1.0f / 255.0f);
  GRand *r = g_rand_new_with_seed (13);
  float *in = random_image (w, h, c, r), *ref = g_new (float, n), *out = g_new (float, n);
  AdiffParams p;
  adiff_params_init (&p);
  p.method = ADIFF_METHOD_ANALYTIC;
  p.sigma = 0.2;
  p.n_threads = 1;
  GError *error = NULL;
  AdiffDenoiser *streamed = adiff_denoiser_new (b, &p, &error);
  g_assert_no_error (error);
  Stream s = { in, ref, w, h, c };
  g_assert_true (adiff__denoise_rows_full (streamed, w, h, c, ADIFF_TILE_WINDOWS, NULL,
                                          stream_read, stream_write, &s, NULL, NULL, &error));
  g_assert_no_error (error);
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  g_assert_no_error (error);
  const AnalyticState *state = den->state;
  g_assert_true (state->by_groups);
  g_assert_null (g_atomic_pointer_get (&state->coord));
  adiff_region_prepare (den, w, h, c, 3);
  g_assert_nonnull (g_atomic_pointer_get (&state->coord));
  region_cut (den, in, w, h, c, 7, 4, out);
  assert_close (out, ref, n, 1e-6);
  adiff_denoiser_free (den);
  adiff_denoiser_free (streamed);
  g_free (in); g_free (ref); g_free (out);
  adiff_bundle_unref (b);
  g_rand_free (r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (geometries); i++)
    {
      const Geometry *t = &geometries[i];
      char *name = g_strdup_printf ("/image/identity/%ux%ux%u-on-%ux%ux%u",
                                    t->bw, t->bh, t->bc, t->w, t->h, t->c);
      g_test_add_data_func (name, t, test_identity);
      g_free (name);
      name = g_strdup_printf ("/image/streaming/%ux%ux%u-on-%ux%ux%u",
                              t->bw, t->bh, t->bc, t->w, t->h, t->c);
      g_test_add_data_func (name, t, test_streaming);
      g_free (name);
      name = g_strdup_printf ("/image/region/%ux%ux%u-on-%ux%ux%u",
                              t->bw, t->bh, t->bc, t->w, t->h, t->c);
      g_test_add_data_func (name, t, test_region);
      g_free (name);
    }
  g_test_add_data_func ("/image/nonlinear/8x8x1-on-37x29x1", &geometries[0],
                        test_streaming_nonlinear);
  g_test_add_data_func ("/image/nonlinear/4x4x1-on-19x11x3", &geometries[4],
                        test_streaming_nonlinear);
  g_test_add_data_func ("/image/nonlinear/6x4x3-on-21x13x3", &geometries[3],
                        test_streaming_nonlinear);
  g_test_add_func ("/image/region-prepare", test_region_prepare);
  g_test_add_func ("/image/memory-bound", test_memory_bound);
  g_test_add_func ("/image/seamless", test_seamless);
  g_test_add_func ("/image/mismatch", test_mismatch);
  g_test_add_func ("/image/cancel", test_cancel);
  g_test_add_func ("/image/cancel-within-strip", test_cancel_within_strip);
  g_test_add_func ("/image/non-finite", test_non_finite);
  g_test_add_func ("/image/window-for-pixel", test_window_for_pixel);
  g_test_add_func ("/image/estimate-sigma", test_estimate_sigma);
  return g_test_run ();
}
