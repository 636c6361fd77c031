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
/* The output's folder must exist: checked before hours of work. */
gboolean options_check_output (const char *path, GError **error);
/* The output must not be one of the inputs (the rename would destroy it). */
gboolean options_check_not_input (const char *output, char **inputs, GError **error);
/* The command line, shell-quoted, for the metadata. */
char    *options_command_line (int argc, char **argv);
