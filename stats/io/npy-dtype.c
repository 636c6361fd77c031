/* npy-dtype.c — the element types of .npy files that are read, and their
 * conversion to the float32 the tools work in.
 *
 * Researchers' arrays come as NumPy makes them: float64 by default, float32,
 * float16, uint8 and uint16, little- or big-endian ('<f8', '>f4', …).  Float
 * values are taken as they are (never rescaled or clipped; NaN/Inf, and
 * float64 values beyond float32's range, are errors); integers are divided
 * by their maximum, as image samples are: uint8 by 255, uint16 by 65535. */
#include <math.h>
#include <string.h>
#include "io-private.h"

typedef struct
{
  char         kind;
  guint        size;
  AdiffNpyType type;
} Dtype;

static const Dtype dtypes[] = {
  { 'u', 1, ADIFF_NPY_U1 }, { 'u', 2, ADIFF_NPY_U2 },
  { 'f', 2, ADIFF_NPY_F2 }, { 'f', 4, ADIFF_NPY_F4 }, { 'f', 8, ADIFF_NPY_F8 },
};

/* descr = [byte order] kind size, e.g. '<f8', '|u1', '>u2'.  '|' (no byte
 * order) only for one-byte types; '=' and none mean this machine's order. */
static gboolean
parse_descr (const char *descr, AdiffNpyHeader *h)
{
  const char *p = descr;
  gboolean big = G_BYTE_ORDER == G_BIG_ENDIAN, no_order = FALSE;

  if (*p == '<' || *p == '>' || *p == '=' || *p == '|')
    {
      big = *p == '>' || (*p == '=' && G_BYTE_ORDER == G_BIG_ENDIAN);
      no_order = *p == '|';
      p++;
    }
  char kind = *p;
  if (kind == '\0')            /* '' or a byte order alone: no kind to read */
    return FALSE;
  p++;
  if (!g_ascii_isdigit (*p) || p[1] != '\0')
    return FALSE;
  guint size = (guint) (*p - '0');
  if (no_order && size != 1)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (dtypes[i].kind == kind && dtypes[i].size == size)
      {
        h->type = dtypes[i].type;
        h->item_size = size;
        h->big_endian = size > 1 && big;
        return TRUE;
      }
  return FALSE;
}

gboolean
adiff_io_npy_set_dtype (const char *path, const char *descr, AdiffNpyHeader *h,
                        GError **error)
{
  if (parse_descr (descr, h))
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
               _("“%s” has dtype '%s': only uint8, uint16, float16, float32 and float64 "
                 "('u1', 'u2', 'f2', 'f4', 'f8', either byte order) are read; convert "
                 "with array.astype(numpy.float32)"), path, descr);
  return FALSE;
}

guint
adiff_io_npy_bit_depth (const AdiffNpyHeader *h)
{
  return h->type == ADIFF_NPY_U1 ? 8 : h->type == ADIFF_NPY_U2 ? 16 : 32;
}

/* The unsigned integer of `size` bytes at p, in the file's byte order. */
static guint64
load_bits (const guint8 *p, guint size, gboolean big)
{
  guint64 v = 0;
  for (guint i = 0; i < size; i++)
    v |= (guint64) p[big ? size - 1 - i : i] << (8 * i);
  return v;
}

/* IEEE binary16 → float, exactly (every half is a float). */
static float
half_value (guint32 bits)
{
  guint32 exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
  float v;

  if (exponent == 0x1f)
    v = fraction ? NAN : INFINITY;
  else if (exponent == 0)
    v = ldexpf ((float) fraction, -24);
  else
    v = ldexpf ((float) (fraction | 0x400), (int) exponent - 25);
  return bits & 0x8000 ? -v : v;
}

static double
raw_value (const AdiffNpyHeader *h, const guint8 *p)
{
  guint64 bits = load_bits (p, h->item_size, h->big_endian);
  switch (h->type)
    {
    case ADIFF_NPY_U1:
      return (float) bits / 255.0f;
    case ADIFF_NPY_U2:
      return (float) bits / 65535.0f;
    case ADIFF_NPY_F2:
      return half_value ((guint32) bits);
    case ADIFF_NPY_F4:
      {
        guint32 u = (guint32) bits;
        float f;
        memcpy (&f, &u, 4);
        return f;
      }
    case ADIFF_NPY_F8:
    default:
      {
        double d;
        memcpy (&d, &bits, 8);
        return d;
      }
    }
}

gboolean
adiff_io_npy_convert (const AdiffNpyHeader *h, const guint8 *raw, gsize n, float *out,
                      const char *path, guint64 first_index, GError **error)
{
  for (gsize i = 0; i < n; i++)
    {
      double v = raw_value (h, raw + i * h->item_size);
      out[i] = (float) v;
      if (!isfinite (out[i]))
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
                       isfinite (v) ?
                       _("“%s” holds a value beyond the float32 range at index %llu") :
                       _("“%s” contains a non-finite value (NaN or infinity) at index %llu"),
                       path, (unsigned long long) (first_index + i));
          return FALSE;
        }
    }
  return TRUE;
}

void
adiff_io_npy_fortran_to_c (const float *in, float *out, guint ndim, const guint64 *shape)
{
  guint64 index[4] = { 0 }, c_stride[4];
  guint64 n = 1, c_offset = 0;

  for (guint d = ndim; d-- > 0;)
    {
      c_stride[d] = n;
      n *= shape[d];
    }
  /* Walk the Fortran order (first index fastest) like an odometer, keeping
   * the C-order offset of the current index. */
  for (guint64 f = 0; f < n; f++)
    {
      out[c_offset] = in[f];
      for (guint d = 0; d < ndim; d++)
        {
          if (++index[d] < shape[d])
            {
              c_offset += c_stride[d];
              break;
            }
          index[d] = 0;
          c_offset -= (shape[d] - 1) * c_stride[d];
        }
    }
}
