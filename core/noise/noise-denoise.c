/* noise-denoise.c — the photo model under noise of variance a + b·x
 * (adiff_noise_denoise): the generalised Anscombe transform, with the
 * transforms of a clean 0 and 1 placed at the photo model's 0 and 1, the
 * photo model at the σ that leaves (1/(hi − lo): the transform's noise has
 * unit variance), and the exact unbiased inverse (vst.c). */
#include "adiff-private.h"
#include "photo/photo-private.h"
#include "parallel.h"
#include <glib/gi18n-lib.h>

typedef struct
{
  const AdiffVst *vst;
  const float    *in;
  float          *out;
  gsize           n;
  double          lo, scale;
  gboolean        inverse;
} PixelPass;

#define PASS_CHUNK 65536     /* values per task */

/* One chunk: t ↦ (f(t) − lo)/scale forward, v ↦ f⁻¹(v·scale + lo) back. */
static void
pass_chunk (guint task, guint worker, gpointer data)
{
  const PixelPass *p = data;
  gsize from = (gsize) task * PASS_CHUNK, to = MIN (from + PASS_CHUNK, p->n);
  if (p->inverse)
    for (gsize i = from; i < to; i++)
      p->out[i] = (float) adiff_vst_inverse (p->vst, p->in[i] * p->scale + p->lo);
  else
    for (gsize i = from; i < to; i++)
      p->out[i] = (float) ((adiff_vst_forward (p->vst, p->in[i]) - p->lo) / p->scale);
}

static void
pixel_pass (const AdiffVst *vst, const float *in, float *out, gsize n, double lo, double hi,
            gboolean inverse, guint n_threads)
{
  PixelPass p = { vst, in, out, n, lo, hi - lo, inverse };
  guint n_tasks = (guint) ((n + PASS_CHUNK - 1) / PASS_CHUNK);
  adiff__parallel_for (n_tasks, MIN (adiff__thread_count (n_threads), n_tasks), pass_chunk, &p);
}

/* The transform of model and the photo model's parameters at the σ it
 * leaves, after the checks both calls share (the photo model's own, before
 * the transform reads a pixel). */
static AdiffVst *
stabilise (const AdiffPhotoParams *params, const AdiffNoiseModel *model, guint width,
           guint height, guint channels, AdiffPhotoParams *stabilised, GError **error)
{
  *stabilised = *params;
  if (!adiff_noise_model_photo_sigma (model, &stabilised->sigma, error) ||
      !adiff__photo_check_args (stabilised, width, height, channels, error))
    return NULL;
  return adiff_vst_new (model, NULL);     /* the model passed the check */
}

/* The transformed pixels get a buffer of their own: a refusal or a cancel
 * must leave out (which may be in) untouched. */
static float *
work_new (guint width, guint height, guint channels, gsize *n, GError **error)
{
  float *work = NULL;
  if (!g_size_checked_mul (n, width, height) || !g_size_checked_mul (n, *n, channels) ||
      *n == 0 || !(work = g_try_new (float, *n)))
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                 _("photo model: an image of %u × %u pixels is empty or too large"),
                 width, height);
  return work;
}

ADIFF_EXPORT gboolean
adiff_noise_denoise (const AdiffPhotoParams *params, const AdiffNoiseModel *model,
                     AdiffBundle *bundle, const float *in, guint width, guint height,
                     guint channels, float *out, AdiffProgressFunc progress,
                     gpointer progress_data, GError **error)
{
  g_return_val_if_fail (params != NULL && model != NULL && in != NULL && out != NULL, FALSE);
  AdiffPhotoParams stabilised;
  AdiffVst *vst = stabilise (params, model, width, height, channels, &stabilised, error);
  if (vst == NULL)
    return FALSE;
  gsize n;
  float *work = work_new (width, height, channels, &n, error);
  double lo, hi;
  adiff_vst_range (vst, &lo, &hi);
  gboolean ok = work != NULL;
  if (ok)
    {
      pixel_pass (vst, in, work, n, lo, hi, FALSE, params->n_threads);
      ok = adiff_photo_denoise (&stabilised, bundle, work, width, height, channels, work,
                                progress, progress_data, error);
    }
  if (ok)
    pixel_pass (vst, work, out, n, lo, hi, TRUE, params->n_threads);
  g_free (work);
  adiff_vst_free (vst);
  return ok;
}

/* The transform and its inverse work pixel by pixel, so a region of the
 * photo model in between gives the region of the whole call exactly. */
ADIFF_EXPORT gboolean
adiff_noise_denoise_region (const AdiffPhotoParams *params, const AdiffNoiseModel *model,
                            AdiffBundle *bundle, guint width, guint height, guint channels,
                            const float *in, const AdiffRect *input, float *out,
                            const AdiffRect *region, AdiffProgressFunc progress,
                            gpointer progress_data, GError **error)
{
  g_return_val_if_fail (params != NULL && model != NULL && in != NULL && input != NULL &&
                        out != NULL && region != NULL, FALSE);
  AdiffPhotoParams stabilised;
  AdiffVst *vst = stabilise (params, model, width, height, channels, &stabilised, error);
  if (vst == NULL)
    return FALSE;
  gsize n, n_out = (gsize) region->width * region->height * channels;
  float *work = work_new (input->width, input->height, channels, &n, error);
  double lo, hi;
  adiff_vst_range (vst, &lo, &hi);
  gboolean ok = work != NULL;
  if (ok)
    {
      pixel_pass (vst, in, work, n, lo, hi, FALSE, params->n_threads);
      ok = adiff_photo_denoise_region (&stabilised, bundle, width, height, channels, work,
                                       input, out, region, progress, progress_data, error);
    }
  if (ok)
    pixel_pass (vst, out, out, n_out, lo, hi, TRUE, params->n_threads);
  g_free (work);
  adiff_vst_free (vst);
  return ok;
}
