/* fuzz-common.h — helpers shared by the fuzz targets (header only, each
 * target is one translation unit).
 *
 * The io readers take file names, not memory, so the targets write each
 * input to a file in a private scratch folder (on /dev/shm when it exists,
 * to keep executions fast) and remove the folder at exit.
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "adiff/adiff.h"

static char *fuzz_dir;

static inline void
fuzz_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir && (name = g_dir_read_name (dir)))
        {
          char *child = g_build_filename (path, name, NULL);
          fuzz_remove_tree (child);
          g_free (child);
        }
      if (dir)
        g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static inline void
fuzz_cleanup (void)
{
  if (fuzz_dir)
    fuzz_remove_tree (fuzz_dir);
  g_clear_pointer (&fuzz_dir, g_free);
}

/* The scratch folder, created on first use. */
static inline const char *
fuzz_scratch (void)
{
  if (!fuzz_dir)
    {
      const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm"
                                                                    : g_get_tmp_dir ();
      char *tmpl = g_build_filename (base, "adiff-fuzz-XXXXXX", NULL);
      fuzz_dir = g_mkdtemp (tmpl);
      if (!fuzz_dir)
        {
          perror ("adiff fuzz: cannot create a scratch folder");
          abort ();
        }
      atexit (fuzz_cleanup);
    }
  return fuzz_dir;
}

/* Write data to <scratch>/<relative name>; returns the path (free it). */
static inline char *
fuzz_write (const char *name, const uint8_t *data, size_t size)
{
  char *path = g_build_filename (fuzz_scratch (), name, NULL);
  char *parent = g_path_get_dirname (path);
  g_mkdir_with_parents (parent, 0700);
  g_free (parent);
  FILE *f = fopen (path, "wb");
  if (!f || (size && fwrite (data, 1, size, f) != size) || fclose (f) != 0)
    {
      perror (path);
      abort ();
    }
  return path;
}

/* A rejected input must say why, in our domain: anything else is a bug. */
static inline void
fuzz_check_error (GError *error)
{
  if (!error)
    {
      fprintf (stderr, "adiff fuzz: a reader failed without setting an error\n");
      abort ();
    }
  if (error->domain != ADIFF_ERROR || error->message == NULL || !error->message[0])
    {
      fprintf (stderr, "adiff fuzz: error outside ADIFF_ERROR or empty: %s\n",
               error->message);
      abort ();
    }
  /* ADIFF_FUZZ_VERBOSE=1 shows why each input was refused (for seeds). */
  if (g_getenv ("ADIFF_FUZZ_VERBOSE"))
    fprintf (stderr, "refused: %s\n", error->message);
  g_error_free (error);
}

/* Touch every value so that an out-of-bounds array shows under ASan, and
 * check that loaded values are finite as promised. */
static inline void
fuzz_check_floats (const float *v, size_t n, const char *what)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite (v[i]))
      {
        fprintf (stderr, "adiff fuzz: %s[%zu] is not finite after a successful load\n",
                 what, i);
        abort ();
      }
}
