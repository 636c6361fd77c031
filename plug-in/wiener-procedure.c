/* wiener-procedure.c — "Wiener Denoise…": the linear estimate
 * x̂ = μ + W_σ (z − μ) of the bundle's Gaussian model (paper eq. 6). */
#include "config.h"
#include "plugin.h"

static GimpValueArray *
wiener_run (GimpProcedure        *procedure,
            GimpRunMode           run_mode,
            GimpImage            *image,
            GimpDrawable        **drawables,
            GimpProcedureConfig  *config,
            gpointer              run_data)
{
  GError *error = NULL;
  GimpDrawable *drawable = NULL;
  AdiffParams params;

  if (! adiff_check_drawables (image, drawables, &drawable, &error))
    return gimp_procedure_new_return_values (procedure, adiff_status_for_error (error), error);

  if (run_mode == GIMP_RUN_INTERACTIVE &&
      ! adiff_dialog_run (procedure, config, drawable, _("Wiener Denoise")))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);

  adiff_params_init (&params);
  params.method = ADIFF_METHOD_WIENER;
  if (! adiff_denoise_drawable (drawable, config, &params,
                                run_mode != GIMP_RUN_NONINTERACTIVE, &error))
    return gimp_procedure_new_return_values (procedure, adiff_status_for_error (error), error);

  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
}

GimpProcedure *
adiff_wiener_procedure_new (GimpPlugIn *plug_in)
{
  GimpProcedure *procedure =
    gimp_image_procedure_new (plug_in, PROC_WIENER, GIMP_PDB_PROC_TYPE_PLUGIN,
                              wiener_run, NULL, NULL);

  gimp_procedure_set_image_types (procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  gimp_procedure_set_menu_label (procedure, _("_Wiener Denoise…"));
  gimp_procedure_add_menu_path (procedure, ADIFF_MENU_ENHANCE);
  gimp_procedure_add_menu_path (procedure, ADIFF_MENU_OWN);
  /* The paper URL is spelled out, not ADIFF_PAPER_URL: xgettext cannot expand macros. */
  gimp_procedure_set_documentation
    (procedure,
     _("Remove Gaussian noise with the linear (Wiener) denoiser of a statistics bundle"),
     _("Replaces the layer, or the selected part of it, by the best linear estimate "
       "of the clean image under the Gaussian model of the bundle: "
       "x̂ = μ + W_σ (z − μ), where μ is the mean image of the bundle's training "
       "set and W_σ = U diag(λ/(λ+σ²)) Uᵀ keeps the directions in which the "
       "training images vary more than the noise.  σ is the noise's standard "
       "deviation on the 0–255 scale: too small leaves noise, too large blurs.  "
       "Strength blends the result with the original (1 = full effect).  "
       "The bundle's window is slid over the image with overlapping, blended "
       "windows.  See Lukoianov et al., \"Locality in Image Diffusion Models "
       "Emerges from Data Statistics\", https://arxiv.org/abs/2509.09672"),
     PROC_WIENER);
  gimp_procedure_set_attribution (procedure, ADIFF_AUTHORS, ADIFF_COPYRIGHT, ADIFF_DATE);

  adiff_args_add_bundle (procedure);
  adiff_args_add_sigma (procedure);
  adiff_args_add_strength (procedure);
  return procedure;
}
