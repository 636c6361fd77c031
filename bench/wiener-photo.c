/* wiener-photo.c — speed and memory of the tiler with the Wiener filter.
 *
 *   wiener-photo photo [BUNDLE]   a 4000×3000 RGB image (12 megapixels)
 *                                 with a 32×32×3 bundle: time, peak RSS
 *   wiener-photo huge  [BUNDLE]   a 10000×10000 gray image streamed through
 *                                 adiff_denoise_rows with a 16×16 bundle
 *                                 (rows generated and consumed on the fly):
 *                                 time, peak RSS (see also bench-memory-denoise)
 *
 * Without BUNDLE the bundle is synthetic and of full rank: the eigenvectors
 * are the separable 2-D DCT basis times an orthonormal colour basis (the
 * eigenbasis of a stationary image model), with power-law eigenvalues.  The
 * cost of the Wiener filter depends only on the window size and rank, not
 * on the values.  The photo is synthetic too (smooth pattern plus noise).
 * Targets (issue #4): photo under 10 s on 2 cores; huge with a peak RSS
 * that does not grow with the image height.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include "adiff/adiff.h"

static double
dct (guint f, guint x, guint n)
{
  double s = f == 0 ? sqrt (1.0 / n) : sqrt (2.0 / n);
  return s * cos (G_PI * (x + 0.5) * f / n);
}

typedef struct { double lambda; guint fx, fy, fc; } Mode;

static int
by_lambda (const void *a, const void *b)
{
  double x = ((const Mode *) a)->lambda, y = ((const Mode *) b)->lambda;
  return (x < y) - (x > y);
}

static AdiffBundle *
synthetic_bundle (guint n, guint channels)
{
  static const double colour[3][3] = {
    { 0.57735026919, 0.57735026919, 0.57735026919 },
    { 0.70710678118, 0.0, -0.70710678118 },
    { 0.40824829046, -0.81649658092, 0.40824829046 },
  };
  gsize d = (gsize) n * n * channels;
  Mode *modes = g_new (Mode, d);
  gsize m = 0;
  for (guint fy = 0; fy < n; fy++)
    for (guint fx = 0; fx < n; fx++)
      for (guint fc = 0; fc < channels; fc++)
        modes[m++] = (Mode) { 0.05 / (1.0 + fx * fx + fy * fy) * (fc ? 0.1 : 1.0), fx, fy, fc };
  qsort (modes, d, sizeof (Mode), by_lambda);
  double *vals = g_new (double, d), *vecs = g_new (double, d * d), *mean = g_new (double, d);
  for (gsize i = 0; i < d; i++)
    {
      vals[i] = modes[i].lambda;
      mean[i] = 0.5;
      for (guint y = 0; y < n; y++)
        for (guint x = 0; x < n; x++)
          for (guint c = 0; c < channels; c++)
            vecs[i * d + ((gsize) y * n + x) * channels + c] =
              dct (modes[i].fy, y, n) * dct (modes[i].fx, x, n) *
              (channels == 1 ? 1.0 : colour[modes[i].fc][c]);
    }
  AdiffBundleData data = {
    .width = n, .height = n, .channels = channels, .n_items = 1, .mean = mean,
    .n_components = d, .eigenvalues = vals, .eigenvectors = vecs,
  };
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_new_from_data (&data, &error);
  if (!b)
    g_error ("%s", error->message);
  g_free (modes); g_free (vals); g_free (vecs); g_free (mean);
  return b;
}

/* User + system CPU seconds of the process so far: with the wall time it
 * shows whether the machine was busy with other work during the run. */
static double
cpu_seconds (void)
{
  struct rusage u;
  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

static double
load_average (void)
{
  double l = 0;
  FILE *f = fopen ("/proc/loadavg", "r");
  if (f)
    {
      if (fscanf (f, "%lf", &l) != 1)
        l = 0;
      fclose (f);
    }
  return l;
}

static double
peak_rss_mib (void)
{
  struct rusage u;
  getrusage (RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

/* A deterministic smooth pattern plus hashed noise, one row at a time. */
static void
pattern_row (guint y, guint width, guint channels, float *row)
{
  for (guint x = 0; x < width; x++)
    for (guint c = 0; c < channels; c++)
      {
        guint32 h = (y * 2654435761u) ^ (x * 2246822519u) ^ (c * 3266489917u);
        h ^= h >> 15; h *= 2246822519u; h ^= h >> 13;
        float noise = ((h & 0xffff) / 65535.0f - 0.5f) * 0.3f;
        row[(gsize) x * channels + c] =
          0.5f + 0.3f * sinf (x * 0.01f + c) * cosf (y * 0.013f) + noise;
      }
}

typedef struct { guint width, channels; double checksum; } Stream;

static gboolean
read_rows (guint y, guint n, float *buf, gpointer data, GError **error)
{
  Stream *s = data;
  for (guint r = 0; r < n; r++)
    pattern_row (y + r, s->width, s->channels, buf + (gsize) r * s->width * s->channels);
  return TRUE;
}

static gboolean
write_rows (guint y, guint n, const float *buf, gpointer data, GError **error)
{
  Stream *s = data;
  gsize len = (gsize) n * s->width * s->channels;
  for (gsize i = 0; i < len; i++)
    s->checksum += buf[i];
  return TRUE;
}

static AdiffDenoiser *
make_denoiser (const char *path, guint n, guint channels)
{
  GError *error = NULL;
  AdiffBundle *b = path ? adiff_bundle_open (path, NULL, &error)
                        : synthetic_bundle (n, channels);
  if (!b)
    g_error ("%s", error->message);
  AdiffParams p;
  adiff_params_init (&p);
  p.sigma = 25.0 / 255.0;
  AdiffDenoiser *den = adiff_denoiser_new (b, &p, &error);
  if (!den)
    g_error ("%s", error->message);
  adiff_bundle_unref (b);
  return den;
}

static void
run (const char *what, AdiffDenoiser *den, guint width, guint height, guint channels,
     gboolean in_memory)
{
  AdiffBundle *b = adiff_denoiser_get_bundle (den);
  GError *error = NULL;
  double rss0 = peak_rss_mib ();
  gint64 t0 = g_get_monotonic_time ();
  double cpu0 = cpu_seconds ();
  gboolean ok;
  double checksum = 0;
  if (in_memory)
    {
      gsize row = (gsize) width * channels;
      float *img = g_new (float, row * height);
      for (guint y = 0; y < height; y++)
        pattern_row (y, width, channels, img + y * row);
      t0 = g_get_monotonic_time ();
      cpu0 = cpu_seconds ();
      ok = adiff_denoise_image (den, img, img, width, height, channels, NULL, NULL, &error);
      for (gsize i = 0; ok && i < row * height; i++)
        checksum += img[i];
      g_free (img);
    }
  else
    {
      Stream s = { width, channels, 0 };
      ok = adiff_denoise_rows (den, width, height, channels, read_rows, write_rows, &s,
                               NULL, NULL, &error);
      checksum = s.checksum;
    }
  double secs = (g_get_monotonic_time () - t0) / 1e6, cpu = cpu_seconds () - cpu0;
  if (!ok)
    g_error ("%s", error->message);
  printf ("%s: %u×%u×%u image, %u×%u×%u bundle (%u components): %.2f s "
          "(%.1f CPU s on %d cores, load average %.1f), %.1f Mpixel/s, "
          "peak RSS %.0f MiB (%.0f MiB before), mean %.4f\n",
          what, width, height, channels, adiff_bundle_get_width (b),
          adiff_bundle_get_height (b), adiff_bundle_get_channels (b),
          adiff_bundle_get_n_components (b), secs, cpu, g_get_num_processors (), load_average (),
          width * (double) height / secs / 1e6,
          peak_rss_mib (), rss0, checksum / ((double) width * height * channels));
}

int
main (int argc, char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "photo";
  const char *bundle = argc > 2 ? argv[2] : NULL;
  if (g_str_equal (mode, "photo"))
    {
      AdiffDenoiser *den = make_denoiser (bundle, 32, 3);
      run ("wiener-photo", den, 4000, 3000, 3, TRUE);
      adiff_denoiser_free (den);
    }
  else if (g_str_equal (mode, "huge"))
    {
      AdiffDenoiser *den = make_denoiser (bundle, 16, 1);
      run ("wiener-huge (streamed)", den, 10000, 10000, 1, FALSE);
      adiff_denoiser_free (den);
    }
  else
    {
      fprintf (stderr, "usage: wiener-photo photo|huge [BUNDLE]\n");
      return 1;
    }
  return 0;
}
