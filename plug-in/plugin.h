/* plugin.h — declarations shared by the files of the analytic-diffusion
 * GIMP 3 plug-in.  main.c registers the procedures; each *-procedure.c
 * declares one procedure's arguments and runs it; apply.c moves pixels
 * between GIMP and libadiff; args.c holds the arguments several procedures
 * share (bundle, σ). */
#pragma once

#include <math.h>
#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>
#include <adiff/adiff.h>

#define PLUG_IN_BINARY        "analytic-diffusion"
#define PLUG_IN_ROLE          "adiff-plug-in"
#define PROC_WIENER           "plug-in-adiff-wiener"

#define ADIFF_MENU_ENHANCE    "<Image>/Filters/Enhance"
#define ADIFF_MENU_OWN        "<Image>/Filters/Analytic Diffusion"
#define ADIFF_PAPER_URL       "https://arxiv.org/abs/2509.09672"
#define ADIFF_AUTHORS         "analytic-diffusion contributors"
#define ADIFF_COPYRIGHT       "GPL-3.0-or-later"
#define ADIFF_DATE            "2026"

/* One create function per procedure (each in its own file). */
GimpProcedure *adiff_wiener_procedure_new (GimpPlugIn *plug_in);

/* ---- args.c: arguments shared by several procedures ---------------- */

/* Add "bundle" (a file, defaulting to the first installed bundle). */
void         adiff_args_add_bundle     (GimpProcedure *procedure);
/* Add "sigma" (0–255 scale). */
void         adiff_args_add_sigma      (GimpProcedure *procedure);
/* Add "strength" (blend with the original, 0–1). */
void         adiff_args_add_strength   (GimpProcedure *procedure);
/* Open the bundle named by the config's "bundle" argument.  The error
 * names the file. */
AdiffBundle *adiff_args_open_bundle    (GimpProcedureConfig *config,
                                        GError             **error);
/* The bundles installed with the plug-in (newly allocated GFiles). */
GList       *adiff_installed_bundles   (void);

/* Refuse anything but one RGB or gray layer/channel; fill *drawable. */
gboolean     adiff_check_drawables     (GimpImage      *image,
                                        GimpDrawable  **drawables,
                                        GimpDrawable  **drawable,
                                        GError        **error);

/* ---- apply.c: run a denoiser over a drawable --------------------------- */

typedef struct
{
  double   strength;      /* blend 0 (input) … 1 (full estimate) */
  gboolean show_progress; /* drive GIMP's progress bar */
} AdiffApplyOptions;

/* Denoise the drawable (or the part of it inside the selection) in place,
 * as one undo step.  Returns FALSE with an error, leaving the drawable
 * unchanged, on failure or cancel (ADIFF_ERROR_CANCELLED). */
gboolean     adiff_apply_denoiser      (GimpDrawable            *drawable,
                                        AdiffDenoiser           *denoiser,
                                        const AdiffApplyOptions *options,
                                        GError                 **error);

/* ---- denoise-job.c ------------------------------------------------------ */

/* Open the config's bundle, check its σ, build a denoiser with base's
 * method and options, and apply it to the drawable. */
gboolean     adiff_denoise_drawable    (GimpDrawable        *drawable,
                                        GimpProcedureConfig *config,
                                        const AdiffParams   *base,
                                        gboolean             interactive,
                                        GError             **error);

/* ---- dialog.c ------------------------------------------------------------ */

/* Show the procedure's dialog; FALSE when the user cancels. */
gboolean     adiff_dialog_run          (GimpProcedure       *procedure,
                                        GimpProcedureConfig *config,
                                        GimpDrawable        *drawable,
                                        const char          *title);

/* Babl formats for float pixels in the drawable's own space:
 * colour channels only, and with alpha when the drawable has one. */
const Babl  *adiff_color_format        (GimpDrawable *drawable);
const Babl  *adiff_pixel_format        (GimpDrawable *drawable);

/* Map a GError to the PDB status the procedure returns. */
GimpPDBStatusType adiff_status_for_error (const GError *error);
