/* tile.h — geometry of the overlapping windows behind adiff_denoise_rows
 * (internal to libadiff).
 *
 * Along each axis the windows sit on a regular grid of origins
 * o_i = first + i·stride that extends past both image borders, so every
 * pixel — border pixels included — is covered by windows in exactly the
 * same pattern as an interior pixel.  Samples outside the image are read
 * by mirroring (half-sample symmetric: −1 → 0, n → n−1), which also pads
 * images smaller than the window.
 */
#pragma once

#include <glib.h>
#include "adiff/adiff.h"

typedef struct
{
  guint  size;      /* window extent along this axis */
  guint  stride;    /* distance between origins: size/overlap (at least 1) */
  guint  length;    /* image extent along this axis */
  gint64 first;     /* first origin: the smallest multiple of stride > −size */
  guint  count;     /* number of origins < length */
  float *weight;    /* [size] blending weight, strictly positive */
  float *inv_sum;   /* [stride] 1 / Σ_i weight(x − o_i), periodic in x */
} AdiffAxis;

/* Fill axis for a window of size samples over an image of length samples,
 * about `overlap` (≥ 2) windows over each sample. */
void   adiff_axis_init  (AdiffAxis *axis, guint size, guint length, guint overlap);
void   adiff_axis_clear (AdiffAxis *axis);

/* Origin of window i along the axis. */
static inline gint64
adiff_axis_origin (const AdiffAxis *axis, guint i)
{
  return axis->first + (gint64) i * axis->stride;
}

/* 1 / summed weight at image coordinate x ≥ 0. */
static inline float
adiff_axis_norm (const AdiffAxis *axis, guint x)
{
  return axis->inv_sum[x % axis->stride];
}

/* The image coordinate mirrored into [0, n) for any i (n ≥ 1). */
static inline guint
adiff_mirror (gint64 i, guint n)
{
  gint64 period = 2 * (gint64) n;
  gint64 m = i % period;
  if (m < 0)
    m += period;
  return (guint) (m < n ? m : period - 1 - m);
}

/* The tiling of a linear denoiser folded into one matrix per output block
 * of stride_x × stride_y pixels (tile-linear.c). */
typedef struct
{
  guint  mx, my;        /* window origins before the block's own that reach it */
  guint  fw, fh;        /* footprint: M·stride + size along each axis */
  guint  channels;      /* of the bundle */
  gsize  out_len;       /* values per block: stride_x·stride_y·channels */
  gsize  in_len;        /* values per footprint: fw·fh·channels */
  float *kernel;        /* [out_len × in_len] */
  float *bias;          /* [out_len] */
} AdiffLinearTiles;

/* Only the geometry fields (no allocation). */
void     adiff_linear_tiles_shape (const AdiffAxis *ax, const AdiffAxis *ay,
                                   guint channels, AdiffLinearTiles *lt);
/* Build K and the bias for the Wiener denoiser den. */
gboolean adiff_linear_tiles_init  (AdiffLinearTiles *lt, AdiffDenoiser *den,
                                   const AdiffAxis *ax, const AdiffAxis *ay,
                                   GError **error);
/* out (n × out_len) = blocks of the n footprints in patches (n × in_len). */
void     adiff_linear_tiles_apply (const AdiffLinearTiles *lt, const float *patches,
                                   gsize n, float *out);
void     adiff_linear_tiles_clear (AdiffLinearTiles *lt);

typedef enum
{
  ADIFF_TILE_AUTO,      /* folded for Wiener when it costs fewer flops */
  ADIFF_TILE_WINDOWS,   /* denoise window by window (any method) */
  ADIFF_TILE_FOLDED,    /* folded whenever the method is Wiener */
} AdiffTilePath;

/* What a run buffered, for tests. */
typedef struct
{
  gboolean folded;              /* the folded path ran */
  guint    peak_input_rows;     /* most input rows held at once */
  gsize    strip_floats;        /* floats in the strip buffers (input, accumulator,
                                 * windows, blocks; not the folded matrix) */
} AdiffTileStats;

/* adiff_denoise_rows with the path chosen by the caller (tests force each);
 * stats may be NULL. */
gboolean adiff_denoise_rows_full  (AdiffDenoiser *den, guint width, guint height,
                                   guint channels, AdiffTilePath path,
                                   AdiffTileStats *stats,
                                   AdiffReadRowsFunc read_rows,
                                   AdiffWriteRowsFunc write_rows, gpointer user_data,
                                   AdiffProgressFunc progress, gpointer progress_data,
                                   GError **error);
