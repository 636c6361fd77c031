/* analytic.c — "Analytical Diffusion Denoise…": the photo model (default:
 * groups of similar patches of the image itself, adiff_photo_denoise) and
 * the nonlinear denoisers of the paper that use a bundle's exemplars — the
 * analytic model (eq. 8), the optimal empirical denoiser (eq. 3) and the
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
    (_("Which model to pick: 'Photo' (the default) for photos, gray or colour: it finds "
       "similar small patches across the image itself and filters each group together, "
       "the best result in seconds, with no bundle.  'Analytic', 'Optimal' and 'Patch' "
       "are the paper's models, there to study them: they rebuild the image from a "
       "bundle's example images and are much slower.  For a fast, smooth linear filter "
       "use Wiener Denoise instead.\n\n"
       "Quality (photo): 'Best' is a little cleaner in 4 to 7 times the time and uses "
       "the gray photo bundle.\n"
       "The paper's models: 'Analytic' (eq. 8) weighs the exemplars separately for every "
       "pixel, comparing them only on the pixels that matter for it: those where the Wiener "
       "filter of the data gives a weight of at least τ times its largest.  This locality "
       "is what lets it produce new images instead of copying training images.  'Optimal' "
       "(eq. 3) compares whole windows and tends to reproduce an exemplar.  'Patch' is the "
       "patch-based baseline of Kamb & Ganguli.  Without a bundle chosen they use the "
       "installed photo bundle that suits the layer (gray or colour).\n"
       "Noise σ: standard deviation of the noise, 0–255 scale (or estimate it).\n"
       "Mask threshold τ: smaller τ = larger masks (closer to Optimal); larger τ = more local.\n"
       "Exact: compare with every exemplar; off = fast mode with a shortlist of candidates.\n"
       "Strength: blends the result with the original."),
     "\n",
     _("Overlap: windows that estimate each pixel along each axis; 4 is smoother and better "
       "than the default 2, and about three times slower."),
     "\n",
     _("Noise kind (photo): 'Constant σ' when the noise is equally strong everywhere "
       "(added noise, scans, edited pictures).  'Camera noise' for photos straight from a "
       "camera, whose noise is stronger in bright parts than in dark ones: the plug-in "
       "measures it on the whole layer and evens it out before denoising, which cleans such "
       "photos better than any single σ; σ is then not used."),
     NULL);
  plugin_set_documentation
    (procedure,
     _("Remove noise from photos (photo model), or with the analytic denoiser of a "
       "diffusion model built from a bundle's statistics and exemplars"),
     help,
     PROC_ANALYTIC);
  gimp_procedure_set_attribution (procedure, PLUGIN_AUTHORS, PLUGIN_COPYRIGHT, PLUGIN_DATE);

  plugin_args_add_bundle_auto (procedure);
  plugin_args_add_sigma (procedure);
  plugin_args_add_estimate (procedure);
  plugin_args_add_model (procedure,
                         PLUGIN_MODEL_BIT (PLUGIN_MODEL_PHOTO) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_ANALYTIC) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_OPTIMAL) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_PATCH), "photo");
  plugin_args_add_tau (procedure);
  plugin_args_add_exact (procedure);
  plugin_args_add_overlap (procedure);
  plugin_args_add_strength (procedure);
  plugin_args_add_layer_effect (procedure);
  plugin_args_add_sigma_used (procedure);
  /* Added last, so that scripts passing the arguments in order still work. */
  plugin_args_add_quality (procedure);
  plugin_args_add_noise_model (procedure);
  return procedure;
}
