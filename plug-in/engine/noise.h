/* noise.h — the photo model's camera noise: a variance a + b·x given or
 * measured from the whole layer, instead of one σ. */
#pragma once

#include "plugin.h"

/* What a dialog's preview keeps: the model measured from the layer. */
typedef struct
{
  gboolean        valid;
  AdiffNoiseModel model;
} PluginNoiseCache;

typedef struct
{
  gboolean        camera;     /* "noise-model" is "camera" */
  AdiffNoiseModel model;      /* a + b·x, [0,1] units */
  gboolean        estimated;  /* measured from the layer (a = b = 0 given) */
  double          sigma;      /* the σ the transform leaves for the photo model */
} PluginNoise;

/* Does the config ask for camera noise (a "noise-model" of "camera")? */
gboolean plugin_noise_is_camera (GimpProcedureConfig *config);

/* The config's camera noise: "noise-a" and "noise-b" when either is not 0,
 * else measured from the whole drawable (as adiff denoise --noise-model
 * auto measures the whole image), with the σ it leaves.  A preview (cache
 * not NULL) measures once.  FALSE with a message when the layer shows too
 * little to measure or the model is unusable. */
gboolean plugin_noise_read      (PluginNoise         *noise,
                                 GimpDrawable        *drawable,
                                 GimpProcedureConfig *config,
                                 PluginNoiseCache    *cache,
                                 GError             **error);

/* The noise σ at black and at white, 0–255 scale. */
void     plugin_noise_range_255 (const AdiffNoiseModel *model,
                                 double                *black,
                                 double                *white);
