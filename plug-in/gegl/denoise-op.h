/* denoise-op.h — what the two GEGL operations (wiener-denoise.c,
 * analytic-denoise.c) share: their settings, the per-instance cache of the
 * bundle and the denoiser, and the area filter's geometry and process().
 * The operations' own files only declare properties and map them here. */
#pragma once

#include <gegl.h>
#include <gegl-plugin.h>
#include <adiff/adiff.h>

/* One operation's properties, in libadiff's terms. */
typedef struct
{
  const char *title;       /* the operation's title, for messages */
  const char *bundle;      /* path; NULL or "" = the default installed bundle */
  double      sigma;       /* 0–255 scale; must be > 0 unless estimated */
  gboolean    estimate;    /* estimate σ from the whole input instead */
  gboolean    photo;       /* the photo model (then method, tau, exact and overlap
                              do not count) */
  AdiffPhotoQuality quality;
  AdiffMethod method;
  double      tau;
  gboolean    exact;
  guint       overlap;
  double      strength;    /* 0 = input, 1 = fully denoised */
  gboolean    camera;      /* the photo model under camera noise (then sigma and
                              estimate do not count) */
  AdiffNoiseModel noise;   /* its a + b·x, [0,1] units; a = b = 0: measure it
                              from the whole input */
} DenoiseSettings;

/* Formats and the margin: the bundle's window, or what the photo model
 * reads around a pixel (the bundle is opened here, once per path). */
void          denoise_op_prepare  (GeglOperation *operation, gpointer *cache,
                                   const DenoiseSettings *settings);
/* The input's own extent: denoising does not grow the image. */
GeglRectangle denoise_op_bounding_box (GeglOperation *operation);
/* The output region plus the window margin, or the whole input when σ is
 * estimated or the camera noise measured (both look at every pixel). */
GeglRectangle denoise_op_required (GeglOperation *operation,
                                   const DenoiseSettings *settings,
                                   const GeglRectangle *roi);
/* Denoise roi of input into output.  Never fails: on any error the output
 * is the input and the error is reported once, as a message. */
gboolean      denoise_op_process  (GeglOperation *operation, gpointer *cache,
                                   const DenoiseSettings *settings,
                                   GeglBuffer *input, GeglBuffer *output,
                                   const GeglRectangle *roi);
/* For the operation's finalize. */
void          denoise_op_cache_free (gpointer cache);
