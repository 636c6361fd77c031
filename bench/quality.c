/* quality.c — denoising quality on Set12: Gaussian noise σ = 15, 25, 50
 * (0–255 scale, seeded) on the PNGs of ../shared/images/set12, PSNR of each model
 * with a gray photo bundle, next to BM3D's published Set12 averages
 * (Dabov et al. 2007, as tabulated by Zhang et al. 2017: 32.37 / 29.97 /
 * 26.72 dB).
 *
 *   quality [--bundle B] [--set12 DIR] [--methods wiener,analytic,...]
 *           [--sigmas 15,25,50] [--images N] [--exact] [--tau T] [--overlap N]
 *
 * Defaults: the bundle data/natural-gray-8x8.adstats of the source tree and
 * ../shared/images/set12; the benchmark is skipped (exit 77) when either is
 * missing.  Never tune on the images the statistics came from (the default
 * bundle is built from train400, disjoint from Set12).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "adiff/adiff.h"
#include "io/adiff-io.h"

static double
gaussian (GRand *r)
{
  double u = 1.0 - g_rand_double (r), v = g_rand_double (r);
  return sqrt (-2 * log (u)) * cos (2 * G_PI * v);
}

static double
psnr (const float *x, const float *ref, gsize n)
{
  double se = 0;
  for (gsize i = 0; i < n; i++)
    {
      double v = CLAMP (x[i], 0.0f, 1.0f) - ref[i];
      se += v * v;
    }
  return 10 * log10 (n / MAX (se, 1e-20));
}

static const double bm3d[] = { 32.37, 29.97, 26.72 };   /* σ = 15, 25, 50 */

static double
bm3d_for (double s)
{
  return s == 15 ? bm3d[0] : s == 25 ? bm3d[1] : s == 50 ? bm3d[2] : NAN;
}

int
main (int argc, char **argv)
{
  char *bundle_path = NULL, *dir = NULL, *methods = NULL, *sigmas = NULL;
  int images = 12;
  gboolean exact = FALSE;
  double tau = 0.02;
  int overlap = 2;
  GOptionEntry entries[] = {
    { "bundle", 0, 0, G_OPTION_ARG_FILENAME, &bundle_path, "Gray bundle", "B" },
    { "set12", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Folder of the Set12 PNGs", "DIR" },
    { "methods", 0, 0, G_OPTION_ARG_STRING, &methods, "Comma-separated methods (default wiener,analytic)", "M" },
    { "sigmas", 0, 0, G_OPTION_ARG_STRING, &sigmas, "Comma-separated σ on 0–255 (default 15,25,50)", "S" },
    { "images", 0, 0, G_OPTION_ARG_INT, &images, "Use the first N images (default 12)", "N" },
    { "exact", 0, 0, G_OPTION_ARG_NONE, &exact, "Exact mode", NULL },
    { "tau", 0, 0, G_OPTION_ARG_DOUBLE, &tau, "Analytic τ (default 0.02)", "T" },
    { "overlap", 0, 0, G_OPTION_ARG_INT, &overlap, "Windows over each pixel along each axis (default 2)", "N" },
    { NULL }
  };
  setvbuf (stdout, NULL, _IOLBF, 0);
  GOptionContext *ctx = g_option_context_new ("— PSNR of the denoisers on Set12");
  g_option_context_add_main_entries (ctx, entries, NULL);
  GError *error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "quality: %s\n", error->message);
      return 2;
    }
  g_option_context_free (ctx);
  const char *root = g_getenv ("ADIFF_SOURCE_ROOT");
  char *def_bundle = g_build_filename (root ? root : ".", "data", "natural-gray-8x8.adstats", NULL);
  char *def_dir = g_build_filename (root ? root : ".", "..", "shared", "images", "set12", NULL);
  if (!bundle_path)
    bundle_path = def_bundle;
  if (!dir)
    dir = def_dir;
  if (!g_file_test (bundle_path, G_FILE_TEST_EXISTS) || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      printf ("quality: skipped (no %s or no %s)\n", bundle_path, dir);
      return 77;
    }
  AdiffBundle *b = adiff_bundle_open (bundle_path, NULL, &error);
  if (!b)
    {
      fprintf (stderr, "quality: %s\n", error->message);
      return 1;
    }
  char **ms = g_strsplit (methods ? methods : "wiener,analytic", ",", -1);
  char **ss = g_strsplit (sigmas ? sigmas : "15,25,50", ",", -1);
  printf ("bundle %s (%u×%u, %u exemplars), %s mode, τ = %g, overlap %d\n", bundle_path,
          adiff_bundle_get_width (b), adiff_bundle_get_height (b),
          adiff_bundle_get_n_exemplars (b), exact ? "exact" : "fast", tau, overlap);
  for (char **s = ss; *s; s++)
    {
      double s255 = g_ascii_strtod (*s, NULL);
      printf ("\nσ = %g: BM3D (published Set12 average) %.2f dB\n", s255, bm3d_for (s255));
      for (char **m = ms; *m; m++)
        {
          AdiffParams p;
          adiff_params_init (&p);
          if (!adiff_method_from_string (*m, &p.method))
            {
              fprintf (stderr, "quality: unknown method %s\n", *m);
              return 2;
            }
          p.sigma = s255 / 255;
          p.exact = exact;
          p.tau = tau;
          p.overlap = (guint) overlap;
          AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
          if (!den)
            {
              fprintf (stderr, "quality: %s\n", error->message);
              return 1;
            }
          double sum = 0, noisy_sum = 0, t0 = g_get_monotonic_time () / 1e6;
          int count = 0;
          printf ("  %-9s", *m);
          for (int i = 1; i <= images; i++)
            {
              char *name = g_strdup_printf ("%02d.png", i);
              char *path = g_build_filename (dir, name, NULL);
              AdiffIoImage im = { 0 };
              if (!adiff_io_image_load (path, &im, &error) || im.channels != 1)
                {
                  fprintf (stderr, "quality: %s: %s\n", path, error ? error->message : "not gray");
                  return 1;
                }
              gsize n = (gsize) im.width * im.height;
              float *z = g_new (float, n), *x = g_new (float, n);
              GRand *r = g_rand_new_with_seed ((guint32) (1000 * i + s255));
              for (gsize k = 0; k < n; k++)
                z[k] = (float) (im.data[k] + p.sigma * gaussian (r));
              if (!adiff_denoise_image (den, z, x, im.width, im.height, 1, NULL, NULL, &error))
                {
                  fprintf (stderr, "quality: %s\n", error->message);
                  return 1;
                }
              double v = psnr (x, im.data, n);
              noisy_sum += psnr (z, im.data, n);
              printf (" %5.2f", v);
              sum += v;
              count++;
              g_rand_free (r);
              adiff_io_image_clear (&im);
              g_free (z); g_free (x); g_free (name); g_free (path);
            }
          printf ("  | mean %.2f dB (noisy %.2f), %.0f s\n", sum / count, noisy_sum / count,
                  g_get_monotonic_time () / 1e6 - t0);
          adiff_denoiser_free (den);
        }
    }
  g_strfreev (ms);
  g_strfreev (ss);
  adiff_bundle_unref (b);
  g_free (def_bundle);
  g_free (def_dir);
  return 0;
}
