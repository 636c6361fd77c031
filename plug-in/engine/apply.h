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

/* What a denoiser reads: the drawable's buffer, its size and pixel format. */
typedef struct
{
  GeglBuffer   *src;
  gint          width, height;  /* the drawable's */
  PluginPixelIO io;
} PluginSource;

void         plugin_source_init        (PluginSource *source,
                                        GimpDrawable *drawable);
/* The same, detached from GIMP so that any thread may denoise rect with a
 * denoiser of bundle's window size: a copy in memory of rect and the one
 * window around it that the denoiser reads. */
void         plugin_source_init_detached (PluginSource        *source,
                                          GimpDrawable        *drawable,
                                          const GeglRectangle *rect,
                                          AdiffBundle         *bundle);
void         plugin_source_clear       (PluginSource *source);

/* Denoise the pixels of rect (drawable coordinates).  Results go to dst
 * (the drawable's shadow buffer), or, when dst is NULL, to out: floats with
 * alpha, rect-sized (a preview).  The denoiser also reads up to one window
 * around rect, inside the drawable.  The final run and the preview both
 * come through here, so the preview shows what the run will write. */
gboolean     plugin_apply_source       (PluginSource             *source,
                                        AdiffDenoiser            *denoiser,
                                        const GeglRectangle      *rect,
                                        GeglBuffer               *dst,
                                        float                    *out,
                                        const PluginApplyOptions *options,
                                        GError                  **error);
/* The drawable (or its selected part) in place, one undo step; on failure
 * or cancel (ADIFF_ERROR_CANCELLED) the drawable is unchanged. */
gboolean     plugin_apply_denoiser     (GimpDrawable             *drawable,
                                        AdiffDenoiser            *denoiser,
                                        const PluginApplyOptions *options,
                                        GError                  **error);
