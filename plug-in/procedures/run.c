/* run.c — what the procedures' run() share: refuse drawables the plug-in
 * cannot work on, map an error to the PDB status, and the whole run() of
 * the denoising procedures (dialog when interactive, then the job). */
#include "config.h"
#include "procedures/run.h"
#include "ui/dialog.h"
#include "engine/job.h"
#include "engine/layer-effect.h"

gboolean
plugin_check_drawables (GimpImage *image, GimpDrawable **drawables,
                        GimpDrawable **drawable, GError **error)
{
  gsize n = drawables != NULL ? gimp_core_object_array_get_length ((GObject **) drawables) : 0;

  if (n != 1)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Select exactly one layer (got %zu)"), n);
      return FALSE;
    }
  if (gimp_drawable_is_indexed (drawables[0]))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("Indexed images are not supported: convert the image to RGB or "
                     "grayscale first (Image ▸ Mode)"));
      return FALSE;
    }
  *drawable = drawables[0];
  return TRUE;
}

GimpPDBStatusType
plugin_status_for_error (const GError *error)
{
  if (error == NULL)
    return GIMP_PDB_EXECUTION_ERROR;
  if (g_error_matches (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED))
    return GIMP_PDB_CANCEL;
  if (g_error_matches (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT) ||
      g_error_matches (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH))
    return GIMP_PDB_CALLING_ERROR;
  return GIMP_PDB_EXECUTION_ERROR;
}

GimpValueArray *
plugin_denoise_run (GimpProcedure *procedure, GimpRunMode run_mode, GimpImage *image,
                    GimpDrawable **drawables, GimpProcedureConfig *config,
                    PluginParamsFunc params_func, const char *title, const char *operation)
{
  static const char * const properties[] = {
    "sigma", "estimate-sigma", "model", "quality", "noise-model", "tau", "exact", "overlap",
    "strength", "layer-effect", NULL
  };
  gboolean layer_effect = FALSE;
  GError *error = NULL;
  GimpDrawable *drawable = NULL;
  GimpValueArray *values;
  double sigma_used = 0.0;

  if (! plugin_check_drawables (image, drawables, &drawable, &error))
    return gimp_procedure_new_return_values (procedure, plugin_status_for_error (error), error);

  /* The dialog measures the camera noise: it shows no a and b, so it must
   * not take a script's last ones. */
  if (run_mode == GIMP_RUN_INTERACTIVE &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (config), "noise-a") != NULL)
    g_object_set (config, "noise-a", 0.0, "noise-b", 0.0, NULL);
  if (run_mode == GIMP_RUN_INTERACTIVE &&
      ! plugin_dialog_run (procedure, config, drawable, title, params_func, properties))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);

  /* Progress in every run mode: a calling plug-in that installed its own
   * progress (gimp_progress_install_vtable) gets ours; a GIMP without an
   * interface simply drops it. */
  g_object_get (config, "layer-effect", &layer_effect, NULL);
  if (layer_effect
      ? ! plugin_add_layer_effect (drawable, config, params_func, operation, title,
                                   &sigma_used, &error)
      : ! plugin_denoise_drawable (drawable, config, params_func, TRUE, &sigma_used, &error))
    return gimp_procedure_new_return_values (procedure, plugin_status_for_error (error), error);

  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  values = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_DOUBLE (values, 1, sigma_used);
  return values;
}
