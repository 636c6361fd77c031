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

static gboolean
check_args (const AdiffPhotoParams *params, guint width, guint height, guint channels,
            GError **error)
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

ADIFF_EXPORT gboolean
adiff_photo_denoise (const AdiffPhotoParams *params, AdiffBundle *bundle, const float *in,
                     guint width, guint height, guint channels, float *out,
                     AdiffProgressFunc progress, gpointer progress_data, GError **error)
{
  g_return_val_if_fail (params != NULL && in != NULL && out != NULL, FALSE);
  if (!check_args (params, width, height, channels, error))
    return FALSE;

  float sigma_255 = (float) (params->sigma * 255.0);
  AdiffPhotoConfig config;
  if (params->quality == ADIFF_PHOTO_QUALITY_BEST)
    adiff__photo_config_init_best (&config, sigma_255);
  else
    adiff__photo_config_init (&config, sigma_255);
  config.n_threads = params->n_threads;
  if (bundle && adiff_photo_quality_uses_bundle (params->quality) &&
      !use_bundle_basis (bundle, &config, error))
    return FALSE;

  AdiffPhotoProgress pr = { progress, progress_data, 0, 1, 0 };
  if (!adiff__photo_run (&config, in, (int) width, (int) height, (int) channels, 255.0f,
                         sigma_255, out, &pr, error))
    return FALSE;
  if (progress)
    progress (1.0, progress_data);   /* done: a request to stop comes too late */
  return TRUE;
}
