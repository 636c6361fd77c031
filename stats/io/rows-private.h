/* rows-private.h — the row reader and writer (rows.c) and their back ends
 * (rows-png.c, rows-pnm.c). */
#pragma once

#include "io-private.h"

struct _AdiffIoRowReader
{
  char            *path;
  FILE            *f;           /* opened and closed by rows.c for every back end */
  AdiffIoImageInfo info;
  guint            next_row;
  gboolean         failed;      /* a failed read poisons the reader */
  /* The back end: read n rows (the generic part checked the count). */
  gboolean       (*read) (AdiffIoRowReader *r, guint n, float *data, float *alpha,
                          GError **error);
  void           (*free) (AdiffIoRowReader *r);
  gpointer         priv;
};

struct _AdiffIoRowWriter
{
  AdiffIoAtomic    out;
  AdiffIoImageInfo info;
  guint            depth;       /* 8 or 16 */
  guint            next_row;
  gboolean         failed, committed;
  gboolean       (*write)  (AdiffIoRowWriter *w, guint n, const float *data,
                            const float *alpha, GError **error);
  /* After the last row, before the commit. */
  gboolean       (*finish) (AdiffIoRowWriter *w, GError **error);
  void           (*free)   (AdiffIoRowWriter *w);
  gpointer         priv;
};

/* Back ends: fill the callbacks and priv (and info, for readers; they read
 * r->f, already open); on failure they fill error. */
gboolean adiff_io_png_rows_open  (AdiffIoRowReader *r, GError **error);
gboolean adiff_io_pnm_rows_open  (AdiffIoRowReader *r, GError **error);
gboolean adiff_io_png_rows_begin (AdiffIoRowWriter *w, GError **error);
gboolean adiff_io_pnm_rows_begin (AdiffIoRowWriter *w, GError **error);
