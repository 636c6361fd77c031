/* test-adiff-stats.c — the adiff-stats tool end to end on small synthetic
 * .npy datasets: build against a two-pass reference, partial builds merged
 * == one build, info / info --json / verify / compare output, corrupt
 * bundles, bad input and usage errors (exit status, message, no output).
 * argv[1] of the test is the adiff-stats executable. */
#include <math.h>
#include <lapacke.h>
#include <glib/gstdio.h>
#include "adiff/adiff.h"

#define W 4
#define H 3
#define D (W * H)

static const char *tool;
static char *tmpdir;

typedef struct
{
  int   status;
  char *out, *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

/* Run adiff-stats with the given arguments (NULL-terminated). */
static Run
run (const char *first, ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) tool);
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  Run r = { 0 };
  GError *error = NULL;
  int wait_status;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &r.out, &r.err, &wait_status, &error));
  g_assert_no_error (error);
  r.status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128;
  g_ptr_array_free (argv, TRUE);
  return r;
}

static char *
path_in_tmp (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* A float32 .npy of shape (n, H, W). */
static char *
write_npy (const char *name, const float *x, gsize n)
{
  char *path = path_in_tmp (name);
  char header[128];
  int len = g_snprintf (header, sizeof header,
                        "{'descr': '<f4', 'fortran_order': False, 'shape': (%" G_GSIZE_FORMAT
                        ", %d, %d), }", n, H, W);
  int total = 10 + len + 1;
  int pad = (64 - total % 64) % 64;
  GString *s = g_string_new_len ("\x93NUMPY\x01\x00", 8);
  guint16 hl = GUINT16_TO_LE ((guint16) (len + pad + 1));
  g_string_append_len (s, (char *) &hl, 2);
  g_string_append_len (s, header, len);
  for (int i = 0; i < pad; i++)
    g_string_append_c (s, ' ');
  g_string_append_c (s, '\n');
  g_string_append_len (s, (const char *) x, (gssize) (n * D * sizeof (float)));
  g_assert_true (g_file_set_contents (path, s->str, (gssize) s->len, NULL));
  g_string_free (s, TRUE);
  return path;
}

/* Correlated data in [0,1] around a mean near 0.9 (large against the spread). */
static float *
make_items (gsize n, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  float *x = g_new (float, n * D);
  for (gsize t = 0; t < n; t++)
    {
      double a = g_rand_double_range (rand, -1, 1), b = g_rand_double_range (rand, -1, 1);
      for (int p = 0; p < D; p++)
        x[t * D + p] = (float) (0.9 + 0.03 * a * cos (p) + 0.02 * b * (p % W) / W +
                                0.005 * g_rand_double_range (rand, -1, 1));
    }
  g_rand_free (rand);
  return x;
}

/* Two-pass mean and covariance, DSYEV eigenvalues (descending) and, when
 * wiener is not NULL, W_σ = V diag(λ/(λ+σ²)) Vᵀ. */
static void
reference (const float *x, gsize n, double *mean, double *lam, double sigma, double *wiener)
{
  double cov[D * D] = { 0 };
  for (int p = 0; p < D; p++)
    {
      mean[p] = 0;
      for (gsize t = 0; t < n; t++)
        mean[p] += x[t * D + p];
      mean[p] /= n;
    }
  for (gsize t = 0; t < n; t++)
    for (int p = 0; p < D; p++)
      for (int q = 0; q < D; q++)
        cov[p * D + q] += (x[t * D + p] - mean[p]) * (x[t * D + q] - mean[q]) / n;
  double w[D];
  g_assert_cmpint (LAPACKE_dsyev (LAPACK_ROW_MAJOR, wiener ? 'V' : 'N', 'U', D, cov, D, w),
                   ==, 0);
  for (int i = 0; i < D; i++)
    lam[i] = MAX (w[D - 1 - i], 0);
  if (!wiener)
    return;
  /* Row-major: column i of cov is the eigenvector of w[i]. */
  for (int p = 0; p < D; p++)
    for (int q = 0; q < D; q++)
      {
        double v = 0;
        for (int i = 0; i < D; i++)
          {
            double l = MAX (w[i], 0);
            v += l / (l + sigma * sigma) * cov[p * D + i] * cov[q * D + i];
          }
        wiener[p * D + q] = v;
      }
}

static AdiffBundle *
open_bundle (const char *path)
{
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_open (path, NULL, &error);
  g_assert_no_error (error);
  return b;
}

static void
test_build_matches_reference (void)
{
  float *x = make_items (500, 1);
  char *npy = write_npy ("data.npy", x, 500);
  char *out = path_in_tmp ("ref.adstats");
  Run r = run ("build", "-q", "-o", out, "--exemplars", "50", npy, NULL);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);

  double mean[D], lam[D], wref[D * D], sigma = 10.0 / 255;
  reference (x, 500, mean, lam, sigma, wref);
  AdiffBundle *b = open_bundle (out);
  g_assert_cmpuint (adiff_bundle_get_n_items (b), ==, 500);
  g_assert_cmpuint (adiff_bundle_get_n_components (b), ==, D);
  g_assert_cmpuint (adiff_bundle_get_n_exemplars (b), ==, 50);
  for (int p = 0; p < D; p++)
    g_assert_cmpfloat (fabs (adiff_bundle_get_mean (b)[p] - mean[p]), <=, 1e-9 * mean[p]);
  for (int i = 0; i < D; i++)
    g_assert_cmpfloat (fabs (adiff_bundle_get_eigenvalues (b)[i] - lam[i]), <=, 1e-9 * lam[0]);
  /* The Wiener matrix of the loaded bundle: its eigenvectors are stored as
   * float32, so here agreement is to float precision (the double-precision
   * pipeline is checked to 1e-9 in test-moments). */
  double row[D];
  for (int q = 0; q < D; q++)
    {
      adiff_wiener_row (b, sigma, q, row);
      for (int p = 0; p < D; p++)
        g_assert_cmpfloat (fabs (row[p] - wref[q * D + p]), <=, 1e-6);
    }
  /* Exemplars are items of the source (float32 source: stored f32, exact). */
  const float *ex = adiff_bundle_get_exemplars (b);
  for (int j = 0; j < 50; j++)
    {
      gboolean found = FALSE;
      for (int t = 0; t < 500 && !found; t++)
        found = memcmp (ex + j * D, x + t * D, D * sizeof (float)) == 0;
      g_assert_true (found);
    }
  adiff_bundle_unref (b);

  r = run ("verify", out, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "checks passed"));
  run_clear (&r);
  g_free (out);
  g_free (npy);
  g_free (x);
}

static void
test_merge_equals_single (void)
{
  float *x = make_items (600, 2);
  char *all = write_npy ("all.npy", x, 600);
  char *p1 = write_npy ("p1.npy", x, 150);
  char *p2 = write_npy ("p2.npy", x + 150 * D, 400);
  char *p3 = write_npy ("p3.npy", x + 550 * D, 50);
  char *single = path_in_tmp ("single.adstats");
  char *b1 = path_in_tmp ("b1.adstats"), *b2 = path_in_tmp ("b2.adstats");
  char *b3 = path_in_tmp ("b3.adstats"), *merged = path_in_tmp ("merged.adstats");
  Run r = run ("build", "-q", "-o", single, all, NULL);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  const char *parts[][2] = { { b1, p1 }, { b2, p2 }, { b3, p3 } };
  for (int i = 0; i < 3; i++)
    {
      r = run ("build", "-q", "--partial", "--exemplars", "20", "-o", parts[i][0],
               parts[i][1], NULL);
      g_assert_cmpint (r.status, ==, 0);
      run_clear (&r);
    }
  r = run ("merge", "-q", "-o", merged, "--exemplars", "30", b1, b2, b3, NULL);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);

  AdiffBundle *s = open_bundle (single), *m = open_bundle (merged);
  g_assert_cmpuint (adiff_bundle_get_n_items (m), ==, 600);
  g_assert_cmpuint (adiff_bundle_get_n_exemplars (m), ==, 30);
  g_assert_null (adiff_bundle_get_scatter (m));
  const double *ls = adiff_bundle_get_eigenvalues (s), *lm = adiff_bundle_get_eigenvalues (m);
  for (int p = 0; p < D; p++)
    g_assert_cmpfloat (fabs (adiff_bundle_get_mean (s)[p] - adiff_bundle_get_mean (m)[p]), <=,
                       1e-12 * adiff_bundle_get_mean (s)[p]);
  for (int i = 0; i < D; i++)
    g_assert_cmpfloat (fabs (ls[i] - lm[i]), <=, 1e-12 * ls[0]);
  adiff_bundle_unref (s);
  adiff_bundle_unref (m);

  /* A part with a different window cannot join. */
  float *y = make_items (10, 3);
  char *odd = path_in_tmp ("odd.npy");
  {
    /* (10, 3, 4) → (10, 4, 3): same d, different window. */
    char header[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 4, 3), }";
    GString *str = g_string_new_len ("\x93NUMPY\x01\x00", 8);
    int len = (int) strlen (header), pad = (64 - (10 + len + 1) % 64) % 64;
    guint16 hl = GUINT16_TO_LE ((guint16) (len + pad + 1));
    g_string_append_len (str, (char *) &hl, 2);
    g_string_append (str, header);
    for (int i = 0; i < pad; i++)
      g_string_append_c (str, ' ');
    g_string_append_c (str, '\n');
    g_string_append_len (str, (const char *) y, 10 * D * sizeof (float));
    g_assert_true (g_file_set_contents (odd, str->str, (gssize) str->len, NULL));
    g_string_free (str, TRUE);
  }
  char *bodd = path_in_tmp ("odd.adstats"), *bad = path_in_tmp ("bad-merge.adstats");
  r = run ("build", "-q", "--partial", "-o", bodd, odd, NULL);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  r = run ("merge", "-q", "-o", bad, b1, bodd, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "differs"));
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  run_clear (&r);
  /* A finished bundle is not a part. */
  r = run ("merge", "-q", "-o", bad, single, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "not a partial bundle"));
  run_clear (&r);

  g_free (y);
  g_free (odd);
  g_free (bodd);
  g_free (bad);
  g_free (all);
  g_free (p1);
  g_free (p2);
  g_free (p3);
  g_free (single);
  g_free (b1);
  g_free (b2);
  g_free (b3);
  g_free (merged);
  g_free (x);
}

static void
test_info_compact_compare (void)
{
  float *x = make_items (300, 4);
  char *npy = write_npy ("c.npy", x, 300);
  char *full = path_in_tmp ("full.adstats"), *compact = path_in_tmp ("compact.adstats");
  Run r = run ("build", "-q", "-o", full, "--exemplars", "0", npy, NULL);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  r = run ("build", "-q", "-o", compact, "--components", "auto", "--variance-share", "0.99",
           "--store-f16", "--exemplars", "all", "--exemplar-storage", "f16", npy, NULL);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);

  r = run ("info", compact, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "window:          4×3, 1 channel(s), d = 12"));
  g_assert_nonnull (strstr (r.out, "eigenvectors f16"));
  g_assert_nonnull (strstr (r.out, "exemplars:       300 (f16)"));
  g_assert_nonnull (strstr (r.out, "checksums:       all ok"));
  run_clear (&r);

  r = run ("info", "--json", full, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "{\"file\": "));
  g_assert_nonnull (strstr (r.out, "\"dim\": 12"));
  g_assert_nonnull (strstr (r.out, "\"value_range\": \"0 1\""));
  g_assert_nonnull (strstr (r.out, "\"items\": 300"));
  g_assert_nonnull (strstr (r.out, "\"components\": 12"));
  g_assert_nonnull (strstr (r.out, "\"exemplars\": 0"));
  g_assert_nonnull (strstr (r.out, "\"checksums_ok\": true"));
  g_assert_nonnull (strstr (r.out, "\"metadata\": {\"bundle\": {"));
  run_clear (&r);

  AdiffBundle *c = open_bundle (compact);
  guint k = adiff_bundle_get_n_components (c);
  g_assert_cmpuint (k, <, D);
  g_assert_cmpuint (k, >, 0);
  g_assert_cmpfloat (adiff_bundle_get_residual_variance (c), >, 0);
  adiff_bundle_unref (c);

  r = run ("compare", "--sigma", "5,25", compact, full, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "σ = 5/255: max |W_A − W_B| = "));
  g_assert_nonnull (strstr (r.out, "σ = 25/255"));
  run_clear (&r);
  r = run ("compare", full, full, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "σ = 50/255: max |W_A − W_B| = 0\n"));
  run_clear (&r);

  r = run ("verify", compact, NULL);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  g_free (full);
  g_free (compact);
  g_free (npy);
  g_free (x);
}

static void
test_corrupt_bundle (void)
{
  float *x = make_items (100, 5);
  char *npy = write_npy ("v.npy", x, 100);
  char *out = path_in_tmp ("v.adstats");
  Run r = run ("build", "-q", "-o", out, npy, NULL);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);
  char *data;
  gsize len;
  g_assert_true (g_file_get_contents (out, &data, &len, NULL));
  data[len - 1] ^= 0x01;   /* inside the metadata section */
  g_assert_true (g_file_set_contents (out, data, (gssize) len, NULL));
  r = run ("verify", out, NULL);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.out, "FAIL section META checksum"));
  g_assert_nonnull (strstr (r.out, "FAILED"));
  run_clear (&r);
  r = run ("info", out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "checksum"));
  run_clear (&r);
  /* Truncated. */
  g_assert_true (g_file_set_contents (out, data, (gssize) len / 2, NULL));
  r = run ("verify", out, NULL);
  g_assert_cmpint (r.status, ==, 3);
  run_clear (&r);
  r = run ("verify", "/nonexistent.adstats", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "/nonexistent.adstats"));
  run_clear (&r);
  g_free (data);
  g_free (out);
  g_free (npy);
  g_free (x);
}

typedef struct
{
  const char *name;
  const char *args[8];
  int status;
  const char *err;      /* expected in stderr */
} BadCase;

static void
test_bad (gconstpointer p)
{
  const BadCase *c = p;
  char *out = path_in_tmp ("bad-out.adstats");
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; c->args[i]; i++)
    {
      const char *a = c->args[i];
      if (g_strcmp0 (a, "OUT") == 0)
        g_ptr_array_add (argv, g_strdup (out));
      else if (g_str_has_prefix (a, "TMP/"))
        g_ptr_array_add (argv, path_in_tmp (a + 4));
      else
        g_ptr_array_add (argv, g_strdup (a));
    }
  while (argv->len < 8)
    g_ptr_array_add (argv, NULL);
  char **v = (char **) argv->pdata;
  Run r = run (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], NULL);
  if (r.status != c->status || !strstr (r.err, c->err))
    g_error ("%s: status %d, stderr “%s”", c->name, r.status, r.err);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  run_clear (&r);
  g_ptr_array_free (argv, TRUE);
  g_free (out);
}

static const BadCase bad_cases[] = {
  { "no-command", { NULL }, 2, "Usage" },
  { "unknown-command", { "frobnicate", NULL }, 2, "unknown command" },
  { "unknown-option", { "build", "--frob", NULL }, 2, "--frob" },
  { "no-output", { "build", "TMP/one.npy", NULL }, 2, "--output" },
  { "no-source", { "build", "-o", "OUT", NULL }, 2, "no SOURCE" },
  { "bad-components", { "build", "-o", "OUT", "-k", "many", "TMP/one.npy", NULL }, 2, "--components" },
  { "bad-exemplars", { "build", "-o", "OUT", "-e", "-3", "TMP/one.npy", NULL }, 2, "--exemplars" },
  { "bad-size", { "build", "-o", "OUT", "--size", "32", "TMP/one.npy", NULL }, 2, "--size" },
  { "bad-fit", { "build", "-o", "OUT", "--fit", "squash", "TMP/one.npy", NULL }, 2, "--fit" },
  { "gray-and-rgb", { "build", "-o", "OUT", "--gray", "--rgb", "TMP/one.npy", NULL }, 2, "--gray" },
  { "one-item", { "build", "-q", "-o", "OUT", "TMP/one.npy", NULL }, 1, "at least 2" },
  { "empty-folder", { "build", "-q", "-o", "OUT", "TMP/empty", NULL }, 1, "empty" },
  { "missing-source", { "build", "-q", "-o", "OUT", "TMP/nothing.npy", NULL }, 1, "nothing.npy" },
  { "nan", { "build", "-q", "-o", "OUT", "TMP/nan.npy", NULL }, 1, "nan.npy" },
  { "missing-folder", { "build", "-q", "-o", "TMP/no/such/dir/x.adstats", "TMP/two.npy", NULL },
    3, "does not exist" },
  { "info-args", { "info", NULL }, 2, "exactly one" },
  { "compare-args", { "compare", "TMP/x", NULL }, 2, "two bundle files" },
  { "merge-no-parts", { "merge", "-o", "OUT", NULL }, 2, "no PART" },
};

/* --limit counts source images; windows and mirrors multiply them. */
static void
test_limit_counts_images (void)
{
  static const struct { const char *extra[7]; guint64 items; } cases[] = {
    { { NULL }, 3 },
    { { "--augment", "hflip", NULL }, 6 },
    { { "--size", "2x2", "--patches-per-image", "2", NULL }, 6 },
    { { "--size", "2x2", "--patches-per-image", "2", "--augment", "hflip", NULL }, 12 },
  };
  float *x = make_items (10, 4);
  char *npy = write_npy ("limit.npy", x, 10);
  char *out = path_in_tmp ("limit.adstats");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *const *e = cases[i].extra;
      Run r = run ("build", "-q", "-o", out, "--exemplars", "0", "--limit", "3", npy,
                   e[0], e[1], e[2], e[3], e[4], e[5], NULL);
      if (r.status != 0)
        g_error ("case %u: %s", i, r.err);
      run_clear (&r);
      AdiffBundle *b = open_bundle (out);
      g_assert_cmpuint (adiff_bundle_get_n_items (b), ==, cases[i].items);
      adiff_bundle_unref (b);
    }
  Run r = run ("build", "--help", NULL);
  g_assert_nonnull (strstr (r.out, "first N source images"));
  run_clear (&r);
  g_free (out);
  g_free (npy);
  g_free (x);
}

static void
test_help (void)
{
  static const char *const cmds[] = { "build", "info", "verify", "merge", "compare" };
  Run r = run ("--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Exit status"));
  run_clear (&r);
  r = run ("--version", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "adiff-stats " ADIFF_VERSION));
  run_clear (&r);
  for (guint i = 0; i < G_N_ELEMENTS (cmds); i++)
    {
      r = run (cmds[i], "--help", NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "Exit status"));
      g_assert_nonnull (strstr (r.out, cmds[i]));
      run_clear (&r);
    }
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)))
    {
      char *p = g_build_filename (path, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_tree (p);
      else
        g_unlink (p);
      g_free (p);
    }
  if (dir)
    g_dir_close (dir);
  g_rmdir (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: %s PATH/TO/adiff-stats", argv[0]);
  tool = argv[1];
  tmpdir = g_dir_make_tmp ("adiff-stats-test-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  float *x = make_items (2, 9);
  g_free (write_npy ("one.npy", x, 1));
  g_free (write_npy ("two.npy", x, 2));
  x[5] = NAN;
  g_free (write_npy ("nan.npy", x, 2));
  g_free (x);
  char *empty = path_in_tmp ("empty");
  g_mkdir (empty, 0700);
  g_free (empty);

  g_test_add_func ("/adiff-stats/build-matches-reference", test_build_matches_reference);
  g_test_add_func ("/adiff-stats/merge-equals-single", test_merge_equals_single);
  g_test_add_func ("/adiff-stats/info-compact-compare", test_info_compact_compare);
  g_test_add_func ("/adiff-stats/corrupt-bundle", test_corrupt_bundle);
  g_test_add_func ("/adiff-stats/help", test_help);
  g_test_add_func ("/adiff-stats/limit-counts-images", test_limit_counts_images);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      char *name = g_strdup_printf ("/adiff-stats/bad/%s", bad_cases[i].name);
      g_test_add_data_func (name, &bad_cases[i], test_bad);
      g_free (name);
    }
  int rc = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return rc;
}
