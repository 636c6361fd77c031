/* replay.c — a stand-in for libFuzzer's main: feeds each file named on the
 * command line (or each file of each folder named, in sorted order) once to
 * LLVMFuzzerTestOneInput and prints one TAP line per input.
 *
 * This is how `meson test` replays the committed corpus without clang: a
 * crash, a sanitizer report or a failed assertion in a target fails the
 * test; an input that is merely rejected (a GError) passes, because the
 * corpus holds should-not-crash cases, not should-load ones.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
collect (const char *path, GPtrArray *files)
{
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  GDir *dir = g_dir_open (path, 0, NULL);
  if (!dir)
    return;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)))
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    collect (names->pdata[i], files);
  g_ptr_array_free (names, TRUE);
}

int
main (int argc, char **argv)
{
  if (LLVMFuzzerInitialize)
    LLVMFuzzerInitialize (&argc, &argv);

  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc; i++)
    collect (argv[i], files);
  if (files->len == 0)
    {
      /* An empty corpus would make the test pass without testing anything. */
      fprintf (stderr, "replay: no input files under the given paths\n");
      g_ptr_array_free (files, TRUE);
      return 1;
    }

  printf ("1..%u\n", files->len);
  int status = 0;
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      char *data = NULL;
      gsize size = 0;
      GError *error = NULL;
      if (!g_file_get_contents (path, &data, &size, &error))
        {
          printf ("not ok %u - %s: %s\n", i + 1, path, error->message);
          g_error_free (error);
          status = 1;
          continue;
        }
      fflush (stdout);
      LLVMFuzzerTestOneInput ((const uint8_t *) data, size);
      printf ("ok %u - %s (%" G_GSIZE_FORMAT " bytes)\n", i + 1, path, size);
      g_free (data);
    }
  g_ptr_array_free (files, TRUE);
  return status;
}
