/* test-shipped-rgb.c — the colour photo bundle shipped in data/
 * (natural-rgb-8x8.adstats): it loads (every checksum and size checked),
 * holds what data/README.md says, and its Wiener filter runs on a small
 * synthetic RGB image, removing noise and, unlike the gray bundle channel by
 * channel, most of the colour noise.  (adiff-stats verify runs on it in
 * tests/stats, like on every shipped bundle.)  Needs nothing outside the
 * repository.
 *
 *   test-shipped-rgb [--tap] RGB_BUNDLE GRAY_BUNDLE */
#include <math.h>
#include "adiff/adiff.h"

#define W 40
#define H 33

static const char *rgb_path, *gray_path;

static AdiffBundle *
open_shipped (const char *path)
{
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_open (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (b);
  return b;
}

static void
test_holds_what_readme_says (void)
{
  AdiffBundle *b = open_shipped (rgb_path);
  g_assert_cmpuint (adiff_bundle_get_width (b), ==, 8);
  g_assert_cmpuint (adiff_bundle_get_height (b), ==, 8);
  g_assert_cmpuint (adiff_bundle_get_channels (b), ==, 3);
  g_assert_cmpuint (adiff_bundle_get_dim (b), ==, 192);
  g_assert_cmpuint (adiff_bundle_get_n_components (b), ==, 192);
  g_assert_cmpuint (adiff_bundle_get_n_exemplars (b), ==, 50000);
  g_assert_cmpuint (adiff_bundle_get_n_items (b), ==, 432000);
  const double *mean = adiff_bundle_get_mean (b), *vals = adiff_bundle_get_eigenvalues (b);
  for (guint i = 0; i < 192; i++)
    {
      g_assert_cmpfloat (mean[i], >, 0.2);
      g_assert_cmpfloat (mean[i], <, 0.8);
      g_assert_cmpfloat (vals[i], >=, 0);
      if (i > 0)
        g_assert_cmpfloat (vals[i], <=, vals[i - 1]);
    }
  adiff_bundle_unref (b);
}

/* A smooth colour scene: gradients that differ per channel. */
static void
make_scene (float *clean, float *noisy)
{
  GRand *r = g_rand_new_with_seed (17);
  for (guint y = 0; y < H; y++)
    for (guint x = 0; x < W; x++)
      for (guint c = 0; c < 3; c++)
        {
          gsize i = ((gsize) y * W + x) * 3 + c;
          clean[i] = (float) (0.3 + 0.4 * (c == 0 ? x / (double) W : c == 1 ? y / (double) H
                                           : 0.5 + 0.25 * sin (0.2 * (x + y))));
          /* Box–Muller: σ = 25/255 */
          double u1 = g_rand_double_range (r, 1e-12, 1), u2 = g_rand_double (r);
          noisy[i] = clean[i] + (float) (25 / 255.0 * sqrt (-2 * log (u1)) * cos (2 * G_PI * u2));
        }
  g_rand_free (r);
}

/* Mean squared errors, RGB and of the two chroma channels of the
 * orthonormal opponent transform. */
static void
errors (const float *a, const float *b, double *rgb, double *chroma)
{
  *rgb = *chroma = 0;
  for (gsize p = 0; p < (gsize) W * H; p++)
    {
      double d[3];
      for (guint c = 0; c < 3; c++)
        {
          d[c] = (double) a[p * 3 + c] - b[p * 3 + c];
          *rgb += d[c] * d[c];
        }
      double o1 = (d[0] - d[1]) / sqrt (2), o2 = (d[0] + d[1] - 2 * d[2]) / sqrt (6);
      *chroma += o1 * o1 + o2 * o2;
    }
  *rgb /= (double) W * H * 3;
  *chroma /= (double) W * H * 2;
}

static float *
wiener (const char *path, const float *noisy)
{
  AdiffBundle *b = open_shipped (path);
  AdiffParams params;
  adiff_params_init (&params);
  params.sigma = 25 / 255.0;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &params, &error);
  g_assert_no_error (error);
  float *out = g_new (float, (gsize) W * H * 3);
  g_assert_true (adiff_denoise_image (den, noisy, out, W, H, 3, NULL, NULL, &error));
  g_assert_no_error (error);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  return out;
}

static void
test_wiener_on_rgb (void)
{
  float *clean = g_new (float, (gsize) W * H * 3), *noisy = g_new (float, (gsize) W * H * 3);
  make_scene (clean, noisy);
  float *joint = wiener (rgb_path, noisy), *per_channel = wiener (gray_path, noisy);
  double noisy_rgb, noisy_chroma, joint_rgb, joint_chroma, gray_rgb, gray_chroma;
  errors (noisy, clean, &noisy_rgb, &noisy_chroma);
  errors (joint, clean, &joint_rgb, &joint_chroma);
  errors (per_channel, clean, &gray_rgb, &gray_chroma);
  g_test_message ("MSE RGB / chroma: noisy %.3g / %.3g, RGB bundle %.3g / %.3g, "
                  "gray per channel %.3g / %.3g", noisy_rgb, noisy_chroma, joint_rgb,
                  joint_chroma, gray_rgb, gray_chroma);
  for (gsize i = 0; i < (gsize) W * H * 3; i++)
    g_assert_true (isfinite (joint[i]));
  g_assert_cmpfloat (joint_rgb, <, noisy_rgb / 4);       /* more than 6 dB */
  g_assert_cmpfloat (joint_rgb, <, gray_rgb);
  g_assert_cmpfloat (joint_chroma, <, gray_chroma / 2);  /* the mottling, mostly gone */
  g_free (clean); g_free (noisy); g_free (joint); g_free (per_channel);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc != 3)
    {
      g_printerr ("usage: %s [--tap] RGB_BUNDLE GRAY_BUNDLE\n", argv[0]);
      return 2;
    }
  rgb_path = argv[1];
  gray_path = argv[2];
  g_test_add_func ("/shipped-rgb/holds-what-readme-says", test_holds_what_readme_says);
  g_test_add_func ("/shipped-rgb/wiener-on-rgb", test_wiener_on_rgb);
  return g_test_run ();
}
