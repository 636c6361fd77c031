/* main.c — adiff-stats: dispatch to one file per command. */
#include <stdio.h>
#include "stats-commands.h"

static const CliCommand commands[] = {
  { "build",   cmd_build,   N_("compute a statistic bundle from images or datasets") },
  { "info",    cmd_info,    N_("show what a bundle holds (--json for machines)") },
  { "verify",  cmd_verify,  N_("recompute checksums and check a bundle's invariants") },
  { "merge",   cmd_merge,   N_("combine partial bundles (build --partial) into one") },
  { "compare", cmd_compare_bundles,
    N_("largest difference of the Wiener matrices of two bundles") },
};

static void
usage (FILE *out)
{
  fprintf (out, _("Usage:\n  adiff-stats COMMAND [OPTION…] [ARGUMENT…]\n\n"
                  "Statistic bundles (mean, covariance eigenpairs, exemplars) for the "
                  "analytic diffusion denoisers.\n\nCommands:\n"));
  cli_print_commands (out, commands, G_N_ELEMENTS (commands));
  fprintf (out, _("\nOptions:\n  -h, --help     show this help\n"
                  "  --version      show the version\n\n"
                  "Run “adiff-stats COMMAND --help” for the options of a command.\n\n"));
  fprintf (out, "%s\n", cli_exit_status_help ());
}

int
main (int argc, char **argv)
{
  /* No command polls for an interrupt: it ends them at once, and build and
   * merge name their output to cli_remove_on_interrupt. */
  return cli_main ("adiff-stats", commands, G_N_ELEMENTS (commands), usage, TRUE,
                   argc, argv);
}
