/* run.h — what the procedures' run() share. */
#pragma once

#include "plugin.h"
#include "engine/job.h"

/* Refuse anything but one RGB or gray drawable; fill *drawable. */
gboolean     plugin_check_drawables    (GimpImage      *image,
                                        GimpDrawable  **drawables,
                                        GimpDrawable  **drawable,
                                        GError        **error);

/* Map a GError to the PDB status the procedure returns. */
GimpPDBStatusType plugin_status_for_error (const GError *error);

/* Shared run() of the denoising procedures: check the drawable, show the
 * dialog (with a preview) when interactive, denoise, return "sigma-used". */
GimpValueArray *plugin_denoise_run     (GimpProcedure       *procedure,
                                        GimpRunMode          run_mode,
                                        GimpImage           *image,
                                        GimpDrawable       **drawables,
                                        GimpProcedureConfig *config,
                                        PluginParamsFunc     params_func,
                                        const char          *title,
                                        const char          *operation);
