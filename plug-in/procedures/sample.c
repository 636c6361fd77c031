/* sample-procedure.c — "Analytical Diffusion Sample…": run the reverse
 * diffusion (DDIM on the DDPM schedule) with one of our denoisers, from
 * seeded noise, and show the result as a new image of the bundle's size. */
#include "config.h"
#include "procedures/procedures.h"
#include "procedures/args.h"
#include "procedures/run.h"
#include "ui/dialog.h"
#include "engine/job.h"

static gboolean
sample_progress (double fraction, gpointer data)
{
  return gimp_progress_update (fraction);
}

/* Pixels of one window (bundle layout) into a new image. */
static GimpImage *
window_to_image (AdiffBundle *bundle, const float *pixels, GError **error)
{
  guint w = adiff_bundle_get_width (bundle), h = adiff_bundle_get_height (bundle);
  guint c = adiff_bundle_get_channels (bundle);
  gboolean gray = c == 1;
  GimpImage *image;
  GimpLayer *layer;
  GeglBuffer *buffer;

  if (c != 1 && c != 3)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("%s: a bundle with %u channels cannot make a GIMP image (1 or 3 needed)"),
                   adiff_bundle_get_name (bundle), c);
      return NULL;
    }
  image = gimp_image_new (w, h, gray ? GIMP_GRAY : GIMP_RGB);
  layer = gimp_layer_new (image, _("Sample"), w, h, gray ? GIMP_GRAY_IMAGE : GIMP_RGB_IMAGE,
                          100.0, GIMP_LAYER_MODE_NORMAL);
  gimp_image_insert_layer (image, layer, NULL, 0);
  buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
  gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, w, h), 0,
                   babl_format_with_space (gray ? "Y' float" : "R'G'B' float",
                                           gimp_drawable_get_format (GIMP_DRAWABLE (layer))),
                   pixels, GEGL_AUTO_ROWSTRIDE);
  g_object_unref (buffer);
  return image;
}

static GimpImage *
sample_image (GimpProcedureConfig *config, gboolean interactive, GError **error)
{
  AdiffParams model;
  AdiffSampleParams sp;
  AdiffBundle *bundle;
  GimpImage *image = NULL;
  guint steps = 10;
  gint seed = 0;
  float *pixels;

  adiff_params_init (&model);
  plugin_args_model_params (config, &model);
  adiff_sample_params_init (&sp);
  g_object_get (config, "steps", &steps, "seed", &seed, "eta", &sp.eta, NULL);
  sp.steps = steps;
  sp.seed = (guint64) (guint32) seed;

  bundle = plugin_job_open_bundle (config, NULL, error);
  if (bundle == NULL)
    return NULL;
  pixels = g_new (float, adiff_bundle_get_dim (bundle));
  if (interactive)
    gimp_progress_init (_("Sampling…"));
  if (adiff_sample (bundle, &model, &sp, pixels, interactive ? sample_progress : NULL,
                    NULL, error))
    image = window_to_image (bundle, pixels, error);
  if (interactive)
    gimp_progress_end ();
  g_free (pixels);
  adiff_bundle_unref (bundle);
  return image;
}

static GimpValueArray *
sample_run (GimpProcedure *procedure, GimpProcedureConfig *config, gpointer run_data)
{
  static const char * const properties[] = { "model", "steps", "seed", "eta", "tau", "exact", NULL };
  GimpRunMode run_mode;
  GError *error = NULL;
  GimpImage *image;
  GimpValueArray *values;

  g_object_get (config, "run-mode", &run_mode, NULL);
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
       "of our denoisers in place of a neural network.  The new image has the size of the "
       "bundle's window.\n\n"
       "Model: 'Analytic' (eq. 8) makes new images that mix local pieces of the exemplars; "
       "'Optimal' reproduces a training exemplar; 'Wiener' gives a smooth Gaussian sample.\n"
       "Steps: more steps = finer path, slower.  Seed: the same seed gives the same image.\n"
       "η: 0 = deterministic DDIM, 1 = fresh noise at every step."),
     PROC_SAMPLE);
  gimp_procedure_set_attribution (procedure, PLUGIN_AUTHORS, PLUGIN_COPYRIGHT, PLUGIN_DATE);

  gimp_procedure_add_enum_argument (procedure, "run-mode", _("Run mode"), _("The run mode"),
                                    GIMP_TYPE_RUN_MODE, GIMP_RUN_NONINTERACTIVE,
                                    G_PARAM_READWRITE);
  plugin_args_add_bundle (procedure);
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
