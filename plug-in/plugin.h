/* plugin.h — declarations shared by the files of the analytic-diffusion
 * GIMP 3 plug-in.
 *
 *   main.c                      registers the procedures
 *   procedures/NAME.c           one procedure each: arguments, docs, run()
 *   procedures/args.c           arguments several procedures share
 *   ui/dialog.c, ui/bundle-chooser.c   the user interface
 *   engine/job.c                bundle + σ + model → a denoiser, applied
 *   engine/apply.c              pixels GIMP → libadiff → GIMP (GEGL float)
 *   engine/overlay.c            sensitivity fields → layers
 *   engine/timing.c             ADIFF_PLUGIN_TIMING: where a run's time goes
 */
#pragma once

#include <math.h>
#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>
#include <adiff/adiff.h>

#define PLUG_IN_BINARY        "analytic-diffusion"
#define PROC_WIENER           "plug-in-adiff-wiener"
#define PROC_ANALYTIC         "plug-in-adiff-analytic"
#define PROC_SENSITIVITY      "plug-in-adiff-sensitivity"
#define PROC_SAMPLE           "plug-in-adiff-sample"

#define PLUGIN_MENU_ENHANCE    "<Image>/Filters/Enhance"
#define PLUGIN_MENU_OWN        "<Image>/Filters/Analytic Diffusion"
#define PLUGIN_MENU_CREATE     "<Image>/File/Create"
#define PLUGIN_PAPER_URL       "https://arxiv.org/abs/2509.09672"
#define PLUGIN_PAPER           "Lukoianov, Yuan, Solomon, Sitzmann, \"Locality in Image " \
                              "Diffusion Models Emerges from Data Statistics\" (2025), " \
                              PLUGIN_PAPER_URL
#define PLUGIN_AUTHORS         "analytic-diffusion contributors"
#define PLUGIN_COPYRIGHT       "GPL-3.0-or-later"
#define PLUGIN_DATE            "2026"

/* One constructor per procedure, each in its own file. */
GimpProcedure *plugin_wiener_procedure_new     (GimpPlugIn *plug_in);
GimpProcedure *plugin_analytic_procedure_new   (GimpPlugIn *plug_in);
GimpProcedure *plugin_sensitivity_procedure_new (GimpPlugIn *plug_in);
GimpProcedure *plugin_sample_procedure_new     (GimpPlugIn *plug_in);

/* ---- args.c ---------------------------------------------------------------- */

void         plugin_args_add_bundle    (GimpProcedure *procedure);
void         plugin_args_add_sigma     (GimpProcedure *procedure);
void         plugin_args_add_estimate  (GimpProcedure *procedure);
void         plugin_args_add_strength  (GimpProcedure *procedure);
/* "model" choice among the methods whose PLUGIN_MODEL_BIT is in methods. */
#define PLUGIN_MODEL_BIT(method) (1u << (method))
void         plugin_args_add_model     (GimpProcedure *procedure,
                                        guint          methods,
                                        const char    *default_model);
void         plugin_args_add_tau       (GimpProcedure *procedure);
void         plugin_args_add_exact     (GimpProcedure *procedure);
/* "overlap": windows over each pixel along each axis (AdiffParams.overlap). */
void         plugin_args_add_overlap   (GimpProcedure *procedure);
/* gimp_procedure_set_documentation() with the paper reference appended to
 * the help text. */
void         plugin_set_documentation  (GimpProcedure *procedure,
                                        const char    *blurb,
                                        const char    *help,
                                        const char    *help_id);
/* The "sigma-used" return value of the denoising procedures. */
void         plugin_args_add_sigma_used (GimpProcedure *procedure);

/* The method, τ and exact/fast of a config with "model", "tau", "exact". */
void         plugin_args_model_params  (GimpProcedureConfig *config,
                                        AdiffParams         *params);
/* The same and the overlap, for a config that also has "overlap". */
void         plugin_args_denoise_params (GimpProcedureConfig *config,
                                         AdiffParams         *params);

/* What a dialog's preview keeps between redraws so it can follow the
 * sliders: the last bundle opened and the σ estimated from the drawable. */
typedef struct
{
  char        *path;
  AdiffBundle *bundle;
  double       sigma_estimate;   /* [0,1] units; 0 = not estimated yet */
} PluginJobCache;

/* Open the bundle named by the config's "bundle".  The error names the
 * file.  cache may be NULL. */

AdiffBundle *plugin_job_open_bundle   (GimpProcedureConfig *config,
                                       PluginJobCache   *cache,
                                       GError             **error);
void         plugin_job_cache_clear (PluginJobCache *cache);
/* The bundles installed with the plug-in (newly allocated GFiles). */
GList       *plugin_bundles_installed  (void);

/* Refuse anything but one RGB or gray drawable; fill *drawable. */
gboolean     plugin_check_drawables    (GimpImage      *image,
                                        GimpDrawable  **drawables,
                                        GimpDrawable  **drawable,
                                        GError        **error);

/* Map a GError to the PDB status the procedure returns. */
GimpPDBStatusType plugin_status_for_error (const GError *error);

/* ---- job.c ------------------------------------------------------------------ */

/* Fills params (method and options) from a procedure's config. */
typedef void (*PluginParamsFunc) (GimpProcedureConfig *config, AdiffParams *params);

typedef struct
{
  AdiffDenoiser *denoiser;
  double         sigma;       /* [0,1] units, as used */
  double         strength;
} PluginJob;

/* Everything checked before any pixel is written: σ (> 0, or estimated
 * from the drawable), the bundle, the model against the bundle.  A
 * preview job (cache not NULL) reuses the cache and runs in fast mode. */
gboolean     plugin_job_prepare        (PluginJob           *job,
                                        GimpDrawable        *drawable,
                                        GimpProcedureConfig *config,
                                        PluginParamsFunc     params_func,
                                        PluginJobCache      *preview_cache,
                                        GError             **error);
void         plugin_job_clear          (PluginJob *job);

/* Prepare and run a job over the drawable (with progress when asked);
 * *sigma_used gets the σ on the 0–255 scale. */
gboolean     plugin_denoise_drawable   (GimpDrawable        *drawable,
                                        GimpProcedureConfig *config,
                                        PluginParamsFunc     params_func,
                                        gboolean             show_progress,
                                        double              *sigma_used,
                                        GError             **error);

/* Shared run() of the denoising procedures. */
GimpValueArray *plugin_denoise_run     (GimpProcedure       *procedure,
                                        GimpRunMode          run_mode,
                                        GimpImage           *image,
                                        GimpDrawable       **drawables,
                                        GimpProcedureConfig *config,
                                        PluginParamsFunc     params_func,
                                        const char          *title);

/* ---- timing.c ---------------------------------------------------------------- */

typedef enum
{
  PLUGIN_PHASE_PREPARE,    /* open the bundle, build the denoiser */
  PLUGIN_PHASE_READ,       /* GEGL → floats */
  PLUGIN_PHASE_DENOISE,    /* inside libadiff */
  PLUGIN_PHASE_WRITE,      /* blend, floats → shadow buffer */
  PLUGIN_PHASE_PROGRESS,   /* gimp_progress_update round trips */
  PLUGIN_PHASE_MERGE,      /* flush + merge the shadow + update */
  PLUGIN_N_PHASES
} PluginPhase;

typedef struct
{
  gint64 start;
  gint64 us[PLUGIN_N_PHASES];
} PluginTiming;

/* TRUE when ADIFF_PLUGIN_TIMING is set. */
gboolean     plugin_timing_enabled     (void);
void         plugin_timing_begin       (PluginTiming *t);
/* A clock reading for plugin_timing_add (0 when timing is off). */
gint64       plugin_timing_now         (void);
/* Charge the time since `since` to phase; t may be NULL. */
void         plugin_timing_add         (PluginTiming *t, PluginPhase phase, gint64 since);
/* One "adiff-timing:" line on stderr with the phases and thread settings,
 * when enabled. */
void         plugin_timing_report      (const PluginTiming *t, const char *what);

/* ---- apply.c ----------------------------------------------------------------- */

typedef struct
{
  double       strength;       /* blend 0 (input) … 1 (full estimate) */
  gboolean     show_progress;  /* drive GIMP's progress bar */
  PluginTiming *timing;         /* phases are added here; may be NULL */
} PluginApplyOptions;

/* Denoise the pixels of rect (drawable coordinates).  Results go to dst
 * (the drawable's shadow buffer), or, when dst is NULL, to out: floats with
 * alpha, rect-sized (a preview).  The denoiser also reads up to one window
 * around rect, inside the drawable. */
gboolean     plugin_apply_region       (GimpDrawable            *drawable,
                                        AdiffDenoiser           *denoiser,
                                        const GeglRectangle     *rect,
                                        GeglBuffer              *dst,
                                        float                   *out,
                                        const PluginApplyOptions *options,
                                        GError                 **error);
/* The drawable (or its selected part) in place, one undo step; on failure
 * or cancel (ADIFF_ERROR_CANCELLED) the drawable is unchanged. */
gboolean     plugin_apply_denoiser     (GimpDrawable            *drawable,
                                        AdiffDenoiser           *denoiser,
                                        const PluginApplyOptions *options,
                                        GError                 **error);

/* ---- pixel-io.c ----------------------------------------------------------- */

/* Reads and writes a drawable's pixels as floats with alpha (channels + 1
 * per pixel, perceptual, the drawable's space). */
typedef struct
{
  const Babl *float_fmt;
  const Babl *native;       /* the drawable's own format */
  gboolean    native_u8;    /* 8-bit perceptual: converted here, not by babl */
  gboolean    native_alpha;
  guint       channels;     /* colour channels: 1 or 3 */
  guint8     *bytes;        /* scratch for native_u8 */
  gsize       bytes_cap;
} PluginPixelIO;

void         plugin_pixel_io_init      (PluginPixelIO *io, GimpDrawable *drawable);
void         plugin_pixel_io_clear     (PluginPixelIO *io);
gboolean     plugin_pixel_io_fetch     (PluginPixelIO       *io,
                                        GeglBuffer          *src,
                                        const GeglRectangle *rect,
                                        GeglAbyssPolicy      abyss,
                                        float               *out);
/* dst is the drawable's buffer or its shadow (same format). */
gboolean     plugin_pixel_io_store     (PluginPixelIO       *io,
                                        GeglBuffer          *dst,
                                        const GeglRectangle *rect,
                                        const float         *in);
/* n_px pixels of n_values floats (stride in_stride) → u8, rounded, clamped. */
void         plugin_u8_from_float      (const float *in, guint in_stride,
                                        guint8 *out, guint out_stride,
                                        guint n_values, gsize n_px);

/* Colour + alpha as float, in the drawable's own space. */
const Babl  *plugin_pixel_format       (GimpDrawable *drawable);
/* Read rect's colour channels (or luma only) as floats, newly allocated. */
float       *plugin_read_region        (GimpDrawable        *drawable,
                                        const GeglRectangle *rect,
                                        gboolean             luma,
                                        GError             **error);

/* ---- overlay.c --------------------------------------------------------------- */

typedef struct
{
  gint           x, y;          /* pixel, image coordinates */
  AdiffMethod    method;
  double         tau;
  AdiffColormap  colormap;
  double         opacity;       /* 0–100 */
  const double  *sigmas;        /* 0–255 scale */
  guint          n_sigmas;
} PluginOverlayOptions;

/* Add the sensitivity field(s) of the pixel as new layer(s) above the
 * drawable; returns the new layer or layer group. */
GimpLayer   *plugin_overlay_add        (GimpImage                 *image,
                                        GimpDrawable              *drawable,
                                        AdiffBundle               *bundle,
                                        const PluginOverlayOptions *options,
                                        GError                   **error);

/* ---- dialog.c ------------------------------------------------------------------ */

/* Show the dialog of a procedure with the given config properties (after
 * the bundle chooser); preview when params_func is not NULL.  FALSE when
 * the user cancels. */
gboolean     plugin_dialog_run         (GimpProcedure       *procedure,
                                        GimpProcedureConfig *config,
                                        GimpDrawable        *drawable,
                                        const char          *title,
                                        PluginParamsFunc     params_func,
                                        const char * const  *properties);
