/* analytic-procedure.c — "Analytical Diffusion Denoise…": the nonlinear
 * denoisers that use the bundle's exemplars — the analytic model of the
 * paper (eq. 8, default), the optimal empirical denoiser (eq. 3) and the
 * patch baseline. */
#include "config.h"
#include "procedures/procedures.h"
#include "procedures/args.h"
#include "procedures/run.h"
#include "engine/layer-effect.h"

static GimpValueArray *
analytic_run (GimpProcedure *procedure, GimpRunMode run_mode, GimpImage *image,
              GimpDrawable **drawables, GimpProcedureConfig *config, gpointer run_data)
{
  return plugin_denoise_run (procedure, run_mode, image, drawables, config,
                             plugin_args_denoise_params, _("Analytical Diffusion Denoise"),
                             PLUGIN_OP_ANALYTIC);
}

GimpProcedure *
plugin_analytic_procedure_new (GimpPlugIn *plug_in)
{
  GimpProcedure *procedure =
    gimp_image_procedure_new (plug_in, PROC_ANALYTIC, GIMP_PDB_PROC_TYPE_PLUGIN,
                              analytic_run, NULL, NULL);

  gimp_procedure_set_image_types (procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  gimp_procedure_set_menu_label (procedure, _("_Analytical Diffusion Denoise…"));
  gimp_procedure_add_menu_path (procedure, PLUGIN_MENU_ENHANCE);
  plugin_add_own_menu_path (procedure);
  g_autofree char *help = g_strconcat
    (_("Estimates the clean image as a weighted average of the bundle's exemplar images, "
       "the denoiser a diffusion model would learn from that data.\n\n"
       "Model: 'Analytic' (paper eq. 8, default) weighs the exemplars separately for every "
       "pixel, comparing them only on the pixels that matter for it: those where the Wiener "
       "filter of the data gives a weight of at least τ times its largest.  This locality "
       "is what lets it produce new images instead of copying training images.  'Optimal' "
       "(eq. 3) compares whole windows and tends to reproduce an exemplar.  'Patch' is the "
       "patch-based baseline of Kamb & Ganguli.\n"
       "Noise σ: standard deviation of the noise, 0–255 scale (or estimate it).\n"
       "Mask threshold τ: smaller τ = larger masks (closer to Optimal); larger τ = more local.\n"
       "Exact: compare with every exemplar; off = fast mode with a shortlist of candidates.\n"
       "Strength: blends the result with the original."),
     "\n",
     _("Overlap: windows that estimate each pixel along each axis; 4 is smoother and better "
       "than the default 2, and about three times slower."),
     NULL);
  plugin_set_documentation
    (procedure,
     _("Remove noise with the analytic denoiser of a diffusion model, built from the "
       "statistics and exemplars of a bundle"),
     help,
     PROC_ANALYTIC);
  gimp_procedure_set_attribution (procedure, PLUGIN_AUTHORS, PLUGIN_COPYRIGHT, PLUGIN_DATE);

  plugin_args_add_bundle (procedure);
  plugin_args_add_sigma (procedure);
  plugin_args_add_estimate (procedure);
  plugin_args_add_model (procedure,
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_ANALYTIC) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_OPTIMAL) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_PATCH), "analytic");
  plugin_args_add_tau (procedure);
  plugin_args_add_exact (procedure);
  plugin_args_add_overlap (procedure);
  plugin_args_add_strength (procedure);
  plugin_args_add_layer_effect (procedure);
  plugin_args_add_sigma_used (procedure);
  return procedure;
}
