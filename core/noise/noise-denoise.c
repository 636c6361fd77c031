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

ADIFF_EXPORT gboolean
adiff_noise_denoise (const AdiffPhotoParams *params, const AdiffNoiseModel *model,
                     AdiffBundle *bundle, const float *in, guint width, guint height,
                     guint channels, float *out, AdiffProgressFunc progress,
                     gpointer progress_data, GError **error)
{
  g_return_val_if_fail (params != NULL && model != NULL && in != NULL && out != NULL, FALSE);
  AdiffPhotoParams stabilised = *params;
  if (!adiff_noise_model_photo_sigma (model, &stabilised.sigma, error))
    return FALSE;
  /* the photo model's own checks, before the transform reads the pixels */
  if (!adiff__photo_check_args (&stabilised, width, height, channels, error))
    return FALSE;
  /* the transformed image gets its own buffer: a refusal or a cancel
   * must leave out (which may be in) untouched */
  gsize n;
  float *work = NULL;
  if (!g_size_checked_mul (&n, width, height) || !g_size_checked_mul (&n, n, channels) ||
      n == 0 || !(work = g_try_new (float, n)))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("photo model: an image of %u × %u pixels is empty or too large"),
                   width, height);
      return FALSE;
    }
  AdiffVst *vst = adiff_vst_new (model, NULL);     /* the model passed the check */
  double lo, hi;
  adiff_vst_range (vst, &lo, &hi);
  pixel_pass (vst, in, work, n, lo, hi, FALSE, params->n_threads);
  gboolean ok = adiff_photo_denoise (&stabilised, bundle, work, width, height, channels, work,
                                     progress, progress_data, error);
  if (ok)
    pixel_pass (vst, work, out, n, lo, hi, TRUE, params->n_threads);
  g_free (work);
  adiff_vst_free (vst);
  return ok;
}
