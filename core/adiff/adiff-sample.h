/* adiff-sample.h — noise schedule (DDPM link) and a DDIM sampler.
 *
 * DDPM: linear β from 1e-4 to 0.02 over T = 1000 steps, ᾱ_t = Π_{s≤t}(1−β_s).
 * With DDPM data in [−1,1], x_t/√ᾱ_t mapped to our [0,1] units is
 * x0 + σ(t)·ε with σ(t) = ½·√((1−ᾱ_t)/ᾱ_t).  t counts from 0.
 */
#pragma once

#include <glib.h>
#include "adiff-denoiser.h"

G_BEGIN_DECLS

#define ADIFF_DDPM_T 1000

/* σ(t) in [0,1] units, t in [0, ADIFF_DDPM_T). */
double   adiff_ddpm_sigma   (guint t);
/* The t whose σ(t) is closest to sigma. */
guint    adiff_ddpm_t_for_sigma (double sigma);

typedef struct
{
  guint   steps;     /* default 10 */
  double  eta;       /* 0 = deterministic DDIM (default) */
  guint64 seed;
} AdiffSampleParams;

void     adiff_sample_params_init (AdiffSampleParams *params);

/* Generate one window (d floats in out) from noise with the denoiser's
 * bundle and method (params->sigma is ignored; the schedule sets it).
 * progress may be NULL. */
gboolean adiff_sample       (AdiffBundle             *bundle,
                             const AdiffParams       *model,
                             const AdiffSampleParams *params,
                             float                   *out,
                             gboolean               (*progress) (double, gpointer),
                             gpointer                 progress_data,
                             GError                 **error);

/* The same path for n_windows windows at once (n_windows·d floats in out),
 * one denoiser per step for all of them: a batch of samples.  Window 0
 * equals adiff_sample's for the same seed when η = 0. */
gboolean adiff_sample_windows (AdiffBundle             *bundle,
                               const AdiffParams       *model,
                               const AdiffSampleParams *params,
                               guint                    n_windows,
                               float                   *out,
                               gboolean               (*progress) (double, gpointer),
                               gpointer                 progress_data,
                               GError                 **error);

/* An image of width×height pixels with the bundle's channels (interleaved,
 * width·height·channels floats in out): each step denoises the whole image
 * through the tiler (adiff_denoise_image), so local bundles make textures
 * of any size.  Fails with ADIFF_ERROR_INVALID_ARGUMENT for an empty or
 * overflowing size. */
gboolean adiff_sample_image   (AdiffBundle             *bundle,
                               const AdiffParams       *model,
                               const AdiffSampleParams *params,
                               guint                    width,
                               guint                    height,
                               float                   *out,
                               gboolean               (*progress) (double, gpointer),
                               gpointer                 progress_data,
                               GError                 **error);

G_END_DECLS
