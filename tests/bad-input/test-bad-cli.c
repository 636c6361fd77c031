/* test-bad-cli.c — bad-input matrix, the command-line tools as a user runs
 * them: `adiff-stats` (build, merge, verify, info) and the cases of
 * `adiff denoise` that tests/cli does not already cover (σ = 1e30, 0×0,
 * 1×1 and smaller-than-window images, unwritable outputs, an output that
 * is the input under another name, --noise-model).
 *
 * Fixtures are written once into a scratch folder.  Each case runs the tool
 * and asserts its exit status, that stderr (stdout for verify, whose report
 * it is) names the culprit, and that the
 * folder is exactly as before (names and SHA-256 of every file): no output
 * and no temporary file appeared, no input changed.  The few cases the
 * tools must accept (1×1 image, image smaller than the window, gray bundle
 * on RGB) assert exit 0 and an output of the input's size instead.
 */
#include <math.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "adiff/adiff.h"
#include "adiff-io.h"
#include "bad-input-util.h"

#define MAX_ARGS 16

typedef struct
{
  const char *name;
  const char *tool;               /* "adiff-stats" or "adiff" */
  int         status;             /* expected exit status */
  const char *says;               /* stderr must contain this ('@' = folder) */
  const char *args[MAX_ARGS];     /* '@x' = file x of the scratch folder */
  const char *creates;            /* success cases: the output, checked then removed */
} Case;

static char *dir;

/* ---- fixtures ------------------------------------------------------------ */

static void
write_bundle (const char *name, guint c, double evec_scale)
{
  guint n = 4;
  gsize d = (gsize) n * n * c;
  double *mean = g_new (double, d), *vals = g_new (double, d), *vecs = g_new (double, d * d);
  for (gsize i = 0; i < d; i++)
    {
      mean[i] = 0.5;
      vals[i] = 0.05 / (i + 1);
      for (gsize p = 0; p < d; p++)
        vecs[i * d + p] = evec_scale * (i == 0 ? sqrt (1.0 / d) : sqrt (2.0 / d)) *
                          cos (G_PI * i * (p + 0.5) / d);
    }
  AdiffBundleData data = { .width = n, .height = n, .channels = c, .n_items = 100,
                           .mean = mean, .n_components = d, .eigenvalues = vals,
                           .eigenvectors = vecs };
  char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;
  g_assert_true (adiff_bundle_write (path, &data, NULL, &error));
  g_assert_no_error (error);
  g_free (path); g_free (mean); g_free (vals); g_free (vecs);
}

static void
write_npy (const char *name, const char *descr, const char *shape, gsize n_bytes,
           const void *values)
{
  char *dict = g_strdup_printf ("{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                                descr, shape);
  gsize len = strlen (dict) + 1, pad = (64 - (10 + len) % 64) % 64;
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) "\x93NUMPY\x01\x00", 8);
  guint8 hl[2] = { (len + pad) & 0xff, (len + pad) >> 8 };
  g_byte_array_append (b, hl, 2);
  g_byte_array_append (b, (const guint8 *) dict, strlen (dict));
  for (gsize i = 0; i < pad; i++)
    g_byte_array_append (b, (const guint8 *) " ", 1);
  g_byte_array_append (b, (const guint8 *) "\n", 1);
  g_byte_array_append (b, values, n_bytes);
  g_free (bad_write (dir, name, b->data, b->len));
  g_byte_array_unref (b);
  g_free (dict);
}

static void
write_pnm (const char *name, char kind, guint w, guint h)
{
  guint c = kind == '6' ? 3 : 1;
  GString *s = g_string_new (NULL);
  g_string_printf (s, "P%c\n%u %u\n255\n", kind, w, h);
  for (gsize i = 0; i < (gsize) w * h * c; i++)
    g_string_append_c (s, (char) (i * 37 % 251));
  g_free (bad_write (dir, name, s->str, s->len));
  g_string_free (s, TRUE);
}

static void
make_fixtures (void)
{
  dir = bad_scratch ();
  write_bundle ("gray.adstats", 1, 1.0);
  write_bundle ("rgb.adstats", 3, 1.0);
  write_bundle ("skew.adstats", 1, 1.5);         /* eigenvectors of norm 1.5 */

  guint8 items[20 * 16];
  for (guint i = 0; i < sizeof items; i++)
    items[i] = (guint8) (i * 97 + i / 16);
  write_npy ("items.npy", "|u1", "(20, 4, 4)", sizeof items, items);
  write_npy ("one.npy", "|u1", "(1, 4, 4)", 16, items);
  float nan_items[3 * 16];
  for (guint i = 0; i < G_N_ELEMENTS (nan_items); i++)
    nan_items[i] = 0.25f;
  nan_items[20] = NAN;
  write_npy ("nan.npy", "<f4", "(3, 4, 4)", sizeof nan_items, nan_items);

  GByteArray *idx = g_byte_array_new ();
  bad_put_be32 (idx, 0x803);
  bad_put_be32 (idx, 10);                         /* announces 10 items of 4×4 */
  bad_put_be32 (idx, 4);
  bad_put_be32 (idx, 4);
  g_byte_array_append (idx, items, 5 * 16);       /* holds 5 */
  g_free (bad_write (dir, "short-images-idx3-ubyte", idx->data, idx->len));
  g_byte_array_unref (idx);
  guint8 *cifar = g_malloc0 (3000);               /* not a multiple of 3073 */
  g_free (bad_write (dir, "short_batch.bin", cifar, 3000));
  g_free (cifar);

  char *sub = g_build_filename (dir, "mixed", NULL);
  g_mkdir (sub, 0755);
  g_free (sub);
  write_pnm ("mixed/a.pgm", '5', 4, 4);
  write_pnm ("mixed/b.pgm", '5', 5, 5);
  sub = g_build_filename (dir, "empty", NULL);
  g_mkdir (sub, 0755);
  g_free (sub);

  write_pnm ("gray.pgm", '5', 16, 16);
  write_pnm ("rgb.ppm", '6', 16, 16);
  write_pnm ("tiny.pgm", '5', 1, 1);
  write_pnm ("small.pgm", '5', 3, 2);
  g_free (bad_write (dir, "zero.pgm", "P5\n0 0\n255\n", 11));

  /* a partial bundle, for merge */
  char *tool = g_build_filename (g_getenv ("ADIFF_BUILD_ROOT"), "stats", "adiff-stats", NULL);
  char *src = g_build_filename (dir, "items.npy", NULL), *out = g_build_filename (dir, "part.adstats", NULL);
  char *argv[] = { tool, "build", "-q", "--partial", "-o", out, src, NULL };
  int status;
  GError *error = NULL;
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_free (tool); g_free (src); g_free (out);
}

/* ---- the cases ------------------------------------------------------------- */

static const Case cases[] = {
  /* adiff-stats build */
  { "build-output-is-input", "adiff-stats", 2, "items.npy", { "build", "-o", "@items.npy", "@items.npy" } },
  { "build-output-is-input-respelled", "adiff-stats", 2, "items.npy", { "build", "-o", "@./items.npy", "@../$/items.npy" } },
  { "build-output-folder-missing", "adiff-stats", 3, "nope", { "build", "-o", "@nope/out.adstats", "@items.npy" } },
  { "build-output-unwritable", "adiff-stats", 3, "/proc/self/out.adstats", { "build", "-o", "/proc/self/out.adstats", "@items.npy" } },
  { "build-output-is-folder", "adiff-stats", 3, "empty", { "build", "-o", "@empty", "@items.npy" } },
  { "build-no-source", "adiff-stats", 2, "SOURCE", { "build", "-o", "@out.adstats" } },
  { "build-missing-source", "adiff-stats", 1, "nothere.npy", { "build", "-o", "@out.adstats", "@nothere.npy" } },
  { "build-one-item", "adiff-stats", 1, "one.npy", { "build", "-o", "@out.adstats", "@one.npy" } },
  { "build-idx-shorter-than-header", "adiff-stats", 1, "short-images-idx3-ubyte", { "build", "-o", "@out.adstats", "@short-images-idx3-ubyte" } },
  { "build-cifar-length", "adiff-stats", 1, "short_batch.bin", { "build", "-o", "@out.adstats", "@short_batch.bin" } },
  { "build-mixed-sizes", "adiff-stats", 1, "b.pgm", { "build", "-o", "@out.adstats", "@mixed" } },
  { "build-empty-folder", "adiff-stats", 1, "empty", { "build", "-o", "@out.adstats", "@empty" } },
  { "build-nan-in-npy", "adiff-stats", 1, "nan.npy", { "build", "-o", "@out.adstats", "@nan.npy" } },
  { "build-size-0x0", "adiff-stats", 2, "--size", { "build", "--size", "0x0", "-o", "@out.adstats", "@items.npy" } },
  { "build-exemplars-negative", "adiff-stats", 2, "--exemplars", { "build", "-e", "-3", "-o", "@out.adstats", "@items.npy" } },
  { "build-components-0", "adiff-stats", 2, "--components", { "build", "-k", "0", "-o", "@out.adstats", "@items.npy" } },
  /* merge, verify, info */
  { "merge-output-is-part", "adiff-stats", 2, "part.adstats", { "merge", "-o", "@part.adstats", "@part.adstats" } },
  { "merge-output-unwritable", "adiff-stats", 3, "/proc/self/m.adstats", { "merge", "-o", "/proc/self/m.adstats", "@part.adstats" } },
  { "verify-non-orthonormal", "adiff-stats", 3, "skew.adstats", { "verify", "@skew.adstats" } },
  { "verify-not-a-bundle", "adiff-stats", 3, "items.npy", { "verify", "@items.npy" } },
  { "info-not-a-bundle", "adiff-stats", 1, "items.npy", { "info", "@items.npy" } },
  { "info-missing", "adiff-stats", 1, "nothere.adstats", { "info", "@nothere.adstats" } },
  /* adiff denoise */
  { "denoise-sigma-1e30", "adiff", 2, "--sigma 1e+30", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "1e30", "@gray.pgm", "@out.png" } },
  { "denoise-image-0x0", "adiff", 1, "zero.pgm", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "20", "@zero.pgm", "@out.png" } },
  { "denoise-output-unwritable", "adiff", 3, "/proc/self/out.png", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "20", "@gray.pgm", "/proc/self/out.png" } },
  { "denoise-output-folder-missing", "adiff", 3, "nope", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "20", "@gray.pgm", "@nope/out.png" } },
  { "denoise-output-is-input-respelled", "adiff", 2, "input", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "20", "@gray.pgm", "@../$/./gray.pgm" } },
  { "denoise-eigenvectors-not-unit", "adiff", 1, "eigenvector 0 has length 1.5", { "denoise", "-m", "wiener", "-b", "@skew.adstats", "--sigma", "20", "@gray.pgm", "@out.png" } },
  { "denoise-output-is-bundle", "adiff", 2, "gray.adstats", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "20", "@gray.pgm", "@gray.adstats" } },
  { "denoise-rgb-bundle-gray-image", "adiff", 1, "gray.pgm", { "denoise", "-m", "wiener", "-b", "@rgb.adstats", "--sigma", "20", "@gray.pgm", "@out.png" } },
  /* accepted */
  /* the photo model (the default method): no bundle needed, the same checks */
  { "denoise-photo-sigma-1e30", "adiff", 2, "--sigma 1e+30", { "denoise", "--sigma", "1e30", "@gray.pgm", "@out.png" } },
  { "denoise-photo-image-0x0", "adiff", 1, "zero.pgm", { "denoise", "--sigma", "20", "@zero.pgm", "@out.png" } },
  { "denoise-photo-image-1x1", "adiff", 1, "smaller than", { "denoise", "--sigma", "20", "@tiny.pgm", "@out.png" } },
  { "denoise-photo-quality", "adiff", 2, "--quality", { "denoise", "--quality", "fast", "--sigma", "20", "@gray.pgm", "@out.png" } },
  { "denoise-photo-rgb-bundle-gray-image", "adiff", 1, "gray.pgm", { "denoise", "-b", "@rgb.adstats", "--sigma", "20", "@gray.pgm", "@out.png" } },
  { "denoise-photo-best-rgb-bundle", "adiff", 1, "8×8", { "denoise", "--quality", "best", "-b", "@rgb.adstats", "--sigma", "20", "@rgb.ppm", "@out.png" } },
  /* --noise-model (the photo model under noise a + b·x) */
  { "denoise-noise-model-nan", "adiff", 2, "a = nan", { "denoise", "--noise-model", "nan,0.01", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-inf", "adiff", 2, "b = inf", { "denoise", "--noise-model", "0.0001,inf", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-negative", "adiff", 2, "b = -0.01", { "denoise", "--noise-model", "0.0001,-0.01", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-above-1", "adiff", 2, "a = 2", { "denoise", "--noise-model", "2,0", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-zero", "adiff", 2, "no noise", { "denoise", "--noise-model", "0,0", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-too-strong", "adiff", 2, "too strong", { "denoise", "--noise-model", "1,1", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-one-number", "adiff", 2, "--noise-model “0.0001”", { "denoise", "--noise-model", "0.0001", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-three-numbers", "adiff", 2, "--noise-model “1,2,3”", { "denoise", "--noise-model", "1,2,3", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-unknown", "adiff", 2, "--noise-model “poisson”", { "denoise", "--noise-model", "poisson", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-with-sigma", "adiff", 2, "excludes --sigma", { "denoise", "--noise-model", "auto", "--sigma", "20", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-with-estimate", "adiff", 2, "excludes --sigma", { "denoise", "--noise-model", "auto", "--estimate-sigma", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-wiener", "adiff", 2, "photo model only", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--noise-model", "auto", "@gray.pgm", "@out.png" } },
  { "denoise-noise-model-auto-too-small", "adiff", 1, "gray.pgm", { "denoise", "--noise-model", "auto", "@gray.pgm", "@out.png" } },
  { "denoise-image-1x1", "adiff", 0, "", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "20", "@tiny.pgm", "@out.png" }, "out.png" },
  { "denoise-image-smaller-than-window", "adiff", 0, "", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "20", "@small.pgm", "@out.png" }, "out.png" },
  { "denoise-gray-bundle-rgb-image", "adiff", 0, "", { "denoise", "-m", "wiener", "-b", "@gray.adstats", "--sigma", "20", "@rgb.ppm", "@out.png" }, "out.png" },
  { "denoise-noise-model-given", "adiff", 0, "", { "denoise", "--noise-model", "0.0001,0.01", "@rgb.ppm", "@out.png" }, "out.png" },
};

/* '@x' → <dir>/x, with '$' → the folder's own name (to spell a path twice). */
static char *
expand (const char *arg)
{
  if (arg[0] != '@')
    return g_strdup (arg);
  char *base = g_path_get_basename (dir);
  char *rel = g_strdup (arg + 1);
  char *dollar = strchr (rel, '$');
  if (dollar)
    {
      *dollar = 0;
      char *t = g_strconcat (rel, base, dollar + 1, NULL);
      g_free (rel);
      rel = t;
    }
  char *full = g_build_filename (dir, rel, NULL);
  g_free (rel);
  g_free (base);
  return full;
}

static void
run_case (gconstpointer data)
{
  const Case *t = data;
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_build_filename (g_getenv ("ADIFF_BUILD_ROOT"), "stats", t->tool, NULL));
  for (guint i = 0; i < MAX_ARGS && t->args[i]; i++)
    g_ptr_array_add (argv, expand (t->args[i]));
  g_ptr_array_add (argv, NULL);
  char *before = bad_fingerprint (dir);

  char *out = NULL, *err = NULL;
  int status;
  GError *error = NULL;
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %s%s", t->name, err, out);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, t->status);
  /* verify reports on stdout (its findings are its output); the rest on stderr */
  const char *report = g_str_equal (t->args[0], "verify") ? out : err;
  if (t->says[0] && !strstr (report, t->says))
    g_error ("%s: the report does not name “%s”: %s", t->name, t->says, report);

  if (t->creates)
    {
      /* denoise IN OUT: the input is the argument before the output */
      guint n = 0;
      while (n < MAX_ARGS && t->args[n])
        n++;
      char *path = g_build_filename (dir, t->creates, NULL), *in = expand (t->args[n - 2]);
      AdiffIoImage a, b;
      g_assert_true (adiff_io_image_load (in, &a, NULL));
      g_assert_true (adiff_io_image_load (path, &b, NULL));
      g_assert_cmpuint (a.width, ==, b.width);
      g_assert_cmpuint (a.height, ==, b.height);
      g_assert_cmpuint (a.channels, ==, b.channels);
      adiff_io_image_clear (&a);
      adiff_io_image_clear (&b);
      g_unlink (path);
      g_free (path);
      g_free (in);
    }
  char *after = bad_fingerprint (dir);
  g_assert_cmpstr (after, ==, before);
  g_free (before); g_free (after); g_free (out); g_free (err);
  g_ptr_array_free (argv, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("ADIFF_BUILD_ROOT"));
  make_fixtures ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *path = g_strdup_printf ("/bad-input/cli/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], run_case);
      g_free (path);
    }
  int status = g_test_run ();
  bad_rmtree (dir);
  g_free (dir);
  return status;
}
