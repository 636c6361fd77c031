/* job.c — what the denoising procedures share once their arguments are
 * known: open the bundle, settle σ (given on the 0–255 scale, or estimated
 * from the image), build the denoiser, run it over the drawable.  Every
 * check happens before the first pixel is written. */
#include "config.h"
#include "plugin.h"

/* The part of the drawable the procedure works on: the selection's bounds
 * inside it, or all of it. */
static gboolean
work_region (GimpDrawable *drawable, GeglRectangle *rect)
{
  return gimp_drawable_mask_intersect (drawable, &rect->x, &rect->y,
                                       &rect->width, &rect->height);
}

/* σ in [0,1] units estimated from the pixels the procedure will change. */
static gboolean
estimate_sigma (GimpDrawable *drawable, double *sigma, GError **error)
{
  guint channels = gimp_drawable_is_gray (drawable) ? 1 : 3;
  GeglRectangle rect;
  float *pixels;

  if (! work_region (drawable, &rect))
    rect = (GeglRectangle) { 0, 0, gimp_drawable_get_width (drawable),
                             gimp_drawable_get_height (drawable) };
  pixels = plugin_read_region (drawable, &rect, FALSE, error);
  if (pixels == NULL)
    return FALSE;
  *sigma = adiff_estimate_sigma (pixels, rect.width, rect.height, channels);
  g_free (pixels);
  if (! (*sigma > 0.0) || ! isfinite (*sigma))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot estimate σ: the image shows no noise (or is too small); "
                     "set σ by hand"));
      return FALSE;
    }
  return TRUE;
}

/* σ as the user gave it; 0 or less is an error, not "no denoising". */
static gboolean
config_sigma (GimpDrawable *drawable, GimpProcedureConfig *config, PluginJobCache *cache,
              double *sigma, GError **error)
{
  gboolean estimate = FALSE;
  double value;

  g_object_get (config, "sigma", &value, "estimate-sigma", &estimate, NULL);
  if (estimate && cache != NULL && cache->sigma_estimate > 0.0)
    {
      *sigma = cache->sigma_estimate;
      return TRUE;
    }
  if (estimate)
    {
      if (! estimate_sigma (drawable, sigma, error))
        return FALSE;
      if (cache != NULL)
        cache->sigma_estimate = *sigma;
      return TRUE;
    }
  if (! (value > 0.0) || ! isfinite (value))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Noise σ must be greater than 0 (got %g)"), value);
      return FALSE;
    }
  *sigma = value / 255.0;
  return TRUE;
}

gboolean
plugin_job_prepare (PluginJob *job, GimpDrawable *drawable, GimpProcedureConfig *config,
                    PluginParamsFunc params_func, PluginJobCache *preview_cache, GError **error)
{
  AdiffParams params;
  AdiffBundle *bundle;

  memset (job, 0, sizeof *job);
  adiff_params_init (&params);
  params_func (config, &params);
  if (preview_cache != NULL)
    params.exact = FALSE;
  g_object_get (config, "strength", &job->strength, NULL);
  if (! config_sigma (drawable, config, preview_cache, &params.sigma, error))
    return FALSE;
  job->sigma = params.sigma;

  bundle = plugin_job_open_bundle (config, preview_cache, error);
  if (bundle == NULL)
    return FALSE;
  job->denoiser = adiff_denoiser_new (bundle, &params, error);
  adiff_bundle_unref (bundle);  /* the denoiser holds its own reference */
  return job->denoiser != NULL;
}

void
plugin_job_clear (PluginJob *job)
{
  g_clear_pointer (&job->denoiser, adiff_denoiser_free);
}

gboolean
plugin_denoise_drawable (GimpDrawable *drawable, GimpProcedureConfig *config,
                         PluginParamsFunc params_func, gboolean show_progress,
                         double *sigma_used, GError **error)
{
  PluginJob job;
  PluginTiming timing;
  PluginApplyOptions options = { 1.0, show_progress, &timing };
  gboolean ok;
  gint64 t0;

  plugin_timing_begin (&timing);
  t0 = plugin_timing_now ();
  if (! plugin_job_prepare (&job, drawable, config, params_func, NULL, error))
    {
      plugin_job_clear (&job);
      return FALSE;
    }
  plugin_timing_add (&timing, PLUGIN_PHASE_PREPARE, t0);
  options.strength = job.strength;
  *sigma_used = job.sigma * 255.0;
  if (show_progress)
    gimp_progress_init_printf (_("Denoising (%s, σ = %.1f)…"),
                               adiff_method_to_string (adiff_denoiser_get_params (job.denoiser)->method),
                               *sigma_used);
  ok = plugin_apply_denoiser (drawable, job.denoiser, &options, error);
  if (show_progress)
    gimp_progress_end ();
  plugin_timing_report (&timing, adiff_method_to_string (adiff_denoiser_get_params (job.denoiser)->method));
  plugin_job_clear (&job);
  return ok;
}

GimpValueArray *
plugin_denoise_run (GimpProcedure *procedure, GimpRunMode run_mode, GimpImage *image,
                    GimpDrawable **drawables, GimpProcedureConfig *config,
                    PluginParamsFunc params_func, const char *title)
{
  static const char * const properties[] = {
    "sigma", "estimate-sigma", "model", "tau", "exact", "overlap", "strength", NULL
  };
  GError *error = NULL;
  GimpDrawable *drawable = NULL;
  GimpValueArray *values;
  double sigma_used = 0.0;

  if (! plugin_check_drawables (image, drawables, &drawable, &error))
    return gimp_procedure_new_return_values (procedure, plugin_status_for_error (error), error);

  if (run_mode == GIMP_RUN_INTERACTIVE &&
      ! plugin_dialog_run (procedure, config, drawable, title, params_func, properties))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);

  /* Progress in every run mode: a calling plug-in that installed its own
   * progress (gimp_progress_install_vtable) gets ours; a GIMP without an
   * interface simply drops it. */
  if (! plugin_denoise_drawable (drawable, config, params_func, TRUE, &sigma_used, &error))
    return gimp_procedure_new_return_values (procedure, plugin_status_for_error (error), error);

  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  values = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_DOUBLE (values, 1, sigma_used);
  return values;
}
