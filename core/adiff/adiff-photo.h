/* adiff-photo.h — the photo model: a closed-form two-pass grouped Wiener
 * denoiser of images (BM3D's structure, in the paper's terms a Wiener
 * filter of local statistics; docs/models.md, "Photo model").  It works
 * through the image in horizontal bands: memory grows with the width, not
 * the height.  The region form computes any rectangle of the same result. */
#pragma once

#include <glib.h>
#include "adiff-bundle.h"
#include "adiff-image.h"

G_BEGIN_DECLS

typedef enum
{
  ADIFF_PHOTO_QUALITY_DEFAULT,  /* bior1.5 pilot, DCT final pass; needs no bundle */
  ADIFF_PHOTO_QUALITY_BEST,     /* denser, wider final pass in the bundle's PCA basis
                                   (a gray 8×8 bundle; the DCT without one) and a
                                   two-element self-ensemble: ≈ 5× the time */
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
 * (ADIFF_ERROR_CANCELLED).  Memory beyond in and out: a few hundred rows
 * of the image (docs/models.md, "Memory"), and with the best quality and
 * out == in a copy of the input.  The result does not depend on the
 * thread count.  Returns FALSE with error set: σ not finite or outside
 * (0, 1], channels other than 1 or 3, an image smaller than a patch, a
 * bundle that does not fit (out untouched); out of memory or cancelled
 * (out may hold part of the result). */
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

/* Region form, for callers that cut the image themselves (a GEGL
 * operation's tiles): the pixels of `region` of the width × height image,
 * equal bit for bit to the same pixels of adiff_photo_denoise, however the
 * image is cut.  The reference grid and the search windows stay those of
 * the whole image; only the groups that reach the region (and the pilot's
 * groups those read) are computed.  adiff_photo_region_input() gives the
 * input rectangle the region reads: the region grown by at most
 * 2·(R₁ + R₂) + P₁ + P₂ − 2 pixels on each side (70 at the default
 * quality, 78 at the best; 73 and 81 above σ = 40/255), clipped to the
 * image.  It depends on params' quality and σ only. */
void     adiff_photo_region_input (const AdiffPhotoParams *params,
                                   guint                   width,
                                   guint                   height,
                                   const AdiffRect        *region,
                                   AdiffRect              *input);

/* in holds input->height rows of input->width·channels floats, where input
 * lies in the image and contains adiff_photo_region_input()'s rectangle;
 * out (not overlapping in) receives region->height rows of
 * region->width·channels floats.  The region must lie inside the image.
 * Otherwise as adiff_photo_denoise; a bad region or input rectangle is
 * ADIFF_ERROR_INVALID_ARGUMENT. */
gboolean adiff_photo_denoise_region (const AdiffPhotoParams *params,
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

/* Does quality use a bundle when one is given? */
gboolean adiff_photo_quality_uses_bundle (AdiffPhotoQuality quality);

G_END_DECLS
