/* format.h — the on-disk layout of a statistic bundle (.adstats),
 * version 1.  Shared by read.c, write.c and layout.c; docs/bundle-format.md
 * repeats it for readers in other languages.
 *
 * All integers and floats are little-endian.  A file is
 *
 *   header (128 bytes) | section table (n_sections × 32 bytes) | sections
 *
 * Header, offsets in bytes:
 *
 *     0  u8[8]  magic "ADSTATS\0"
 *     8  u32    format version (1)
 *    12  u32    header size (128)
 *    16  u32    width            window geometry; d = width·height·channels
 *    20  u32    height
 *    24  u32    channels         1 or 3
 *    28  u32    n_sections       entries in the section table (≤ 32)
 *    32  u64    n_items          training items behind the statistics
 *    40  u64    n_components     k stored eigenpairs, k ≤ d
 *    48  u64    n_exemplars      stored training items
 *    56  f64    residual variance per dimension of the d−k discarded directions
 *    64  u32    flags            bit 0: partial bundle (has a SCAT section);
 *                                other bits must be 0
 *    68  u32    CRC-32 of the section table
 *    72  u8[52] reserved, zero
 *   124  u32    CRC-32 of header bytes 0..123
 *
 * (CRC-32 is zlib's crc32(), the ISO-HDLC/PNG polynomial.)
 *
 * Section table entry (32 bytes), right after the header:
 *
 *     0  u8[4]  tag, e.g. "MEAN"
 *     4  u32    element type: 1 f64, 2 f32, 3 f16 (IEEE half), 4 u8, 5 i32, 6 text
 *     8  u64    offset of the data from the start of the file, a multiple of 64
 *    16  u64    length of the data in bytes (no padding included)
 *    24  u32    CRC-32 of the data
 *    28  u32    reserved, zero
 *
 * Sections (each tag at most once; the padding between sections is zero):
 *
 *   MEAN  f64            [d]       mean (required)
 *   EVAL  f64            [k]       eigenvalues, descending, ≥ 0 (k > 0)
 *   EVEC  f32 | f16      [k][d]    row i = unit eigenvector i (k > 0)
 *   EXEM  u8 | f16 | f32 [n][d]    exemplars; u8 means value·255 rounded
 *   LABL  i32            [n]       exemplar labels (optional)
 *   SCAT  f64            [d][d]    Σ (x−mean)(x−mean)ᵀ (partial bundles only)
 *   META  text           bytes     UTF-8 GKeyFile text (optional, no NUL)
 *
 * Unknown tags are refused: a version-1 reader must understand every byte.
 *
 * Worked example: a 2×2 gray bundle (d = 4) from 10 items with k = 2
 * components (f32), residual variance 0.25, 3 exemplars (u8) and metadata
 * "[bundle]\nitems=10\n" — 5 sections, 594 bytes (`xxd` of the start):
 *
 *   00000000: 4144 5354 4154 5300 0100 0000 8000 0000   "ADSTATS\0", v1, 128
 *   00000010: 0200 0000 0200 0000 0100 0000 0500 0000   2, 2, 1, 5 sections
 *   00000020: 0a00 0000 0000 0000 0200 0000 0000 0000   10 items, k = 2
 *   00000030: 0300 0000 0000 0000 0000 0000 0000 d03f   3 exemplars, 0.25
 *   00000040: 0000 0000 472f 9330 0000 0000 0000 0000   flags 0, table CRC
 *   00000050 .. 00000070: zero                           reserved
 *   00000070: 0000 0000 0000 0000 0000 0000 8d49 6397   header CRC
 *   00000080: 4d45 414e 0100 0000 4001 0000 0000 0000   "MEAN", f64, @0x140
 *   00000090: 2000 0000 0000 0000 3890 f0b8 0000 0000   32 bytes, CRC
 *   000000a0: 4556 414c 0100 0000 8001 0000 0000 0000   "EVAL", f64, @0x180
 *   000000b0: 1000 0000 0000 0000 54b3 4d57 0000 0000   16 bytes
 *   000000c0: 4556 4543 0200 0000 c001 0000 0000 0000   "EVEC", f32, @0x1c0
 *   000000d0: 2000 0000 0000 0000 6ce2 9633 0000 0000   32 bytes
 *   000000e0: 4558 454d 0400 0000 0002 0000 0000 0000   "EXEM", u8, @0x200
 *   000000f0: 0c00 0000 0000 0000 6fc6 d57b 0000 0000   12 bytes
 *   00000100: 4d45 5441 0600 0000 4002 0000 0000 0000   "META", text, @0x240
 *   00000110: 1200 0000 0000 0000 1421 bfa5 0000 0000   18 bytes
 *
 * The first section starts at 0x140 = 128 + 5·32 = 288 rounded up to a
 * multiple of 64; the file ends right after the last section.
 */
#pragma once

#include <string.h>
#include <glib.h>
#include <zlib.h>

#define ADIFF_BUNDLE_MAGIC        "ADSTATS\0"
#define ADIFF_BUNDLE_MAGIC_LEN    8
#define ADIFF_BUNDLE_VERSION      1
#define ADIFF_BUNDLE_HEADER_SIZE  128
#define ADIFF_BUNDLE_ENTRY_SIZE   32
#define ADIFF_BUNDLE_ALIGN        64
#define ADIFF_BUNDLE_MAX_SECTIONS 32
#define ADIFF_BUNDLE_FLAG_PARTIAL 1u

/* Header field offsets. */
enum
{
  HDR_MAGIC = 0,
  HDR_VERSION = 8,
  HDR_HEADER_SIZE = 12,
  HDR_WIDTH = 16,
  HDR_HEIGHT = 20,
  HDR_CHANNELS = 24,
  HDR_N_SECTIONS = 28,
  HDR_N_ITEMS = 32,
  HDR_N_COMPONENTS = 40,
  HDR_N_EXEMPLARS = 48,
  HDR_RESIDUAL = 56,
  HDR_FLAGS = 64,
  HDR_TABLE_CRC = 68,
  HDR_RESERVED = 72,
  HDR_HEADER_CRC = 124,
};

/* Section table entry field offsets. */
enum
{
  ENT_TAG = 0,
  ENT_TYPE = 4,
  ENT_OFFSET = 8,
  ENT_LENGTH = 16,
  ENT_CRC = 24,
  ENT_RESERVED = 28,
};

typedef enum
{
  ADIFF_ELEM_F64 = 1,
  ADIFF_ELEM_F32 = 2,
  ADIFF_ELEM_F16 = 3,
  ADIFF_ELEM_U8 = 4,
  ADIFF_ELEM_I32 = 5,
  ADIFF_ELEM_TEXT = 6,
} AdiffElemType;

/* Bytes per element; text counts bytes. 0 for an unknown type. */
static inline gsize
adiff__elem_size (guint32 type)
{
  switch (type)
    {
    case ADIFF_ELEM_F64: return 8;
    case ADIFF_ELEM_F32: return 4;
    case ADIFF_ELEM_F16: return 2;
    case ADIFF_ELEM_U8:  return 1;
    case ADIFF_ELEM_I32: return 4;
    case ADIFF_ELEM_TEXT: return 1;
    default: return 0;
    }
}

/* Section tags as the four bytes read little-endian into a u32. */
#define ADIFF_TAG(a, b, c, d) ((guint32) (a) | ((guint32) (b) << 8) | \
                               ((guint32) (c) << 16) | ((guint32) (d) << 24))
#define ADIFF_TAG_MEAN ADIFF_TAG ('M', 'E', 'A', 'N')
#define ADIFF_TAG_EVAL ADIFF_TAG ('E', 'V', 'A', 'L')
#define ADIFF_TAG_EVEC ADIFF_TAG ('E', 'V', 'E', 'C')
#define ADIFF_TAG_EXEM ADIFF_TAG ('E', 'X', 'E', 'M')
#define ADIFF_TAG_LABL ADIFF_TAG ('L', 'A', 'B', 'L')
#define ADIFF_TAG_SCAT ADIFF_TAG ('S', 'C', 'A', 'T')
#define ADIFF_TAG_META ADIFF_TAG ('M', 'E', 'T', 'A')

/* Little-endian loads and stores at any alignment. */
static inline guint32
adiff__le32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static inline guint64
adiff__le64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static inline double
adiff__le_f64 (const guint8 *p)
{
  guint64 u = adiff__le64 (p);
  double v;
  memcpy (&v, &u, 8);
  return v;
}

/* The header's fields as they stand in the file, unchecked: the loader
 * (read.c) refuses what the layout report (layout.c) only describes, but
 * both read the same bytes. */
typedef struct
{
  guint32 version, width, height, channels, n_sections, flags;
  guint64 n_items, n_components, n_exemplars;
  double  residual;
} AdiffBundleHeader;

/* p holds at least ADIFF_BUNDLE_HEADER_SIZE bytes. */
static inline void
adiff__bundle_header_decode (const guint8 *p, AdiffBundleHeader *h)
{
  h->version = adiff__le32 (p + HDR_VERSION);
  h->width = adiff__le32 (p + HDR_WIDTH);
  h->height = adiff__le32 (p + HDR_HEIGHT);
  h->channels = adiff__le32 (p + HDR_CHANNELS);
  h->n_sections = adiff__le32 (p + HDR_N_SECTIONS);
  h->n_items = adiff__le64 (p + HDR_N_ITEMS);
  h->n_components = adiff__le64 (p + HDR_N_COMPONENTS);
  h->n_exemplars = adiff__le64 (p + HDR_N_EXEMPLARS);
  h->residual = adiff__le_f64 (p + HDR_RESIDUAL);
  h->flags = adiff__le32 (p + HDR_FLAGS);
}

/* CRC-32 (zlib's) of len bytes, fed in pieces that fit zlib's uInt: shared
 * by the loader and adiff-stats' layout reader, which must agree. */
static inline guint32
adiff__crc32_of (const guint8 *p, guint64 len)
{
  guint32 crc = (guint32) crc32 (0, Z_NULL, 0);
  for (guint64 done = 0; done < len;)
    {
      uInt n = (uInt) MIN (len - done, (guint64) 1 << 30);
      crc = (guint32) crc32 (crc, p + done, n);
      done += n;
    }
  return crc;
}

static inline void
adiff__put_le32 (guint8 *p, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, 4);
}

static inline void
adiff__put_le64 (guint8 *p, guint64 v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, 8);
}

static inline void
adiff__put_le_f64 (guint8 *p, double v)
{
  guint64 u;
  memcpy (&u, &v, 8);
  adiff__put_le64 (p, u);
}

static inline guint64
adiff__align_up (guint64 v)
{
  return (v + ADIFF_BUNDLE_ALIGN - 1) & ~(guint64) (ADIFF_BUNDLE_ALIGN - 1);
}
