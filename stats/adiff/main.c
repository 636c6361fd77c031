/* adiff.c — the `adiff` command-line tool: denoise images, render
 * sensitivity fields, sample, and compare models against a reference.
 * One command per file (adiff-denoise.c, adiff-sensitivity.c,
 * adiff-sample.c, adiff-compare.c); this file only dispatches. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include "adiff-commands.h"

typedef struct
{
  const char     *name;
  CliCommandFunc  run;
  const char     *summary;
} Command;

static const Command commands[] = {
  { "denoise",     cli_denoise,     N_("Denoise an image or a .npy batch of any size") },
  { "sensitivity", cli_sensitivity, N_("Render which input pixels drive one output pixel") },
  { "sample",      cli_sample,      N_("Generate new images from noise with a DDIM sampler") },
  { "compare",     cli_compare,     N_("R² and MSE of the models against reference predictions") },
};

static void
print_help (FILE *f)
{
  fprintf (f, "%s\n  %s\n\n", _("Usage:"), _("adiff COMMAND [OPTION…]"));
  fprintf (f, "%s\n", _("Analytic diffusion denoisers (Lukoianov et al. 2025): Wiener, optimal,\n"
                        "analytic (eq. 8) and patch models built from a statistics bundle."));
  fprintf (f, "\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (f, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (f, "\n%s\n", _("Options:\n"
                          "  -h, --help     Show this help (“adiff COMMAND --help” for a command)\n"
                          "  --version      Show the version"));
  fprintf (f, "\n%s\n", _("Exit status:\n"
                          "  0  success\n"
                          "  1  usage error (unknown command or option, bad option value)\n"
                          "  2  unreadable or unsuitable input (bundle, image, .npy, channels)\n"
                          "  3  processing or output error\n"
                          "  4  interrupted (Ctrl-C); no output file is left behind"));
  fprintf (f, "\n%s\n", _("Noise levels: --sigma on the 0–255 scale, or --t, a DDPM timestep\n"
                          "(linear β 1e-4…0.02, T = 1000).  See docs/adiff.md."));
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
  cli_catch_signals ();

  if (argc < 2)
    {
      print_help (stderr);
      return CLI_EXIT_USAGE;
    }
  const char *cmd = argv[1];
  if (strcmp (cmd, "--help") == 0 || strcmp (cmd, "-h") == 0 || strcmp (cmd, "help") == 0)
    {
      print_help (stdout);
      return CLI_EXIT_OK;
    }
  if (strcmp (cmd, "--version") == 0)
    {
      printf ("adiff %s (libadiff %s)\n", ADIFF_VERSION, adiff_version ());
      return CLI_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (cmd, commands[i].name) == 0)
      {
        char *prgname = g_strdup_printf ("adiff %s", cmd);
        g_set_prgname (prgname);
        int code = commands[i].run (argc - 1, argv + 1);
        g_free (prgname);
        return code;
      }
  fprintf (stderr, _("adiff: unknown command “%s”\n"), cmd);
  fprintf (stderr, _("Try “adiff --help”.\n"));
  return CLI_EXIT_USAGE;
}
