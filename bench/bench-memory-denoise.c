/* bench-memory-denoise.c — peak memory of adiff_denoise_rows on a huge
 * gray image that never exists in memory as a whole.
 *
 *   bench-memory-denoise [WIDTH HEIGHT [WINDOW]]    default 10000 10000 8
 *
 * The input rows are generated on demand (a smooth pattern plus
 * deterministic noise), the output rows are checked for finiteness and
 * summed, then dropped.  A Wiener denoiser over a WINDOW×WINDOW gray
 * bundle with a stationary covariance does the work.  Prints wall time,
 * megapixels per second and peak RSS (getrusage); run it under
 * /usr/bin/time -v for the kernel's own figure (meson's benchmark does).
 * Peak RSS must not grow with HEIGHT: docs/limits.md states the bound.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <lapacke.h>
#include "adiff/adiff.h"

typedef struct
{
  guint width;
  double sum;
  guint64 rows_out;
} Job;

/* Eigenpairs of C_pq = 0.05·0.9^(|Δx|+|Δy|) on a w×w window, descending. */
static AdiffBundle *
make_bundle (guint w)
{
  gsize d = (gsize) w * w;
  double *a = g_new (double, d * d), *ev = g_new (double, d);
  double *vals = g_new (double, d), *vecs = g_new (double, d * d), *mean = g_new (double, d);
  for (gsize p = 0; p < d; p++)
    for (gsize q = 0; q < d; q++)
      a[p * d + q] = 0.05 * pow (0.9, abs ((int) (p % w) - (int) (q % w)) +
                                       abs ((int) (p / w) - (int) (q / w)));
  if (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'V', 'U', d, a, d, ev) != 0)
    abort ();
  for (gsize i = 0; i < d; i++)
    {
      vals[i] = MAX (ev[d - 1 - i], 0.0);
      for (gsize p = 0; p < d; p++)
        vecs[i * d + p] = a[p * d + d - 1 - i];
      mean[i] = 0.5;
    }
  AdiffBundleData data = {
    .width = w, .height = w, .channels = 1, .n_items = 1000, .mean = mean,
    .n_components = d, .eigenvalues = vals, .eigenvectors = vecs,
  };
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_new_from_data (&data, &error);
  if (!b)
    {
      fprintf (stderr, "bench: %s\n", error->message);
      exit (1);
    }
  g_free (a); g_free (ev); g_free (vals); g_free (vecs); g_free (mean);
  return b;
}

static gboolean
read_rows (guint y, guint n, float *buf, gpointer data, GError **error)
{
  Job *job = data;
  for (guint r = 0; r < n; r++)
    for (guint x = 0; x < job->width; x++)
      {
        guint32 h = (guint32) ((y + r) * 2654435761u) ^ (guint32) (x * 40503u);
        h ^= h >> 15; h *= 2246822519u; h ^= h >> 13;
        float noise = ((float) (h & 0xffff) / 65535.0f - 0.5f) * 0.2f;
        buf[(gsize) r * job->width + x] =
          0.5f + 0.3f * sinf ((float) x * 0.01f) * cosf ((float) (y + r) * 0.013f) + noise;
      }
  return TRUE;
}

static gboolean
write_rows (guint y, guint n, const float *buf, gpointer data, GError **error)
{
  Job *job = data;
  for (gsize i = 0; i < (gsize) n * job->width; i++)
    {
      if (!isfinite (buf[i]))
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC, "non-finite output at row %u", y);
          return FALSE;
        }
      job->sum += buf[i];
    }
  job->rows_out += n;
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint width = argc > 2 ? atoi (argv[1]) : 10000;
  guint height = argc > 2 ? atoi (argv[2]) : 10000;
  guint win = argc > 3 ? atoi (argv[3]) : 8;
  AdiffBundle *b = make_bundle (win);
  AdiffParams params;
  adiff_params_init (&params);
  params.method = ADIFF_METHOD_WIENER;
  params.sigma = 25.0 / 255.0;
  GError *error = NULL;
  AdiffDenoiser *den = adiff_denoiser_new (b, &params, &error);
  if (!den)
    {
      fprintf (stderr, "bench: %s\n", error->message);
      return 1;
    }
  Job job = { .width = width };
  gint64 t0 = g_get_monotonic_time ();
  if (!adiff_denoise_rows (den, width, height, 1, read_rows, write_rows, &job,
                           NULL, NULL, &error))
    {
      fprintf (stderr, "bench: %s\n", error->message);
      return 1;
    }
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  printf ("denoise_rows wiener %ux%u gray, window %ux%u: %.1f s, %.1f Mpixel/s, "
          "mean out %.4f, rows %" G_GUINT64_FORMAT ", peak RSS %.1f MiB\n",
          width, height, win, win, secs, (double) width * height / secs / 1e6,
          job.sum / ((double) width * height), job.rows_out, ru.ru_maxrss / 1024.0);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  return job.rows_out == height ? 0 : 1;
}
