/* adiff-noise.h — camera noise, whose variance grows with brightness.
 *
 * A pixel of clean value x (in [0,1]) is observed as z with variance
 * a + b·x: photon (Poisson) noise scaled by the gain b, plus signal-
 * independent (Gaussian) read noise of variance a.  The generalised
 * Anscombe transform turns such noise into noise of unit variance, a
 * constant-σ denoiser removes it there, and the exact unbiased inverse of
 * the transform brings the result back (docs/models.md, "Real camera
 * noise"). */
#pragma once

#include <glib.h>
#include "adiff-bundle.h"
#include "adiff-image.h"
#include "adiff-photo.h"

G_BEGIN_DECLS

/* Variance a + b·x of a pixel of clean value x, all in [0,1] units:
 * a = σ² of the read noise (σ = 2.55/255 gives a = 1e-4), b = the
 * variance the photon noise adds per unit of brightness. */
typedef struct
{
  double a;
  double b;
} AdiffNoiseModel;

/* Is model usable: a and b finite, in [0, 1], not both 0?  FALSE with
 * ADIFF_ERROR_INVALID_ARGUMENT (naming the value) otherwise. */
gboolean  adiff_noise_model_check    (const AdiffNoiseModel *model, GError **error);

/* Estimate a and b from a noisy image (width × height pixels, `channels`
 * interleaved floats each, values in [0,1]; one model for all channels).
 * In the manner of Foi et al. 2008: in smooth places (a plane explains a
 * 6×6 neighbourhood, no fine texture), the local mean and the finest
 * diagonal Haar detail; the details binned by local mean, each bin's
 * variance their mean square (outliers cut by the median absolute
 * deviation), and a weighted, one-sidedly robust line fit of variance
 * against mean, constrained to a, b ≥ 0.  At most 2^18 blocks are read (a
 * sparser grid on large images).  Pixels at exactly 0 or 1 (clipped) are
 * left out.  Returns FALSE with ADIFF_ERROR_INVALID_ARGUMENT when the image is
 * too small or has too few smooth places, when its smooth places span too
 * narrow a range of brightness to tell a from b, or when it shows no
 * noise. */
gboolean  adiff_noise_model_estimate (const float     *image,
                                      guint            width,
                                      guint            height,
                                      guint            channels,
                                      AdiffNoiseModel *model,
                                      GError         **error);

/* The variance-stabilising transform of one noise model, with the tables
 * of its exact unbiased inverse.  Immutable once made: may be shared by
 * threads. */
typedef struct _AdiffVst AdiffVst;

/* NULL with error when adiff_noise_model_check refuses model. */
AdiffVst *adiff_vst_new              (const AdiffNoiseModel *model, GError **error);
void      adiff_vst_free             (AdiffVst *vst);

/* Mäkitalo and Foi's generalised Anscombe transform of an observation z,
 * f(z) = 2/b·√(b·z + 3/8·b² + a), less its constant 2√a/b so that it stays
 * finite as b → 0 (where it becomes z/√a).  The noise of f(z) has
 * variance ≈ 1. */
double    adiff_vst_forward          (const AdiffVst *vst, double z);

/* The exact unbiased inverse: the x ≥ 0 whose observations have mean
 * transform d, E[adiff_vst_forward (z) | x] = d (0 below the mean
 * transform of x = 0), within 1e-6 of the exact value (tests/noise). */
double    adiff_vst_inverse          (const AdiffVst *vst, double d);

/* The transforms of a clean 0 and 1 (where the photo model's [0,1] range
 * is placed): a transformed value t goes to (t − lo)/(hi − lo), and the
 * noise there has σ = 1/(hi − lo). */
void      adiff_vst_range            (const AdiffVst *vst, double *lo, double *hi);

/* The σ the transform leaves on the photo model's [0,1] scale, 1/(hi − lo)
 * of adiff_vst_range (no tables made), into *sigma.  FALSE with
 * ADIFF_ERROR_INVALID_ARGUMENT when adiff_noise_model_check refuses model
 * or the noise is too strong for the photo model (that σ above 1). */
gboolean  adiff_noise_model_photo_sigma (const AdiffNoiseModel *model,
                                         double                *sigma,
                                         GError               **error);

/* Denoise a whole image under noise model with the photo model: the
 * forward transform, adiff_photo_denoise at the σ the transform leaves
 * (params->sigma is ignored), the exact unbiased inverse.  Arguments
 * and errors as adiff_photo_denoise (out may equal in; untouched on
 * failure), memory one image of floats more, and also the refusals of
 * adiff_noise_model_photo_sigma. */
gboolean  adiff_noise_denoise        (const AdiffPhotoParams *params,
                                      const AdiffNoiseModel  *model,
                                      AdiffBundle            *bundle,
                                      const float            *in,
                                      guint                   width,
                                      guint                   height,
                                      guint                   channels,
                                      float                  *out,
                                      AdiffProgressFunc       progress,
                                      gpointer                progress_data,
                                      GError                **error);

/* Region form of adiff_noise_denoise, as adiff_photo_denoise_region is of
 * adiff_photo_denoise: the pixels of `region` of the width × height image,
 * equal bit for bit to the same pixels of adiff_noise_denoise (the
 * transform and its inverse work pixel by pixel).  in holds the input
 * rectangle, which must contain adiff_photo_region_input()'s rectangle of
 * region for params at the σ the transform leaves
 * (adiff_noise_model_photo_sigma); out (not overlapping in) receives
 * region's pixels.  Memory: one input rectangle of floats more.  Errors as
 * adiff_noise_denoise and adiff_photo_denoise_region; out untouched on a
 * refusal. */
gboolean  adiff_noise_denoise_region (const AdiffPhotoParams *params,
                                      const AdiffNoiseModel  *model,
                                      AdiffBundle            *bundle,
                                      guint                   width,
                                      guint                   height,
                                      guint                   channels,
                                      const float            *in,
                                      const AdiffRect        *input,
                                      float                  *out,
                                      const AdiffRect        *region,
                                      AdiffProgressFunc       progress,
                                      gpointer                progress_data,
                                      GError                **error);

G_END_DECLS
