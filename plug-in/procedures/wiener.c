/* wiener-procedure.c — "Wiener Denoise…": the linear estimate
 * x̂ = μ + W_σ (z − μ) of the bundle's Gaussian model (paper eq. 6). */
#include "config.h"
#include "procedures/procedures.h"
#include "procedures/args.h"
#include "procedures/run.h"
#include "engine/layer-effect.h"

static void
wiener_params (GimpProcedureConfig *config, AdiffParams *params)
{
  params->method = ADIFF_METHOD_WIENER;
}

static GimpValueArray *
wiener_run (GimpProcedure *procedure, GimpRunMode run_mode, GimpImage *image,
            GimpDrawable **drawables, GimpProcedureConfig *config, gpointer run_data)
{
  return plugin_denoise_run (procedure, run_mode, image, drawables, config,
                             wiener_params, _("Wiener Denoise"),
                             PLUGIN_OP_WIENER);
}

GimpProcedure *
plugin_wiener_procedure_new (GimpPlugIn *plug_in)
{
  GimpProcedure *procedure =
    gimp_image_procedure_new (plug_in, PROC_WIENER, GIMP_PDB_PROC_TYPE_PLUGIN,
                              wiener_run, NULL, NULL);

  gimp_procedure_set_image_types (procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  gimp_procedure_set_menu_label (procedure, _("_Wiener Denoise…"));
  gimp_procedure_add_menu_path (procedure, PLUGIN_MENU_ENHANCE);
  plugin_add_own_menu_path (procedure);
  plugin_set_documentation
    (procedure,
     _("Remove Gaussian noise with the linear (Wiener) denoiser of a statistics bundle"),
     _("Replaces the layer, or the selected part of it, by the best linear estimate of "
       "the clean image under the Gaussian model of the bundle: x̂ = μ + W_σ (z − μ). "
       "μ is the mean of the bundle's training images and W_σ = U diag(λ/(λ+σ²)) Uᵀ keeps "
       "the directions in which those images vary more than the noise does.\n\n"
       "Bundle: statistics of the kind of images to denoise (.adstats, made by adiff-stats).\n"
       "Noise σ: standard deviation of the noise on the 0–255 scale (what a noisy camera or "
       "'Add noise' put in); too small leaves noise, too large blurs.  Or tick 'Estimate σ'.\n"
       "Strength: blends the result with the original (1 = full effect).\n\n"
       "The bundle's window slides over the image with overlapping, blended windows, so "
       "there are no seams."),
     PROC_WIENER);
  gimp_procedure_set_attribution (procedure, PLUGIN_AUTHORS, PLUGIN_COPYRIGHT, PLUGIN_DATE);

  /* None: the installed photo bundle that suits the layer, the colour one
   * on RGB (as adiff denoise without --bundle). */
  plugin_args_add_bundle_auto (procedure);
  plugin_args_add_sigma (procedure);
  plugin_args_add_estimate (procedure);
  plugin_args_add_strength (procedure);
  plugin_args_add_layer_effect (procedure);
  plugin_args_add_sigma_used (procedure);
  return procedure;
}
