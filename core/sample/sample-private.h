/* sample-private.h — the DDIM loop shared by the window sampler (sample.c)
 * and the image-sized one (sample-image.c); only the denoiser differs. */
#pragma once

#include "adiff-private.h"

/* Denoise n values of z at noise level sigma into x0. */
typedef gboolean (*AdiffDdimDenoiseFunc) (double sigma, const float *z, float *x0,
                                          gpointer data, GError **error);

/* The model's denoiser at noise level sigma: a new one each step, since
 * masks and W_σ depend on σ. */
AdiffDenoiser *adiff__ddim_denoiser (AdiffBundle       *bundle,
                                    const AdiffParams *model,
                                    double             sigma,
                                    GError           **error);

/* The DDIM path of sample.c over n values, from seeded noise to out. */
gboolean adiff__ddim_run (gsize                    n,
                         const AdiffSampleParams *params,
                         AdiffDdimDenoiseFunc     denoise,
                         gpointer                 denoise_data,
                         float                   *out,
                         gboolean               (*progress) (double, gpointer),
                         gpointer                 progress_data,
                         GError                 **error);
