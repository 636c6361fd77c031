/* cli.h — shared pieces of the adiff-stats subcommands: exit codes, option
 * parsing helpers, error output, and the raw view of a bundle's layout
 * (for info and verify, which report per-section sizes and checksums). */
#pragma once

#include <glib.h>
#include "stats-build.h"

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

/* ---- layout.c: the raw header and section table of a bundle file ---- */

typedef struct
{
  char     tag[5];
  guint32  type;
  guint64  offset, length;
  gboolean crc_ok;
} CliSection;

typedef struct
{
  guint64   file_size;
  guint32   version;
  guint32   width, height, channels;
  guint64   n_items, n_components, n_exemplars;
  gboolean  header_crc_ok, table_crc_ok;
  guint     n_sections;
  CliSection sections[32];
} CliLayout;

/* Read what can be read; FALSE (with error) when the file is not a
 * bundle or its table lies outside the file.  Checksums are reported, not
 * enforced. */
gboolean    cli_layout_read (const char *path, CliLayout *layout, GError **error);
const char *cli_elem_name   (guint32 type);
const CliSection *cli_layout_find (const CliLayout *layout, const char *tag);
