/* cli-test-util.h — what the tests of the adiff tool share: where the
 * program under test is, a flat scratch folder, and its files read and
 * written with assertions. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include "adiff/adiff.h"
#include "adiff-io.h"

/* $ADIFF_BUILD_ROOT/stats/adiff, or stats/adiff relative to the build
 * folder meson runs the tests in. */
static inline char *
cli_test_adiff_path (void)
{
  const char *root = g_getenv ("ADIFF_BUILD_ROOT");
  return root ? g_build_filename (root, "stats", "adiff", NULL) : g_strdup ("stats/adiff");
}

/* Remove a scratch folder and the files in it (it holds no subfolders). */
static inline void
cli_test_remove_dir (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
}

static inline AdiffBundle *
cli_test_open_bundle (const char *dir, const char *name)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  GError *error = NULL;
  AdiffBundle *b = adiff_bundle_open (p, NULL, &error);
  g_assert_no_error (error);
  return b;
}

static inline void
cli_test_save_npy (const char *dir, const char *name, const float *data, guint ndim,
                   const guint64 *shape)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  GError *error = NULL;
  g_assert_true (adiff_io_npy_save (p, data, ndim, shape, &error));
  g_assert_no_error (error);
}

static inline AdiffNpy
cli_test_load_npy (const char *dir, const char *name)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  AdiffNpy npy;
  GError *error = NULL;
  g_assert_true (adiff_io_npy_load (p, &npy, &error));
  g_assert_no_error (error);
  return npy;
}
