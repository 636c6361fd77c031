/* cli.h — shared pieces of the adiff-stats subcommands: exit codes, option
 * parsing helpers, error output. */
#pragma once

#include <glib.h>
#include "stats-private.h"

/* Exit status of adiff-stats (documented in every --help). */
enum
{
  CLI_EXIT_OK = 0,
  CLI_EXIT_ERROR = 1,    /* cannot read input, bad data, cannot write output */
  CLI_EXIT_USAGE = 2,    /* unknown command or option, bad option value */
  CLI_EXIT_INVALID = 3,  /* verify: the bundle failed a check */
};

typedef int (*CliCommand) (int argc, char **argv);

int  cmd_build   (int argc, char **argv);
int  cmd_info    (int argc, char **argv);
int  cmd_verify  (int argc, char **argv);
int  cmd_merge   (int argc, char **argv);
int  cmd_compare (int argc, char **argv);

/* A GOptionContext with the common description (exit status). */
GOptionContext *cli_context_new (const char *parameter_string, const char *summary);
/* Parse; on failure print the error and a hint, return FALSE. */
gboolean cli_parse (GOptionContext *ctx, int *argc, char ***argv);
/* "adiff-stats: message" on stderr; returns code. */
int      cli_fail (GError *error, int code);
int      cli_usage_error (const char *command, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* The same for a GError (freed). */
int      cli_usage_gerror (const char *command, GError *error);

gboolean cli_parse_components (const char *text, double share, AdiffComponents *out,
                               GError **error);
gboolean cli_parse_exemplars  (const char *text, guint64 *out, GError **error);
/* auto|u8|f16|f32 → storage, with auto resolved from the source bit depth. */
gboolean cli_parse_exemplar_storage (const char *text, guint bit_depth,
                                     gboolean off_grid, AdiffStorage *out,
                                     GError **error);
/* The output's folder must exist: checked before hours of work. */
gboolean cli_check_output (const char *path, GError **error);
/* The output must not be one of the inputs (the rename would destroy it). */
gboolean cli_check_not_input (const char *output, char **inputs, GError **error);
/* The command line, shell-quoted, for the metadata. */
char    *cli_command_line (int argc, char **argv);

/* The raw layout of a bundle file: adiff/adiff-bundle-layout.h (libadiff). */
