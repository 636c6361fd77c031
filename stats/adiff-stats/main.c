/* adiff-stats.c — entry point: dispatch to one file per subcommand. */
#include <locale.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include "cli.h"

typedef struct
{
  const char *name;
  CliCommand  run;
  const char *summary;
} Command;

static const Command commands[] = {
  { "build",   cmd_build,   N_("compute a statistic bundle from images or datasets") },
  { "info",    cmd_info,    N_("show what a bundle holds (--json for machines)") },
  { "verify",  cmd_verify,  N_("recompute checksums and check a bundle's invariants") },
  { "merge",   cmd_merge,   N_("combine partial bundles (build --partial) into one") },
  { "compare", cmd_compare, N_("largest difference of the Wiener matrices of two bundles") },
};

static void
usage (FILE *out)
{
  fprintf (out, _("Usage:\n  adiff-stats COMMAND [OPTION…] [ARGUMENT…]\n\n"
                  "Statistic bundles (mean, covariance eigenpairs, exemplars) for the "
                  "analytic diffusion denoisers.\n\nCommands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, _("\nOptions:\n  -h, --help     show this help\n"
                  "  --version      show the version\n\n"
                  "Run “adiff-stats COMMAND --help” for the options of a command.\n\n"
                  "Exit status: 0 success; 1 error (unreadable input, bad data, output not "
                  "written); 2 usage error; 3 (verify) the bundle failed a check.\n"));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  /* ADIFF_LOCALEDIR points at the catalogs of an uninstalled build (tests/i18n). */
  const char *localedir = g_getenv ("ADIFF_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      usage (stderr);
      return CLI_EXIT_USAGE;
    }
  const char *name = argv[1];
  if (g_strcmp0 (name, "--help") == 0 || g_strcmp0 (name, "-h") == 0 ||
      g_strcmp0 (name, "help") == 0)
    {
      usage (stdout);
      return CLI_EXIT_OK;
    }
  if (g_strcmp0 (name, "--version") == 0)
    {
      printf ("adiff-stats %s (libadiff %s)\n", ADIFF_VERSION, adiff_version ());
      return CLI_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (name, commands[i].name) == 0)
      {
        /* --help then reads “adiff-stats build [OPTION…]”. */
        char *prgname = g_strdup_printf ("adiff-stats %s", name);
        g_set_prgname (prgname);
        g_free (prgname);
        return commands[i].run (argc - 1, argv + 1);
      }
  fprintf (stderr, _("adiff-stats: unknown command “%s”\n\n"), name);
  usage (stderr);
  return CLI_EXIT_USAGE;
}
