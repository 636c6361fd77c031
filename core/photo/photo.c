/* photo.c — the photo model's public call (adiff-photo.h): checks, the
 * quality settings, the bundle's PCA basis, [0,1] ↔ the model's 0–255. */
#include "photo/photo-private.h"
#include <glib/gi18n-lib.h>

ADIFF_EXPORT void
adiff_photo_params_init (AdiffPhotoParams *params, AdiffPhotoQuality quality, double sigma)
{
  g_return_if_fail (params != NULL);
  memset (params, 0, sizeof *params);
  params->quality = quality;
  params->sigma = sigma;
  params->n_threads = 0;
}

ADIFF_EXPORT gboolean
adiff_photo_quality_uses_bundle (AdiffPhotoQuality quality)
{
  return quality == ADIFF_PHOTO_QUALITY_BEST;
}

static gboolean
invalid (GError **error, const char *message)
{
  g_set_error_literal (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

gboolean
adiff__photo_check_args (const AdiffPhotoParams *params, guint width, guint height,
                         guint channels, GError **error)
{
  if (params->quality != ADIFF_PHOTO_QUALITY_DEFAULT &&
      params->quality != ADIFF_PHOTO_QUALITY_BEST)
    return invalid (error, _("photo model: unknown quality setting"));
  if (!isfinite (params->sigma) || params->sigma <= 0 || params->sigma > 1)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("photo model: σ %g is not a noise level in (0, 1]"), params->sigma);
      return FALSE;
    }
  if (channels != 1 && channels != 3)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("photo model: %u channels (gray or RGB expected; alpha is the "
                     "caller’s)"), channels);
      return FALSE;
    }
  gsize n;
  if (width == 0 || height == 0 || width > G_MAXINT / 4 || height > G_MAXINT / 4 ||
      !g_size_checked_mul (&n, width, height) || !g_size_checked_mul (&n, n, channels) ||
      n > G_MAXSIZE / (16 * sizeof (float)))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("photo model: an image of %u × %u pixels is empty or too large"),
                   width, height);
      return FALSE;
    }
  return TRUE;
}

/* The bundle's eigenvectors as the best quality's 8×8 patch basis. */
static gboolean
use_bundle_basis (AdiffBundle *bundle, AdiffPhotoConfig *config, GError **error)
{
  if (bundle->channels != 1 || bundle->width != 8 || bundle->height != 8 ||
      bundle->n_components != 64)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("photo model: “%s” is not a gray 8×8 bundle with all 64 principal "
                     "components (it is %u×%u×%u with %u)"), bundle->name, bundle->width,
                   bundle->height, bundle->channels, bundle->n_components);
      return FALSE;
    }
  config->pca = bundle->eigenvectors;
  config->pca_size = 8;
  return TRUE;
}

/* The model's parameters for params (checked) and the image's channels,
 * with the bundle's basis. */
static gboolean
photo_config (const AdiffPhotoParams *params, AdiffBundle *bundle, guint channels,
              AdiffPhotoConfig *config, GError **error)
{
  float sigma_255 = (float) (params->sigma * 255.0);
  if (params->quality == ADIFF_PHOTO_QUALITY_BEST)
    adiff__photo_config_init_best (config, sigma_255, (int) channels);
  else
    adiff__photo_config_init (config, sigma_255, (int) channels);
  config->n_threads = params->n_threads;
  if (bundle && adiff_photo_quality_uses_bundle (params->quality) &&
      !use_bundle_basis (bundle, config, error))
    return FALSE;
  return TRUE;
}

static gboolean
run (const AdiffPhotoParams *params, AdiffBundle *bundle, guint width, guint height,
     guint channels, const float *in, const AdiffRect *input, float *out,
     const AdiffRect *region, AdiffProgressFunc progress, gpointer progress_data,
     GError **error)
{
  AdiffPhotoConfig config;
  if (!photo_config (params, bundle, channels, &config, error))
    return FALSE;

  float sigma_255 = (float) (params->sigma * 255.0);
  AdiffPhotoProgress pr = { progress, progress_data, 0, 1, 0 };
  gboolean ok;
  if (input == NULL)
    ok = adiff__photo_run (&config, in, (int) width, (int) height, (int) channels, 255.0f,
                           sigma_255, out, &pr, error);
  else
    {
      AdiffPhotoBox in_box = { input->x, input->y, input->x + input->width,
                               input->y + input->height };
      AdiffPhotoBox out_box = { region->x, region->y, region->x + region->width,
                                region->y + region->height };
      ok = adiff__photo_run_box (&config, (int) width, (int) height, (int) channels, 255.0f,
                                 sigma_255, in, &in_box, out, &out_box, &pr, error);
    }
  if (ok && progress)
    progress (1.0, progress_data);   /* done: a request to stop comes too late */
  return ok;
}

ADIFF_EXPORT gboolean
adiff_photo_denoise (const AdiffPhotoParams *params, AdiffBundle *bundle, const float *in,
                     guint width, guint height, guint channels, float *out,
                     AdiffProgressFunc progress, gpointer progress_data, GError **error)
{
  g_return_val_if_fail (params != NULL && in != NULL && out != NULL, FALSE);
  if (!adiff__photo_check_args (params, width, height, channels, error))
    return FALSE;
  return run (params, bundle, width, height, channels, in, NULL, out, NULL, progress,
              progress_data, error);
}

ADIFF_EXPORT void
adiff_photo_region_input (const AdiffPhotoParams *params, guint width, guint height,
                          const AdiffRect *region, AdiffRect *input)
{
  g_return_if_fail (params != NULL && region != NULL && input != NULL);
  AdiffPhotoConfig config;
  AdiffPhotoParams p = *params;
  if (p.quality != ADIFF_PHOTO_QUALITY_BEST)
    p.quality = ADIFF_PHOTO_QUALITY_DEFAULT;
  photo_config (&p, NULL, 1, &config, NULL);   /* the geometry is any channel count's */
  /* the part of the region inside the image; nothing when none is, and
   * the whole image when it is smaller than a patch (the call will fail) */
  guint x1 = MIN ((guint64) region->x + region->width, width);
  guint y1 = MIN ((guint64) region->y + region->height, height);
  int P = MAX (config.pass1.patch, config.pass2.patch);
  if (region->x >= x1 || region->y >= y1 || width > G_MAXINT / 4 || height > G_MAXINT / 4)
    {
      *input = (AdiffRect) { 0, 0, 0, 0 };
      return;
    }
  if (width < (guint) P || height < (guint) P)
    {
      *input = (AdiffRect) { 0, 0, width, height };
      return;
    }
  AdiffPhotoBox out = { region->x, region->y, x1, y1 }, in;
  adiff__photo_region_box (&config, (int) width, (int) height, &out, &in);
  *input = (AdiffRect) { in.x0, in.y0, in.x1 - in.x0, in.y1 - in.y0 };
}

static gboolean
rect_inside (const AdiffRect *inner, const AdiffRect *outer)
{
  return inner->x >= outer->x && inner->y >= outer->y &&
         (guint64) inner->x + inner->width <= (guint64) outer->x + outer->width &&
         (guint64) inner->y + inner->height <= (guint64) outer->y + outer->height;
}

/* The region lies in the image and the input holds what it reads. */
static gboolean
check_rects (const AdiffPhotoParams *params, guint width, guint height,
             const AdiffRect *region, const AdiffRect *input, GError **error)
{
  AdiffRect image = { 0, 0, width, height }, need;
  if (region->width == 0 || region->height == 0 || !rect_inside (region, &image))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("photo model: region %u×%u+%u+%u is empty or not inside the %u×%u image"),
                   region->width, region->height, region->x, region->y, width, height);
      return FALSE;
    }
  adiff_photo_region_input (params, width, height, region, &need);
  if (!rect_inside (&need, input) || !rect_inside (input, &image))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("photo model: region %u×%u+%u+%u of a %u×%u image needs input "
                     "%u×%u+%u+%u, got %u×%u+%u+%u"),
                   region->width, region->height, region->x, region->y, width, height,
                   need.width, need.height, need.x, need.y,
                   input->width, input->height, input->x, input->y);
      return FALSE;
    }
  return TRUE;
}

ADIFF_EXPORT gboolean
adiff_photo_denoise_region (const AdiffPhotoParams *params, AdiffBundle *bundle,
                            guint width, guint height, guint channels, const float *in,
                            const AdiffRect *input, float *out, const AdiffRect *region,
                            AdiffProgressFunc progress, gpointer progress_data,
                            GError **error)
{
  g_return_val_if_fail (params != NULL && in != NULL && input != NULL && out != NULL &&
                        region != NULL, FALSE);
  if (!adiff__photo_check_args (params, width, height, channels, error) ||
      !check_rects (params, width, height, region, input, error))
    return FALSE;
  return run (params, bundle, width, height, channels, in, input, out, region, progress,
              progress_data, error);
}
