/* apply.h — run a denoiser over a drawable: pixels GIMP → libadiff → GIMP. */
#pragma once

#include "plugin.h"
#include "engine/timing.h"

typedef struct
{
  double        strength;       /* blend 0 (input) … 1 (full estimate) */
  gboolean      show_progress;  /* drive GIMP's progress bar */
  PluginTiming *timing;         /* phases are added here; may be NULL */
} PluginApplyOptions;

/* Denoise the pixels of rect (drawable coordinates).  Results go to dst
 * (the drawable's shadow buffer), or, when dst is NULL, to out: floats with
 * alpha, rect-sized (a preview).  The denoiser also reads up to one window
 * around rect, inside the drawable. */
gboolean     plugin_apply_region       (GimpDrawable             *drawable,
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
