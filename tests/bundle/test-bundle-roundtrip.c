/* test-bundle-roundtrip.c — adiff_bundle_write() then adiff_bundle_open()
 * gives back the data, for every storage kind; writing is atomic. */
#include <math.h>
#include "bundle-test-util.h"

typedef struct
{
  AdiffStorage evec, exem;
  gboolean labels, scatter;
  guint w, h, c, k, n;
} Case;

static const Case cases[] = {
  { ADIFF_STORE_F32, ADIFF_STORE_F32, FALSE, FALSE, 4, 3, 1, 12, 5 },
  { ADIFF_STORE_F32, ADIFF_STORE_U8,  TRUE,  FALSE, 4, 3, 1, 5, 7 },
  { ADIFF_STORE_F32, ADIFF_STORE_F16, TRUE,  FALSE, 3, 2, 3, 18, 4 },
  { ADIFF_STORE_F16, ADIFF_STORE_F32, FALSE, TRUE,  2, 2, 3, 3, 9 },
  { ADIFF_STORE_F16, ADIFF_STORE_U8,  TRUE,  TRUE,  5, 4, 1, 20, 3 },
  { ADIFF_STORE_F16, ADIFF_STORE_F16, FALSE, FALSE, 1, 1, 1, 1, 1 },
  { ADIFF_STORE_F32, ADIFF_STORE_F32, FALSE, TRUE,  3, 3, 1, 0, 0 },   /* partial shard */
  { ADIFF_STORE_F32, ADIFF_STORE_U8,  FALSE, FALSE, 8, 8, 3, 0, 30 },
};

static void
assert_close_f (float got, double want, double tol)
{
  if (fabs (got - want) > tol)
    g_error ("value %.9g differs from %.9g by more than %g", got, want, tol);
}

static void
test_round_trip (gconstpointer p)
{
  const Case *c = p;
  TestBundle t;
  test_bundle_init (&t, c->w, c->h, c->c, c->k, c->n, c->labels, c->scatter,
                    c->exem == ADIFF_STORE_U8, 42);
  char *dir = test_make_folder ();
  char *path = g_build_filename (dir, "b.adstats", NULL);
  AdiffWriteOptions opt = { c->evec, c->exem };
  GError *error = NULL;

  g_assert_true (adiff_bundle_write (path, &t.data, &opt, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_files (dir), ==, 1);   /* no temporary left */

  AdiffBundle *b = adiff_bundle_open (path, NULL, &error);
  g_assert_no_error (error);
  gsize d = (gsize) c->w * c->h * c->c;
  g_assert_cmpuint (adiff_bundle_get_width (b), ==, c->w);
  g_assert_cmpuint (adiff_bundle_get_height (b), ==, c->h);
  g_assert_cmpuint (adiff_bundle_get_channels (b), ==, c->c);
  g_assert_cmpuint (adiff_bundle_get_dim (b), ==, d);
  g_assert_cmpuint (adiff_bundle_get_n_items (b), ==, t.data.n_items);
  g_assert_cmpuint (adiff_bundle_get_n_components (b), ==, c->k);
  g_assert_cmpuint (adiff_bundle_get_n_exemplars (b), ==, c->n);
  g_assert_cmpfloat (adiff_bundle_get_residual_variance (b), ==, 0.125);
  g_assert_cmpmem (adiff_bundle_get_mean (b), d * 8, t.mean, d * 8);
  if (c->k)
    g_assert_cmpmem (adiff_bundle_get_eigenvalues (b), c->k * 8, t.eigenvalues, c->k * 8);

  const float *u = adiff_bundle_get_eigenvectors (b);
  for (gsize i = 0; i < c->k * d; i++)
    {
      double want = (float) t.eigenvectors[i];
      assert_close_f (u[i], want, c->evec == ADIFF_STORE_F16 ? ldexp (fabs (want), -11) + 1e-7 : 0);
    }
  const float *x = adiff_bundle_get_exemplars (b);
  g_assert_true ((x != NULL) == (c->n > 0));
  for (gsize i = 0; i < c->n * d; i++)
    assert_close_f (x[i], t.exemplars[i],
                    c->exem == ADIFF_STORE_F16 ? ldexp (fabs (t.exemplars[i]), -11) + 1e-7 :
                    c->exem == ADIFF_STORE_U8 ? 1e-7 : 0);
  if (c->labels)
    g_assert_cmpmem (adiff_bundle_get_labels (b), c->n * 4, t.labels, c->n * 4);
  else
    g_assert_null (adiff_bundle_get_labels (b));
  if (c->scatter)
    g_assert_cmpmem (adiff_bundle_get_scatter (b), d * d * 8, t.scatter, d * d * 8);
  else
    g_assert_null (adiff_bundle_get_scatter (b));
  g_assert_cmpstr (adiff_bundle_get_metadata (b), ==, t.data.metadata);
  g_assert_cmpstr (adiff_bundle_get_name (b), ==, path);

  /* The same bytes through the in-memory entry point. */
  char *contents;
  gsize len;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  GBytes *bytes = g_bytes_new_take (contents, len);
  AdiffBundle *b2 = adiff_bundle_open_bytes (bytes, "mem", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (adiff_bundle_get_eigenvectors (b2), c->k * d * 4, u, c->k * d * 4);
  g_assert_cmpstr (adiff_bundle_get_name (b2), ==, "mem");
  adiff_bundle_unref (b2);
  g_bytes_unref (bytes);

  adiff_bundle_unref (b);
  g_free (path);
  test_rm_folder (dir);
  test_bundle_clear (&t);
}

/* Sections are 64-byte aligned: each table offset is a multiple of 64. */
static void
test_alignment (void)
{
  TestBundle t;
  test_bundle_init (&t, 3, 3, 1, 4, 3, TRUE, TRUE, FALSE, 1);
  char *dir = test_make_folder ();
  char *path = g_build_filename (dir, "b.adstats", NULL);
  g_assert_true (adiff_bundle_write (path, &t.data, NULL, NULL));
  char *contents;
  gsize len;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  guint32 n_sections;
  memcpy (&n_sections, contents + 28, 4);
  g_assert_cmpuint (GUINT32_FROM_LE (n_sections), ==, 7)   /* all kinds */;
  for (guint i = 0; i < n_sections; i++)
    {
      guint64 off;
      memcpy (&off, contents + 128 + 32 * i + 8, 8);
      g_assert_cmpuint (GUINT64_FROM_LE (off) % 64, ==, 0);
    }
  g_free (contents);
  g_free (path);
  test_rm_folder (dir);
  test_bundle_clear (&t);
}

/* No metadata given: the writer stores a default key file. */
static void
test_default_metadata (void)
{
  TestBundle t;
  test_bundle_init (&t, 2, 2, 1, 2, 0, FALSE, FALSE, FALSE, 3);
  t.data.metadata = NULL;
  char *dir = test_make_folder ();
  char *path = g_build_filename (dir, "b.adstats", NULL);
  g_assert_true (adiff_bundle_write (path, &t.data, NULL, NULL));
  AdiffBundle *b = adiff_bundle_open (path, NULL, NULL);
  g_assert_nonnull (b);
  GKeyFile *kf = g_key_file_new ();
  g_assert_true (g_key_file_load_from_data (kf, adiff_bundle_get_metadata (b), -1, 0, NULL));
  g_assert_cmpint (g_key_file_get_integer (kf, "bundle", "width", NULL), ==, 2);
  char *enc = g_key_file_get_value (kf, "bundle", "color-encoding", NULL);
  g_assert_cmpstr (enc, ==, "sRGB");
  g_free (enc);
  g_key_file_free (kf);
  adiff_bundle_unref (b);
  g_free (path);
  test_rm_folder (dir);
  test_bundle_clear (&t);
}

static void
test_missing_folder (void)
{
  TestBundle t;
  test_bundle_init (&t, 2, 2, 1, 2, 0, FALSE, FALSE, FALSE, 3);
  char *dir = test_make_folder ();
  char *path = g_build_filename (dir, "no-such-folder", "b.adstats", NULL);
  GError *error = NULL;
  g_assert_false (adiff_bundle_write (path, &t.data, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "does not exist"));
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_cmpuint (test_count_files (dir), ==, 0);
  g_free (path);
  test_rm_folder (dir);
  test_bundle_clear (&t);
}

/* Invalid data: nothing written, an existing bundle stays untouched. */
static void
test_invalid_data_keeps_old_file (void)
{
  TestBundle t;
  test_bundle_init (&t, 2, 2, 1, 2, 0, FALSE, FALSE, FALSE, 3);
  char *dir = test_make_folder ();
  char *path = g_build_filename (dir, "b.adstats", NULL);
  GError *error = NULL;
  g_assert_true (adiff_bundle_write (path, &t.data, NULL, &error));
  char *before;
  gsize len_before;
  g_assert_true (g_file_get_contents (path, &before, &len_before, NULL));

  t.mean[1] = NAN;
  g_assert_false (adiff_bundle_write (path, &t.data, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC);
  g_clear_error (&error);
  t.mean[1] = 0.5;
  AdiffWriteOptions bad = { ADIFF_STORE_U8, ADIFF_STORE_F32 };
  g_assert_false (adiff_bundle_write (path, &t.data, &bad, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  char *after;
  gsize len_after;
  g_assert_true (g_file_get_contents (path, &after, &len_after, NULL));
  g_assert_cmpmem (before, len_before, after, len_after);
  g_assert_cmpuint (test_count_files (dir), ==, 1);
  g_free (before);
  g_free (after);
  g_free (path);
  test_rm_folder (dir);
  test_bundle_clear (&t);
}

static void
test_missing_file (void)
{
  GError *error = NULL;
  g_assert_null (adiff_bundle_open ("/nonexistent/x.adstats", NULL, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.adstats"));
  g_error_free (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *name = g_strdup_printf ("/bundle/round-trip/%u", i);
      g_test_add_data_func (name, &cases[i], test_round_trip);
      g_free (name);
    }
  g_test_add_func ("/bundle/alignment", test_alignment);
  g_test_add_func ("/bundle/default-metadata", test_default_metadata);
  g_test_add_func ("/bundle/write/missing-folder", test_missing_folder);
  g_test_add_func ("/bundle/write/invalid-data", test_invalid_data_keeps_old_file);
  g_test_add_func ("/bundle/open/missing-file", test_missing_file);
  return g_test_run ();
}
