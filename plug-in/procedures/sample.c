/* sample-procedure.c — "Analytical Diffusion Sample…": run the reverse
 * diffusion (DDIM on the DDPM schedule) with one of our denoisers, from
 * seeded noise, and show the result as a new image of the bundle's size. */
#include "config.h"
#include "procedures/procedures.h"
#include "procedures/args.h"
#include "procedures/run.h"
#include "ui/dialog.h"
#include "engine/job.h"
#include "engine/picture.h"

static void
add_size_arguments (GimpProcedure *procedure)
{
  GimpChoice *layouts = gimp_choice_new_with_values (
    "auto", PLUGIN_LAYOUT_AUTO, _("Automatic"),
    _("One picture of the whole size for photo-window bundles and the patch model; "
      "a grid of samples for bundles of whole images (faces, CIFAR)"),
    "grid", PLUGIN_LAYOUT_GRID, _("Grid of samples"),
    _("One sample per window, in a grid scaled up to fill the size"),
    "tiled", PLUGIN_LAYOUT_TILED, _("One large picture"),
    _("One sample of the whole size, denoised window by window at every step"),
    NULL);

  gimp_procedure_add_int_argument (procedure, "width", _("_Width"),
                                   _("Width of the new image in pixels"),
                                   1, 8192, 256, G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "height", _("_Height"),
                                   _("Height of the new image in pixels"),
                                   1, 8192, 256, G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "layout", _("_Layout"),
                                      _("How the samples fill the image"), layouts, "auto",
                                      G_PARAM_READWRITE);
}

static gboolean
sample_progress (double fraction, gpointer data)
{
  return gimp_progress_update (fraction);
}

static GimpImage *
sample_image (GimpProcedureConfig *config, gboolean interactive, GError **error)
{
  AdiffParams model;
  AdiffSampleParams sp;
  AdiffBundle *bundle;
  GimpImage *image;
  guint steps = 10;
  gint seed = 0, width = 256, height = 256;

  adiff_params_init (&model);
  plugin_args_model_params (config, &model);
  adiff_sample_params_init (&sp);
  g_object_get (config, "steps", &steps, "seed", &seed, "eta", &sp.eta,
                "width", &width, "height", &height, NULL);
  sp.steps = steps;
  sp.seed = (guint64) (guint32) seed;

  bundle = plugin_job_open_bundle (config, NULL, error);
  if (bundle == NULL)
    return NULL;
  if (interactive)
    gimp_progress_init (_("Sampling…"));
  image = plugin_picture_sample (bundle, &model, &sp, (guint) width, (guint) height,
                                 gimp_procedure_config_get_choice_id (config, "layout"),
                                 interactive ? sample_progress : NULL, error);
  if (interactive)
    gimp_progress_end ();
  adiff_bundle_unref (bundle);
  return image;
}

/* Opened over an image (Filters menu), the dialog starts at its size. */
static void
size_from_image (GimpProcedureConfig *config)
{
  GimpImage *image = NULL;

  g_object_get (config, "image", &image, NULL);
  if (image == NULL)
    return;
  g_object_set (config, "width", gimp_image_get_width (image),
                "height", gimp_image_get_height (image), NULL);
  g_object_unref (image);
}

static GimpValueArray *
sample_run (GimpProcedure *procedure, GimpProcedureConfig *config, gpointer run_data)
{
  static const char * const properties[] = {
    "width", "height", "layout", "model", "steps", "seed", "eta", "tau", "exact", NULL
  };
  GimpRunMode run_mode;
  GError *error = NULL;
  GimpImage *image;
  GimpValueArray *values;

  g_object_get (config, "run-mode", &run_mode, NULL);
  if (run_mode == GIMP_RUN_INTERACTIVE)
    size_from_image (config);
  if (run_mode == GIMP_RUN_INTERACTIVE &&
      ! plugin_dialog_run (procedure, config, NULL, _("Analytical Diffusion Sample"),
                           NULL, properties))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);

  image = sample_image (config, run_mode != GIMP_RUN_NONINTERACTIVE, &error);
  if (image == NULL)
    return gimp_procedure_new_return_values (procedure, plugin_status_for_error (error), error);
  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_display_new (image);
  values = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_IMAGE (values, 1, image);
  return values;
}

GimpProcedure *
plugin_sample_procedure_new (GimpPlugIn *plug_in)
{
  GimpProcedure *procedure =
    gimp_procedure_new (plug_in, PROC_SAMPLE, GIMP_PDB_PROC_TYPE_PLUGIN, sample_run, NULL, NULL);

  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_ALWAYS);
  gimp_procedure_set_menu_label (procedure, _("Analytical Diffusion _Sample…"));
  gimp_procedure_add_menu_path (procedure, PLUGIN_MENU_CREATE);
  plugin_add_own_menu_path (procedure);
  plugin_set_documentation
    (procedure,
     _("Generate a new image from noise with an analytic diffusion model"),
     _("Starts from random noise (set by the seed) and removes it step by step along the "
       "noise schedule of a DDPM diffusion model (deterministic DDIM when η = 0), using one "
       "of our denoisers in place of a neural network.\n\n"
       "Size: the new image's size (256×256; over an open image, that image's size).  "
       "Bundles of small photo windows and the patch model make one picture of that size, "
       "each step denoising it window by window; bundles of whole images (faces, CIFAR) make "
       "a grid of samples scaled up to fill it.\n"
       "Model: 'Analytic' (eq. 8) makes new images that mix local pieces of the exemplars; "
       "'Optimal' reproduces a training exemplar; 'Wiener' gives a smooth Gaussian sample.\n"
       "Steps: more steps = finer path, slower.  Seed: the same seed gives the same image.\n"
       "η: 0 = deterministic DDIM, 1 = fresh noise at every step."),
     PROC_SAMPLE);
  gimp_procedure_set_attribution (procedure, PLUGIN_AUTHORS, PLUGIN_COPYRIGHT, PLUGIN_DATE);

  gimp_procedure_add_enum_argument (procedure, "run-mode", _("Run mode"), _("The run mode"),
                                    GIMP_TYPE_RUN_MODE, GIMP_RUN_NONINTERACTIVE,
                                    G_PARAM_READWRITE);
  gimp_procedure_add_image_argument (procedure, "image", _("Image"),
                                     _("The current image, if any: its size is the "
                                       "dialog's default size"), TRUE, G_PARAM_READWRITE);
  plugin_args_add_bundle_default (procedure, ADIFF_SAMPLE_BUNDLE);
  add_size_arguments (procedure);
  plugin_args_add_model (procedure,
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_WIENER) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_ANALYTIC) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_OPTIMAL) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_PATCH), "analytic");
  gimp_procedure_add_int_argument (procedure, "steps", _("S_teps"),
                                   _("Number of denoising steps from pure noise to the image"),
                                   1, 1000, 10, G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "seed", _("Random s_eed"),
                                   _("Random seed of the starting noise; the same seed gives "
                                     "the same image"),
                                   0, G_MAXINT, 0, G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "eta", _("R_andomness (η)"),
                                      _("0 = deterministic DDIM; 1 = fresh noise each step "
                                        "(DDPM-like)"),
                                      0.0, 1.0, 0.0, G_PARAM_READWRITE);
  plugin_args_add_tau (procedure);
  plugin_args_add_exact (procedure);
  gimp_procedure_add_image_return_value (procedure, "image", _("Image"),
                                         _("The generated image"), FALSE, G_PARAM_READWRITE);
  return procedure;
}
