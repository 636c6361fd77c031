/* job.h — a denoising job: the bundle named by a config, σ settled (given
 * or estimated), the denoiser built; then run over a drawable. */
#pragma once

#include "plugin.h"
#include "engine/apply.h"
#include "engine/noise.h"

/* Fills params (method and options) from a procedure's config. */
typedef void (*PluginParamsFunc) (GimpProcedureConfig *config, AdiffParams *params);

/* What a dialog's preview keeps between redraws so it can follow the
 * sliders: the last bundle opened, the σ estimated from the drawable and
 * the camera noise measured from it. */
typedef struct
{
  char            *path;
  AdiffBundle     *bundle;
  double           sigma_estimate;   /* [0,1] units; 0 = not estimated yet */
  PluginNoiseCache noise;
} PluginJobCache;

typedef struct
{
  PluginModel    model;       /* a denoiser, or the photo model's settings */
  double         sigma;       /* [0,1] units, as used; camera noise: σ at mid-gray */
  double         strength;
} PluginJob;

/* Open the bundle named by the config's "bundle".  The error names the
 * file.  cache may be NULL. */
AdiffBundle *plugin_job_open_bundle    (GimpProcedureConfig *config,
                                        PluginJobCache      *cache,
                                        GError             **error);
void         plugin_job_cache_clear    (PluginJobCache *cache);

/* A job's settings, read from the config on the main thread: the bundle
 * (opened), the denoiser's parameters with σ settled (given, or estimated
 * from the drawable), the strength.  Nothing in it refers to GIMP, so a
 * worker thread can build the denoiser from it. */
typedef struct
{
  AdiffBundle      *bundle;    /* NULL: the photo model needs none */
  AdiffParams       params;    /* the paper's models; params.sigma for all (camera
                                  noise: the σ its transform leaves) */
  gboolean          photo;     /* the photo model ("model" is "photo") */
  AdiffPhotoQuality quality;   /* its "quality" */
  PluginNoise       noise;     /* its "noise-model": camera noise, or constant σ */
  double            strength;
  gboolean          estimated;   /* σ was estimated from the drawable */
} PluginJobSpec;

/* Check σ (> 0, or estimate it from the drawable; for the photo model
 * under camera noise, the noise model given or measured from the whole
 * drawable instead) and open the bundle the model uses: the config's, or
 * when it names none the installed one that suits the layer
 * (engine/bundles.c).  A preview (cache not NULL) reuses the bundle, σ
 * estimate and noise model of the cache. */
gboolean     plugin_job_spec_read      (PluginJobSpec       *spec,
                                        GimpDrawable        *drawable,
                                        GimpProcedureConfig *config,
                                        PluginParamsFunc     params_func,
                                        PluginJobCache      *preview_cache,
                                        GError             **error);
void         plugin_job_spec_clear     (PluginJobSpec *spec);
/* Do two specs give the same denoiser (strength aside)? */
gboolean     plugin_job_spec_same_denoiser (const PluginJobSpec *a,
                                            const PluginJobSpec *b);
/* What the model reads around rect of the drawable (drawable coordinates). */
GeglRectangle plugin_job_spec_context  (const PluginJobSpec *spec,
                                        GimpDrawable        *drawable,
                                        const GeglRectangle *rect);
/* Build the denoiser (checks the model against the bundle); the slow part
 * of preparing (W_σ, the fast mode's shortlists), free of GIMP calls.  The
 * photo model has nothing to build: its settings are copied. */
gboolean     plugin_job_build          (PluginJob           *job,
                                        const PluginJobSpec *spec,
                                        GError             **error);
/* Everything checked before any pixel is written: spec_read, then build. */
gboolean     plugin_job_prepare        (PluginJob           *job,
                                        GimpDrawable        *drawable,
                                        GimpProcedureConfig *config,
                                        PluginParamsFunc     params_func,
                                        GError             **error);
void         plugin_job_clear          (PluginJob *job);
/* "photo", or the paper model's name (adiff_method_to_string). */
const char  *plugin_job_model_name     (const PluginJob *job);

/* Prepare and run a job over the drawable (with progress when asked);
 * *sigma_used gets the σ on the 0–255 scale. */
gboolean     plugin_denoise_drawable   (GimpDrawable        *drawable,
                                        GimpProcedureConfig *config,
                                        PluginParamsFunc     params_func,
                                        gboolean             show_progress,
                                        double              *sigma_used,
                                        GError             **error);
