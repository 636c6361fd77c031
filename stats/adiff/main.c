/* main.c — the `adiff` command-line tool: denoise images, render
 * sensitivity fields, sample, and compare models against a reference.
 * One command per file (cmd-denoise.c, cmd-sensitivity.c, cmd-sample.c,
 * cmd-compare-models.c); this file only dispatches. */
#include <stdio.h>
#include "adiff-commands.h"

static const CliCommand commands[] = {
  { "denoise",     cmd_denoise,        N_("Denoise an image or a .npy batch of any size") },
  { "sensitivity", cmd_sensitivity,    N_("Render which input pixels drive one output pixel") },
  { "sample",      cmd_sample,         N_("Generate new images from noise with a DDIM sampler") },
  { "compare",     cmd_compare_models,
    N_("R² and MSE of the models against reference predictions") },
};

static void
print_help (FILE *f)
{
  fprintf (f, "%s\n  %s\n\n", _("Usage:"), _("adiff COMMAND [OPTION…]"));
  fprintf (f, "%s\n", _("Analytic diffusion denoisers (Lukoianov et al. 2025): Wiener, optimal,\n"
                        "analytic (eq. 8) and patch models built from a statistics bundle."));
  fprintf (f, "\n%s\n", _("Commands:"));
  cli_print_commands (f, commands, G_N_ELEMENTS (commands));
  fprintf (f, "\n%s\n", _("Options:\n"
                          "  -h, --help     Show this help (“adiff COMMAND --help” for a command)\n"
                          "  --version      Show the version"));
  fprintf (f, "\n%s\n", cli_exit_status_help ());
  fprintf (f, "\n%s\n", _("Noise levels: --sigma on the 0–255 scale, or --t, a DDPM timestep\n"
                          "(linear β 1e-4…0.02, T = 1000).  See docs/adiff.md."));
}

int
main (int argc, char **argv)
{
  /* The commands poll for an interrupt and cancel (exit 4); only their
   * loaders run under cli_exit_on_interrupt_begin. */
  return cli_main ("adiff", commands, G_N_ELEMENTS (commands), print_help, FALSE, argc, argv);
}
