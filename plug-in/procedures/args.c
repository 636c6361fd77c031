/* args.c — the arguments several procedures share, declared once so every
 * procedure names, ranges and documents them the same way, and what a
 * config of them means for the denoiser (AdiffParams). */
#include "config.h"
#include "procedures/args.h"
#include "engine/bundles.h"

/* ACTION_ANY, not OPEN: for OPEN, GIMP itself replaces a file that does
 * not exist by the default and fails with a message that does not name the
 * file; we prefer to open it and report exactly what is wrong. */
void
plugin_args_add_bundle (GimpProcedure *procedure)
{
  /* The natural-image bundle suits photos best. */
  plugin_args_add_bundle_default (procedure, ADIFF_DEFAULT_BUNDLE);
}

void
plugin_args_add_bundle_default (GimpProcedure *procedure, const char *default_name)
{
  GList *installed = plugin_bundles_installed ();
  GFile *fallback = installed != NULL ? installed->data : NULL;

  /* The default when installed, else the first found. */
  for (GList *l = installed; l != NULL; l = l->next)
    {
      g_autofree char *name = g_file_get_basename (l->data);
      if (g_strcmp0 (name, default_name) == 0)
        {
          fallback = l->data;
          break;
        }
    }

  gimp_procedure_add_file_argument (procedure, "bundle", _("_Bundle"),
                                    _("Statistics bundle (.adstats) of the kind of "
                                      "images to denoise; made by adiff-stats"),
                                    GIMP_FILE_CHOOSER_ACTION_ANY, TRUE, fallback,
                                    G_PARAM_READWRITE);
  g_list_free_full (installed, g_object_unref);
}

void
plugin_args_add_sigma (GimpProcedure *procedure)
{
  /* 0 is allowed by the range so that a script passing it gets our clear
   * message instead of a silently clamped value. */
  gimp_procedure_add_double_argument (procedure, "sigma", _("Noise _σ"),
                                      _("Standard deviation of the noise on the 0–255 "
                                        "scale (must be > 0)"),
                                      0.0, 255.0, 25.0, G_PARAM_READWRITE);
}

void
plugin_args_add_strength (GimpProcedure *procedure)
{
  gimp_procedure_add_double_argument (procedure, "strength", _("S_trength"),
                                      _("How much of the denoised result to keep: "
                                        "0 = original, 1 = fully denoised"),
                                      0.0, 1.0, 1.0, G_PARAM_READWRITE);
}

void
plugin_args_add_estimate (GimpProcedure *procedure)
{
  gimp_procedure_add_boolean_argument (procedure, "estimate-sigma", _("_Estimate σ from the image"),
                                       _("Ignore sigma and estimate the noise level from the "
                                         "image itself (median absolute deviation of the finest "
                                         "diagonal wavelet band)"),
                                       FALSE, G_PARAM_READWRITE);
}

void
plugin_args_add_model (GimpProcedure *procedure, guint methods, const char *default_model)
{
  GimpChoice *choice = gimp_choice_new ();

  if (methods & PLUGIN_MODEL_BIT (ADIFF_METHOD_WIENER))
    gimp_choice_add (choice, "wiener", ADIFF_METHOD_WIENER, _("Wiener (linear)"),
                     _("Linear estimate from the bundle's mean and covariance"));
  if (methods & PLUGIN_MODEL_BIT (ADIFF_METHOD_ANALYTIC))
    gimp_choice_add (choice, "analytic", ADIFF_METHOD_ANALYTIC, _("Analytic (eq. 8)"),
                     _("Exemplars weighted separately for each pixel, compared only where "
                       "the Wiener filter says the pixel looks (paper eq. 8)"));
  if (methods & PLUGIN_MODEL_BIT (ADIFF_METHOD_OPTIMAL))
    gimp_choice_add (choice, "optimal", ADIFF_METHOD_OPTIMAL, _("Optimal (eq. 3)"),
                     _("Exact posterior mean over the bundle's exemplars: tends to "
                       "reproduce training images"));
  if (methods & PLUGIN_MODEL_BIT (ADIFF_METHOD_PATCH))
    gimp_choice_add (choice, "patch", ADIFF_METHOD_PATCH, _("Patch baseline"),
                     _("Kamb & Ganguli's local patch denoiser, for comparison"));
  gimp_procedure_add_choice_argument (procedure, "model", _("_Model"),
                                      _("Which denoiser to use"), choice, default_model,
                                      G_PARAM_READWRITE);
}

void
plugin_args_add_tau (GimpProcedure *procedure)
{
  gimp_procedure_add_double_argument (procedure, "tau", _("Mask _threshold τ"),
                                      _("Analytic model: a pixel takes part in the comparison "
                                        "for output pixel q when its Wiener weight is at least "
                                        "τ times the largest one.  Smaller τ = wider masks, "
                                        "closer to the optimal denoiser"),
                                      0.001, 1.0, 0.02, G_PARAM_READWRITE);
}

void
plugin_args_add_exact (GimpProcedure *procedure)
{
  gimp_procedure_add_boolean_argument (procedure, "exact", _("E_xact (slow)"),
                                       _("Compare with every exemplar exactly; off = fast mode "
                                         "(a shortlist of candidate exemplars per window)"),
                                       FALSE, G_PARAM_READWRITE);
}

void
plugin_args_add_overlap (GimpProcedure *procedure)
{
  gimp_procedure_add_int_argument (procedure, "overlap", _("O_verlap"),
                                   _("Windows that estimate each pixel, along each axis: 2 is "
                                     "the quickest; 4 blends 4 × 4 windows per pixel, smoother "
                                     "and better, in about three times the time"),
                                   2, 8, 2, G_PARAM_READWRITE);
}

void
plugin_args_add_sigma_used (GimpProcedure *procedure)
{
  gimp_procedure_add_double_return_value (procedure, "sigma-used", _("σ used"),
                                          _("The noise σ (0–255) the denoiser assumed: the "
                                            "given one, or the estimate"),
                                          0.0, G_MAXDOUBLE, 0.0, G_PARAM_READWRITE);
}

void
plugin_args_model_params (GimpProcedureConfig *config, AdiffParams *params)
{
  params->method = gimp_procedure_config_get_choice_id (config, "model");
  g_object_get (config, "tau", &params->tau, "exact", &params->exact, NULL);
}

void
plugin_args_denoise_params (GimpProcedureConfig *config, AdiffParams *params)
{
  gint overlap;
  plugin_args_model_params (config, params);
  g_object_get (config, "overlap", &overlap, NULL);
  params->overlap = (guint) overlap;
}

void
plugin_set_documentation (GimpProcedure *procedure, const char *blurb, const char *help,
                          const char *help_id)
{
  g_autofree char *full = g_strconcat (help, "\n\n", _("Paper:"), " " PLUGIN_PAPER, NULL);
  gimp_procedure_set_documentation (procedure, blurb, full, help_id);
}
