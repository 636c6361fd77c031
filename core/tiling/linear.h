/* linear.h — the folded tiling of a linear denoiser (linear.c; private
 * to libadiff). */
#pragma once

#include <glib.h>
#include "adiff/adiff.h"
#include "tiling/blend.h"

/* The tiling of a linear denoiser folded into one matrix per output block
 * of stride_x × stride_y pixels (linear.c). */
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
void     adiff__linear_tiles_shape (const AdiffAxis *ax, const AdiffAxis *ay,
                                   guint channels, AdiffLinearTiles *lt);
/* Build K and the bias for the Wiener denoiser den. */
gboolean adiff__linear_tiles_init  (AdiffLinearTiles *lt, AdiffDenoiser *den,
                                   const AdiffAxis *ax, const AdiffAxis *ay,
                                   GError **error);
/* out (n × out_len) = blocks of the n footprints in patches (n × in_len). */
void     adiff__linear_tiles_apply (const AdiffLinearTiles *lt, const float *patches,
                                   gsize n, float *out);
void     adiff__linear_tiles_clear (AdiffLinearTiles *lt);
