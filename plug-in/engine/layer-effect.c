/* layer-effect.c — append the GEGL operation (plug-in/gegl) as a layer
 * effect.  The GEGL module must be installed where GIMP's GEGL finds it
 * (docs/plug-in.md); GIMP then renders, previews and saves the effect
 * itself, and the user can edit, hide or merge it later. */
#include "config.h"
#include "engine/layer-effect.h"
#include "engine/bundles.h"

/* GIMP's filter config mirrors the operation's properties; an enum may
 * come across as an enum or as a GimpChoice, a file path as a string or a
 * GFile, depending on GIMP's version: set whichever it is.  FALSE when the
 * operation has no such property or value (an older GEGL module). */
static gboolean
set_by_nick (GObject *config, const char *property, const char *nick)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (config), property);

  if (pspec == NULL)
    return FALSE;
  if (G_IS_PARAM_SPEC_ENUM (pspec))
    {
      GEnumValue *v = g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (pspec)->enum_class, nick);
      if (v == NULL)
        return FALSE;
      g_object_set (config, property, v->value, NULL);
      return TRUE;
    }
  if (G_PARAM_SPEC_VALUE_TYPE (pspec) != G_TYPE_STRING)
    return FALSE;
  /* A GimpChoice refuses an unknown nick with a critical: ask first. */
  if (GIMP_IS_PARAM_SPEC_CHOICE (pspec) &&
      ! gimp_choice_is_valid (gimp_param_spec_choice_get_choice (pspec), nick))
    return FALSE;
  g_object_set (config, property, nick, NULL);
  return TRUE;
}

static void
set_bundle (GObject *config, GFile *file)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (config), "bundle");

  if (pspec != NULL && g_type_is_a (G_PARAM_SPEC_VALUE_TYPE (pspec), G_TYPE_FILE))
    g_object_set (config, "bundle", file, NULL);
  else if (pspec != NULL)
    {
      g_autofree char *path = g_file_get_path (file);
      g_object_set (config, "bundle", path, NULL);
    }
}

/* The destructive run finds this in the tiler; an effect must find it
 * before it is added. */
static gboolean
check_channels (GimpDrawable *drawable, const PluginJob *job, GError **error)
{
  guint bc, lc = gimp_drawable_is_gray (drawable) ? 1 : 3;

  if (job->model.denoiser == NULL)
    return TRUE;   /* the photo model takes gray and RGB alike */
  bc = adiff_bundle_get_channels (adiff_denoiser_get_bundle (job->model.denoiser));
  if (bc == 1 || bc == lc)
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
               _("The bundle has %u channels and the layer %u: use a gray bundle, "
                 "or one with the layer's channels"), bc, lc);
  return FALSE;
}

/* The photo model's camera noise on the effect: the a and b the job used.
 * When the user left them at 0 the job has measured them on the whole
 * layer, and the effect gets those values, not 0 (with which it would
 * measure again): its dialog shows the model in use; it renders what GIMP
 * asks for plus the margin, where measuring would read the whole layer
 * for every redraw; and its pixels are the destructive run's.  FALSE when
 * the operation installed has no camera noise (an older GEGL module). */
static gboolean
set_noise (GObject *fconfig, const PluginJob *job, GError **error)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (fconfig);

  if (! job->model.camera)
    {
      set_by_nick (fconfig, "noise-model", "constant");   /* absent: constant anyway */
      return TRUE;
    }
  if (g_object_class_find_property (klass, "noise-a") != NULL &&
      g_object_class_find_property (klass, "noise-b") != NULL &&
      set_by_nick (fconfig, "noise-model", "camera"))
    {
      g_object_set (fconfig, "noise-a", job->model.noise.a, "noise-b", job->model.noise.b,
                    NULL);
      return TRUE;
    }
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
               _("The GEGL module adiff-denoise installed has no camera noise: install "
                 "the one that came with this plug-in, or choose Constant σ"));
  return FALSE;
}

/* The model's own settings on the effect; FALSE when the operation
 * installed lacks them (a GEGL module from before the photo model or its
 * camera noise). */
static gboolean
set_model (GObject *fconfig, const PluginJob *job, GError **error)
{
  const AdiffParams *params;

  if (job->model.denoiser == NULL)
    {
      const char *quality = job->model.photo.quality == ADIFF_PHOTO_QUALITY_BEST ? "best"
                                                                                  : "default";
      if (set_by_nick (fconfig, "model", "photo") && set_by_nick (fconfig, "quality", quality))
        return set_noise (fconfig, job, error);
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("The GEGL module adiff-denoise installed has no photo model: install "
                     "the one that came with this plug-in, or choose another model"));
      return FALSE;
    }
  params = adiff_denoiser_get_params (job->model.denoiser);
  set_by_nick (fconfig, "model", adiff_method_to_string (params->method));
  g_object_set (fconfig, "tau", params->tau, "exact", params->exact, NULL);
  return TRUE;
}

/* The bundle the job used: the config's, or the installed one that suits
 * the layer (NULL: the photo model needs none). */
static GFile *
job_bundle_file (GimpDrawable *drawable, GimpProcedureConfig *config, const PluginJob *job)
{
  GFile *file = NULL;

  g_object_get (config, "bundle", &file, NULL);
  if (file != NULL)
    return file;
  if (job->model.denoiser == NULL && job->model.photo_bundle == NULL)
    return NULL;
  return plugin_bundle_for_layer (! gimp_drawable_is_gray (drawable),
                                  job->model.denoiser == NULL);
}

gboolean
plugin_add_layer_effect (GimpDrawable *drawable, GimpProcedureConfig *config,
                         PluginParamsFunc params_func, const char *operation,
                         const char *title, double *sigma_used, GError **error)
{
  PluginJob job;
  g_autoptr (GFile) bundle = NULL;
  gboolean estimate = FALSE, ok;
  GimpDrawableFilter *filter;
  GObject *fconfig;

  /* The same checks as a destructive run, so a bad setting is an error
   * now rather than an effect that leaves the layer as it was. */
  if (! plugin_job_prepare (&job, drawable, config, params_func, error) ||
      ! check_channels (drawable, &job, error))
    {
      plugin_job_clear (&job);
      return FALSE;
    }
  *sigma_used = job.sigma * 255.0;
  g_object_get (config, "estimate-sigma", &estimate, NULL);
  bundle = job_bundle_file (drawable, config, &job);

  filter = gimp_drawable_filter_new (drawable, operation, title);
  if (filter == NULL)
    {
      plugin_job_clear (&job);
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("GIMP does not know the operation %s: install the GEGL module "
                     "adiff-denoise (see the plug-in's documentation)"), operation);
      return FALSE;
    }
  fconfig = G_OBJECT (gimp_drawable_filter_get_config (filter));
  if (bundle != NULL)
    set_bundle (fconfig, bundle);
  /* σ is the value used (the estimate when estimating), so unticking
   * "estimate" in the effect's dialog starts from it. */
  g_object_set (fconfig, "sigma", *sigma_used, "estimate-sigma", estimate,
                "strength", job.strength, NULL);
  if (job.model.denoiser != NULL)
    g_object_set (fconfig, "overlap",
                  (gint) adiff_denoiser_get_params (job.model.denoiser)->overlap, NULL);
  ok = g_strcmp0 (operation, PLUGIN_OP_ANALYTIC) != 0 || set_model (fconfig, &job, error);
  if (ok)
    {
      gimp_drawable_filter_update (filter);
      gimp_drawable_append_filter (drawable, filter);
    }
  else
    gimp_drawable_filter_delete (filter);
  plugin_job_clear (&job);
  return ok;
}
