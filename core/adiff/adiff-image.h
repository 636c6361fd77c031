/* adiff-image.h — apply a window denoiser to an image of any size.
 *
 * The image is cut into overlapping windows of the bundle's size (stride:
 * the window size / AdiffParams.overlap, half a window by default), each
 * window is denoised, and the results are blended
 * with a smooth weight that falls towards the window's edges, normalised by
 * the summed weights.  Borders are handled by mirror padding, so there are
 * no seams.  Work proceeds in horizontal strips: peak memory depends on the
 * image width and the window height, never on the image height.
 */
#pragma once

#include <glib.h>
#include "adiff-denoiser.h"

G_BEGIN_DECLS

/* Return FALSE to cancel (the call then fails with ADIFF_ERROR_CANCELLED). */
typedef gboolean (*AdiffProgressFunc) (double fraction, gpointer user_data);

/* Fill rows [y, y+n_rows) of the input, interleaved floats with
 * `channels` values per pixel, into buf (n_rows·width·channels floats). */
typedef gboolean (*AdiffReadRowsFunc)  (guint y, guint n_rows, float *buf,
                                        gpointer user_data, GError **error);
/* Receive finished output rows [y, y+n_rows). */
typedef gboolean (*AdiffWriteRowsFunc) (guint y, guint n_rows, const float *buf,
                                        gpointer user_data, GError **error);

/* Streaming form: rows are read in increasing order, each at most once;
 * written in increasing order, each exactly once.  A gray bundle on an
 * image with more channels is applied to each channel; a bundle with more
 * channels than the image is refused (ADIFF_ERROR_MISMATCH).  channels
 * counts only the colour channels (no alpha).  Images smaller than the
 * window are mirror-padded up to it. */
gboolean adiff_denoise_rows  (AdiffDenoiser     *denoiser,
                              guint              width,
                              guint              height,
                              guint              channels,
                              AdiffReadRowsFunc  read_rows,
                              AdiffWriteRowsFunc write_rows,
                              gpointer           user_data,
                              AdiffProgressFunc  progress,
                              gpointer           progress_data,
                              GError           **error);

/* In-memory form: in and out hold height·width·channels floats
 * (they may be the same buffer). */
gboolean adiff_denoise_image (AdiffDenoiser     *denoiser,
                              const float       *in,
                              float             *out,
                              guint              width,
                              guint              height,
                              guint              channels,
                              AdiffProgressFunc  progress,
                              gpointer           progress_data,
                              GError           **error);

/* A rectangle of an image, in pixels. */
typedef struct
{
  guint x, y, width, height;
} AdiffRect;

/* Region form, for callers that cut the image themselves (a GEGL
 * operation's tiles): the pixels of `region` of the width × height image,
 * equal to the same pixels of adiff_denoise_rows within float rounding,
 * however the image is cut.  The window grid stays anchored to the
 * image's origin; only the windows that reach the region are denoised.
 * adiff_region_input() gives the input rectangle the region reads
 * (mirroring at the image's borders included). */
void     adiff_region_input   (AdiffDenoiser   *denoiser,
                               guint            width,
                               guint            height,
                               const AdiffRect *region,
                               AdiffRect       *input);

/* Build now, on n_threads threads (0: all cores), what the denoiser
 * builds at its first windows of a width × height image of `channels`
 * channels (the analytic model's fast-mode indexes).  For callers whose
 * own threads are the parallelism and whose denoiser therefore runs on
 * one (a GEGL operation): this one-off work then takes all of them, not
 * one while the others wait.  The pixels are the same either way. */
void     adiff_region_prepare (AdiffDenoiser   *denoiser,
                               guint            width,
                               guint            height,
                               guint            channels,
                               guint            n_threads);

/* in holds input->height rows of input->width·channels floats, where
 * input contains adiff_region_input()'s rectangle; out receives
 * region->height rows of region->width·channels floats.  The region must
 * lie inside the image. */
gboolean adiff_denoise_region (AdiffDenoiser   *denoiser,
                               guint            width,
                               guint            height,
                               guint            channels,
                               const float     *in,
                               const AdiffRect *input,
                               float           *out,
                               const AdiffRect *region,
                               GError         **error);

/* Where the tiler puts the window that holds pixel (x, y) for a sensitivity
 * overlay: the top-left corner of a window-sized region inside the image
 * (clamped), so the pixel is as central as possible. */
void     adiff_window_for_pixel (guint image_width, guint image_height,
                                 guint window_width, guint window_height,
                                 guint x, guint y,
                                 guint *left, guint *top);

/* A robust estimate of the noise σ ([0,1] units) of an image: the median
 * absolute deviation of the finest diagonal Haar detail band / 0.6745. */
double   adiff_estimate_sigma   (const float *image, guint width, guint height,
                                 guint channels);

G_END_DECLS
