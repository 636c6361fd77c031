/* dialog.h — the procedures' dialogs. */
#pragma once

#include "plugin.h"
#include "engine/job.h"

/* Show the dialog of a procedure with the given config properties (after
 * the bundle chooser); preview when params_func is not NULL.  FALSE when
 * the user cancels. */
gboolean     plugin_dialog_run         (GimpProcedure       *procedure,
                                        GimpProcedureConfig *config,
                                        GimpDrawable        *drawable,
                                        const char          *title,
                                        PluginParamsFunc     params_func,
                                        const char * const  *properties);
