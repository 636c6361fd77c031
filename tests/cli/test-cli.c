/* test-cli.c — the `adiff` tool, run as a user would: every command, its
 * outputs checked against libadiff called directly, and every bad input
 * (exit status, a message naming the culprit, no output file left).
 *
 * Fixtures are written at start into a scratch folder: tiny bundles (a
 * DCT eigenbasis over 4×4 windows, gray and RGB, with and without
 * exemplars) and tiny images and arrays. */
#include <math.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "adiff/adiff.h"
#include "adiff-io.h"
#include "cli-test-util.h"

static char *adiff_path, *dir;

/* ---- fixtures ------------------------------------------------------------ */

static char *
path (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static double
dct (guint f, guint x, guint n)
{
  return (f ? sqrt (2.0 / n) : sqrt (1.0 / n)) * cos (G_PI * (x + 0.5) * f / n);
}

static AdiffBundleData
bundle_data (guint n, guint c, guint n_exemplars)
{
  static const double colour[3][3] = {
    { 0.57735026919, 0.57735026919, 0.57735026919 },
    { 0.70710678118, 0.0, -0.70710678118 },
    { 0.40824829046, -0.81649658092, 0.40824829046 },
  };
  gsize d = (gsize) n * n * c;
  double *mean = g_new (double, d), *vals = g_new (double, d), *vecs = g_new (double, d * d);
  float *ex = n_exemplars ? g_new (float, n_exemplars * d) : NULL;
  guint i = 0;
  /* Ordered by total frequency, so eigenvalues can descend. */
  for (guint f = 0; f <= 2 * (n - 1); f++)
    for (guint fy = 0; fy < n; fy++)
      for (guint fc = 0; fc < c; fc++)
        {
          if (f < fy || f - fy >= n)
            continue;
          guint fx = f - fy;
          vals[i] = 0.05 / (1.0 + f * f) / (1.0 + 4 * fc);
          for (guint y = 0; y < n; y++)
            for (guint x = 0; x < n; x++)
              for (guint k = 0; k < c; k++)
                vecs[i * d + (y * n + x) * c + k] =
                  dct (fy, y, n) * dct (fx, x, n) * (c == 1 ? 1.0 : colour[fc][k]);
          i++;
        }
  for (gsize p = 0; p < d; p++)
    mean[p] = 0.45;
  GRand *r = g_rand_new_with_seed (7);
  for (gsize p = 0; p < n_exemplars * d; p++)
    ex[p] = (float) g_rand_double (r);
  g_rand_free (r);
  /* Sort eigenpairs by value (the frequency order is close but not exact). */
  for (guint a = 0; a < d; a++)
    for (guint b = a + 1; b < d; b++)
      if (vals[b] > vals[a])
        {
          double t = vals[a]; vals[a] = vals[b]; vals[b] = t;
          for (gsize p = 0; p < d; p++)
            {
              t = vecs[a * d + p]; vecs[a * d + p] = vecs[b * d + p]; vecs[b * d + p] = t;
            }
        }
  return (AdiffBundleData) {
    .width = n, .height = n, .channels = c, .n_items = 100, .mean = mean,
    .n_components = d, .eigenvalues = vals, .eigenvectors = vecs,
    .n_exemplars = n_exemplars, .exemplars = ex,
  };
}

static void
write_bundle (const char *name, guint n, guint c, guint n_exemplars)
{
  AdiffBundleData data = bundle_data (n, c, n_exemplars);
  g_autofree char *p = path (name);
  GError *error = NULL;
  g_assert_true (adiff_bundle_write (p, &data, NULL, &error));
  g_assert_no_error (error);
  g_free ((double *) data.mean);
  g_free ((double *) data.eigenvalues);
  g_free ((double *) data.eigenvectors);
  g_free ((float *) data.exemplars);
}

static AdiffBundle *
open_bundle (const char *name)
{
  return cli_test_open_bundle (dir, name);
}

static float *
noise_values (gsize n, guint seed, float lo, float hi)
{
  GRand *r = g_rand_new_with_seed (seed);
  float *v = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    v[i] = (float) g_rand_double_range (r, lo, hi);
  g_rand_free (r);
  return v;
}

static void
write_image (const char *name, guint w, guint h, guint c, guint depth, gboolean alpha)
{
  AdiffIoImage img = { .width = w, .height = h, .channels = c, .bit_depth = depth,
                       .data = noise_values ((gsize) w * h * c, w * 31 + h + c, 0, 1),
                       .alpha = alpha ? noise_values ((gsize) w * h, 99, 0, 1) : NULL };
  g_autofree char *p = path (name);
  GError *error = NULL;
  g_assert_true (adiff_io_image_save (p, &img, depth, &error));
  g_assert_no_error (error);
  g_free (img.data);
  g_free (img.alpha);
}

static void
write_npy (const char *name, const float *data, guint ndim, const guint64 *shape)
{
  cli_test_save_npy (dir, name, data, ndim, shape);
}

static void
make_fixtures (void)
{
  write_bundle ("gray.adstats", 4, 1, 0);
  write_bundle ("gray-ex.adstats", 4, 1, 24);
  write_bundle ("rgb-ex.adstats", 4, 3, 24);
  write_image ("gray.png", 10, 7, 1, 8, FALSE);
  write_image ("gray-alpha.png", 9, 5, 1, 8, TRUE);
  write_image ("rgb16.png", 9, 6, 3, 16, FALSE);
  write_image ("tiny.png", 3, 2, 1, 8, FALSE);
  write_image ("photo-gray.png", 20, 18, 1, 8, FALSE);
  write_image ("photo-rgba.png", 21, 19, 3, 16, TRUE);

  guint64 batch[4] = { 3, 6, 5, 1 }, hw[2] = { 6, 5 }, win[4] = { 6, 4, 4, 1 };
  float *v = noise_values (3 * 6 * 5, 11, -0.2f, 1.2f);   /* beyond [0,1] on purpose */
  write_npy ("batch.npy", v, 4, batch);
  write_npy ("plane.npy", v, 2, hw);
  g_free (v);
  v = noise_values (6 * 16, 12, 0, 1);
  write_npy ("windows-z.npy", v, 4, win);
  guint64 win5[4] = { 5, 4, 4, 1 }, bad_win[4] = { 3, 4, 8, 1 };
  write_npy ("windows-5.npy", v, 4, win5);
  write_npy ("windows-badshape.npy", v, 4, bad_win);
  v[7] = NAN;
  write_npy ("nan.npy", v, 2, hw);
  g_free (v);

  g_autofree char *corrupt = path ("corrupt.npy"), *notimg = path ("not-an-image.png");
  g_assert_true (g_file_set_contents (corrupt, "\x93NUMPY\x01\x00garbage", 15, NULL));
  g_assert_true (g_file_set_contents (notimg, "hello", 5, NULL));
}

/* ---- running adiff ---------------------------------------------------------- */

typedef struct
{
  int   status;          /* exit code, or 128 + signal */
  char *out, *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

/* Run adiff with the NULL-terminated arguments; names starting with "@"
 * are files in the scratch folder. */
static Run
adiff_v (const char *first, va_list args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (adiff_path));
  for (const char *a = first; a; a = va_arg (args, const char *))
    g_ptr_array_add (argv, a[0] == '@' ? path (a + 1) : g_strdup (a));
  g_ptr_array_add (argv, NULL);
  Run r = { 0 };
  int wait;
  GError *error = NULL;
  g_assert_true (g_spawn_sync (dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r.out, &r.err, &wait, &error));
  g_assert_no_error (error);
  r.status = WIFEXITED (wait) ? WEXITSTATUS (wait) : 128 + WTERMSIG (wait);
  g_ptr_array_free (argv, TRUE);
  return r;
}

static Run
adiff (const char *first, ...)
{
  va_list args;
  va_start (args, first);
  Run r = adiff_v (first, args);
  va_end (args);
  return r;
}

static void
expect_ok (Run *r)
{
  if (r->status != 0)
    g_error ("adiff failed with %d: %s", r->status, r->err);
}

static gboolean
exists (const char *name)
{
  g_autofree char *p = path (name);
  return g_file_test (p, G_FILE_TEST_EXISTS);
}

static guint
count_files (void)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  while (g_dir_read_name (d))
    n++;
  g_dir_close (d);
  return n;
}

static AdiffIoImage
load_image (const char *name)
{
  g_autofree char *p = path (name);
  AdiffIoImage img;
  GError *error = NULL;
  g_assert_true (adiff_io_image_load (p, &img, &error));
  g_assert_no_error (error);
  return img;
}

static AdiffNpy
load_npy (const char *name)
{
  return cli_test_load_npy (dir, name);
}

/* The library's own result for an in-memory image, with `overlap` windows
 * over each pixel along each axis. */
static float *
direct_denoise_overlap (const char *bundle, const float *in, guint w, guint h, guint c,
                        double sigma, guint overlap)
{
  AdiffBundle *b = open_bundle (bundle);
  AdiffParams p;
  adiff_params_init (&p);
  p.sigma = sigma;
  p.overlap = overlap;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  g_assert_no_error (error);
  float *out = g_new (float, (gsize) w * h * c);
  g_assert_true (adiff_denoise_image (den, in, out, w, h, c, NULL, NULL, &error));
  g_assert_no_error (error);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  return out;
}

static float *
direct_denoise (const char *bundle, const float *in, guint w, guint h, guint c, double sigma)
{
  return direct_denoise_overlap (bundle, in, w, h, c, sigma, 2);
}

static void
assert_close (const float *a, const float *b, gsize n, double tol)
{
  for (gsize i = 0; i < n; i++)
    if (fabs ((double) a[i] - b[i]) > tol)
      g_error ("value %" G_GSIZE_FORMAT ": %g vs %g (tolerance %g)", i, a[i], b[i], tol);
}

/* Is this method available in the library yet? (models land separately) */
static gboolean
method_available (const char *bundle, AdiffMethod m)
{
  AdiffBundle *b = open_bundle (bundle);
  AdiffParams p;
  adiff_params_init (&p);
  p.method = m;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  gboolean ok = den != NULL;
  if (den)
    {
      float z[4 * 4 * 3] = { 0.5f };
      double field[4 * 4 * 3];
      ok = adiff_sensitivity (den, z, 0, field, &error);
    }
  g_clear_error (&error);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  return ok;
}

/* ---- help and version ------------------------------------------------------ */

static void
test_help (void)
{
  Run r = adiff ("--help", NULL);
  expect_ok (&r);
  g_assert_nonnull (strstr (r.out, "denoise"));
  g_assert_nonnull (strstr (r.out, "compare"));
  g_assert_nonnull (strstr (r.out, "4  interrupted"));
  run_clear (&r);
  r = adiff ("--version", NULL);
  expect_ok (&r);
  g_assert_nonnull (strstr (r.out, ADIFF_VERSION));
  run_clear (&r);
  static const char *const cmds[] = { "denoise", "sensitivity", "sample", "compare" };
  for (guint i = 0; i < G_N_ELEMENTS (cmds); i++)
    {
      r = adiff (cmds[i], "--help", NULL);
      expect_ok (&r);
      g_assert_nonnull (strstr (r.out, "--bundle"));
      g_assert_nonnull (strstr (r.out, "Exit status"));
      run_clear (&r);
    }
  r = adiff (NULL, NULL);
  g_assert_cmpint (r.status, ==, 2);
  run_clear (&r);
  r = adiff ("frobnicate", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "frobnicate"));
  run_clear (&r);
}

/* ---- denoise -------------------------------------------------------------- */

static void
test_denoise_png (void)
{
  Run r = adiff ("denoise", "-m", "wiener", "--bundle", "@gray.adstats", "--sigma", "25", "@gray.png",
                 "@gray-out.png", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffIoImage in = load_image ("gray.png"), out = load_image ("gray-out.png");
  g_assert_cmpuint (out.width, ==, 10);
  g_assert_cmpuint (out.height, ==, 7);
  g_assert_cmpuint (out.channels, ==, 1);
  g_assert_cmpuint (out.bit_depth, ==, 8);
  float *ref = direct_denoise ("gray.adstats", in.data, 10, 7, 1, 25 / 255.0);
  for (guint i = 0; i < 70; i++)
    ref[i] = CLAMP (ref[i], 0.0f, 1.0f);
  assert_close (out.data, ref, 70, 0.5 / 255 + 1e-6);
  g_free (ref);
  adiff_io_image_clear (&in);
  adiff_io_image_clear (&out);
}

/* --overlap reaches the tiler: the float output is the library's result
 * with that overlap, and differs from the default's. */
static void
test_denoise_overlap (void)
{
  Run r = adiff ("denoise", "-m", "wiener", "--bundle", "@gray.adstats", "--sigma", "25", "--overlap", "4",
                 "@gray.png", "@gray-overlap.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffIoImage in = load_image ("gray.png");
  AdiffNpy out = load_npy ("gray-overlap.npy");
  g_assert_cmpuint (out.ndim, ==, 3);        /* (7, 10, 1) */
  g_assert_cmpuint (out.shape[0] * out.shape[1] * out.shape[2], ==, 70);
  float *ref4 = direct_denoise_overlap ("gray.adstats", in.data, 10, 7, 1, 25 / 255.0, 4);
  float *ref2 = direct_denoise ("gray.adstats", in.data, 10, 7, 1, 25 / 255.0);
  assert_close (out.data, ref4, 70, 1e-6);
  double differs = 0;
  for (guint i = 0; i < 70; i++)
    differs = MAX (differs, fabs ((double) ref4[i] - ref2[i]));
  g_assert_cmpfloat (differs, >, 1e-4);
  g_free (ref4); g_free (ref2);
  adiff_io_npy_clear (&out);
  adiff_io_image_clear (&in);
}

/* 16-bit RGB keeps its depth; a gray bundle runs on each channel. */
static void
test_denoise_rgb16 (void)
{
  Run r = adiff ("denoise", "-m", "wiener", "-b", "@gray.adstats", "--t", "100", "@rgb16.png",
                 "@rgb16-out.png", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffIoImage in = load_image ("rgb16.png"), out = load_image ("rgb16-out.png");
  g_assert_cmpuint (out.bit_depth, ==, 16);
  g_assert_cmpuint (out.channels, ==, 3);
  float *ref = direct_denoise ("gray.adstats", in.data, 9, 6, 3, adiff_ddpm_sigma (100));
  for (guint i = 0; i < 9 * 6 * 3; i++)
    ref[i] = CLAMP (ref[i], 0.0f, 1.0f);
  assert_close (out.data, ref, 9 * 6 * 3, 0.5 / 65535 + 1e-6);
  g_free (ref);
  adiff_io_image_clear (&in);
  adiff_io_image_clear (&out);
  /* And an RGB bundle on the same image. */
  r = adiff ("denoise", "-m", "wiener", "-b", "@rgb-ex.adstats", "--sigma", "10", "@rgb16.png",
             "@rgb16-rgb.png", NULL);
  expect_ok (&r);
  run_clear (&r);
}

static void
test_denoise_alpha (void)
{
  Run r = adiff ("denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "40", "@gray-alpha.png",
                 "@gray-alpha-out.png", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffIoImage in = load_image ("gray-alpha.png"), out = load_image ("gray-alpha-out.png");
  g_assert_nonnull (out.alpha);
  g_assert_cmpmem (in.alpha, 45 * sizeof (float), out.alpha, 45 * sizeof (float));
  adiff_io_image_clear (&in);
  adiff_io_image_clear (&out);
}

/* A (N,H,W,C) batch: item by item, same shape back, values unclipped. */
static void
test_denoise_batch (void)
{
  Run r = adiff ("denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "1", "@batch.npy",
                 "@batch-out.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffNpy in = load_npy ("batch.npy"), out = load_npy ("batch-out.npy");
  g_assert_cmpuint (out.ndim, ==, 4);
  g_assert_cmpmem (out.shape, sizeof out.shape, in.shape, sizeof in.shape);
  gboolean beyond = FALSE;
  for (guint i = 0; i < 3; i++)
    {
      float *ref = direct_denoise ("gray.adstats", in.data + i * 30, 5, 6, 1, 1 / 255.0);
      assert_close (out.data + i * 30, ref, 30, 1e-6);
      g_free (ref);
    }
  for (guint i = 0; i < 90; i++)
    beyond |= out.data[i] < 0 || out.data[i] > 1;
  g_assert_true (beyond);           /* not clipped */
  adiff_io_npy_clear (&in);
  adiff_io_npy_clear (&out);

  /* (H,W) stays (H,W); npy to png works too. */
  r = adiff ("denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "30", "@plane.npy", "@plane-out.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  out = load_npy ("plane-out.npy");
  g_assert_cmpuint (out.ndim, ==, 2);
  adiff_io_npy_clear (&out);
  r = adiff ("denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "30", "@plane.npy", "@plane-out.png", NULL);
  expect_ok (&r);
  run_clear (&r);
}

static void
test_denoise_estimate (void)
{
  Run r = adiff ("denoise", "-m", "wiener", "-b", "@gray.adstats", "--estimate-sigma", "@gray.png",
                 "@gray-est.png", NULL);
  expect_ok (&r);
  g_assert_nonnull (strstr (r.err, "estimated"));
  run_clear (&r);
  /* Images smaller than the window are padded. */
  r = adiff ("denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "20", "@tiny.png", "@tiny-out.png", NULL);
  expect_ok (&r);
  run_clear (&r);
}

/* Interrupted: SIGINT is blocked in the child until adiff installs its
 * handler, so the signal is deterministic; adiff must exit 4 and leave no
 * output. */
static void
test_denoise_interrupt (void)
{
  g_autofree char *b = path ("gray.adstats"), *in = path ("gray.png"), *out = path ("int.png");
  sigset_t set, old;
  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigprocmask (SIG_BLOCK, &set, &old);
  pid_t pid = fork ();
  if (pid == 0)
    {
      int devnull = open ("/dev/null", O_WRONLY);
      dup2 (devnull, 2);
      execl (adiff_path, adiff_path, "denoise", "-m", "wiener", "-b", b, "--sigma", "25", in, out, (char *) NULL);
      _exit (127);
    }
  sigprocmask (SIG_SETMASK, &old, NULL);
  g_assert_cmpint (pid, >, 0);
  kill (pid, SIGINT);
  int wait;
  g_assert_cmpint (waitpid (pid, &wait, 0), ==, pid);
  g_assert_true (WIFEXITED (wait));
  g_assert_cmpint (WEXITSTATUS (wait), ==, 4);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

/* ---- bad input: exit status, message, no output ------------------------- */

typedef struct
{
  const char *name;
  int         status;
  const char *message;        /* must appear in stderr */
  const char *args[16];       /* the output, when any, is @bad-out.* */
} BadCase;

static const BadCase bad_cases[] = {
  { "sigma-zero", 2, "--sigma", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "0", "@gray.png", "@bad-out.png" } },
  { "sigma-negative", 2, "--sigma", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "-5", "@gray.png", "@bad-out.png" } },
  { "sigma-nan", 2, "--sigma nan", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "nan", "@gray.png", "@bad-out.png" } },
  { "sigma-text", 2, "x5", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "x5", "@gray.png", "@bad-out.png" } },
  { "sigma-inf", 2, "--sigma inf", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "inf", "@gray.png", "@bad-out.png" } },
  { "sigma-missing", 2, "--sigma", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "@gray.png", "@bad-out.png" } },
  { "sigma-and-t", 2, "--t", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "5", "--t", "3", "@gray.png", "@bad-out.png" } },
  { "t-range", 2, "--t", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--t", "1000", "@gray.png", "@bad-out.png" } },
  { "tau-zero", 2, "--tau", { "denoise", "-b", "@gray-ex.adstats", "-m", "analytic", "--tau", "0", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "tau-big", 2, "--tau", { "denoise", "-b", "@gray-ex.adstats", "-m", "analytic", "--tau", "1.5", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "overlap-one", 2, "--overlap", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--overlap", "1", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "overlap-huge", 2, "--overlap", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--overlap", "65", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "patch-even", 2, "--patch", { "denoise", "-b", "@gray-ex.adstats", "-m", "patch", "--patch", "4", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "method-unknown", 2, "magic", { "denoise", "-b", "@gray.adstats", "-m", "magic", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "needs-exemplars", 1, "exemplars", { "denoise", "-b", "@gray.adstats", "-m", "optimal", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "rgb-on-gray", 1, "gray.png", { "denoise", "-m", "wiener", "-b", "@rgb-ex.adstats", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "missing-input", 1, "nothere.png", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "5", "@nothere.png", "@bad-out.png" } },
  { "not-an-image", 1, "not-an-image.png", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "5", "@not-an-image.png", "@bad-out.png" } },
  { "corrupt-npy", 1, "corrupt.npy", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "5", "@corrupt.npy", "@bad-out.npy" } },
  { "nan-npy", 1, "nan.npy", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "5", "@nan.npy", "@bad-out.npy" } },
  { "missing-bundle", 1, "nothere.adstats", { "denoise", "-m", "wiener", "-b", "@nothere.adstats", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "bundle-is-image", 1, "gray.png", { "denoise", "-m", "wiener", "-b", "@gray.png", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "no-bundle", 2, "--bundle", { "denoise", "-m", "wiener", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "output-is-input", 2, "input", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "5", "@gray.png", "@gray.png" } },
  { "one-file", 2, "OUT", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "5", "@gray.png" } },
  { "unknown-option", 2, "--frobnicate", { "denoise", "-m", "wiener", "--frobnicate", "@gray.png", "@bad-out.png" } },
  { "batch-to-png", 2, ".npy", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "5", "@batch.npy", "@bad-out.png" } },
  { "bad-extension", 2, "bad-out.xyz", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "5", "@gray.png", "@bad-out.xyz" } },
  { "estimate-and-sigma", 2, "--estimate-sigma", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "-e", "--sigma", "5", "@gray.png", "@bad-out.png" } },

  { "sens-pixel-outside-image", 2, "--pixel", { "sensitivity", "-b", "@gray.adstats", "--sigma", "5", "--input", "@gray.png", "--pixel", "10,3", "@bad-out.png" } },
  { "sens-pixel-outside-window", 2, "--pixel", { "sensitivity", "-b", "@gray.adstats", "--sigma", "5", "--pixel", "4,0", "@bad-out.png" } },
  { "sens-pixel-syntax", 2, "--pixel", { "sensitivity", "-b", "@gray.adstats", "--sigma", "5", "--pixel", "3;4", "@bad-out.png" } },
  { "sens-no-pixel", 2, "--pixel", { "sensitivity", "-b", "@gray.adstats", "--sigma", "5", "@bad-out.png" } },
  { "sens-channel", 2, "--channel", { "sensitivity", "-b", "@gray.adstats", "--sigma", "5", "--pixel", "1,1", "--channel", "1", "@bad-out.png" } },
  { "sens-sigma", 2, "--sigmas", { "sensitivity", "-b", "@gray.adstats", "--sigmas", "5,0", "--pixel", "1,1", "@bad-out.png" } },
  { "sens-sigma-text", 2, "abc", { "sensitivity", "-b", "@gray.adstats", "--sigmas", "5,abc", "--pixel", "1,1", "@bad-out.png" } },
  { "sens-colormap", 2, "rainbow", { "sensitivity", "-b", "@gray.adstats", "--sigma", "5", "--pixel", "1,1", "--colormap", "rainbow", "@bad-out.png" } },
  { "sens-analytic-no-input", 2, "--input", { "sensitivity", "-b", "@gray-ex.adstats", "-m", "analytic", "--sigma", "5", "--pixel", "1,1", "@bad-out.png" } },
  { "sens-rgb-on-gray", 1, "gray.png", { "sensitivity", "-b", "@rgb-ex.adstats", "--sigma", "5", "--input", "@gray.png", "--pixel", "1,1", "@bad-out.png" } },
  { "sens-needs-exemplars", 1, "exemplars", { "sensitivity", "-b", "@gray.adstats", "-m", "optimal", "--sigma", "5", "--input", "@gray.png", "--pixel", "1,1", "@bad-out.png" } },

  { "sample-steps", 2, "--steps", { "sample", "-b", "@gray.adstats", "--steps", "0", "@bad-out.png" } },
  { "sample-eta", 2, "--eta", { "sample", "-b", "@gray.adstats", "--eta", "2", "@bad-out.png" } },
  { "sample-count", 2, "--count", { "sample", "-b", "@gray.adstats", "--count", "0", "@bad-out.png" } },
  { "sample-needs-exemplars", 1, "exemplars", { "sample", "-b", "@gray.adstats", "-m", "optimal", "@bad-out.png" } },

  { "photo-quality", 2, "--quality", { "denoise", "--quality", "ultra", "--sigma", "5", "@photo-gray.png", "@bad-out.png" } },
  { "photo-quality-wiener", 2, "--quality", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--quality", "best", "--sigma", "5", "@photo-gray.png", "@bad-out.png" } },
  { "photo-too-small", 1, "smaller than", { "denoise", "--sigma", "5", "@gray.png", "@bad-out.png" } },
  { "photo-sigma-nan", 2, "--sigma nan", { "denoise", "--sigma", "nan", "@photo-gray.png", "@bad-out.png" } },
  { "photo-sigma-zero", 2, "--sigma", { "denoise", "--sigma", "0", "@photo-gray.png", "@bad-out.png" } },
  { "photo-best-not-8x8", 1, "8×8", { "denoise", "--quality", "best", "-b", "@gray.adstats", "--sigma", "5", "@photo-gray.png", "@bad-out.png" } },
  { "photo-rgb-bundle-on-gray", 1, "photo-gray.png", { "denoise", "-b", "@rgb-ex.adstats", "--sigma", "5", "@photo-gray.png", "@bad-out.png" } },
  { "photo-missing-bundle", 1, "nothere.adstats", { "denoise", "-b", "@nothere.adstats", "--sigma", "5", "@photo-gray.png", "@bad-out.png" } },
  { "photo-missing-input", 1, "nothere.png", { "denoise", "--sigma", "5", "@nothere.png", "@bad-out.png" } },

  { "compare-no-reference", 2, "--reference", { "compare", "-b", "@gray.adstats", "--sigma", "5", "--noisy", "@windows-z.npy" } },
  { "compare-shape", 1, "windows-badshape.npy", { "compare", "-b", "@gray.adstats", "--sigma", "5", "--noisy", "@windows-z.npy", "--reference", "@windows-badshape.npy" } },
  { "compare-count", 1, "samples", { "compare", "-b", "@gray.adstats", "--sigma", "5", "--noisy", "@windows-z.npy", "--reference", "@windows-5.npy" } },
  { "compare-method", 2, "magic", { "compare", "-b", "@gray.adstats", "--sigma", "5", "--noisy", "@windows-z.npy", "--reference", "@windows-z.npy", "--methods", "wiener,magic" } },
  { "compare-needs-exemplars", 1, "exemplars", { "compare", "-b", "@gray.adstats", "--sigma", "5", "--noisy", "@windows-z.npy", "--reference", "@windows-z.npy", "--methods", "optimal" } },
  { "compare-corrupt", 1, "corrupt.npy", { "compare", "-b", "@gray.adstats", "--sigma", "5", "--noisy", "@corrupt.npy", "--reference", "@windows-z.npy" } },
  { "compare-nan", 1, "nan.npy", { "compare", "-b", "@gray.adstats", "--sigma", "5", "--noisy", "@nan.npy", "--reference", "@nan.npy" } },
  { "compare-sigma", 2, "--sigma", { "compare", "-b", "@gray.adstats", "--sigma", "-1", "--noisy", "@windows-z.npy", "--reference", "@windows-z.npy" } },
};

static void
test_bad_input (gconstpointer data)
{
  const BadCase *t = data;
  guint before = count_files ();
  const char *const *a = t->args;
  Run r = adiff (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
                 a[12], a[13], a[14], a[15], NULL);
  g_test_message ("exit %d: %s", r.status, r.err);
  g_assert_cmpint (r.status, ==, t->status);
  g_assert_nonnull (strstr (r.err, t->message));
  g_assert_cmpint (strlen (r.err), <, 2000);          /* a message, not a dump */
  g_assert_false (exists ("bad-out.png"));
  g_assert_false (exists ("bad-out.npy"));
  g_assert_false (exists ("bad-out.xyz"));
  g_assert_cmpuint (count_files (), ==, before);      /* no temporary left either */
  run_clear (&r);
}

/* ---- the photo model (the default method) ----------------------------------- */

/* The photo model of adiff_photo_denoise on an image file's pixels. */
static float *
photo_reference (const AdiffIoImage *in, double sigma, AdiffPhotoQuality quality,
                 AdiffBundle *bundle)
{
  AdiffPhotoParams p;
  GError *error = NULL;
  float *out = g_new (float, (gsize) in->width * in->height * in->channels);
  adiff_photo_params_init (&p, quality, sigma);
  g_assert_true (adiff_photo_denoise (&p, bundle, in->data, in->width, in->height,
                                      in->channels, out, NULL, NULL, &error));
  g_assert_no_error (error);
  return out;
}

/* No --method, no --bundle: the photo model, the library's result. */
static void
test_denoise_photo (void)
{
  Run r = adiff ("denoise", "--sigma", "25", "@photo-gray.png", "@photo-gray.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffIoImage in = load_image ("photo-gray.png");
  AdiffNpy npy = load_npy ("photo-gray.npy");
  float *ref = photo_reference (&in, 25 / 255.0, ADIFF_PHOTO_QUALITY_DEFAULT, NULL);
  assert_close (npy.data, ref, 20 * 18, 1e-6);
  g_free (ref);
  adiff_io_npy_clear (&npy);

  /* --method photo is the same; --estimate-sigma works */
  r = adiff ("denoise", "-m", "photo", "--sigma", "25", "@photo-gray.png", "@photo-m.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  npy = load_npy ("photo-m.npy");
  ref = photo_reference (&in, 25 / 255.0, ADIFF_PHOTO_QUALITY_DEFAULT, NULL);
  assert_close (npy.data, ref, 20 * 18, 1e-6);
  g_free (ref);
  adiff_io_npy_clear (&npy);
  r = adiff ("denoise", "-e", "@photo-gray.png", "@photo-e.png", NULL);
  expect_ok (&r);
  g_assert_nonnull (strstr (r.err, "estimated"));
  run_clear (&r);
  adiff_io_image_clear (&in);
}

/* RGB + alpha: the joint colour model, alpha passed through. */
static void
test_denoise_photo_rgba (void)
{
  Run r = adiff ("denoise", "--sigma", "30", "@photo-rgba.png", "@photo-rgba-out.png", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffIoImage in = load_image ("photo-rgba.png"), out = load_image ("photo-rgba-out.png");
  g_assert_cmpuint (out.channels, ==, 3);
  g_assert_nonnull (out.alpha);
  g_assert_cmpmem (in.alpha, 21 * 19 * sizeof (float), out.alpha, 21 * 19 * sizeof (float));
  float *ref = photo_reference (&in, 30 / 255.0, ADIFF_PHOTO_QUALITY_DEFAULT, NULL);
  for (gsize i = 0; i < 21 * 19 * 3; i++)
    ref[i] = CLAMP (ref[i], 0, 1);
  assert_close (out.data, ref, 21 * 19 * 3, 1.0 / 65535);
  g_free (ref);
  adiff_io_image_clear (&in);
  adiff_io_image_clear (&out);
}

/* --quality best: the installed gray bundle ($ADIFF_BUNDLE_DIR here), or
 * --bundle; a clear error without either. */
static void
test_denoise_photo_best (void)
{
  const char *root = g_getenv ("ADIFF_SOURCE_ROOT");
  g_autofree char *data = g_build_filename (root, "data", NULL);
  g_autofree char *bundle_path = g_build_filename (data, "natural-gray-8x8.adstats", NULL);
  g_setenv ("ADIFF_BUNDLE_DIR", data, TRUE);
  Run r = adiff ("denoise", "--quality", "best", "--sigma", "20", "@photo-gray.png",
                 "@photo-best.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffIoImage in = load_image ("photo-gray.png");
  AdiffNpy npy = load_npy ("photo-best.npy");
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_open (bundle_path, NULL, &error);
  g_assert_no_error (error);
  float *ref = photo_reference (&in, 20 / 255.0, ADIFF_PHOTO_QUALITY_BEST, b);
  assert_close (npy.data, ref, 20 * 18, 1e-6);
  g_free (ref);
  adiff_bundle_unref (b);
  adiff_io_npy_clear (&npy);
  adiff_io_image_clear (&in);

  /* none in $ADIFF_BUNDLE_DIR: the installed one, or an error that says what to do */
  g_autofree char *installed = g_build_filename (ADIFF_DATADIR, "natural-gray-8x8.adstats",
                                                 NULL);
  g_setenv ("ADIFF_BUNDLE_DIR", dir, TRUE);
  if (!g_file_test (installed, G_FILE_TEST_EXISTS))
    {
      guint before = count_files ();
      r = adiff ("denoise", "--quality", "best", "--sigma", "20", "@photo-gray.png",
                 "@bad-out.png", NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, "--bundle FILE"));
      g_assert_cmpuint (count_files (), ==, before);
      run_clear (&r);
    }
  g_unsetenv ("ADIFF_BUNDLE_DIR");
}

/* Are two files of the scratch folder byte for byte the same? */
static gboolean
same_contents (const char *a, const char *b)
{
  g_autofree char *pa = path (a), *pb = path (b), *ca = NULL, *cb = NULL;
  gsize la, lb;
  g_assert_true (g_file_get_contents (pa, &ca, &la, NULL));
  g_assert_true (g_file_get_contents (pb, &cb, &lb, NULL));
  return la == lb && memcmp (ca, cb, la) == 0;
}

/* Run denoise -m wiener at σ 25 on in into out, with --bundle @bundle
 * when bundle is not NULL; expect success. */
static void
wiener_to (const char *bundle, const char *in, const char *out)
{
  g_autofree char *at_in = g_strconcat ("@", in, NULL), *at_out = g_strconcat ("@", out, NULL);
  g_autofree char *at_b = bundle ? g_strconcat ("@", bundle, NULL) : NULL;
  Run r = bundle ? adiff ("denoise", "-m", "wiener", "--sigma", "25", "-b", at_b, at_in, at_out,
                          NULL)
                 : adiff ("denoise", "-m", "wiener", "--sigma", "25", at_in, at_out, NULL);
  expect_ok (&r);
  run_clear (&r);
}

#define GRAY_BUNDLE "natural-gray-8x8.adstats"
#define COLOUR_BUNDLE "natural-rgb-8x8.adstats"

/* Without --bundle the paper's models use the installed bundle that fits
 * the input: natural-gray-8x8 for gray, natural-rgb-8x8 for RGB (row by
 * row and loaded whole alike), the gray one channel by channel when the
 * colour one is missing, and a clear error when neither is installed. */
static void
test_denoise_default_bundle (void)
{
  g_autofree char *installed = path ("installed");
  g_assert_cmpint (g_mkdir_with_parents (installed, 0755), ==, 0);
  write_bundle ("installed/" GRAY_BUNDLE, 4, 1, 0);
  write_bundle ("installed/" COLOUR_BUNDLE, 4, 3, 24);
  g_setenv ("ADIFF_BUNDLE_DIR", installed, TRUE);

  wiener_to (NULL, "gray.png", "def-gray.png");
  wiener_to ("installed/" GRAY_BUNDLE, "gray.png", "given-gray.png");
  g_assert_true (same_contents ("def-gray.png", "given-gray.png"));
  const char *outs[] = { "def-rgb.png", "def-rgb.npy" }, *given[] = { "given-rgb.png",
                                                                      "given-rgb.npy" };
  for (guint i = 0; i < G_N_ELEMENTS (outs); i++)
    {
      wiener_to (NULL, "rgb16.png", outs[i]);
      wiener_to ("installed/" COLOUR_BUNDLE, "rgb16.png", given[i]);
      g_assert_true (same_contents (outs[i], given[i]));
    }
  wiener_to ("installed/" GRAY_BUNDLE, "rgb16.png", "per-channel.npy");
  g_assert_false (same_contents ("def-rgb.npy", "per-channel.npy"));

  g_autofree char *colour = path ("installed/" COLOUR_BUNDLE);
  g_assert_cmpint (g_unlink (colour), ==, 0);
  wiener_to (NULL, "rgb16.png", "def-rgb-fallback.npy");
  g_assert_true (same_contents ("def-rgb-fallback.npy", "per-channel.npy"));

  g_autofree char *gray = path ("installed/" GRAY_BUNDLE);
  g_assert_cmpint (g_unlink (gray), ==, 0);
  g_autofree char *system = g_build_filename (ADIFF_DATADIR, GRAY_BUNDLE, NULL);
  if (!g_file_test (system, G_FILE_TEST_EXISTS))
    {
      guint before = count_files ();
      Run r = adiff ("denoise", "-m", "wiener", "--sigma", "25", "@gray.png", "@bad-out.png",
                     NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, "--bundle FILE"));
      g_assert_nonnull (strstr (r.err, GRAY_BUNDLE));
      g_assert_cmpuint (count_files (), ==, before);
      run_clear (&r);
    }
  g_unsetenv ("ADIFF_BUNDLE_DIR");
}

/* ---- sensitivity ------------------------------------------------------------ */

static void
test_sensitivity_wiener (void)
{
  Run r = adiff ("sensitivity", "-b", "@gray.adstats", "--sigmas", "5,25,80", "--pixel", "1,2",
                 "@sens.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffNpy npy = load_npy ("sens.npy");
  g_assert_cmpuint (npy.ndim, ==, 4);
  g_assert_cmpuint (npy.shape[0], ==, 3);
  g_assert_cmpuint (npy.shape[1], ==, 4);
  g_assert_cmpuint (npy.shape[2], ==, 4);
  g_assert_cmpuint (npy.shape[3], ==, 1);
  AdiffBundle *b = open_bundle ("gray.adstats");
  static const double sig[3] = { 5, 25, 80 };
  double row[16];
  for (guint i = 0; i < 3; i++)
    {
      adiff_wiener_row (b, sig[i] / 255, 2 * 4 + 1, row);
      for (guint p = 0; p < 16; p++)
        g_assert_cmpfloat (fabs (npy.data[i * 16 + p] - row[p]), <, 1e-6);
    }
  adiff_io_npy_clear (&npy);
  adiff_bundle_unref (b);

  /* The PNG montage: three panels side by side plus a colour bar. */
  r = adiff ("sensitivity", "-b", "@gray.adstats", "--sigmas", "5,25,80", "--pixel", "1,2",
             "--colormap", "viridis", "@sens.png", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffIoImage img = load_image ("sens.png");
  g_assert_cmpuint (img.channels, ==, 3);
  g_assert_cmpuint (img.width, >, 3 * 256);
  g_assert_cmpuint (img.height, >=, 256);
  adiff_io_image_clear (&img);

  /* On an image: the window around the pixel; signed rendering. */
  r = adiff ("sensitivity", "-b", "@gray.adstats", "--sigma", "25", "--input", "@rgb16.png",
             "--pixel", "8,5", "--channel", "2", "--signed", "@sens-img.png", NULL);
  expect_ok (&r);
  run_clear (&r);
  r = adiff ("sensitivity", "-b", "@gray.adstats", "--t", "300", "--input", "@gray.png",
             "--pixel", "9,6", "@sens-img.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  npy = load_npy ("sens-img.npy");
  g_assert_cmpuint (npy.ndim, ==, 3);
  /* Pixel (9,6) of a 10×7 image sits at (3,3) of the window at (6,3). */
  b = open_bundle ("gray.adstats");
  adiff_wiener_row (b, adiff_ddpm_sigma (300), 3 * 4 + 3, row);
  for (guint p = 0; p < 16; p++)
    g_assert_cmpfloat (fabs (npy.data[p] - row[p]), <, 1e-6);
  adiff_io_npy_clear (&npy);
  adiff_bundle_unref (b);
}

static void
test_sensitivity_nonlinear (void)
{
  if (!method_available ("gray-ex.adstats", ADIFF_METHOD_ANALYTIC))
    {
      g_test_skip ("the analytic model's sensitivity is not in libadiff yet");
      return;
    }
  Run r = adiff ("sensitivity", "-b", "@gray-ex.adstats", "-m", "analytic", "--input",
                 "@gray.png", "--sigmas", "10,50", "--pixel", "4,4", "@sens-an.png", NULL);
  expect_ok (&r);
  run_clear (&r);
  g_assert_true (exists ("sens-an.png"));
}

/* ---- sample ----------------------------------------------------------------- */

static void
test_sample (void)
{
  Run r = adiff ("sample", "-b", "@gray.adstats", "--steps", "5", "--seed", "3", "@s1.png", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffIoImage img = load_image ("s1.png");
  g_assert_cmpuint (img.width, ==, 4);
  g_assert_cmpuint (img.height, ==, 4);
  adiff_io_image_clear (&img);

  r = adiff ("sample", "-b", "@gray-ex.adstats", "-m", "optimal", "--steps", "4", "--seed", "3",
             "--count", "4", "@s4.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  r = adiff ("sample", "-b", "@gray-ex.adstats", "-m", "optimal", "--steps", "4", "--seed", "3",
             "--count", "4", "@s4-again.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  r = adiff ("sample", "-b", "@gray-ex.adstats", "-m", "optimal", "--steps", "4", "--seed", "4",
             "--count", "1", "--eta", "0.5", "@s1-other.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  AdiffNpy a = load_npy ("s4.npy"), b = load_npy ("s4-again.npy"), c = load_npy ("s1-other.npy");
  g_assert_cmpuint (a.ndim, ==, 4);
  g_assert_cmpuint (a.shape[0], ==, 4);
  g_assert_cmpmem (a.data, 64 * sizeof (float), b.data, 64 * sizeof (float));  /* seeded */
  g_assert_cmpuint (c.ndim, ==, 3);
  g_assert_true (memcmp (a.data, c.data, 16 * sizeof (float)) != 0);
  /* Item i uses seed + i: item 1 of the seed-3 batch is the seed-4 image at η = 0. */
  adiff_io_npy_clear (&a); adiff_io_npy_clear (&b); adiff_io_npy_clear (&c);

  r = adiff ("sample", "-b", "@rgb-ex.adstats", "--count", "5", "--scale", "3", "@grid.png", NULL);
  expect_ok (&r);
  run_clear (&r);
  img = load_image ("grid.png");
  g_assert_cmpuint (img.width, ==, 2 + 3 * (12 + 2));    /* 3 columns of 4×4 at ×3 */
  g_assert_cmpuint (img.height, ==, 2 + 2 * (12 + 2));
  adiff_io_image_clear (&img);
}

/* ---- compare ----------------------------------------------------------------- */

static void
test_compare (void)
{
  /* Reference = the Wiener filter itself: R² = 1, MSE = 0. */
  AdiffNpy z = load_npy ("windows-z.npy");
  AdiffBundle *b = open_bundle ("gray-ex.adstats");
  AdiffParams p;
  adiff_params_init (&p);
  p.sigma = 20 / 255.0;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  float x[6 * 16];
  g_assert_true (adiff_denoiser_apply (den, z.data, 6, x, &error));
  adiff_denoiser_free (den);
  guint64 shape[4] = { 6, 4, 4, 1 };
  write_npy ("ref-wiener.npy", x, 4, shape);
  Run r = adiff ("compare", "-b", "@gray-ex.adstats", "--sigma", "20", "--noisy", "@windows-z.npy",
                 "--reference", "@ref-wiener.npy", "--methods", "wiener", NULL);
  expect_ok (&r);
  g_assert_nonnull (strstr (r.out, "wiener"));
  g_assert_nonnull (strstr (r.out, "1.000000"));
  run_clear (&r);

  /* Against the noisy input as "reference": R² by the formula, per sample. */
  double r2 = 0, mse = 0;
  for (guint i = 0; i < 6; i++)
    {
      double mean = 0, var = 0, se = 0;
      for (guint q = 0; q < 16; q++)
        mean += z.data[i * 16 + q] / 16.0;
      for (guint q = 0; q < 16; q++)
        {
          double y = z.data[i * 16 + q], e = x[i * 16 + q] - y;
          var += (y - mean) * (y - mean) / 16;
          se += e * e;
        }
      r2 += (1 - se / (16 * var)) / 6;
      mse += se / 16 / 6;
    }
  r = adiff ("compare", "-b", "@gray-ex.adstats", "--sigma", "20", "--noisy", "@windows-z.npy",
             "--reference", "@windows-z.npy", "--methods", "wiener,optimal", "--json", NULL);
  expect_ok (&r);
  g_test_message ("%s", r.out);
  const char *w = strstr (r.out, "\"method\": \"wiener\", \"r2\": ");
  g_assert_nonnull (w);
  double got_r2 = g_ascii_strtod (w + strlen ("\"method\": \"wiener\", \"r2\": "), NULL);
  const char *m = strstr (w, "\"mse\": ");
  double got_mse = g_ascii_strtod (m + strlen ("\"mse\": "), NULL);
  g_assert_cmpfloat (fabs (got_r2 - r2), <, 1e-5);
  g_assert_cmpfloat (fabs (got_mse - mse), <, 1e-7);
  g_assert_nonnull (strstr (r.out, "\"method\": \"optimal\""));
  run_clear (&r);

  /* --t instead of --sigma. */
  r = adiff ("compare", "-b", "@gray.adstats", "--t", "50", "--noisy", "@windows-z.npy",
             "--reference", "@ref-wiener.npy", NULL);
  expect_ok (&r);
  run_clear (&r);
  adiff_io_npy_clear (&z);
  adiff_bundle_unref (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  adiff_path = cli_test_adiff_path ();
  GError *error = NULL;
  dir = g_dir_make_tmp ("adiff-cli-XXXXXX", &error);
  g_assert_no_error (error);
  make_fixtures ();

  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/denoise/png", test_denoise_png);
  g_test_add_func ("/cli/denoise/overlap", test_denoise_overlap);
  g_test_add_func ("/cli/denoise/rgb16", test_denoise_rgb16);
  g_test_add_func ("/cli/denoise/alpha", test_denoise_alpha);
  g_test_add_func ("/cli/denoise/batch", test_denoise_batch);
  g_test_add_func ("/cli/denoise/estimate", test_denoise_estimate);
  g_test_add_func ("/cli/denoise/interrupt", test_denoise_interrupt);
  g_test_add_func ("/cli/denoise/photo", test_denoise_photo);
  g_test_add_func ("/cli/denoise/photo-rgba", test_denoise_photo_rgba);
  g_test_add_func ("/cli/denoise/photo-best", test_denoise_photo_best);
  g_test_add_func ("/cli/denoise/default-bundle", test_denoise_default_bundle);
  g_test_add_func ("/cli/sensitivity/wiener", test_sensitivity_wiener);
  g_test_add_func ("/cli/sensitivity/nonlinear", test_sensitivity_nonlinear);
  g_test_add_func ("/cli/sample", test_sample);
  g_test_add_func ("/cli/compare", test_compare);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      char *name = g_strdup_printf ("/cli/bad-input/%s", bad_cases[i].name);
      g_test_add_data_func (name, &bad_cases[i], test_bad_input);
      g_free (name);
    }
  int status = g_test_run ();
  cli_test_remove_dir (dir);
  g_free (dir);
  g_free (adiff_path);
  return status;
}
