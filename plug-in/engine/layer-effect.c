/* layer-effect.c — append the GEGL operation (plug-in/gegl) as a layer
 * effect.  The GEGL module must be installed where GIMP's GEGL finds it
 * (docs/plug-in.md); GIMP then renders, previews and saves the effect
 * itself, and the user can edit, hide or merge it later. */
#include "config.h"
#include "engine/layer-effect.h"

/* GIMP's filter config mirrors the operation's properties; an enum may
 * come across as an enum or as a GimpChoice, a file path as a string or a
 * GFile, depending on GIMP's version: set whichever it is. */
static void
set_model (GObject *config, AdiffMethod method)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (config), "model");
  const char *nick = adiff_method_to_string (method);

  if (pspec == NULL)
    return;
  if (G_IS_PARAM_SPEC_ENUM (pspec))
    {
      GEnumValue *v = g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (pspec)->enum_class, nick);
      if (v != NULL)
        g_object_set (config, "model", v->value, NULL);
    }
  else if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING)
    g_object_set (config, "model", nick, NULL);
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

gboolean
plugin_add_layer_effect (GimpDrawable *drawable, GimpProcedureConfig *config,
                         PluginParamsFunc params_func, const char *operation,
                         const char *title, double *sigma_used, GError **error)
{
  PluginJob job;
  g_autoptr (GFile) bundle = NULL;
  gboolean estimate = FALSE;
  GimpDrawableFilter *filter;
  GObject *fconfig;

  /* The same checks as a destructive run, so a bad setting is an error
   * now rather than an effect that leaves the layer as it was. */
  if (! plugin_job_prepare (&job, drawable, config, params_func, error))
    {
      plugin_job_clear (&job);
      return FALSE;
    }
  /* The destructive run finds this in the tiler; an effect must find it
   * before it is added. */
  guint bc = adiff_bundle_get_channels (adiff_denoiser_get_bundle (job.denoiser));
  guint lc = gimp_drawable_is_gray (drawable) ? 1 : 3;
  if (bc != 1 && bc != lc)
    {
      plugin_job_clear (&job);
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("The bundle has %u channels and the layer %u: use a gray bundle, "
                     "or one with the layer's channels"), bc, lc);
      return FALSE;
    }
  const AdiffParams *params = adiff_denoiser_get_params (job.denoiser);
  *sigma_used = job.sigma * 255.0;
  g_object_get (config, "bundle", &bundle, "estimate-sigma", &estimate, NULL);

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
  set_bundle (fconfig, bundle);
  /* σ is the value used (the estimate when estimating), so unticking
   * "estimate" in the effect's dialog starts from it. */
  g_object_set (fconfig, "sigma", *sigma_used, "estimate-sigma", estimate,
                "overlap", (gint) params->overlap, "strength", job.strength, NULL);
  if (g_strcmp0 (operation, PLUGIN_OP_ANALYTIC) == 0)
    {
      set_model (fconfig, params->method);
      g_object_set (fconfig, "tau", params->tau, "exact", params->exact, NULL);
    }
  gimp_drawable_filter_update (filter);
  gimp_drawable_append_filter (drawable, filter);
  plugin_job_clear (&job);
  return TRUE;
}
