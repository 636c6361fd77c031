/* noise.c — camera noise for the photo model.  Photos straight from a
 * camera have noise that grows with brightness, variance a + b·x; libadiff
 * evens it out with a variance-stabilising transform around the photo
 * model (adiff_noise_denoise, docs/models.md "Real camera noise").  a and b
 * come from the PDB ("noise-a", "noise-b"), or when both are 0 from the
 * whole layer, once, whatever part is denoised or previewed: the same
 * model as `adiff denoise --noise-model auto` measures on the whole image,
 * so a selection gets that run's pixels. */
#include "config.h"
#include "engine/noise.h"
#include "engine/pixel-io.h"

gboolean
plugin_noise_is_camera (GimpProcedureConfig *config)
{
  g_autofree char *kind = NULL;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (config), "noise-model") == NULL)
    return FALSE;
  g_object_get (config, "noise-model", &kind, NULL);
  return g_strcmp0 (kind, "camera") == 0;
}

/* a and b measured from every pixel of the drawable. */
static gboolean
measure (GimpDrawable *drawable, AdiffNoiseModel *model, GError **error)
{
  GeglRectangle all = { 0, 0, gimp_drawable_get_width (drawable),
                        gimp_drawable_get_height (drawable) };
  guint channels = gimp_drawable_is_gray (drawable) ? 1 : 3;
  g_autofree float *pixels = plugin_read_region (drawable, &all, FALSE, error);
  g_autoptr (GError) why = NULL;

  if (pixels == NULL)
    return FALSE;
  if (adiff_noise_model_estimate (pixels, all.width, all.height, channels, model, &why))
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
               _("Cannot measure the camera noise of this layer (%s): choose Constant σ"),
               why->message);
  return FALSE;
}

gboolean
plugin_noise_read (PluginNoise *noise, GimpDrawable *drawable, GimpProcedureConfig *config,
                   PluginNoiseCache *cache, GError **error)
{
  g_autoptr (GError) why = NULL;

  memset (noise, 0, sizeof *noise);
  noise->camera = plugin_noise_is_camera (config);
  if (! noise->camera)
    return TRUE;
  g_object_get (config, "noise-a", &noise->model.a, "noise-b", &noise->model.b, NULL);
  noise->estimated = noise->model.a == 0.0 && noise->model.b == 0.0;
  if (noise->estimated && cache != NULL && cache->valid)
    noise->model = cache->model;
  else if (noise->estimated)
    {
      if (! measure (drawable, &noise->model, error))
        return FALSE;
      if (cache != NULL)
        *cache = (PluginNoiseCache) { TRUE, noise->model };
    }
  if (adiff_noise_model_photo_sigma (&noise->model, &noise->sigma, &why))
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
               _("Camera noise a = %g, b = %g: %s"), noise->model.a, noise->model.b,
               why->message);
  return FALSE;
}

void
plugin_noise_range_255 (const AdiffNoiseModel *model, double *black, double *white)
{
  *black = sqrt (model->a) * 255.0;
  *white = sqrt (model->a + model->b) * 255.0;
}
