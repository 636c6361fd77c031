/* pnm-private.h — what the whole-image PGM/PPM back end (image-pnm.c) and
 * the row-by-row one (rows-pnm.c) share: the header parser, the sample
 * conversions and the header they write. */
#pragma once

#include "io-private.h"

typedef struct
{
  gboolean ascii;          /* P2/P3 */
  guint    channels;       /* 1 (P2, P5) or 3 (P3, P6) */
  guint    width, height, maxval;
  gsize    data_offset;    /* bytes before the first sample */
} AdiffPnmHeader;

/* Parse the header at the start of buf (len bytes: the file or a prefix
 * of it).  FALSE with an ADIFF_ERROR_FORMAT naming path when it is bad or
 * does not end within buf; a header that parses within a prefix parses the
 * same within the whole file. */
gboolean adiff_pnm_parse_header (const guint8 *buf, gsize len, const char *path,
                                 AdiffPnmHeader *header, GError **error);
/* ADIFF_ERROR_FORMAT "Cannot read the PNM file “path”: why". */
gboolean adiff_pnm_fail         (const char *path, const char *why, GError **error);
/* Binary samples (1 byte, or 2 big-endian bytes when maxval > 255) to
 * floats v/maxval (values above maxval clip). */
void     adiff_pnm_decode       (const guint8 *p, gsize n, guint maxval, float *out);
/* The header adiff_io_image_save writes: "P5\nW H\nMAX\n" (P6 for RGB). */
char    *adiff_pnm_header_text  (guint channels, guint width, guint height, guint max);
/* n values quantised to 0..max (1 or 2 big-endian bytes each). */
void     adiff_pnm_encode       (const float *v, gsize n, guint max, guint8 *out);
