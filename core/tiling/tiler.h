/* tiler.h — the window tiler behind adiff_denoise_rows (tiler.c; private
 * to libadiff): the path it takes, what it buffered, for tests. */
#pragma once

#include <glib.h>
#include "adiff/adiff.h"

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
/* The image's size and channels suit the bundle (tiler.c). */
gboolean adiff__tile_check_geometry (AdiffBundle *b, guint width, guint height,
                                     guint channels, GError **error);

gboolean adiff__denoise_rows_full  (AdiffDenoiser *den, guint width, guint height,
                                   guint channels, AdiffTilePath path,
                                   AdiffTileStats *stats,
                                   AdiffReadRowsFunc read_rows,
                                   AdiffWriteRowsFunc write_rows, gpointer user_data,
                                   AdiffProgressFunc progress, gpointer progress_data,
                                   GError **error);
