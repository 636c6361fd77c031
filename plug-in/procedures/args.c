/* args.c — the arguments several procedures share, declared once so every
 * procedure names, ranges and documents them the same way, and what a
 * config of them means for the denoiser (AdiffParams). */
#include "config.h"
#include "procedures/args.h"
#include "engine/bundles.h"
#include "common/bundle-find.h"

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
  GFile *fallback = plugin_bundle_pick (installed, default_name);

  gimp_procedure_add_file_argument (procedure, "bundle", _("Statistics (_bundle)"),
                                    _("What the filter knows about images: a statistics "
                                      "bundle (.adstats) made by adiff-stats from pictures "
                                      "like the ones to work on"),
                                    GIMP_FILE_CHOOSER_ACTION_ANY, TRUE, fallback,
                                    G_PARAM_READWRITE);
  g_list_free_full (installed, g_object_unref);
}

void
plugin_args_add_bundle_auto (GimpProcedure *procedure)
{
  gimp_procedure_add_file_argument (procedure, "bundle", _("Statistics (_bundle)"),
                                    _("What the paper's models (and the photo model's best "
                                      "quality) know about images: a statistics bundle "
                                      "(.adstats) made by adiff-stats from pictures like the "
                                      "ones to work on.  None: the installed photo bundle "
                                      "that suits the layer (gray or colour)"),
                                    GIMP_FILE_CHOOSER_ACTION_ANY, TRUE, NULL,
                                    G_PARAM_READWRITE);
}

void
plugin_args_add_sigma (GimpProcedure *procedure)
{
  /* 0 is allowed by the range so that a script passing it gets our clear
   * message instead of a silently clamped value. */
  gimp_procedure_add_double_argument (procedure, "sigma", _("_Noise level σ"),
                                      _("How strong the noise is: its standard deviation "
                                        "on the 0–255 scale (must be > 0)"),
                                      0.0, 255.0, 25.0, G_PARAM_READWRITE);
}

void
plugin_args_add_strength (GimpProcedure *procedure)
{
  gimp_procedure_add_double_argument (procedure, "strength", _("S_trength"),
                                      _("How much of the result to keep: 0 = the original, "
                                        "1 = fully denoised"),
                                      0.0, 1.0, 1.0, G_PARAM_READWRITE);
}

void
plugin_args_add_estimate (GimpProcedure *procedure)
{
  gimp_procedure_add_boolean_argument (procedure, "estimate-sigma", _("_Estimate σ from the image"),
                                       _("Measure the noise level in the image itself instead "
                                         "of using the value above"),
                                       FALSE, G_PARAM_READWRITE);
}

void
plugin_args_add_model (GimpProcedure *procedure, guint methods, const char *default_model)
{
  GimpChoice *choice = gimp_choice_new ();

  if (methods & PLUGIN_MODEL_BIT (PLUGIN_MODEL_PHOTO))
    gimp_choice_add (choice, "photo", PLUGIN_MODEL_PHOTO,
                     _("Photo: groups of similar patches of this image (best for photos)"),
                     _("Finds similar small patches across the image itself and filters each "
                       "group together: the best and fastest choice for photos, gray or "
                       "colour; needs no bundle"));
  if (methods & PLUGIN_MODEL_BIT (ADIFF_METHOD_WIENER))
    gimp_choice_add (choice, "wiener", ADIFF_METHOD_WIENER, _("Wiener: linear (paper, eq. 6)"),
                     _("The best linear filter for the bundle's statistics: fast and "
                       "smooth"));
  if (methods & PLUGIN_MODEL_BIT (ADIFF_METHOD_ANALYTIC))
    gimp_choice_add (choice, "analytic", ADIFF_METHOD_ANALYTIC, _("Analytic diffusion (paper, eq. 8)"),
                     _("Rebuilds each pixel from similar spots in the bundle's example "
                       "images, looking only at its neighbourhood: sharp, the paper's model"));
  if (methods & PLUGIN_MODEL_BIT (ADIFF_METHOD_OPTIMAL))
    gimp_choice_add (choice, "optimal", ADIFF_METHOD_OPTIMAL, _("Optimal, whole window (paper, eq. 3)"),
                     _("Compares whole windows with the example images: tends to copy "
                       "them"));
  if (methods & PLUGIN_MODEL_BIT (ADIFF_METHOD_PATCH))
    gimp_choice_add (choice, "patch", ADIFF_METHOD_PATCH, _("Patch baseline (Kamb & Ganguli)"),
                     _("A local patch denoiser from earlier work, for comparison"));
  gimp_procedure_add_choice_argument (procedure, "model", _("_Model"),
                                      _("How the filter computes the clean image"), choice, default_model,
                                      G_PARAM_READWRITE);
}

void
plugin_args_add_quality (GimpProcedure *procedure)
{
  GimpChoice *choice = gimp_choice_new ();

  gimp_choice_add (choice, "default", ADIFF_PHOTO_QUALITY_DEFAULT, _("Default"),
                   _("Fast, and as good as the best classic denoisers"));
  gimp_choice_add (choice, "best", ADIFF_PHOTO_QUALITY_BEST,
                   _("Best (4 to 7 times slower)"),
                   _("A little cleaner, in 4 to 7 times the time; uses the gray photo "
                     "bundle natural-gray-8x8"));
  gimp_procedure_add_choice_argument (procedure, "quality", _("_Quality"),
                                      _("Photo model: default, or best at 4 to 7 times "
                                        "the time"), choice, "default", G_PARAM_READWRITE);
}

/* a or b of the camera noise: 0–1, 0 by default (0 and 0: measured). */
static void
add_noise_coefficient (GimpProcedure *procedure, const char *name, const char *label,
                       const char *blurb)
{
  gimp_procedure_add_double_argument (procedure, name, label, blurb, 0.0, 1.0, 0.0,
                                      G_PARAM_READWRITE);
}

void
plugin_args_add_noise_model (GimpProcedure *procedure)
{
  GimpChoice *choice = gimp_choice_new ();

  gimp_choice_add (choice, "constant", 0, _("Constant σ (the same everywhere)"),
                   _("One noise level σ for the whole image, set above or estimated: "
                     "added noise, scans, most edited pictures"));
  gimp_choice_add (choice, "camera", 1, _("Camera noise (measured, stronger where brighter)"),
                   _("Noise that grows with brightness, as in photos straight from a camera: "
                     "its strength is measured from the whole layer and evened out before "
                     "denoising; σ is not used"));
  gimp_procedure_add_choice_argument (procedure, "noise-model", _("Noise _kind"),
                                      _("Photo model: one noise level everywhere (constant σ), "
                                        "or camera noise, stronger in bright parts and measured "
                                        "from the layer"), choice, "constant",
                                      G_PARAM_READWRITE);
  /* For scripts: the dialog measures a and b. */
  add_noise_coefficient (procedure, "noise-a", _("Camera noise a"),
                         _("Camera noise: a of the variance a + b·x of a pixel of brightness "
                           "x, on the 0–1 scale; the read noise (0.0001 is σ 2.55 in black).  "
                           "a = b = 0: measure both from the layer"));
  add_noise_coefficient (procedure, "noise-b", _("Camera noise b"),
                         _("Camera noise: b of the variance a + b·x; the photon noise added "
                           "per unit of brightness (0.01 is σ 25.5 in white).  a = b = 0: "
                           "measure both from the layer"));
}

void
plugin_args_add_tau (GimpProcedure *procedure)
{
  gimp_procedure_add_double_argument (procedure, "tau", _("_Detail kept (τ)"),
                                      _("Analytic model: how local the comparison is.  A "
                                        "neighbour counts when its Wiener weight is at least "
                                        "τ times the largest; smaller τ looks further, larger "
                                        "τ stays closer to each pixel"),
                                      0.001, 1.0, 0.02, G_PARAM_READWRITE);
}

void
plugin_args_add_exact (GimpProcedure *procedure)
{
  gimp_procedure_add_boolean_argument (procedure, "exact", _("E_xact (slow)"),
                                       _("Compare with every example image; off = fast mode, "
                                         "with a shortlist of the closest ones"),
                                       FALSE, G_PARAM_READWRITE);
}

void
plugin_args_add_overlap (GimpProcedure *procedure)
{
  gimp_procedure_add_int_argument (procedure, "overlap", _("O_verlap"),
                                   _("How many windows estimate each pixel, along each axis: "
                                     "2 is the quickest; 4 is smoother and better, in about "
                                     "three times the time"),
                                   2, 8, 2, G_PARAM_READWRITE);
}

void
plugin_args_add_layer_effect (GimpProcedure *procedure)
{
  gimp_procedure_add_boolean_argument (procedure, "layer-effect",
                                       _("Add as a non-destructive layer e_ffect"),
                                       _("Append the filter to the layer as an effect GIMP "
                                         "renders itself (editable, can be hidden or merged "
                                         "later, saved in .xcf) instead of changing its pixels; "
                                         "needs the GEGL module adiff-denoise"),
                                       FALSE, G_PARAM_READWRITE);
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
  gint id = gimp_procedure_config_get_choice_id (config, "model");

  /* The photo model is no AdiffMethod: the job finds it by its name. */
  if (id != PLUGIN_MODEL_PHOTO)
    params->method = id;
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
plugin_add_own_menu_path (GimpProcedure *procedure)
{
  g_autofree char *path = g_build_path ("/", PLUGIN_MENU_FILTERS, _(PLUGIN_SUBMENU), NULL);

  gimp_procedure_add_menu_path (procedure, path);
}

void
plugin_set_documentation (GimpProcedure *procedure, const char *blurb, const char *help,
                          const char *help_id)
{
  g_autofree char *full = g_strconcat (help, "\n\n", _("Paper:"), " " PLUGIN_PAPER, NULL);
  gimp_procedure_set_documentation (procedure, blurb, full, help_id);
}
