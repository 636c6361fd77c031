/* layer-effect.h — a denoiser as a non-destructive layer effect: the GEGL
 * operation of plug-in/gegl appended to the drawable with a config's
 * settings, instead of pixels written. */
#pragma once

#include "plugin.h"
#include "engine/job.h"

#define PLUGIN_OP_WIENER    "adiff:wiener-denoise"
#define PLUGIN_OP_ANALYTIC  "adiff:analytic-denoise"

/* Check everything as the destructive run does (bundle, σ or its
 * estimate, model against bundle), then append `operation` named `title`
 * to the drawable; *sigma_used gets σ on the 0–255 scale.  Nothing is
 * added on error. */
gboolean plugin_add_layer_effect (GimpDrawable        *drawable,
                                  GimpProcedureConfig *config,
                                  PluginParamsFunc     params_func,
                                  const char          *operation,
                                  const char          *title,
                                  double              *sigma_used,
                                  GError             **error);
