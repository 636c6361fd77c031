/* procedures.h — one constructor per procedure, each in its own file
 * (main.c registers them). */
#pragma once

#include "plugin.h"

GimpProcedure *plugin_wiener_procedure_new      (GimpPlugIn *plug_in);
GimpProcedure *plugin_analytic_procedure_new    (GimpPlugIn *plug_in);
GimpProcedure *plugin_sensitivity_procedure_new (GimpPlugIn *plug_in);
GimpProcedure *plugin_sample_procedure_new      (GimpPlugIn *plug_in);
