/* job.h — a denoising job: the bundle named by a config, σ settled (given
 * or estimated), the denoiser built; then run over a drawable. */
#pragma once

#include "plugin.h"

/* Fills params (method and options) from a procedure's config. */
typedef void (*PluginParamsFunc) (GimpProcedureConfig *config, AdiffParams *params);

/* What a dialog's preview keeps between redraws so it can follow the
 * sliders: the last bundle opened and the σ estimated from the drawable. */
typedef struct
{
  char        *path;
  AdiffBundle *bundle;
  double       sigma_estimate;   /* [0,1] units; 0 = not estimated yet */
} PluginJobCache;

typedef struct
{
  AdiffDenoiser *denoiser;
  double         sigma;       /* [0,1] units, as used */
  double         strength;
} PluginJob;

/* Open the bundle named by the config's "bundle".  The error names the
 * file.  cache may be NULL. */
AdiffBundle *plugin_job_open_bundle    (GimpProcedureConfig *config,
                                        PluginJobCache      *cache,
                                        GError             **error);
void         plugin_job_cache_clear    (PluginJobCache *cache);

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
