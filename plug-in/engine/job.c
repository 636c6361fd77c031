/* job.c — what the denoising procedures share once their arguments are
 * known: open the bundle, settle σ (given on the 0–255 scale, or estimated
 * from the image), build the denoiser, run it over the drawable.  Every
 * check happens before the first pixel is written. */
#include "config.h"
#include "engine/job.h"
#include "engine/apply.h"
#include "engine/pixel-io.h"
#include "engine/timing.h"
#include "engine/bundles.h"

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
  cache->noise.valid = FALSE;
}

/* Open file (NULL: none given), or reuse the cache's bundle. */
static AdiffBundle *
open_bundle_file (GFile *file, PluginJobCache *cache, GError **error)
{
  g_autofree char *path = NULL;
  AdiffBundle *bundle;

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

AdiffBundle *
plugin_job_open_bundle (GimpProcedureConfig *config, PluginJobCache *cache,
                        GError **error)
{
  g_autoptr (GFile) file = NULL;

  g_object_get (config, "bundle", &file, NULL);
  return open_bundle_file (file, cache, error);
}

/* The photo model when the config's "model" is "photo", with its
 * "quality". */
static gboolean
config_photo (GimpProcedureConfig *config, AdiffPhotoQuality *quality)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (config);
  g_autofree char *model = NULL;
  g_autofree char *level = NULL;

  if (g_object_class_find_property (klass, "model") == NULL ||
      g_object_class_find_property (klass, "quality") == NULL)
    return FALSE;
  g_object_get (config, "model", &model, "quality", &level, NULL);
  *quality = g_strcmp0 (level, "best") == 0 ? ADIFF_PHOTO_QUALITY_BEST
                                            : ADIFF_PHOTO_QUALITY_DEFAULT;
  return g_strcmp0 (model, "photo") == 0;
}

/* The bundle the job's model uses: the config's, or the installed one
 * that suits the layer and model. */
static AdiffBundle *
spec_bundle (PluginJobSpec *spec, GimpDrawable *drawable, GimpProcedureConfig *config,
             PluginJobCache *cache, GError **error)
{
  g_autoptr (GFile) file = NULL;

  g_object_get (config, "bundle", &file, NULL);
  if (file == NULL)
    file = plugin_bundle_for_layer (! gimp_drawable_is_gray (drawable), spec->photo);
  if (file == NULL && spec->photo)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("The best quality needs the gray photo bundle %s, which is not "
                     "installed: choose a gray 8×8 bundle (.adstats)"), ADIFF_DEFAULT_BUNDLE);
      return NULL;
    }
  return open_bundle_file (file, cache, error);
}

gboolean
plugin_job_spec_read (PluginJobSpec *spec, GimpDrawable *drawable, GimpProcedureConfig *config,
                      PluginParamsFunc params_func, PluginJobCache *preview_cache,
                      GError **error)
{
  memset (spec, 0, sizeof *spec);
  adiff_params_init (&spec->params);
  params_func (config, &spec->params);
  spec->photo = config_photo (config, &spec->quality);
  g_object_get (config, "strength", &spec->strength, "estimate-sigma", &spec->estimated, NULL);
  /* Camera noise is the photo model's; the paper's models ignore it, as
   * they ignore its quality. */
  if (spec->photo && plugin_noise_is_camera (config))
    {
      if (! plugin_noise_read (&spec->noise, drawable, config,
                               preview_cache != NULL ? &preview_cache->noise : NULL, error))
        return FALSE;
      spec->params.sigma = spec->noise.sigma;
      spec->estimated = spec->noise.estimated;
    }
  else if (! config_sigma (drawable, config, preview_cache, &spec->params.sigma, error))
    return FALSE;
  if (spec->photo && ! adiff_photo_quality_uses_bundle (spec->quality))
    return TRUE;
  spec->bundle = spec_bundle (spec, drawable, config, preview_cache, error);
  return spec->bundle != NULL;
}

GeglRectangle
plugin_job_spec_context (const PluginJobSpec *spec, GimpDrawable *drawable,
                         const GeglRectangle *rect)
{
  gint width = gimp_drawable_get_width (drawable), height = gimp_drawable_get_height (drawable);
  AdiffPhotoParams photo;

  if (! spec->photo)
    return plugin_window_context (width, height, rect, spec->bundle);
  adiff_photo_params_init (&photo, spec->quality, spec->params.sigma);
  return plugin_photo_context (&photo, width, height, rect);
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

  return a->bundle == b->bundle && a->photo == b->photo && a->quality == b->quality &&
         a->noise.camera == b->noise.camera && a->noise.model.a == b->noise.model.a &&
         a->noise.model.b == b->noise.model.b &&
         p->method == q->method && p->sigma == q->sigma &&
         p->tau == q->tau && p->patch_size == q->patch_size &&
         p->equivariant == q->equivariant && p->exact == q->exact &&
         p->n_threads == q->n_threads && p->overlap == q->overlap;
}

/* adiff_photo_denoise's rule for the best quality's bundle (adiff-photo.h),
 * checked before any pixel is read, with the file named. */
static gboolean
photo_bundle_fits (AdiffBundle *bundle, GError **error)
{
  if (adiff_bundle_get_channels (bundle) == 1 && adiff_bundle_get_width (bundle) == 8 &&
      adiff_bundle_get_height (bundle) == 8 && adiff_bundle_get_n_components (bundle) == 64)
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
               _("%s: the best quality needs a gray 8×8 bundle with all 64 components "
                 "(this one has %u×%u windows, %u channels, %u components): choose %s"),
               adiff_bundle_get_name (bundle), adiff_bundle_get_width (bundle),
               adiff_bundle_get_height (bundle), adiff_bundle_get_channels (bundle),
               adiff_bundle_get_n_components (bundle), ADIFF_DEFAULT_BUNDLE);
  return FALSE;
}

gboolean
plugin_job_build (PluginJob *job, const PluginJobSpec *spec, GError **error)
{
  memset (job, 0, sizeof *job);
  job->sigma = spec->params.sigma;
  job->strength = spec->strength;
  if (spec->photo)
    {
      /* all cores, as adiff denoise */
      adiff_photo_params_init (&job->model.photo, spec->quality, spec->params.sigma);
      if (spec->bundle != NULL && ! photo_bundle_fits (spec->bundle, error))
        return FALSE;
      job->model.photo_bundle = spec->bundle != NULL ? adiff_bundle_ref (spec->bundle) : NULL;
      job->model.camera = spec->noise.camera;
      job->model.noise = spec->noise.model;
      if (spec->noise.camera)
        job->sigma = sqrt (spec->noise.model.a + 0.5 * spec->noise.model.b);
      return TRUE;
    }
  job->model.denoiser = adiff_denoiser_new (spec->bundle, &spec->params, error);
  return job->model.denoiser != NULL;
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
  g_clear_pointer (&job->model.denoiser, adiff_denoiser_free);
  g_clear_pointer (&job->model.photo_bundle, adiff_bundle_unref);
}

const char *
plugin_job_model_name (const PluginJob *job)
{
  if (job->model.denoiser == NULL)
    return "photo";
  return adiff_method_to_string (adiff_denoiser_get_params (job->model.denoiser)->method);
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
  if (show_progress && job.model.camera)
    gimp_progress_init_printf (_("Denoising (%s, camera noise)…"), plugin_job_model_name (&job));
  else if (show_progress)
    gimp_progress_init_printf (_("Denoising (%s, σ = %.1f)…"), plugin_job_model_name (&job),
                               *sigma_used);
  ok = plugin_apply_model (drawable, &job.model, &options, error);
  if (show_progress)
    gimp_progress_end ();
  plugin_timing_report (&timing, plugin_job_model_name (&job));
  plugin_job_clear (&job);
  return ok;
}
