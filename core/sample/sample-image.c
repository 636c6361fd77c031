/* sample-image.c — DDIM sampling of an image of any size: every step
 * denoises the whole image through the tiler (adiff_denoise_image), so a
 * bundle of small local windows (photo windows, the patch model) makes a
 * texture of the size asked for, as texture synthesis does.  The path is
 * that of adiff_sample (sample-private.h); only the denoiser differs. */
#include "adiff-private.h"
#include "sample/sample-private.h"
#include <glib/gi18n-lib.h>

typedef struct
{
  AdiffBundle       *bundle;
  const AdiffParams *model;
  guint              width, height;
} Image;

static gboolean
denoise_image (double sigma, const float *z, float *x0, gpointer data, GError **error)
{
  Image *im = data;
  AdiffDenoiser *den = adiff__ddim_denoiser (im->bundle, im->model, sigma, error);
  if (!den)
    return FALSE;
  gboolean ok = adiff_denoise_image (den, z, x0, im->width, im->height, im->bundle->channels,
                                     NULL, NULL, error);
  adiff_denoiser_free (den);
  return ok;
}

ADIFF_EXPORT gboolean
adiff_sample_image (AdiffBundle *bundle, const AdiffParams *model,
                    const AdiffSampleParams *params, guint width, guint height, float *out,
                    gboolean (*progress) (double, gpointer), gpointer progress_data,
                    GError **error)
{
  g_return_val_if_fail (bundle && model && params && out, FALSE);
  gsize n;
  if (width == 0 || height == 0 ||
      !g_size_checked_mul (&n, width, height) ||
      !g_size_checked_mul (&n, n, bundle->channels))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("cannot sample an image of %u×%u pixels"), width, height);
      return FALSE;
    }
  Image im = { bundle, model, width, height };
  return adiff__ddim_run (n, params, denoise_image, &im, out, progress, progress_data, error);
}
