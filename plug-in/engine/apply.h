/* apply.h — run a denoiser over a drawable: pixels GIMP → libadiff → GIMP. */
#pragma once

#include "plugin.h"
#include "engine/timing.h"
#include "engine/pixel-io.h"

typedef struct
{
  double        strength;       /* blend 0 (input) … 1 (full estimate) */
  gboolean      show_progress;  /* drive GIMP's progress bar */
  PluginTiming *timing;         /* phases are added here; may be NULL */
  GCancellable *cancellable;    /* stops the run (ADIFF_ERROR_CANCELLED); may be NULL */
} PluginApplyOptions;

/* What runs over the pixels: one of the paper's models, a denoiser that
 * libadiff streams over rows, or (denoiser NULL) the photo model, which
 * takes its region and what the region reads at once; under camera noise
 * through the noise model's variance-stabilising transform. */
typedef struct
{
  AdiffDenoiser   *denoiser;      /* the paper's models; NULL: the photo model */
  AdiffPhotoParams photo;         /* the photo model's quality, σ, threads; under camera
                                     noise σ is the one the transform leaves */
  AdiffBundle     *photo_bundle;  /* the best quality's PCA basis; may be NULL */
  gboolean         camera;        /* camera noise: adiff_noise_denoise with `noise` */
  AdiffNoiseModel  noise;         /* its variance a + b·x */
} PluginModel;

/* What a denoiser reads: the drawable's buffer, its size and pixel format. */
typedef struct
{
  GeglBuffer   *src;
  gint          width, height;  /* the drawable's */
  PluginPixelIO io;
} PluginSource;

void         plugin_source_init        (PluginSource *source,
                                        GimpDrawable *drawable);
/* The same, detached from GIMP so that any thread may denoise a part of
 * outer: a copy in memory of outer (plugin_window_context or
 * plugin_photo_context of that part). */
void         plugin_source_init_detached (PluginSource        *source,
                                          GimpDrawable        *drawable,
                                          const GeglRectangle *outer);
void         plugin_source_clear       (PluginSource *source);

/* The pixels the paper's models read to denoise rect of a width × height
 * drawable: rect and one of bundle's windows around it, inside the
 * drawable. */
GeglRectangle plugin_window_context    (gint                 width,
                                        gint                 height,
                                        const GeglRectangle *rect,
                                        AdiffBundle         *bundle);
/* The pixels the photo model reads to denoise rect: rect and the margin
 * libadiff names (adiff_photo_region_input), inside the drawable; the
 * result there equals the whole drawable's bit for bit. */
GeglRectangle plugin_photo_context     (const AdiffPhotoParams *params,
                                        gint                    width,
                                        gint                    height,
                                        const GeglRectangle    *rect);

/* Denoise the pixels of rect (drawable coordinates).  Results go to dst
 * (the drawable's shadow buffer), or, when dst is NULL, to out: floats with
 * alpha, rect-sized (a preview).  The model also reads the context around
 * rect (above), inside the drawable.  The final run and the preview both
 * come through here, so the preview shows what the run will write. */
gboolean     plugin_apply_source       (PluginSource             *source,
                                        const PluginModel        *model,
                                        const GeglRectangle      *rect,
                                        GeglBuffer               *dst,
                                        float                    *out,
                                        const PluginApplyOptions *options,
                                        GError                  **error);
/* The drawable (or its selected part) in place, one undo step; on failure
 * or cancel (ADIFF_ERROR_CANCELLED) the drawable is unchanged. */
gboolean     plugin_apply_model        (GimpDrawable             *drawable,
                                        const PluginModel        *model,
                                        const PluginApplyOptions *options,
                                        GError                  **error);
