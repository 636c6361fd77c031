/* test-i18n.c — the translations reach the user: the built tools, run with
 * LANGUAGE=de or ko under LC_ALL=C.UTF-8 and pointed at the build's
 * catalogs (ADIFF_LOCALEDIR), print German and Korean help and errors,
 * and every catalog in po/ is complete (no untranslated or fuzzy entry,
 * formats checked by msgfmt -c).  Skips when gettext's tools are absent
 * (meson then builds no catalogs). */
#include <string.h>
#include <sys/wait.h>
#include <glib.h>
#include <glib/gstdio.h>

static char *build_root, *source_root, *localedir;

typedef struct
{
  const char *name;
  const char *language;
  const char *tool;             /* "adiff" or "adiff-stats" */
  const char *args[8];            /* "@name": a file in the scratch folder */
  int         status;
  const char *expect;           /* must appear in stdout or stderr */
} Case;

static const Case cases[] = {
  { "de/adiff-help",       "de", "adiff",       { "--help" },            0, "Befehle:" },
  { "de/adiff-summary",    "de", "adiff",       { "--help" },            0, "beliebiger Größe entrauschen" },
  { "ko/adiff-help",       "ko", "adiff",       { "--help" },            0, "명령:" },
  { "ko/adiff-summary",    "ko", "adiff",       { "--help" },            0, "노이즈 제거" },
  { "de/stats-help",       "de", "adiff-stats", { "--help" },            0, "Statistik-Bundles" },
  { "ko/stats-help",       "ko", "adiff-stats", { "--help" },            0, "통계 번들" },
  /* GOption descriptions go through our domain too. */
  { "de/option",           "de", "adiff",       { "denoise", "--help" }, 0, "Zu verwendendes Statistik-Bundle" },
  { "ko/option",           "ko", "adiff",       { "denoise", "--help" }, 0, "사용할 통계 번들" },
  /* Errors: the tool's own, and one of the io library. */
  { "de/usage-error",      "de", "adiff",       { "sample", "out.png" }, 2,
    "--bundle DATEI ist erforderlich" },
  { "ko/usage-error",      "ko", "adiff",       { "sample", "out.png" }, 2,
    "--bundle 파일이 필요합니다" },
  { "de/io-error",         "de", "adiff-stats", { "build", "-o", "@out.adstats", "@empty" }, 1,
    "enthält keine Bilddateien" },
  { "ko/io-error",         "ko", "adiff-stats", { "build", "-o", "@out.adstats", "@empty" }, 1,
    "이미지 파일(PNG, JPEG" },
  /* libadiff's own messages (a file that is not a bundle). */
  { "de/library-error",    "de", "adiff",
    { "denoise", "--bundle", "@bad.adstats", "--sigma", "10", "@in.png", "@out.png" }, 1,
    "kein Statistik-Bundle" },
  { "ko/library-error",    "ko", "adiff",
    { "denoise", "--bundle", "@bad.adstats", "--sigma", "10", "@in.png", "@out.png" }, 1,
    "통계 번들이 아닙니다" },
  /* Control: without LANGUAGE the messages stay English. */
  { "en/control",          "",   "adiff",       { "--help" },            0, "Commands:" },
};

static gboolean
have_catalogs (void)
{
  for (const char *l = "de"; l; l = g_str_equal (l, "de") ? "ko" : NULL)
    {
      char *mo = g_build_filename (localedir, l, "LC_MESSAGES", "analytic-diffusion.mo", NULL);
      gboolean ok = g_file_test (mo, G_FILE_TEST_IS_REGULAR);
      g_free (mo);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* Runs argv in dir with a clean locale environment; returns the exit status. */
static int
run (const char *dir, char **argv, const char *language, char **out, char **err)
{
  char **env = g_get_environ ();
  env = g_environ_unsetenv (env, "LANG");
  env = g_environ_unsetenv (env, "LC_MESSAGES");
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "ADIFF_LOCALEDIR", localedir, TRUE);
  env = *language ? g_environ_setenv (env, "LANGUAGE", language, TRUE)
                  : g_environ_unsetenv (env, "LANGUAGE");
  int wait = 0;
  GError *error = NULL;
  g_assert_true (g_spawn_sync (dir, argv, env, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               &wait, &error));
  g_assert_no_error (error);
  g_strfreev (env);
  return WIFEXITED (wait) ? WEXITSTATUS (wait) : 128 + WTERMSIG (wait);
}

static void
test_tool (gconstpointer data)
{
  const Case *c = data;
  if (!have_catalogs ())
    {
      g_test_skip ("no compiled catalogs in the build (gettext tools absent?)");
      return;
    }
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("adiff-i18n-XXXXXX", &error);
  g_assert_no_error (error);
  char *empty = g_build_filename (dir, "empty", NULL);
  g_assert_cmpint (g_mkdir (empty, 0700), ==, 0);
  char *bad = g_build_filename (dir, "bad.adstats", NULL);
  g_assert_true (g_file_set_contents (bad, "not a bundle\n", -1, NULL));

  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_build_filename (build_root, "stats", c->tool, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (c->args) && c->args[i]; i++)
    g_ptr_array_add (argv, c->args[i][0] == '@' ? g_build_filename (dir, c->args[i] + 1, NULL)
                                                : g_strdup (c->args[i]));
  g_ptr_array_add (argv, NULL);

  char *out = NULL, *err = NULL;
  int status = run (dir, (char **) argv->pdata, c->language, &out, &err);
  char *both = g_strconcat (out, err, NULL);
  if (!strstr (both, c->expect))
    g_test_message ("output of %s:\n%s", c->tool, both);
  g_assert_nonnull (strstr (both, c->expect));
  g_assert_cmpint (status, ==, c->status);

  g_free (both);
  g_free (out);
  g_free (err);
  g_ptr_array_free (argv, TRUE);
  g_rmdir (empty);
  g_free (empty);
  g_remove (bad);
  g_free (bad);
  for (const char *const *o = (const char *const[]) { "out.adstats", "out.png", NULL }; *o; o++)
    {
      char *leftover = g_build_filename (dir, *o, NULL);
      g_assert_false (g_file_test (leftover, G_FILE_TEST_EXISTS));  /* failed runs write nothing */
      g_free (leftover);
    }
  g_rmdir (dir);
  g_free (dir);
}

/* msgfmt --statistics says "N translated messages." and adds ", M fuzzy
 * translations" / ", K untranslated messages" when there are any. */
static void
test_catalog (gconstpointer data)
{
  const char *lang = data;
  char *msgfmt = g_find_program_in_path ("msgfmt");
  if (!msgfmt)
    {
      g_test_skip ("msgfmt not found");
      return;
    }
  char *po = g_strdup_printf ("%s/po/%s.po", source_root, lang);
  char *argv[] = { msgfmt, "-c", "--check-format", "--statistics", "-o", "/dev/null", po, NULL };
  char *out = NULL, *err = NULL;
  int status = run (source_root, argv, "", &out, &err);
  g_test_message ("%s: %s", lang, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, " translated message"));
  g_assert_null (strstr (err, "fuzzy"));
  g_assert_null (strstr (err, "untranslated"));
  g_free (out);
  g_free (err);
  g_free (po);
  g_free (msgfmt);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  const char *b = g_getenv ("ADIFF_BUILD_ROOT"), *s = g_getenv ("ADIFF_SOURCE_ROOT");
  build_root = g_strdup (b ? b : ".");
  source_root = g_strdup (s ? s : "..");
  localedir = g_build_filename (build_root, "po", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *name = g_strdup_printf ("/i18n/%s", cases[i].name);
      g_test_add_data_func (name, &cases[i], test_tool);
      g_free (name);
    }
  /* LINGUAS is the list of shipped languages: every one is checked. */
  char *linguas_path = g_build_filename (source_root, "po", "LINGUAS", NULL), *text = NULL;
  g_assert_true (g_file_get_contents (linguas_path, &text, NULL, NULL));
  char **langs = g_strsplit_set (text, " \n", -1);
  for (guint i = 0; langs[i]; i++)
    if (*langs[i] && *langs[i] != '#')
      {
        char *name = g_strdup_printf ("/i18n/catalog/%s", langs[i]);
        g_test_add_data_func (name, langs[i], test_catalog);
        g_free (name);
      }
  int status = g_test_run ();
  g_strfreev (langs);
  g_free (text);
  g_free (linguas_path);
  return status;
}
