/* adiff-photo.h — the photo model: a closed-form two-pass grouped Wiener
 * denoiser of whole images (BM3D's structure, in the paper's terms a Wiener
 * filter of local statistics; docs/models.md, "Photo model"). */
#pragma once

#include <glib.h>
#include "adiff-bundle.h"
#include "adiff-image.h"

G_BEGIN_DECLS

typedef enum
{
  ADIFF_PHOTO_QUALITY_DEFAULT,  /* Haar pilot, DCT final pass; needs no bundle */
  ADIFF_PHOTO_QUALITY_BEST,     /* denser, wider final pass in the bundle's PCA basis
                                   (a gray 8×8 bundle; the DCT without one) and a
                                   two-element self-ensemble: ≈ 3.6× the time */
} AdiffPhotoQuality;

typedef struct
{
  AdiffPhotoQuality quality;
  double            sigma;      /* noise level in [0,1] units, in (0, 1] */
  guint             n_threads;  /* 0 = all cores */
} AdiffPhotoParams;

/* Fill params for quality and sigma (all cores). */
void     adiff_photo_params_init (AdiffPhotoParams *params, AdiffPhotoQuality quality,
                                  double sigma);

/* Denoise a whole image of width × height pixels with `channels` interleaved
 * floats each (1 = gray, 3 = RGB, jointly through an orthonormal opponent
 * transform; alpha is the caller's), values in [0,1].  out (the same layout)
 * may equal in.  bundle (may be NULL) gives the best quality's PCA basis; it
 * must then be a gray 8×8 bundle with all 64 components.  progress (may be
 * NULL) is called on the caller's thread; returning FALSE cancels
 * (ADIFF_ERROR_CANCELLED).  Memory: the whole image, 5·channels·width·height
 * floats (7·channels + 1 with the best quality) plus a band per thread.
 * Returns FALSE with error set (σ not finite or outside (0, 1], channels
 * other than 1 or 3, an image smaller than a patch, a bundle that
 * does not fit, out of memory) and out untouched. */
gboolean adiff_photo_denoise     (const AdiffPhotoParams *params,
                                  AdiffBundle            *bundle,
                                  const float            *in,
                                  guint                   width,
                                  guint                   height,
                                  guint                   channels,
                                  float                  *out,
                                  AdiffProgressFunc       progress,
                                  gpointer                progress_data,
                                  GError                **error);

/* Does quality use a bundle when one is given? */
gboolean adiff_photo_quality_uses_bundle (AdiffPhotoQuality quality);

G_END_DECLS
