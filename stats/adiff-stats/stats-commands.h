/* stats-commands.h — the commands of adiff-stats (one file each) and the
 * option parsing they share (options.c). */
#pragma once

#include "cli.h"
#include "stats-build.h"

int  cmd_build            (int argc, char **argv);
int  cmd_info             (int argc, char **argv);
int  cmd_verify           (int argc, char **argv);
int  cmd_merge            (int argc, char **argv);
int  cmd_compare_bundles  (int argc, char **argv);

gboolean options_parse_components (const char *text, double share, StatsComponents *out,
                               GError **error);
gboolean options_parse_exemplars  (const char *text, guint64 *out, GError **error);
/* auto|u8|f16|f32 → storage, with auto resolved from the source bit depth. */
gboolean options_parse_exemplar_storage (const char *text, guint bit_depth,
                                     gboolean off_grid, AdiffStorage *out,
                                     GError **error);
/* The commands that write a bundle (build, merge) share these steps. */
/* After parsing: --output and at least one input are required; no_input
 * is the message for the latter.  Returns CLI_EXIT_OK or the usage code. */
int      options_require_output (const char *output, char **inputs, const char *no_input);
/* Before hours of work: the output's folder exists and the output is none
 * of the inputs (the rename would destroy it); from then on an interrupt
 * removes its temporary file.  Returns CLI_EXIT_OK or the exit code. */
int      options_claim_output (const char *output, char **inputs);
/* The command line, shell-quoted, for the metadata. */
char    *options_command_line (int argc, char **argv);
/* The metadata every written bundle starts with: its source, the tool and
 * the command line, in the group [bundle]; the caller adds the rest. */
GKeyFile *options_metadata_new (const char *source, const char *cmdline);
/* The metadata as text; frees kf. */
char    *options_metadata_text (GKeyFile *kf);
