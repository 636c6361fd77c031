/* bundle-test-util.h — synthetic bundles for the tests of tests/bundle. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include "adiff/adiff.h"

/* Arrays behind an AdiffBundleData, owned by the fixture. */
typedef struct
{
  AdiffBundleData data;
  double *mean, *eigenvalues, *eigenvectors, *scatter;
  float  *exemplars;
  gint32 *labels;
} TestBundle;

/* A valid bundle of a w×h×c window, k components, n exemplars (values on
 * the 1/255 grid when u8_grid, so u8 storage is exact). */
static inline void
test_bundle_init (TestBundle *t, guint w, guint h, guint c, guint k, guint n,
                  gboolean labels, gboolean scatter, gboolean u8_grid, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  gsize d = (gsize) w * h * c;
  memset (t, 0, sizeof *t);
  t->mean = g_new (double, d);
  for (gsize i = 0; i < d; i++)
    t->mean[i] = g_rand_double (rand);
  t->eigenvalues = g_new (double, k + 1);
  for (guint i = 0; i < k; i++)
    t->eigenvalues[i] = 1.0 / (1.0 + i) + (i == k - 1 ? 0 : 1e-3);
  t->eigenvectors = g_new (double, (gsize) k * d + 1);
  for (gsize i = 0; i < (gsize) k * d; i++)
    t->eigenvectors[i] = g_rand_double_range (rand, -1, 1);
  for (guint i = 0; i < k; i++)   /* unit rows: the loader checks their length */
    {
      double *u = t->eigenvectors + (gsize) i * d, s = 0;
      for (gsize p = 0; p < d; p++)
        s += u[p] * u[p];
      for (gsize p = 0; p < d; p++)
        u[p] /= sqrt (s);
    }
  t->exemplars = g_new (float, (gsize) n * d + 1);
  for (gsize i = 0; i < (gsize) n * d; i++)
    t->exemplars[i] = u8_grid ? g_rand_int_range (rand, 0, 256) / 255.0f
                              : (float) g_rand_double (rand);
  if (labels)
    {
      t->labels = g_new (gint32, n + 1);
      for (guint i = 0; i < n; i++)
        t->labels[i] = (gint32) g_rand_int_range (rand, -5, 1000);
    }
  if (scatter)
    {
      t->scatter = g_new (double, d * d);
      for (gsize i = 0; i < d * d; i++)
        t->scatter[i] = g_rand_double_range (rand, -3, 3);
    }
  t->data = (AdiffBundleData) {
    .width = w, .height = h, .channels = c, .n_items = 1000 + n,
    .mean = t->mean, .n_components = k, .eigenvalues = t->eigenvalues,
    .eigenvectors = t->eigenvectors, .residual_variance = 0.125,
    .n_exemplars = n, .exemplars = t->exemplars, .labels = t->labels,
    .scatter = t->scatter,
    .metadata = "[bundle]\nsource=synthetic test data\nitems=1000\n",
  };
  g_rand_free (rand);
}

static inline void
test_bundle_clear (TestBundle *t)
{
  g_free (t->mean);
  g_free (t->eigenvalues);
  g_free (t->eigenvectors);
  g_free (t->scatter);
  g_free (t->exemplars);
  g_free (t->labels);
}

/* A fresh scratch folder for files; removed (with its files) by the caller
 * through test_rm_folder(). */
static inline char *
test_make_folder (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("adiff-test-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static inline guint
test_count_files (const char *dir)
{
  GDir *gd = g_dir_open (dir, 0, NULL);
  guint n = 0;
  while (gd && g_dir_read_name (gd))
    n++;
  if (gd)
    g_dir_close (gd);
  return n;
}

static inline void
test_rm_folder (char *dir)
{
  GDir *gd = g_dir_open (dir, 0, NULL);
  const char *name;
  while (gd && (name = g_dir_read_name (gd)))
    {
      char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
      g_free (p);
    }
  if (gd)
    g_dir_close (gd);
  g_rmdir (dir);
  g_free (dir);
}
