/* test-denoise-rows.c — `adiff denoise` row by row (PNG, binary PGM/PPM).
 *
 * 1. Bit for bit: for every streamed kind of input and output (8/16-bit
 *    gray and RGB PNG, with and without alpha, PGM/PPM of any maxval, a
 *    header longer than the first read, Wiener and analytic, images
 *    narrower or smaller than the window) the file adiff writes is
 *    byte-identical to what the whole-image path gives: the input loaded
 *    with adiff_io_image_load, denoised with adiff_denoise_image, clipped
 *    and saved with adiff_io_image_save.  An interlaced PNG (whole-image
 *    fallback) gives the same pixels as its non-interlaced twin.
 * 2. Bad files met while streaming: a PNG corrupt or cut in the middle of
 *    its data, a truncated PGM: exit 2, the same message as the whole-image
 *    loader, no output and no temporary file.
 * 3. Bounded memory: the child's peak RSS (wait4) denoising a 2000×3000
 *    gray PNG is within a few MiB of the one for 2000×300.
 * 4. Interrupts while loading: a pending SIGINT ends adiff before it reads
 *    anything; one sent while a large (interlaced, so whole-image) PNG is
 *    being decoded ends it before the decode finishes — exit 4 both times,
 *    no output.
 */
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <png.h>
#include <glib/gstdio.h>
#include "adiff/adiff.h"
#include "adiff-io.h"
#include "cli-test-util.h"

static char *adiff_path, *dir;

static char *
path (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

/* ---- fixtures ------------------------------------------------------------ */

/* An orthonormal (1-D DCT) basis over the window with decaying eigenvalues:
 * any basis makes a valid Wiener filter; exemplars for the analytic model. */
static void
write_bundle (const char *name, guint n, guint c, guint n_exemplars)
{
  gsize d = (gsize) n * n * c;
  double *mean = g_new (double, d), *vals = g_new (double, d), *vecs = g_new (double, d * d);
  for (gsize i = 0; i < d; i++)
    {
      mean[i] = 0.45;
      vals[i] = 0.05 / (1.0 + i);
      for (gsize p = 0; p < d; p++)
        vecs[i * d + p] = (i == 0 ? sqrt (1.0 / d) : sqrt (2.0 / d)) *
                          cos (G_PI * i * (p + 0.5) / d);
    }
  float *ex = n_exemplars ? g_new (float, n_exemplars * d) : NULL;
  GRand *r = g_rand_new_with_seed (5);
  for (gsize p = 0; p < n_exemplars * d; p++)
    ex[p] = (float) g_rand_double (r);
  g_rand_free (r);
  AdiffBundleData data = { .width = n, .height = n, .channels = c, .n_items = 100,
                           .mean = mean, .n_components = d, .eigenvalues = vals,
                           .eigenvectors = vecs, .n_exemplars = n_exemplars,
                           .exemplars = ex };
  g_autofree char *p = path (name);
  GError *error = NULL;
  g_assert_true (adiff_bundle_write (p, &data, NULL, &error));
  g_assert_no_error (error);
  g_free (mean); g_free (vals); g_free (vecs); g_free (ex);
}

static float *
noise (gsize n, guint seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  float *v = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    v[i] = (float) g_rand_double (r);
  g_rand_free (r);
  return v;
}

static void
write_image (const char *name, guint w, guint h, guint c, guint depth, gboolean alpha)
{
  AdiffIoImage img = { .width = w, .height = h, .channels = c, .bit_depth = depth,
                       .data = noise ((gsize) w * h * c, w * 7 + h + c + depth),
                       .alpha = alpha ? noise ((gsize) w * h, 3) : NULL };
  g_autofree char *p = path (name);
  GError *error = NULL;
  g_assert_true (adiff_io_image_save (p, &img, depth, &error));
  g_assert_no_error (error);
  g_free (img.data);
  g_free (img.alpha);
}

/* A PGM with a given maxval and header comment; samples may exceed maxval
 * (they clip). */
static void
write_pgm (const char *name, guint w, guint h, guint maxval, const char *comment)
{
  GString *s = g_string_new ("P5\n");
  if (comment)
    g_string_append_printf (s, "# %s\n", comment);
  g_string_append_printf (s, "%u %u\n%u\n", w, h, maxval);
  GRand *r = g_rand_new_with_seed (maxval + w);
  for (guint i = 0; i < w * h; i++)
    {
      guint v = g_rand_int_range (r, 0, maxval + maxval / 8 + 1);
      if (maxval > 255)
        {
          g_string_append_c (s, (char) (v >> 8));
          g_string_append_c (s, (char) (v & 0xff));
        }
      else
        g_string_append_c (s, (char) MIN (v, 255u));
    }
  g_rand_free (r);
  g_autofree char *p = path (name);
  g_assert_true (g_file_set_contents (p, s->str, s->len, NULL));
  g_string_free (s, TRUE);
}

/* An 8-bit gray Adam7-interlaced PNG of the given rows (value(x, y)). */
static void
write_interlaced_png (const char *name, guint w, guint h, guint8 (*value) (guint, guint))
{
  g_autofree char *p = path (name);
  FILE *f = fopen (p, "wb");
  g_assert_nonnull (f);
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  g_assert_true (png && info);
  if (setjmp (png_jmpbuf (png)))
    g_error ("libpng failed writing %s", p);
  png_init_io (png, f);
  png_set_IHDR (png, info, w, h, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_ADAM7,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  int passes = png_set_interlace_handling (png);
  guint8 *row = g_new (guint8, w);
  for (int pass = 0; pass < passes; pass++)
    for (guint y = 0; y < h; y++)
      {
        for (guint x = 0; x < w; x++)
          row[x] = value (x, y);
        png_write_row (png, row);
      }
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  g_free (row);
  g_assert_cmpint (fclose (f), ==, 0);
}

static guint8
hash_value (guint x, guint y)
{
  guint32 v = x * 2654435761u ^ y * 40503u;
  v ^= v >> 15;
  return (guint8) (v * 2246822519u >> 24);
}

static guint8
flat_value (guint x, guint y)
{
  return 128;
}

/* A gray PNG written row by row (so the test itself stays small). */
static void
write_tall_png (const char *name, guint w, guint h)
{
  g_autofree char *p = path (name);
  AdiffIoImageInfo info = { .width = w, .height = h, .channels = 1, .bit_depth = 8 };
  GError *error = NULL;
  AdiffIoRowWriter *wr = adiff_io_row_writer_new (p, &info, 8, &error);
  g_assert_no_error (error);
  float *row = g_new (float, w);
  for (guint y = 0; y < h; y++)
    {
      for (guint x = 0; x < w; x++)
        row[x] = hash_value (x, y) / 255.0f;
      g_assert_true (adiff_io_row_writer_write (wr, 1, row, NULL, &error));
    }
  g_assert_true (adiff_io_row_writer_commit (wr, &error));
  g_assert_no_error (error);
  adiff_io_row_writer_free (wr);
  g_free (row);
}

/* ---- running adiff ---------------------------------------------------------- */

typedef struct
{
  int   status;          /* exit code, or 128 + signal */
  char *err;
  long  maxrss_kib;
} Run;

/* Run adiff denoise -b BUNDLE --sigma 25 [extra…] IN OUT in the scratch
 * folder; the child's own peak RSS comes from wait4. */
static Run
denoise (const char *bundle, const char *method, const char *in, const char *out)
{
  g_autofree char *b = path (bundle), *i = path (in), *o = path (out);
  const char *argv[] = { adiff_path, "denoise", "-b", b, "--sigma", "25", "-m", method,
                         i, o, NULL };
  g_autofree char *err_path = path ("stderr.txt");
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      FILE *e = freopen (err_path, "w", stderr);
      (void) e;
      execv (adiff_path, (char **) argv);
      _exit (127);
    }
  int wait;
  struct rusage ru;
  g_assert_cmpint (wait4 (pid, &wait, 0, &ru), ==, pid);
  Run r = { .status = WIFEXITED (wait) ? WEXITSTATUS (wait) : 128 + WTERMSIG (wait),
            .maxrss_kib = ru.ru_maxrss };
  g_file_get_contents (err_path, &r.err, NULL, NULL);
  g_unlink (err_path);
  return r;
}

static guint
count_temporaries (void)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;
  while ((name = g_dir_read_name (d)))
    n += name[0] == '.';
  g_dir_close (d);
  return n;
}

static gboolean
exists (const char *name)
{
  g_autofree char *p = path (name);
  return g_file_test (p, G_FILE_TEST_EXISTS);
}

/* ---- 1. bit for bit --------------------------------------------------------- */

typedef struct
{
  const char *in, *out, *bundle, *method;
} Case;

static const Case cases[] = {
  { "gray8.png",      "o-gray8.png",       "gray.adstats",    "wiener" },
  { "gray16.png",     "o-gray16.png",      "gray.adstats",    "wiener" },
  { "rgb8.png",       "o-rgb8.png",        "gray.adstats",    "wiener" },
  { "rgb16.png",      "o-rgb16.png",       "rgb.adstats",     "wiener" },
  { "gray-alpha.png", "o-gray-alpha.png",  "gray.adstats",    "wiener" },
  { "rgba16.png",     "o-rgba16.png",      "gray.adstats",    "wiener" },
  { "rgba8.png",      "o-rgba8.ppm",       "rgb.adstats",     "wiener" },
  { "gray8.png",      "o-gray8.pgm",       "gray.adstats",    "wiener" },
  { "gray8.pgm",      "o-gray8-pgm.pgm",   "gray.adstats",    "wiener" },
  { "gray1000.pgm",   "o-gray1000.png",    "gray.adstats",    "wiener" },
  { "gray65535.pgm",  "o-gray65535.pgm",   "gray.adstats",    "wiener" },
  { "rgb8.ppm",       "o-rgb8.ppm",        "rgb.adstats",     "wiener" },
  { "comment.pgm",    "o-comment.png",     "gray.adstats",    "wiener" },
  { "narrow.png",     "o-narrow.png",      "gray.adstats",    "wiener" },
  { "tiny.png",       "o-tiny.png",        "gray.adstats",    "wiener" },
  { "gray8.png",      "o-gray8-an.png",    "gray-ex.adstats", "analytic" },
  { "rgba8.png",      "o-rgba8-opt.png",   "rgb-ex.adstats",  "optimal" },
};

/* The whole-image path, in this process. */
static void
reference (const Case *c, const char *ref_name)
{
  g_autofree char *in = path (c->in), *bundle = path (c->bundle), *ref = path (ref_name);
  GError *error = NULL;
  AdiffIoImage img;
  g_assert_true (adiff_io_image_load (in, &img, &error));
  g_assert_no_error (error);
  AdiffBundle *b = adiff_bundle_open (bundle, NULL, &error);
  g_assert_no_error (error);
  AdiffParams params;
  adiff_params_init (&params);
  params.sigma = 25.0 / 255.0;
  g_assert_true (adiff_method_from_string (c->method, &params.method));
  AdiffDenoiser *den = adiff_denoiser_new (b, &params, &error);
  g_assert_no_error (error);
  g_assert_true (adiff_denoise_image (den, img.data, img.data, img.width, img.height,
                                     img.channels, NULL, NULL, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < (gsize) img.width * img.height * img.channels; i++)
    img.data[i] = CLAMP (img.data[i], 0.0f, 1.0f);
  g_assert_true (adiff_io_image_save (ref, &img, 0, &error));
  g_assert_no_error (error);
  adiff_denoiser_free (den);
  adiff_bundle_unref (b);
  adiff_io_image_clear (&img);
}

static void
test_identical (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *in = path (c->in);
  g_assert_true (adiff_io_rows_readable (in));
  Run r = denoise (c->bundle, c->method, c->in, c->out);
  if (r.status != 0)
    g_error ("adiff denoise %s failed (%d): %s", c->in, r.status, r.err);
  const char *ext = strrchr (c->out, '.');
  g_autofree char *ref_name = g_strconcat ("ref", ext, NULL);
  reference (c, ref_name);
  g_autofree char *out = path (c->out), *ref = path (ref_name);
  char *a, *b;
  gsize la, lb;
  g_assert_true (g_file_get_contents (out, &a, &la, NULL));
  g_assert_true (g_file_get_contents (ref, &b, &lb, NULL));
  g_assert_cmpmem (a, la, b, lb);
  g_free (a);
  g_free (b);
  g_free (r.err);
  g_unlink (out);
  g_unlink (ref);
}

/* The interlaced twin takes the whole-image path and gives the same pixels. */
static void
test_interlaced (void)
{
  write_interlaced_png ("inter.png", 23, 17, hash_value);
  g_autofree char *inter = path ("inter.png"), *plain = path ("plain.png");
  g_assert_false (adiff_io_rows_readable (inter));
  AdiffIoImage img;
  GError *error = NULL;
  g_assert_true (adiff_io_image_load (inter, &img, &error));
  g_assert_true (adiff_io_image_save (plain, &img, 8, &error));
  g_assert_no_error (error);
  adiff_io_image_clear (&img);
  g_assert_true (adiff_io_rows_readable (plain));
  Run a = denoise ("gray.adstats", "wiener", "inter.png", "o-inter.png");
  Run b = denoise ("gray.adstats", "wiener", "plain.png", "o-plain.png");
  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpint (b.status, ==, 0);
  AdiffIoImage x, y;
  g_autofree char *ox = path ("o-inter.png"), *oy = path ("o-plain.png");
  g_assert_true (adiff_io_image_load (ox, &x, &error));
  g_assert_true (adiff_io_image_load (oy, &y, &error));
  g_assert_cmpmem (x.data, 23 * 17 * sizeof (float), y.data, 23 * 17 * sizeof (float));
  adiff_io_image_clear (&x);
  adiff_io_image_clear (&y);
  g_free (a.err);
  g_free (b.err);
}

/* ---- 2. bad files met while streaming ------------------------------------- */

/* A copy of src with bytes [at, at+len) flipped (len 0: cut at `at`). */
static void
damage (const char *src, const char *dst, double at_fraction, gsize len)
{
  g_autofree char *s = path (src), *d = path (dst);
  char *data;
  gsize n;
  g_assert_true (g_file_get_contents (s, &data, &n, NULL));
  gsize at = (gsize) (n * at_fraction);
  for (gsize i = at; i < at + len && i < n; i++)
    data[i] ^= 0x5a;
  g_assert_true (g_file_set_contents (d, data, len ? n : at, NULL));
  g_free (data);
}

static void
test_bad_midway (void)
{
  write_tall_png ("mid.png", 300, 400);
  damage ("mid.png", "mid-corrupt.png", 0.6, 64);
  damage ("mid.png", "mid-cut.png", 0.6, 0);
  write_pgm ("mid.pgm", 300, 400, 255, NULL);
  damage ("mid.pgm", "mid-cut.pgm", 0.8, 0);
  static const char *const bad[] = { "mid-corrupt.png", "mid-cut.png", "mid-cut.pgm" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *in = path (bad[i]);
      g_assert_true (adiff_io_rows_readable (in));
      AdiffIoImage img;
      GError *error = NULL;
      g_assert_false (adiff_io_image_load (in, &img, &error));
      g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT);
      Run r = denoise ("gray.adstats", "wiener", bad[i], "o-bad.png");
      g_test_message ("%s: %d %s", bad[i], r.status, r.err);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_nonnull (strstr (r.err, error->message));
      g_assert_false (exists ("o-bad.png"));
      g_assert_cmpuint (count_temporaries (), ==, 0);
      g_error_free (error);
      g_free (r.err);
    }
}

/* ---- 3. bounded memory ---------------------------------------------------- */

static void
test_memory (void)
{
  write_tall_png ("short.png", 2000, 300);
  write_tall_png ("tall.png", 2000, 3000);
  Run s = denoise ("gray8x8.adstats", "wiener", "short.png", "o-short.png");
  Run t = denoise ("gray8x8.adstats", "wiener", "tall.png", "o-tall.png");
  g_assert_cmpint (s.status, ==, 0);
  g_assert_cmpint (t.status, ==, 0);
  g_test_message ("peak RSS: 2000×300 %.1f MiB, 2000×3000 %.1f MiB",
                  s.maxrss_kib / 1024.0, t.maxrss_kib / 1024.0);
  /* The whole image as floats alone would add 2000·2700·4 B ≈ 21 MiB. */
  g_assert_cmpint (t.maxrss_kib, <, s.maxrss_kib + 4 * 1024);
  AdiffIoImageInfo info;
  GError *error = NULL;
  g_autofree char *out = path ("o-tall.png");
  AdiffIoRowReader *rd = adiff_io_row_reader_open (out, &info, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info.height, ==, 3000);
  adiff_io_row_reader_free (rd);
  g_free (s.err);
  g_free (t.err);
}

/* ---- 4. interrupts while loading ------------------------------------------ */

/* Start adiff with SIGINT blocked, so that it is pending until adiff
 * installs its handler. */
static pid_t
start_blocked (const char *in, const char *out, gboolean pending)
{
  g_autofree char *b = path ("gray.adstats"), *i = path (in), *o = path (out);
  sigset_t set, old;
  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigprocmask (SIG_BLOCK, &set, &old);
  pid_t pid = fork ();
  if (pid == 0)
    {
      if (!freopen ("/dev/null", "w", stderr))
        _exit (126);
      if (!pending)
        sigprocmask (SIG_SETMASK, &old, NULL);
      execl (adiff_path, adiff_path, "denoise", "-m", "wiener", "-b", b, "--sigma", "25", i, o, (char *) NULL);
      _exit (127);
    }
  if (pending)
    kill (pid, SIGINT);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return pid;
}

static long
resident_kib (pid_t pid)
{
  g_autofree char *statm = g_strdup_printf ("/proc/%d/statm", (int) pid), *text = NULL;
  long size, rss;
  if (!g_file_get_contents (statm, &text, NULL, NULL) ||
      sscanf (text, "%ld %ld", &size, &rss) != 2)
    return -1;
  return rss * (sysconf (_SC_PAGESIZE) / 1024);
}

static void
test_interrupt_loading (void)
{
  /* 6000×6000 gray, interlaced (read whole), all one value: a 40 KB file
   * whose decode needs 36 MB of samples and then 144 MB of floats. */
  write_interlaced_png ("big-inter.png", 6000, 6000, flat_value);

  /* Pending at start: adiff stops before reading the bundle or the image. */
  pid_t pid = start_blocked ("big-inter.png", "o-int.png", TRUE);
  int wait;
  struct rusage ru;
  g_assert_cmpint (wait4 (pid, &wait, 0, &ru), ==, pid);
  g_assert_true (WIFEXITED (wait));
  g_assert_cmpint (WEXITSTATUS (wait), ==, 4);
  g_test_message ("pending SIGINT: peak RSS %.1f MiB", ru.ru_maxrss / 1024.0);
  g_assert_cmpint (ru.ru_maxrss, <, 30 * 1024);
  g_assert_false (exists ("o-int.png"));
  /* What adiff takes before it reads the image (more under the
   * sanitizers): the decode has begun once the process is well past it. */
  long startup = ru.ru_maxrss;

  /* Sent while the decode has begun (RSS climbing): ended at once, long
   * before the 144 MB of floats exist. */
  pid = start_blocked ("big-inter.png", "o-int.png", FALSE);
  long now = -1;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while ((now = resident_kib (pid)) >= 0 && g_get_monotonic_time () < deadline)
    {
      if (now > startup + 8 * 1024)
        break;
      g_usleep (500);
    }
  g_assert_cmpint (now, >, startup + 8 * 1024);
  kill (pid, SIGINT);
  g_assert_cmpint (wait4 (pid, &wait, 0, &ru), ==, pid);
  g_test_message ("SIGINT at %.1f MiB resident: exit %d, peak RSS %.1f MiB", now / 1024.0,
                  WIFEXITED (wait) ? WEXITSTATUS (wait) : -1, ru.ru_maxrss / 1024.0);
  g_assert_true (WIFEXITED (wait));
  g_assert_cmpint (WEXITSTATUS (wait), ==, 4);
  g_assert_cmpint (ru.ru_maxrss, <, 120 * 1024);
  g_assert_false (exists ("o-int.png"));
  g_assert_cmpuint (count_temporaries (), ==, 0);
  g_autofree char *big = path ("big-inter.png");
  g_unlink (big);
}

/* ---- main ------------------------------------------------------------------- */

static void
make_fixtures (void)
{
  write_bundle ("gray.adstats", 4, 1, 0);
  write_bundle ("gray-ex.adstats", 4, 1, 20);
  write_bundle ("rgb.adstats", 4, 3, 0);
  write_bundle ("rgb-ex.adstats", 4, 3, 20);
  write_bundle ("gray8x8.adstats", 8, 1, 0);
  write_image ("gray8.png", 29, 19, 1, 8, FALSE);
  write_image ("gray16.png", 29, 19, 1, 16, FALSE);
  write_image ("rgb8.png", 29, 19, 3, 8, FALSE);
  write_image ("rgb16.png", 21, 13, 3, 16, FALSE);
  write_image ("gray-alpha.png", 29, 19, 1, 8, TRUE);
  write_image ("rgba16.png", 17, 23, 3, 16, TRUE);
  write_image ("rgba8.png", 13, 11, 3, 8, TRUE);
  write_image ("gray8.pgm", 29, 19, 1, 8, FALSE);
  write_image ("rgb8.ppm", 29, 19, 3, 8, FALSE);
  write_image ("narrow.png", 3, 40, 1, 8, FALSE);
  write_image ("tiny.png", 2, 3, 1, 8, FALSE);
  write_pgm ("gray1000.pgm", 29, 19, 1000, NULL);
  write_pgm ("gray65535.pgm", 29, 19, 65535, NULL);
  g_autofree char *comment = g_strnfill (6000, 'c');    /* past the first 4 KiB read */
  write_pgm ("comment.pgm", 29, 19, 255, comment);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  const char *root = g_getenv ("ADIFF_BUILD_ROOT");
  g_assert_nonnull (root);
  adiff_path = g_build_filename (root, "stats", "adiff", NULL);
  GError *error = NULL;
  dir = g_dir_make_tmp ("adiff-rows-XXXXXX", &error);
  g_assert_no_error (error);
  make_fixtures ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/denoise-rows/identical/%s-%s-%s",
                                               cases[i].in, cases[i].out, cases[i].method);
      g_test_add_data_func (name, &cases[i], test_identical);
    }
  g_test_add_func ("/denoise-rows/interlaced", test_interlaced);
  g_test_add_func ("/denoise-rows/bad-midway", test_bad_midway);
  g_test_add_func ("/denoise-rows/memory", test_memory);
  g_test_add_func ("/denoise-rows/interrupt-loading", test_interrupt_loading);
  int code = g_test_run ();
  cli_test_remove_dir (dir);
  return code;
}
