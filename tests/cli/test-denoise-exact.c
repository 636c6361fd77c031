/* test-denoise-exact.c — `adiff denoise` on inputs of exactly the bundle's
 * window size: the paper's setting.  Each item must be the model applied
 * to that one window (no shifted or mirrored windows, no blending), so the
 * output must equal the library's window call (adiff_denoiser_apply) and
 * be what `adiff compare` scores as a perfect reference, to 1e-5, for
 * every method and mode; --tile must give the tiler's result instead.
 *
 * Bundles come from tests/models/synth.c (a Gaussian with a stationary
 * covariance and exemplars drawn from it): 5×5 gray and 3×3 RGB. */
#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include "adiff/adiff.h"
#include "adiff-io.h"
#include "cli-test-util.h"
#include "../models/synth.h"

#define SIGMA255 30
#define N_ITEMS  7

static char *adiff_path, *dir;

static char *
path (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

/* Run adiff with the NULL-terminated arguments ("@name": a scratch file);
 * returns its exit status, stdout in *out when out is not NULL. */
static int
run_adiff (char **out, const char *const *args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (adiff_path));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, args[i][0] == '@' ? path (args[i] + 1) : g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  g_autofree char *err = NULL;
  int wait;
  GError *error = NULL;
  g_assert_true (g_spawn_sync (dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, &err, &wait, &error));
  g_assert_no_error (error);
  g_ptr_array_free (argv, TRUE);
  if (!WIFEXITED (wait) || WEXITSTATUS (wait) != 0)
    g_test_message ("adiff: %s", err);
  return WIFEXITED (wait) ? WEXITSTATUS (wait) : 128;
}

static AdiffBundle *
open_bundle (const char *name)
{
  return cli_test_open_bundle (dir, name);
}

static void
save_npy (const char *name, const float *data, guint ndim, const guint64 *shape)
{
  cli_test_save_npy (dir, name, data, ndim, shape);
}

static AdiffNpy
load_npy (const char *name)
{
  return cli_test_load_npy (dir, name);
}

/* n noisy windows drawn around the bundle's Gaussian. */
static float *
noisy_windows (const char *bundle, guint n, guint32 seed)
{
  AdiffBundle *b = open_bundle (bundle);
  gsize d = adiff_bundle_get_dim (b);
  float *z = g_new (float, n * d);
  for (guint i = 0; i < n; i++)
    synth_noisy (b, SIGMA255 / 255.0, seed + i, z + i * d);
  adiff_bundle_unref (b);
  return z;
}

/* One configuration of the model options, as given to both commands. */
typedef struct
{
  const char *method;
  gboolean    exact;
} Model;

static const Model models[] = {
  { "wiener", FALSE }, { "optimal", FALSE }, { "optimal", TRUE },
  { "analytic", FALSE }, { "analytic", TRUE }, { "patch", FALSE },
};

/* The library's window call on n windows. */
static float *
library_apply (const char *bundle, const Model *m, double sigma, const float *z, gsize n)
{
  AdiffBundle *b = open_bundle (bundle);
  AdiffParams p;
  adiff_params_init (&p);
  g_assert_true (adiff_method_from_string (m->method, &p.method));
  p.exact = m->exact;
  p.sigma = sigma;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  g_assert_no_error (error);
  float *x = g_new (float, n * adiff_bundle_get_dim (b));
  g_assert_true (adiff_denoiser_apply (den, z, n, x, &error));
  g_assert_no_error (error);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  return x;
}

static void
assert_close (const float *a, const float *b, gsize n, double tol, const char *what)
{
  for (gsize i = 0; i < n; i++)
    if (!(fabs ((double) a[i] - b[i]) <= tol))
      g_error ("%s, value %" G_GSIZE_FORMAT ": %.9g vs %.9g", what, i, a[i], b[i]);
}

/* `adiff denoise` with the model on IN into OUT (scratch names), plus
 * an extra option or NULL. */
static int
denoise (const char *bundle, const Model *m, const char *in, const char *out,
         const char *extra)
{
  g_autofree char *b = g_strconcat ("@", bundle, NULL);
  g_autofree char *i = g_strconcat ("@", in, NULL), *o = g_strconcat ("@", out, NULL);
  const char *args[12] = { "denoise", "-b", b, "-m", m->method, "--sigma",
                           G_STRINGIFY (SIGMA255) };
  guint n = 7;
  if (m->exact)
    args[n++] = "--exact";
  if (extra)
    args[n++] = extra;
  args[n++] = i;
  args[n++] = o;
  return run_adiff (NULL, args);
}

/* The MSE `adiff compare` reports for the model against REF. */
static double
compare_mse (const char *bundle, const Model *m, const char *noisy, const char *ref)
{
  g_autofree char *b = g_strconcat ("@", bundle, NULL), *out = NULL;
  g_autofree char *z = g_strconcat ("@", noisy, NULL), *r = g_strconcat ("@", ref, NULL);
  const char *args[] = { "compare", "-b", b, "--sigma", G_STRINGIFY (SIGMA255), "--noisy", z,
                         "--reference", r, "--methods", m->method, "--json",
                         m->exact ? "--exact" : NULL, NULL };
  g_assert_cmpint (run_adiff (&out, args), ==, 0);
  const char *mse = strstr (out, "\"mse\": ");
  g_assert_nonnull (mse);
  return g_ascii_strtod (mse + strlen ("\"mse\": "), NULL);
}

/* Every model on an (N,H,W,C) batch of gray windows and of RGB windows:
 * the library's window call and `adiff compare`, to 1e-5. */
static void
test_models (gconstpointer data)
{
  const char *bundle = data;
  AdiffBundle *b = open_bundle (bundle);
  guint64 shape[4] = { N_ITEMS, adiff_bundle_get_height (b), adiff_bundle_get_width (b),
                       adiff_bundle_get_channels (b) };
  gsize d = adiff_bundle_get_dim (b);
  adiff_bundle_unref (b);
  g_autofree float *z = noisy_windows (bundle, N_ITEMS, 40);
  save_npy ("z.npy", z, 4, shape);
  for (guint k = 0; k < G_N_ELEMENTS (models); k++)
    {
      const Model *m = &models[k];
      g_autofree char *what = g_strdup_printf ("%s %s%s", bundle, m->method,
                                               m->exact ? " --exact" : "");
      g_assert_cmpint (denoise (bundle, m, "z.npy", "x.npy", NULL), ==, 0);
      AdiffNpy x = load_npy ("x.npy");
      g_assert_cmpuint (x.ndim, ==, 4);
      g_assert_cmpmem (x.shape, sizeof shape, shape, sizeof shape);
      g_autofree float *ref = library_apply (bundle, m, SIGMA255 / 255.0, z, N_ITEMS);
      assert_close (x.data, ref, N_ITEMS * d, 1e-5, what);
      adiff_io_npy_clear (&x);
      double mse = compare_mse (bundle, m, "z.npy", "x.npy");
      g_test_message ("%s: compare MSE %.3g", what, mse);
      g_assert_cmpfloat (mse, <=, 1e-10);          /* every value within 1e-5 */
    }
}

/* Other layouts of the same windows: (N,H,W), (H,W), (1,H,W,1) and a
 * 16-bit PNG (streamed row by row) give the same items. */
static void
test_layouts (void)
{
  const Model m = { "analytic", FALSE };
  g_autofree float *z = noisy_windows ("gray.adstats", N_ITEMS, 60);
  g_autofree float *ref = library_apply ("gray.adstats", &m, SIGMA255 / 255.0, z, N_ITEMS);
  guint64 batch3[3] = { N_ITEMS, 5, 5 }, plane[2] = { 5, 5 }, one[4] = { 1, 5, 5, 1 };
  struct { const char *name; guint ndim; const guint64 *shape; guint n; } layouts[] = {
    { "nhw.npy", 3, batch3, N_ITEMS }, { "hw.npy", 2, plane, 1 }, { "one.npy", 4, one, 1 },
  };
  for (guint k = 0; k < G_N_ELEMENTS (layouts); k++)
    {
      save_npy (layouts[k].name, z, layouts[k].ndim, layouts[k].shape);
      g_assert_cmpint (denoise ("gray.adstats", &m, layouts[k].name, "out.npy", NULL), ==, 0);
      AdiffNpy x = load_npy ("out.npy");
      g_assert_cmpuint (x.ndim, ==, layouts[k].ndim);          /* the input's layout */
      g_assert_cmpmem (x.shape, layouts[k].ndim * 8, layouts[k].shape, layouts[k].ndim * 8);
      assert_close (x.data, ref, layouts[k].n * 25, 1e-5, layouts[k].name);
      adiff_io_npy_clear (&x);
    }

  /* A window-sized 16-bit PNG, PNG out: the row-by-row path takes it too. */
  g_autofree char *png = path ("window.png"), *png_out = path ("window-out.png");
  AdiffIoImage img = { .width = 5, .height = 5, .channels = 1, .bit_depth = 16,
                       .data = g_new (float, 25) };
  for (guint i = 0; i < 25; i++)
    img.data[i] = CLAMP (z[i], 0.0f, 1.0f);
  g_assert_true (adiff_io_image_save (png, &img, 16, NULL));
  adiff_io_image_clear (&img);
  g_assert_true (adiff_io_image_load (png, &img, NULL));
  g_autofree float *ref_png = library_apply ("gray.adstats", &m, SIGMA255 / 255.0, img.data, 1);
  adiff_io_image_clear (&img);
  g_assert_cmpint (denoise ("gray.adstats", &m, "window.png", "window-out.png", NULL), ==, 0);
  g_assert_true (adiff_io_image_load (png_out, &img, NULL));
  for (guint i = 0; i < 25; i++)
    ref_png[i] = CLAMP (ref_png[i], 0.0f, 1.0f);
  assert_close (img.data, ref_png, 25, 0.5 / 65535 + 1e-6, "16-bit PNG");
  adiff_io_image_clear (&img);
}

/* A gray bundle on RGB windows: each channel is a window of its own. */
static void
test_gray_bundle_on_rgb (void)
{
  const Model m = { "optimal", FALSE };
  g_autofree float *planes = noisy_windows ("gray.adstats", 2 * 3, 80);
  float rgb[2 * 25 * 3];
  for (guint i = 0; i < 2; i++)
    for (guint p = 0; p < 25; p++)
      for (guint c = 0; c < 3; c++)
        rgb[(i * 25 + p) * 3 + c] = planes[(i * 3 + c) * 25 + p];
  guint64 shape[4] = { 2, 5, 5, 3 };
  save_npy ("rgb-windows.npy", rgb, 4, shape);
  g_assert_cmpint (denoise ("gray.adstats", &m, "rgb-windows.npy", "rgb-out.npy", NULL), ==, 0);
  g_autofree float *ref = library_apply ("gray.adstats", &m, SIGMA255 / 255.0, planes, 6);
  AdiffNpy x = load_npy ("rgb-out.npy");
  for (guint i = 0; i < 2; i++)
    for (guint p = 0; p < 25; p++)
      for (guint c = 0; c < 3; c++)
        assert_close (&x.data[(i * 25 + p) * 3 + c], &ref[(i * 3 + c) * 25 + p], 1, 1e-5,
                      "gray bundle on RGB");
  adiff_io_npy_clear (&x);
}

/* --tile: the tiler's blend of shifted windows, as for larger images. */
static void
test_tile_option (void)
{
  const Model m = { "wiener", FALSE };
  g_autofree float *z = noisy_windows ("gray.adstats", 1, 90);
  guint64 plane[2] = { 5, 5 };
  save_npy ("tile-in.npy", z, 2, plane);
  g_assert_cmpint (denoise ("gray.adstats", &m, "tile-in.npy", "tile-out.npy", "--tile"), ==, 0);

  AdiffBundle *b = open_bundle ("gray.adstats");
  AdiffParams p;
  adiff_params_init (&p);
  p.sigma = SIGMA255 / 255.0;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  float tiled[25];
  g_assert_true (adiff_denoise_image (den, z, tiled, 5, 5, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);

  AdiffNpy x = load_npy ("tile-out.npy");
  assert_close (x.data, tiled, 25, 1e-6, "--tile");
  g_autofree float *window = library_apply ("gray.adstats", &m, p.sigma, z, 1);
  double diff = 0;
  for (guint i = 0; i < 25; i++)
    diff = MAX (diff, fabs ((double) window[i] - tiled[i]));
  g_assert_cmpfloat (diff, >, 1e-3);          /* the two paths are different denoisers */
  adiff_io_npy_clear (&x);
}

/* --estimate-sigma: each window with its own σ, still one window call. */
static void
test_estimate_sigma (void)
{
  const Model m = { "wiener", FALSE };
  g_autofree float *z = noisy_windows ("gray.adstats", 3, 100);
  guint64 shape[4] = { 3, 5, 5, 1 };
  save_npy ("est.npy", z, 4, shape);
  const char *args[] = { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--estimate-sigma", "@est.npy",
                         "@est-out.npy", NULL };
  g_assert_cmpint (run_adiff (NULL, args), ==, 0);
  AdiffNpy x = load_npy ("est-out.npy");
  for (guint i = 0; i < 3; i++)
    {
      double s = adiff_estimate_sigma (z + i * 25, 5, 5, 1);
      g_autofree float *ref = library_apply ("gray.adstats", &m, s, z + i * 25, 1);
      assert_close (x.data + i * 25, ref, 25, 1e-5, "--estimate-sigma");
    }
  adiff_io_npy_clear (&x);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  adiff_path = cli_test_adiff_path ();
  GError *error = NULL;
  dir = g_dir_make_tmp ("adiff-exact-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *gray = path ("gray.adstats"), *rgb = path ("rgb.adstats");
  synth_bundle_write (gray, 5, 5, 1, 40, 0, 3);
  synth_bundle_write (rgb, 3, 3, 3, 30, 0, 5);

  g_test_add_data_func ("/cli/exact/models/gray", "gray.adstats", test_models);
  g_test_add_data_func ("/cli/exact/models/rgb", "rgb.adstats", test_models);
  g_test_add_func ("/cli/exact/layouts", test_layouts);
  g_test_add_func ("/cli/exact/gray-bundle-on-rgb", test_gray_bundle_on_rgb);
  g_test_add_func ("/cli/exact/tile-option", test_tile_option);
  g_test_add_func ("/cli/exact/estimate-sigma", test_estimate_sigma);
  int status = g_test_run ();
  cli_test_remove_dir (dir);
  g_free (dir);
  g_free (adiff_path);
  return status;
}
