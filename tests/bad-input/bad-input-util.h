/* bad-input-util.h — helpers of the bad-input matrix: a scratch folder per
 * case and a fingerprint of everything in it (names and SHA-256 of every
 * file), so that each case can assert that a refused input left no output
 * file behind and changed no input file. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

/* A fresh scratch folder; remove it with bad_rmtree(). */
static inline char *
bad_scratch (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("adiff-bad-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static inline void
bad_rmtree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir && (name = g_dir_read_name (dir)))
        {
          char *child = g_build_filename (path, name, NULL);
          bad_rmtree (child);
          g_free (child);
        }
      if (dir)
        g_dir_close (dir);
      g_chmod (path, 0700);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static inline gint
bad_compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* "name sha256\n" for every file under dir (recursive, sorted). */
static inline void
bad_fingerprint_into (const char *dir, const char *prefix, GPtrArray *lines)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      char *path = g_build_filename (dir, name, NULL);
      char *rel = g_strconcat (prefix, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          char *sub = g_strconcat (rel, "/", NULL);
          g_ptr_array_add (lines, g_strdup_printf ("%s/ (folder)", rel));
          bad_fingerprint_into (path, sub, lines);
          g_free (sub);
        }
      else
        {
          char *data = NULL;
          gsize len = 0;
          char *sum = g_file_get_contents (path, &data, &len, NULL)
                      ? g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) data, len)
                      : g_strdup ("(unreadable)");
          g_ptr_array_add (lines, g_strdup_printf ("%s %s", rel, sum));
          g_free (sum);
          g_free (data);
        }
      g_free (rel);
      g_free (path);
    }
  if (d)
    g_dir_close (d);
}

static inline char *
bad_fingerprint (const char *dir)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  bad_fingerprint_into (dir, "", lines);
  g_ptr_array_sort (lines, bad_compare_strings);
  g_ptr_array_add (lines, NULL);
  char *joined = g_strjoinv ("\n", (char **) lines->pdata);
  g_ptr_array_free (lines, TRUE);
  return joined;
}

static inline char *
bad_write (const char *dir, const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return path;
}

/* Little helpers to build binary inputs. */
static inline void
bad_put_le32 (GByteArray *b, guint32 v)
{
  guint8 x[4] = { v, v >> 8, v >> 16, v >> 24 };
  g_byte_array_append (b, x, 4);
}

static inline void
bad_put_be32 (GByteArray *b, guint32 v)
{
  guint8 x[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (b, x, 4);
}
