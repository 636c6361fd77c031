/* io-test-util.h — helpers shared by the io tests: a scratch folder per
 * test program and checks on GErrors. */
#pragma once

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "adiff-io.h"

/* A fresh temporary folder, removed (with its files) at exit. */
static char *test_dir;

static void
test_dir_remove (void)
{
  g_autoptr (GDir) dir = g_dir_open (test_dir, 0, NULL);
  const char *name;
  /* Recursive: tests build small folder trees. */
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (test_dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          char *saved = test_dir;
          test_dir = path;
          test_dir_remove ();
          test_dir = saved;
        }
      else
        g_unlink (path);
    }
  g_rmdir (test_dir);
}

static void
test_dir_remove_at_exit (void)
{
  test_dir_remove ();
  g_free (test_dir);
}

static void
test_dir_init (void)
{
  g_autoptr (GError) error = NULL;
  test_dir = g_dir_make_tmp ("adiff-io-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (test_dir_remove_at_exit);
}

/* A path inside the scratch folder (new string). */
static G_GNUC_UNUSED char *
test_path (const char *name)
{
  return g_build_filename (test_dir, name, NULL);
}

static G_GNUC_UNUSED void
write_file (const char *path, const void *data, gsize size)
{
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, data, (gssize) size, &error);
  g_assert_no_error (error);
}

/* The error is in ADIFF_ERROR with the code, and names the file. */
static G_GNUC_UNUSED void
assert_error_names (const GError *error, int code, const char *path)
{
  g_assert_nonnull (error);
  g_assert_cmpstr (g_quark_to_string (error->domain), ==, "adiff-error-quark");
  if (error->code != code)
    g_error ("expected error code %d, got %d: %s", code, error->code, error->message);
  g_autofree char *base = g_path_get_basename (path);
  if (!strstr (error->message, base))
    g_error ("error message does not name %s: %s", base, error->message);
}

/* Files in the scratch folder whose name starts with '.': temporaries
 * left by a save would show up here. */
static G_GNUC_UNUSED guint
count_hidden_files (const char *folder)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint n = 0;
  while (dir && (name = g_dir_read_name (dir)))
    n += name[0] == '.';
  return n;
}
