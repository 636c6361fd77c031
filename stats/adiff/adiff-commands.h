/* adiff-commands.h — the commands of the `adiff` tool (one file each) and
 * what they share: model options (model-options.c), image batches
 * (images.c), denoising row by row (denoise-rows.c).  Exit codes, option
 * parsing, progress and interruption are common/'s. */
#pragma once

#include "adiff/adiff.h"
#include "adiff-io.h"
#include "cli.h"
#include "interrupt.h"
#include "progress.h"

int cmd_denoise         (int argc, char **argv);
int cmd_sensitivity     (int argc, char **argv);
int cmd_sample          (int argc, char **argv);
int cmd_compare_models  (int argc, char **argv);

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
/* --threads checked into n_threads (0 = all cores), OpenBLAS told. */
gboolean cli_model_threads       (const CliModelOptions *o, guint *n_threads, GError **error);
/* OpenBLAS on the caller's thread only (for models that thread themselves). */
void     cli_blas_single_thread  (void);
/* σ in [0,1] units from --sigma (0–255) or --t; FALSE + error when neither
 * or both, or out of range. */
gboolean cli_model_sigma         (const CliModelOptions *o, double *sigma, GError **error);
AdiffBundle *cli_open_bundle     (const char *path, GError **error);
/* The bundles installed with the package (data/): statistics of 8×8
 * windows of gray photos (train400) and of colour photos (CBSD432). */
#define CLI_GRAY_BUNDLE   "natural-gray-8x8.adstats"
#define CLI_COLOUR_BUNDLE "natural-rgb-8x8.adstats"
/* The installed bundle file called name: in $ADIFF_BUNDLE_DIR, else in
 * the package's data folder (ADIFF_DATADIR).  Newly allocated; NULL when
 * neither has it. */
char        *cli_find_installed_bundle (const char *name);
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
  gboolean npy_batch;   /* the .npy has a leading N axis */
} CliImages;

/* batch_of: when a gray bundle is given, a 3-D .npy (N,H,W) of its H×W
 * windows (W > 4, where (H,W,C) cannot be meant) is a batch of gray items. */
gboolean cli_images_load  (const char *path, AdiffBundle *batch_of, CliImages *images,
                           GError **error);
/* .npy: float32 unclipped in the input's layout; other formats: one image,
 * clipped to [0,1], at the source bit depth. */
gboolean cli_images_save  (const char *path, const CliImages *images, GError **error);
void     cli_images_clear (CliImages *images);
gboolean cli_path_is_npy  (const char *path);
/* A batch (more than one item) can only go to a .npy output. */
gboolean cli_check_batch_output (const char *in, const CliImages *img, const char *out,
                                 GError **error);
/* Refuse an output path that names the input file, an existing folder, or
 * has no known image/.npy extension. */
gboolean cli_check_output (const char *in, const char *out, GError **error);

/* ---- the exact path: one window per item (denoise-window.c) --------- */

/* Is an image of width × height exactly the bundle's window? */
gboolean cli_is_window      (AdiffBundle *bundle, guint width, guint height);
/* Denoise n items of the bundle's window size in place with
 * adiff_denoiser_apply, one window per item (per channel for a gray bundle
 * on a colour image): no shifted windows, no blending.  progress (not NULL)
 * counts items, items[0] being item first_item; an interrupt cancels
 * (ADIFF_ERROR_CANCELLED). */
gboolean cli_denoise_windows (AdiffDenoiser *den, float *items, guint n, guint channels,
                              CliProgress *progress, guint first_item, GError **error);

/* σ of item i of img: given, or estimated from the item (printed). */
gboolean cli_item_sigma     (gboolean estimate, const char *in, const CliImages *img, guint i,
                             double given, double *sigma, GError **error);

/* ---- --noise-model (noise-options.c) ---------------------------------- */

typedef enum
{
  CLI_NOISE_CONSTANT,   /* one σ: --sigma, --t or --estimate-sigma */
  CLI_NOISE_AUTO,       /* a + b·x estimated from each item */
  CLI_NOISE_GIVEN,      /* a + b·x as given */
} CliNoiseKind;

typedef struct
{
  CliNoiseKind    kind;
  AdiffNoiseModel model;      /* CLI_NOISE_GIVEN */
} CliNoise;

/* --noise-model: constant (also for NULL), auto or A,B; a given model is
 * checked (finite, in [0,1], not too strong for the photo model).  FALSE
 * with the message naming the option. */
gboolean cli_noise_parse        (const char *spec, CliNoise *noise, GError **error);
/* Denoise item i of img in place with the photo model under noise (not
 * CLI_NOISE_CONSTANT): the model given, or estimated (printed; an image it
 * cannot be estimated from is exit 1).  Returns an exit code. */
int      cli_noise_denoise_item (const CliNoise *noise, const AdiffPhotoParams *params,
                                 AdiffBundle *bundle, const char *in, CliImages *img,
                                 guint i, CliProgress *progress, GError **error);

/* ---- the photo model (denoise-photo.c) ------------------------------- */

/* Is method (NULL = not given) the photo model, adiff denoise's default? */
gboolean cli_method_is_photo (const char *method);
/* Denoise the whole image (or .npy batch) in with the photo model into
 * out: quality "default" or "best" (NULL = default); under noise's model
 * unless it is constant, else at σ given (in [0,1]) or estimated per item.
 * Returns an exit code (the message printed). */
int      cli_denoise_photo   (const char *in, const char *out, const CliModelOptions *model,
                              const char *quality, const CliNoise *noise, gboolean estimate,
                              double sigma);

/* ---- denoising row by row (denoise-rows.c) -------------------------- */

/* Can in be read and out be written row by row (PNG, binary PGM/PPM)? */
gboolean cli_denoise_rows_possible (const char *in, const char *out);
/* Denoise in into out in memory bounded by the width; params->sigma set.
 * An image of exactly the window's size takes the exact path
 * (cli_denoise_windows) unless tile.  Returns an exit code; error set
 * unless it is CLI_EXIT_OK. */
int      cli_denoise_rows          (const char *in, const char *out, AdiffBundle *bundle,
                                    const AdiffParams *params, gboolean tile,
                                    GError **error);
/* The colour channels (1 or 3) of an image that can be read row by row,
 * from its header; 0 when it cannot be opened (the caller's reader will
 * say why). */
guint    cli_rows_channels         (const char *in);
/* An RGB bundle cannot denoise a gray image (ADIFF_ERROR_MISMATCH naming in). */
gboolean cli_check_bundle_channels (const char *in, guint channels, AdiffBundle *bundle,
                                    GError **error);
