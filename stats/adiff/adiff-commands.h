/* adiff-cli.h — what the commands of the `adiff` tool share: exit codes,
 * option parsing, model options, image batches, progress and interruption.
 */
#pragma once

#include <glib.h>
#include <glib/gi18n.h>
#include "adiff/adiff.h"
#include "adiff-io.h"

/* Exit codes, documented in `adiff --help` and docs/adiff.md. */
typedef enum
{
  CLI_EXIT_OK = 0,
  CLI_EXIT_USAGE = 1,        /* bad command line or option value */
  CLI_EXIT_INPUT = 2,        /* unreadable or unsuitable input or bundle */
  CLI_EXIT_PROCESSING = 3,   /* failure while computing or writing the output */
  CLI_EXIT_CANCELLED = 4,    /* interrupted (Ctrl-C) */
} CliExit;

/* Every command: parses its own argv (argv[0] is the command name). */
typedef int (*CliCommandFunc) (int argc, char **argv);

int cli_denoise     (int argc, char **argv);
int cli_sensitivity (int argc, char **argv);
int cli_sample      (int argc, char **argv);
int cli_compare     (int argc, char **argv);

/* ---- option parsing ------------------------------------------------------ */

/* A context for "adiff COMMAND", with the tool's translation domain. */
GOptionContext *cli_context_new (const char *command, const char *parameters,
                                 const char *summary, const GOptionEntry *entries);
/* Parse; on failure print the message and a hint, return FALSE (exit 1). */
gboolean cli_parse (GOptionContext *context, const char *command, int *argc,
                    char ***argv);
/* Print "adiff COMMAND: message" to stderr; return code. */
int      cli_fail  (const char *command, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);
/* Report error (if any) and return the exit code for it: cancelled → 4,
 * otherwise fallback. */
int      cli_fail_error (const char *command, GError *error, int fallback);
/* The exit code for a library error met while loading inputs: bad option
 * values → 1, cancellation → 4, anything else → 2. */
int      cli_input_code (const GError *error);

/* Options shared by the commands that build a denoiser. */
typedef struct
{
  char    *bundle;
  char    *method;
  char    *sigma;          /* --sigma as given (0–255 scale), or NULL */
  gint     t;              /* DDPM timestep; −1 when not given */
  double   tau;
  gint     patch;
  gboolean exact;
  gboolean no_equivariant;
  gint     threads;
} CliModelOptions;

void     cli_model_options_init  (CliModelOptions *o);
void     cli_model_options_clear (CliModelOptions *o);
/* Was a noise level given (--sigma or --t)? */
gboolean      cli_model_has_sigma (const CliModelOptions *o);
/* Entries for --bundle --method --tau --patch --exact --non-equivariant
 * --threads, and (with_sigma) --sigma --t.  Terminated; free with g_free. */
GOptionEntry *cli_model_entries  (CliModelOptions *o, gboolean with_sigma);
/* Validate and fill params (σ not set here); message names the option. */
gboolean cli_model_params        (const CliModelOptions *o, AdiffParams *params,
                                  GError **error);
/* σ in [0,1] units from --sigma (0–255) or --t; FALSE + error when neither
 * or both, or out of range. */
gboolean cli_model_sigma         (const CliModelOptions *o, double *sigma, GError **error);
AdiffBundle *cli_open_bundle     (const char *path, GError **error);
/* Check a σ on the 0–255 scale (name used in the message). */
gboolean cli_check_sigma255      (double s, const char *name, GError **error);

/* ---- image batches ----------------------------------------------------- */

/* n images of one size: from an image file (n = 1) or a .npy of shape
 * (H,W), (H,W,C) or (N,H,W,C); C = 2 or 4 means the last is alpha. */
typedef struct
{
  guint  n, width, height, channels;
  float *data;          /* n·height·width·channels colour values */
  float *alpha;         /* n·height·width, or NULL */
  guint  bit_depth;     /* of the source (8, 16; 32 for .npy) */
  guint  npy_ndim;      /* 0 when not from a .npy */
} CliImages;

gboolean cli_images_load  (const char *path, CliImages *images, GError **error);
/* .npy: float32 unclipped in the input's layout; other formats: one image,
 * clipped to [0,1], at the source bit depth. */
gboolean cli_images_save  (const char *path, const CliImages *images, GError **error);
void     cli_images_clear (CliImages *images);
gboolean cli_path_is_npy  (const char *path);
/* Refuse an output path that names the input file, an existing folder, or
 * has no known image/.npy extension. */
gboolean cli_check_output (const char *in, const char *out, GError **error);

/* ---- denoising row by row (adiff-denoise-rows.c) -------------------------- */

/* Can in be read and out be written row by row (PNG, binary PGM/PPM)? */
gboolean cli_denoise_rows_possible (const char *in, const char *out);
/* Denoise in into out in memory bounded by the width; params->sigma set.
 * Returns an exit code; error set unless it is CLI_EXIT_OK. */
int      cli_denoise_rows          (const char *in, const char *out, AdiffBundle *bundle,
                                    const AdiffParams *params, GError **error);
/* An RGB bundle cannot denoise a gray image (ADIFF_ERROR_MISMATCH naming in). */
gboolean cli_check_bundle_channels (const char *in, guint channels, AdiffBundle *bundle,
                                    GError **error);

/* ---- progress and interruption ------------------------------------------ */

/* Catch SIGINT, SIGTERM and SIGHUP: the next progress call then cancels. */
void     cli_catch_signals (void);
gboolean cli_interrupted   (void);
/* Between these calls nothing is being written, and the loaders (bundle,
 * image decoders, denoiser set-up) have no cancel hook: an interrupt then
 * ends the process at once with "interrupted" and exit 4 (also one that
 * arrived earlier).  Calls nest. */
void     cli_loading_begin (void);
void     cli_loading_end   (void);

typedef struct
{
  const char *label;
  guint       item, n_items;   /* for batches: overall = (item + f) / n */
  gboolean    show;            /* stderr is a terminal */
  int         last_percent;
} CliProgress;

void     cli_progress_init (CliProgress *p, const char *label, guint n_items);
/* An AdiffProgressFunc: prints and returns FALSE when interrupted. */
gboolean cli_progress      (double fraction, gpointer data);
void     cli_progress_done (CliProgress *p);
