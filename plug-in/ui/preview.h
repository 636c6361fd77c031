/* preview.h — the denoisers' live preview in their dialog. */
#pragma once

#include <libgimp/gimpui.h>
#include "plugin.h"
#include "engine/job.h"

/* A GimpDrawablePreview of drawable and its message line, put at the top
 * of content; it redraws whenever a property of config changes, running
 * the job that params_func describes on the visible region. */
void         plugin_preview_add        (GimpProcedureConfig *config,
                                        GimpDrawable        *drawable,
                                        PluginParamsFunc     params_func,
                                        GtkWidget           *content);
