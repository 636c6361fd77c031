/* cli.h — what the two tools, adiff and adiff-stats, share: one table of
 * exit codes, the dispatch to commands, option parsing and error messages.
 * The progress line is in progress.h, interruption in interrupt.h. */
#pragma once

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gi18n.h>
#include "adiff/adiff.h"
#include "exit-codes.h"

/* The table above, translated, for the tools' --help. */
const char *cli_exit_status_help (void);

/* A command parses its own argv (argv[0] is the command's name). */
typedef int (*CliCommandFunc) (int argc, char **argv);

typedef struct
{
  const char     *name;
  CliCommandFunc  run;
  const char     *summary;   /* N_() marked */
} CliCommand;

/* The tool's help, printed for --help (to stdout) and on bad use (stderr). */
typedef void (*CliUsageFunc) (FILE *out);

/* main() of a tool: binds the message catalogs, catches the interrupting
 * signals, then handles --help and --version or runs the command named by
 * argv[1] with the program name "TOOL COMMAND".  With exit_on_interrupt the
 * commands have no cancel hook: an interrupt ends them at once (exit 4,
 * after removing the temporaries of cli_remove_on_interrupt).  Returns the
 * exit status. */
int cli_main (const char *tool, const CliCommand *commands, guint n_commands,
              CliUsageFunc usage, gboolean exit_on_interrupt, int argc, char **argv);

/* The commands and their summaries, aligned, for the tool's usage. */
void cli_print_commands (FILE *out, const CliCommand *commands, guint n_commands);

/* ---- option parsing and messages ------------------------------------------ */

/* A context with the tool's translation domain, the summary and, as its
 * description, the exit status table.  entries may be NULL. */
GOptionContext *cli_context_new (const char *parameters, const char *summary,
                                 const GOptionEntry *entries);
/* Parse, then free the context (the values live in the entries' variables,
 * so no command needs it afterwards); on failure print the message and a
 * hint, return FALSE (exit 2). */
gboolean cli_parse (GOptionContext *context, int *argc, char ***argv);

/* "PROGRAM: message" on stderr (PROGRAM is "adiff denoise", …); returns code. */
int cli_fail (int code, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* The same for *error (if any), which is freed and cleared.  An error of a
 * cancelled call, or any error after an interrupt, gives exit 4. */
int cli_fail_error (GError **error, int code);
/* A usage error: the message and a hint to --help; returns 2. */
int cli_usage (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* The same for *error, which is freed and cleared. */
int cli_usage_error (GError **error);
/* Fill *error with an ADIFF_ERROR_INVALID_ARGUMENT error of the formatted
 * message (a bad option value, exit 2 through cli_input_code) and return
 * result, so that a check can end in `return cli_bad_argument (…)`:
 * FALSE where it returns a gboolean, the exit code where it returns one. */
int cli_bad_argument (GError **error, int result, const char *format, ...)
  G_GNUC_PRINTF (3, 4);
/* The exit code for a library error met while loading inputs: a bad option
 * value 2, a cancellation 4, anything else 1. */
int cli_input_code (const GError *error);
/* The exit code for an error met while computing or writing the output:
 * a file error 3 (output not written), a cancellation 4, anything else 1. */
int cli_output_code (const GError *error);
