/* job.c — what the denoising procedures share once their arguments are
 * known: open the bundle, settle σ (given on the 0–255 scale, or estimated
 * from the image), build the denoiser, run it over the drawable.  Every
 * check happens before the first pixel is written. */
#include "config.h"
#include "engine/job.h"
#include "engine/apply.h"
#include "engine/pixel-io.h"
#include "engine/timing.h"

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

void
plugin_job_cache_clear (PluginJobCache *cache)
{
  g_clear_pointer (&cache->path, g_free);
  g_clear_pointer (&cache->bundle, adiff_bundle_unref);
  cache->sigma_estimate = 0.0;
}

AdiffBundle *
plugin_job_open_bundle (GimpProcedureConfig *config, PluginJobCache *cache,
                        GError **error)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;
  AdiffBundle *bundle;

  g_object_get (config, "bundle", &file, NULL);
  if (file == NULL)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("No bundle file given (install one with the plug-in or choose a .adstats file)"));
      return NULL;
    }
  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("%s: bundles must be local files"), uri);
      return NULL;
    }
  if (cache != NULL && cache->bundle != NULL && g_strcmp0 (cache->path, path) == 0)
    return adiff_bundle_ref (cache->bundle);

  bundle = adiff_bundle_open (path, NULL, error);
  if (bundle != NULL && cache != NULL)
    {
      g_clear_pointer (&cache->path, g_free);
      g_clear_pointer (&cache->bundle, adiff_bundle_unref);
      cache->path = g_steal_pointer (&path);
      cache->bundle = adiff_bundle_ref (bundle);
    }
  return bundle;
}

gboolean
plugin_job_spec_read (PluginJobSpec *spec, GimpDrawable *drawable, GimpProcedureConfig *config,
                      PluginParamsFunc params_func, PluginJobCache *preview_cache,
                      GError **error)
{
  memset (spec, 0, sizeof *spec);
  adiff_params_init (&spec->params);
  params_func (config, &spec->params);
  g_object_get (config, "strength", &spec->strength, "estimate-sigma", &spec->estimated, NULL);
  if (! config_sigma (drawable, config, preview_cache, &spec->params.sigma, error))
    return FALSE;
  spec->bundle = plugin_job_open_bundle (config, preview_cache, error);
  return spec->bundle != NULL;
}

void
plugin_job_spec_clear (PluginJobSpec *spec)
{
  g_clear_pointer (&spec->bundle, adiff_bundle_unref);
}

gboolean
plugin_job_spec_same_denoiser (const PluginJobSpec *a, const PluginJobSpec *b)
{
  const AdiffParams *p = &a->params, *q = &b->params;

  return a->bundle == b->bundle && p->method == q->method && p->sigma == q->sigma &&
         p->tau == q->tau && p->patch_size == q->patch_size &&
         p->equivariant == q->equivariant && p->exact == q->exact &&
         p->n_threads == q->n_threads && p->overlap == q->overlap;
}

gboolean
plugin_job_build (PluginJob *job, const PluginJobSpec *spec, GError **error)
{
  memset (job, 0, sizeof *job);
  job->sigma = spec->params.sigma;
  job->strength = spec->strength;
  job->denoiser = adiff_denoiser_new (spec->bundle, &spec->params, error);
  return job->denoiser != NULL;
}

gboolean
plugin_job_prepare (PluginJob *job, GimpDrawable *drawable, GimpProcedureConfig *config,
                    PluginParamsFunc params_func, GError **error)
{
  PluginJobSpec spec;
  gboolean ok;

  memset (job, 0, sizeof *job);
  ok = plugin_job_spec_read (&spec, drawable, config, params_func, NULL, error) &&
       plugin_job_build (job, &spec, error);
  plugin_job_spec_clear (&spec);  /* the denoiser holds its own reference */
  return ok;
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
  PluginApplyOptions options = { 1.0, show_progress, &timing, NULL };
  gboolean ok;
  gint64 t0;

  plugin_timing_begin (&timing);
  t0 = plugin_timing_now ();
  if (! plugin_job_prepare (&job, drawable, config, params_func, error))
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
