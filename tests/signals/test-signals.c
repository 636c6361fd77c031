/* test-signals.c — interrupted tools leave neither a partial output nor a
 * temporary file.
 *
 * `adiff-stats build` runs on a generated dataset big enough to take a
 * moment (about a second, most of it writing the bundle with all its
 * exemplars).  After a calibration run, it is started again several times
 * and sent SIGINT or SIGTERM at a random moment; then, and also when the
 * signal is sent the instant the temporary file appears (the moment a kill
 * would otherwise leave it behind), the output folder must hold no
 * temporary file, the output must be absent or complete (a kill that lands
 * after the final rename finds a finished bundle), the tool must exit 4
 * (the one exit status of an interrupt, docs/exit-codes.md), and the input
 * must be unchanged.
 *
 * `adiff denoise` on a 1600×1600 image, three ways: PGM → PNG and PNG → PNG
 * stream row by row (the temporary output exists for the whole run), PGM →
 * .npy takes the whole-image path (the temporary exists only while saving).
 * The tool catches the signals and cancels cooperatively (exit 4, no
 * output) or, interrupted while saving, completes the file (exit 0); never
 * a partial file or a temporary.  While streaming, SIGINT, SIGTERM and
 * SIGHUP sent the instant the temporary appears must cancel: exit 4, the
 * temporary removed, no output.
 */
#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "adiff/adiff.h"
#include "adiff-io.h"
#include "../bad-input/bad-input-util.h"

#define N_ITEMS 8000
#define SIDE 16
#define RANDOM_KILLS 6

typedef struct
{
  char *dir, *input, *output, *tool;
  char *input_sum;
} Fixture;

static char *
tool_path (const char *rel)
{
  const char *root = g_getenv ("ADIFF_BUILD_ROOT");
  g_assert_nonnull (root);
  return g_build_filename (root, rel, NULL);
}

/* (N, 16, 16) uint8 .npy of pseudo-random pixels. */
static void
write_dataset (const char *path)
{
  const char *dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (8000, 16, 16), }";
  gsize len = strlen (dict) + 1, pad = (64 - (10 + len) % 64) % 64;
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) "\x93NUMPY\x01\x00", 8);
  guint8 hl[2] = { (len + pad) & 0xff, (len + pad) >> 8 };
  g_byte_array_append (b, hl, 2);
  g_byte_array_append (b, (const guint8 *) dict, strlen (dict));
  for (gsize i = 0; i < pad; i++)
    g_byte_array_append (b, (const guint8 *) " ", 1);
  g_byte_array_append (b, (const guint8 *) "\n", 1);
  guint32 x = 12345;
  for (gsize i = 0; i < (gsize) N_ITEMS * SIDE * SIDE; i++)
    {
      x = x * 1664525u + 1013904223u;
      guint8 v = x >> 24;
      g_byte_array_append (b, &v, 1);
    }
  g_assert_true (g_file_set_contents (path, (char *) b->data, b->len, NULL));
  g_byte_array_unref (b);
}

static char *
file_sum (const char *path)
{
  char *data;
  gsize len;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) data, len);
  g_free (data);
  return sum;
}

static GPid
start (char **argv)
{
  GPid pid;
  GError *error = NULL;
  g_spawn_async (NULL, argv, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                 G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  return pid;
}

static int
finish (GPid pid)
{
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return status;
}

/* Names in dir that start with '.' (the atomic writers' temporaries). */
static guint
count_temporaries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;
  while (d && (name = g_dir_read_name (d)))
    if (name[0] == '.')
      {
        g_test_message ("stray temporary file: %s", name);
        n++;
      }
  g_dir_close (d);
  return n;
}

static gboolean
temporary_exists (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  gboolean found = FALSE;
  while (d && !found && (name = g_dir_read_name (d)))
    found = name[0] == '.';
  g_dir_close (d);
  return found;
}

/* The output is absent, or a complete bundle. Returns TRUE if present. */
static gboolean
check_output_bundle (const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return FALSE;
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_open (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_bundle_get_dim (b), ==, SIDE * SIDE);
  adiff_bundle_unref (b);
  return TRUE;
}

static void
check_after (Fixture *f, int status, const char *how)
{
  g_assert_cmpuint (count_temporaries (f->dir), ==, 0);
  gboolean present = check_output_bundle (f->output);
  /* Finished (0), interrupted (4: a kill after the final rename finds the
   * bundle complete), or killed before the handler was installed. */
  if (WIFEXITED (status))
    {
      g_assert_true (WEXITSTATUS (status) == 0 || WEXITSTATUS (status) == 4);
      if (WEXITSTATUS (status) == 0)
        g_assert_true (present);
    }
  else
    g_assert_true (WIFSIGNALED (status));
  char *sum = file_sum (f->input);
  g_assert_cmpstr (sum, ==, f->input_sum);
  g_free (sum);
  g_test_message ("%s: %s, output %s", how,
                  WIFSIGNALED (status) ? g_strsignal (WTERMSIG (status))
                  : WEXITSTATUS (status) == 4 ? "interrupted (exit 4)" : "finished",
                  present ? "complete" : "absent");
  g_unlink (f->output);
}

static void
build_interrupted (void)
{
  Fixture f = { 0 };
  f.dir = bad_scratch ();
  f.input = g_build_filename (f.dir, "items.npy", NULL);
  f.output = g_build_filename (f.dir, "out.adstats", NULL);
  f.tool = tool_path ("stats/adiff-stats");
  write_dataset (f.input);
  f.input_sum = file_sum (f.input);
  char *argv[] = { f.tool, "build", "-q", "--exemplars", "all", "--exemplar-storage", "f32",
                   "--threads", "1", "-o", f.output, f.input, NULL };

  /* Calibration: how long one build takes here (sanitizers, load...). */
  gint64 t0 = g_get_monotonic_time ();
  int status = finish (start (argv));
  gint64 took = g_get_monotonic_time () - t0;
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  check_after (&f, status, "calibration");
  g_test_message ("one build takes %.2f s", took / 1e6);

  /* Kills at random moments of the whole run. */
  for (int i = 0; i < RANDOM_KILLS; i++)
    {
      GPid pid = start (argv);
      gint64 delay = g_test_rand_int_range (0, (gint32) MIN (took * 11 / 10, G_MAXINT32));
      g_usleep (delay);
      kill (pid, i % 2 ? SIGTERM : SIGINT);
      char *how = g_strdup_printf ("%s after %.3f s", i % 2 ? "SIGTERM" : "SIGINT", delay / 1e6);
      check_after (&f, finish (pid), how);
      g_free (how);
    }

  /* Kills the instant the temporary bundle appears, SIGINT then SIGTERM. */
  for (int sig = 0; sig < 2; sig++)
    {
      GPid pid = start (argv);
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (!temporary_exists (f.dir) && g_get_monotonic_time () < deadline &&
             waitpid (pid, NULL, WNOHANG) == 0)
        g_usleep (200);
      g_assert_true (temporary_exists (f.dir));
      kill (pid, sig ? SIGTERM : SIGINT);
      status = finish (pid);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 4);
      check_after (&f, status, sig ? "SIGTERM while writing" : "SIGINT while writing");
      g_assert_false (g_file_test (f.output, G_FILE_TEST_EXISTS));
    }

  g_free (f.input_sum);
  g_free (f.input);
  g_free (f.output);
  g_free (f.tool);
  bad_rmtree (f.dir);
  g_free (f.dir);
}

/* ---- adiff denoise ---------------------------------------------------------- */

#define IMG_SIDE 1600
#define WIN 8

static void
write_bundle (const char *path)
{
  double mean[WIN * WIN], eval[WIN * WIN], evec[WIN * WIN * WIN * WIN];
  const int d = WIN * WIN;
  for (int i = 0; i < d; i++)
    {
      mean[i] = 0.5;
      eval[i] = 0.05 / (i + 1);
      for (int p = 0; p < d; p++)
        evec[i * d + p] = (i == 0 ? sqrt (1.0 / d) : sqrt (2.0 / d)) *
                          cos (G_PI * i * (p + 0.5) / d);
    }
  AdiffBundleData data = { .width = WIN, .height = WIN, .channels = 1, .n_items = 100,
                           .mean = mean, .n_components = d, .eigenvalues = eval,
                           .eigenvectors = evec };
  GError *error = NULL;
  g_assert_true (adiff_bundle_write (path, &data, NULL, &error));
  g_assert_no_error (error);
}

static void
write_pgm (const char *path)
{
  GString *s = g_string_new (NULL);
  g_string_printf (s, "P5\n%d %d\n255\n", IMG_SIDE, IMG_SIDE);
  guint32 x = 777;
  for (gsize i = 0; i < (gsize) IMG_SIDE * IMG_SIDE; i++)
    {
      x = x * 1664525u + 1013904223u;
      g_string_append_c (s, (char) (x >> 24));
    }
  g_assert_true (g_file_set_contents (path, s->str, s->len, NULL));
  g_string_free (s, TRUE);
}

/* The same pixels as a PNG. */
static void
write_png (const char *pgm, const char *png)
{
  AdiffIoImage im;
  GError *error = NULL;
  g_assert_true (adiff_io_image_load (pgm, &im, &error));
  g_assert_true (adiff_io_image_save (png, &im, 8, &error));
  g_assert_no_error (error);
  adiff_io_image_clear (&im);
}

/* Exit 0 with a complete image, or cancelled (exit 4, or killed before
 * the handler was installed) with no output. */
static void
check_after_denoise (Fixture *f, int status, const char *how)
{
  g_assert_cmpuint (count_temporaries (f->dir), ==, 0);
  gboolean present = g_file_test (f->output, G_FILE_TEST_EXISTS);
  if (present)
    {
      AdiffIoImage im;
      GError *error = NULL;
      g_assert_true (adiff_io_image_load (f->output, &im, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (im.width, ==, IMG_SIDE);
      g_assert_cmpuint (im.height, ==, IMG_SIDE);
      adiff_io_image_clear (&im);
    }
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    g_assert_true (present);
  else
    {
      g_assert_true ((WIFEXITED (status) && WEXITSTATUS (status) == 4) || WIFSIGNALED (status));
      g_assert_false (present);
    }
  char *sum = file_sum (f->input);
  g_assert_cmpstr (sum, ==, f->input_sum);
  g_free (sum);
  g_test_message ("%s: %s, output %s", how,
                  WIFSIGNALED (status) ? g_strsignal (WTERMSIG (status))
                  : WEXITSTATUS (status) == 4 ? "cancelled (exit 4)" : "finished",
                  present ? "complete" : "absent");
  g_unlink (f->output);
}

typedef struct
{
  const char *input, *output;
  gboolean    streams;        /* row by row: the temporary lives all the run */
} DenoiseCase;

static const DenoiseCase denoise_cases[] = {
  { "noisy.pgm", "clean.png", TRUE },
  { "noisy.png", "clean.png", TRUE },
  { "noisy.pgm", "clean.npy", FALSE },
};

/* Streaming: the instant the temporary appears, each signal cancels. */
static void
interrupt_streaming (Fixture *f, char **argv)
{
  static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
  for (guint i = 0; i < G_N_ELEMENTS (sigs); i++)
    {
      GPid pid = start (argv);
      int status = 0;
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (!temporary_exists (f->dir) && g_get_monotonic_time () < deadline &&
             waitpid (pid, &status, WNOHANG) == 0)
        g_usleep (200);
      g_assert_true (temporary_exists (f->dir));
      kill (pid, sigs[i]);
      status = finish (pid);
      char *how = g_strdup_printf ("%s while streaming", g_strsignal (sigs[i]));
      check_after_denoise (f, status, how);
      g_free (how);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 4);
    }
}

/* Whole-image path: interrupted while the output is being written.  The
 * temporary file lives only as long as the write, which a fast run can
 * finish between two polls: try until one run is caught inside it (each
 * run is still checked), and fail only if none ever is. */
static void
interrupt_saving (Fixture *f, char **argv)
{
  gboolean caught = FALSE;
  for (int attempt = 0; attempt < 30 && !caught; attempt++)
    {
      GPid pid = start (argv);
      int status = 0;
      while (!(caught = temporary_exists (f->dir)) &&
             waitpid (pid, &status, WNOHANG) == 0)
        g_usleep (50);
      if (caught)
        {
          kill (pid, SIGINT);
          status = finish (pid);
        }
      check_after_denoise (f, status, caught ? "SIGINT while writing"
                                             : "finished before its write was caught");
    }
  g_assert_true (caught);
}

static void
denoise_interrupted (gconstpointer data)
{
  const DenoiseCase *c = data;
  Fixture f = { 0 };
  f.dir = bad_scratch ();
  char *pgm = g_build_filename (f.dir, "noisy.pgm", NULL);
  f.input = g_build_filename (f.dir, c->input, NULL);
  f.output = g_build_filename (f.dir, c->output, NULL);
  f.tool = tool_path ("stats/adiff");
  char *bundle = g_build_filename (f.dir, "b.adstats", NULL);
  write_bundle (bundle);
  write_pgm (pgm);
  if (strcmp (c->input, "noisy.png") == 0)
    {
      write_png (pgm, f.input);
      g_unlink (pgm);
    }
  f.input_sum = file_sum (f.input);
  char *argv[] = { f.tool, "denoise", "-m", "wiener", "--bundle", bundle, "--sigma", "25", "--threads", "1",
                   f.input, f.output, NULL };

  gint64 t0 = g_get_monotonic_time ();
  int status = finish (start (argv));
  gint64 took = g_get_monotonic_time () - t0;
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  check_after_denoise (&f, status, "calibration");
  g_test_message ("one denoise takes %.2f s", took / 1e6);

  for (int i = 0; i < RANDOM_KILLS; i++)
    {
      GPid pid = start (argv);
      gint64 delay = g_test_rand_int_range (0, (gint32) MIN (took * 11 / 10, G_MAXINT32));
      g_usleep (delay);
      kill (pid, i % 2 ? SIGINT : SIGTERM);
      char *how = g_strdup_printf ("%s after %.3f s", i % 2 ? "SIGINT" : "SIGTERM", delay / 1e6);
      check_after_denoise (&f, finish (pid), how);
      g_free (how);
    }

  if (c->streams)
    interrupt_streaming (&f, argv);
  else
    interrupt_saving (&f, argv);

  g_free (bundle);
  g_free (pgm);
  g_free (f.input_sum);
  g_free (f.input);
  g_free (f.output);
  g_free (f.tool);
  bad_rmtree (f.dir);
  g_free (f.dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/signals/adiff-stats-build", build_interrupted);
  for (guint i = 0; i < G_N_ELEMENTS (denoise_cases); i++)
    {
      char *name = g_strdup_printf ("/signals/adiff-denoise/%s-%s",
                                    denoise_cases[i].input, denoise_cases[i].output);
      g_test_add_data_func (name, &denoise_cases[i], denoise_interrupted);
      g_free (name);
    }
  return g_test_run ();
}
