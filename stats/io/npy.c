/* npy.c — NumPy .npy files (format versions 1.0, 2.0 and 3.0).
 *
 * Layout: "\x93NUMPY", major, minor, header length (uint16 LE for v1,
 * uint32 LE for v2/v3), then a Python dict literal padded with spaces and
 * ending in '\n', e.g.
 *     {'descr': '<f4', 'fortran_order': False, 'shape': (32, 32, 3), }
 * then the raw values in C (or Fortran) order.  We read uint8, uint16,
 * float16, float32 and float64 in either byte order (npy-dtype.c), C or
 * Fortran order, into float32 in C order; we write '<f4' only.
 *
 * Files are untrusted: the header length is capped, the dict is parsed by a
 * strict little parser (no eval), the shape product is computed without
 * overflow and must match the remaining file length exactly before anything
 * is allocated. */
#include <string.h>
#include "io-private.h"

#define NPY_MAGIC     "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_MAX_HEADER (1u << 20)  /* real headers are < 200 bytes */
#define NPY_MAX_DIMS   4

/* ---- Header dict parser --------------------------------------------------- */

typedef struct
{
  const char *p, *end;
  const char *path;
} Cursor;

static void
skip_space (Cursor *c)
{
  while (c->p < c->end && g_ascii_isspace (*c->p))
    c->p++;
}

static gboolean
bad_header (const char *path, const char *why, GError **error)
{
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
               _("“%s” is not a valid .npy file: %s"), path, why);
  return FALSE;
}

static gboolean
expect_char (Cursor *c, char ch, GError **error)
{
  skip_space (c);
  if (c->p >= c->end || *c->p != ch)
    {
      g_autofree char *why = g_strdup_printf (_("expected “%c” in the header"), ch);
      return bad_header (c->path, why, error);
    }
  c->p++;
  return TRUE;
}

/* A quoted Python string without escapes; returns a new string. */
static char *
parse_string (Cursor *c, GError **error)
{
  skip_space (c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
    {
      bad_header (c->path, _("expected a quoted string in the header"), error);
      return NULL;
    }
  char quote = *c->p++;
  const char *start = c->p;
  while (c->p < c->end && *c->p != quote && *c->p != '\\')
    c->p++;
  if (c->p >= c->end || *c->p != quote)
    {
      bad_header (c->path, _("unterminated string in the header"), error);
      return NULL;
    }
  char *s = g_strndup (start, (gsize) (c->p - start));
  c->p++;
  return s;
}

static gboolean
parse_bool (Cursor *c, gboolean *value, GError **error)
{
  skip_space (c);
  gsize left = (gsize) (c->end - c->p);
  if (left >= 4 && memcmp (c->p, "True", 4) == 0)
    {
      *value = TRUE;
      c->p += 4;
      return TRUE;
    }
  if (left >= 5 && memcmp (c->p, "False", 5) == 0)
    {
      *value = FALSE;
      c->p += 5;
      return TRUE;
    }
  return bad_header (c->path, _("fortran_order is neither True nor False"), error);
}

static gboolean
parse_uint (Cursor *c, guint64 *value, GError **error)
{
  guint64 v = 0;
  const char *start;

  skip_space (c);
  start = c->p;
  while (c->p < c->end && g_ascii_isdigit (*c->p))
    {
      guint d = (guint) (*c->p - '0');
      if (v > (G_MAXUINT64 - d) / 10)
        return bad_header (c->path, _("a dimension of the shape is too large"), error);
      v = v * 10 + d;
      c->p++;
    }
  if (c->p == start)
    return bad_header (c->path, _("the shape holds something other than "
                                  "non-negative integers"), error);
  *value = v;
  return TRUE;
}

/* "(a, b, c)" with an optional trailing comma, "()" for a scalar. */
static gboolean
parse_shape (Cursor *c, AdiffNpyHeader *h, GError **error)
{
  if (!expect_char (c, '(', error))
    return FALSE;
  h->ndim = 0;
  for (;;)
    {
      skip_space (c);
      if (c->p < c->end && *c->p == ')')
        {
          c->p++;
          return TRUE;
        }
      if (h->ndim == NPY_MAX_DIMS)
        return bad_header (c->path, _("more than 4 dimensions are not supported"), error);
      if (!parse_uint (c, &h->shape[h->ndim], error))
        return FALSE;
      h->ndim++;
      skip_space (c);
      if (c->p < c->end && *c->p == ',')
        c->p++;
      else if (c->p >= c->end || *c->p != ')')
        return bad_header (c->path, _("malformed shape tuple"), error);
    }
}

static gboolean
parse_dict (Cursor *c, AdiffNpyHeader *h, GError **error)
{
  gboolean have_descr = FALSE, have_order = FALSE, have_shape = FALSE;

  if (!expect_char (c, '{', error))
    return FALSE;
  for (;;)
    {
      skip_space (c);
      if (c->p < c->end && *c->p == '}')
        {
          c->p++;
          break;
        }
      g_autofree char *key = parse_string (c, error);
      if (!key || !expect_char (c, ':', error))
        return FALSE;
      if (strcmp (key, "descr") == 0)
        {
          g_autofree char *descr = parse_string (c, error);
          if (!descr || !adiff_io_npy_set_dtype (c->path, descr, h, error))
            return FALSE;
          have_descr = TRUE;
        }
      else if (strcmp (key, "fortran_order") == 0)
        {
          if (!parse_bool (c, &h->fortran_order, error))
            return FALSE;
          have_order = TRUE;
        }
      else if (strcmp (key, "shape") == 0)
        {
          if (!parse_shape (c, h, error))
            return FALSE;
          have_shape = TRUE;
        }
      else
        return bad_header (c->path, _("unknown key in the header"), error);
      skip_space (c);
      if (c->p < c->end && *c->p == ',')
        c->p++;
      else if (c->p >= c->end || *c->p != '}')
        return bad_header (c->path, _("malformed header dict"), error);
    }
  if (!have_descr || !have_order || !have_shape)
    return bad_header (c->path, _("the header lacks descr, fortran_order or shape"), error);
  return TRUE;
}

/* ---- Header: preamble, dict, size check ------------------------------------ */

static gboolean
read_preamble (FILE *f, const char *path, guint32 *header_len, guint *prefix,
               GError **error)
{
  guint8 pre[12];

  if (fread (pre, 1, 10, f) != 10 || memcmp (pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
    return bad_header (path, _("the magic string \\x93NUMPY is missing"), error);
  if (pre[6] == 1)
    {
      *header_len = pre[8] | ((guint32) pre[9] << 8);
      *prefix = 10;
    }
  else if (pre[6] == 2 || pre[6] == 3)
    {
      if (fread (pre + 10, 1, 2, f) != 2)
        return bad_header (path, _("truncated preamble"), error);
      *header_len = pre[8] | ((guint32) pre[9] << 8) | ((guint32) pre[10] << 16) |
                    ((guint32) pre[11] << 24);
      *prefix = 12;
    }
  else
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_VERSION,
                   _("“%s” is a .npy file of format version %u.%u, which is not read "
                     "(versions 1, 2 and 3 are)"), path, pre[6], pre[7]);
      return FALSE;
    }
  if (*header_len == 0 || *header_len > NPY_MAX_HEADER)
    return bad_header (path, _("implausible header length"), error);
  return TRUE;
}

static gboolean
check_data_size (FILE *f, const char *path, AdiffNpyHeader *h, GError **error)
{
  guint64 n = 1, file_size, bytes;

  if (h->ndim == 0)
    return bad_header (path, _("scalar arrays (shape ()) are not supported"), error);
  for (guint i = 0; i < h->ndim; i++)
    {
      if (h->shape[i] != 0 && n > G_MAXUINT64 / h->shape[i])
        return bad_header (path, _("the shape product overflows"), error);
      n *= h->shape[i];
    }
  if (n == 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("“%s” holds an empty array"), path);
      return FALSE;
    }
  /* The values become floats in memory: n·4 bytes must fit in gsize, and
   * the stored bytes (up to 8 per value) in 64 bits. */
  if (n > G_MAXSIZE / sizeof (float) || n > G_MAXUINT64 / h->item_size)
    return bad_header (path, _("the array is too large"), error);
  bytes = n * h->item_size;
  if (!adiff_io_file_size (f, path, &file_size, error))
    return FALSE;
  if (file_size < h->data_offset || file_size - h->data_offset != bytes)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   _("“%s”: the header announces %llu bytes of data but the file holds "
                     "%llu (truncated or corrupt)"), path, (unsigned long long) bytes,
                   (unsigned long long) (file_size > h->data_offset ?
                                         file_size - h->data_offset : 0));
      return FALSE;
    }
  h->n_values = n;
  return TRUE;
}

gboolean
adiff_io_npy_read_header (FILE *f, const char *path, AdiffNpyHeader *h, GError **error)
{
  guint32 header_len;
  guint prefix;

  memset (h, 0, sizeof *h);
  if (!read_preamble (f, path, &header_len, &prefix, error))
    return FALSE;
  g_autofree char *text = g_malloc (header_len);
  if (fread (text, 1, header_len, f) != header_len)
    return bad_header (path, _("the header is truncated"), error);
  Cursor c = { text, text + header_len, path };
  if (!parse_dict (&c, h, error))
    return FALSE;
  skip_space (&c);  /* padding and the final '\n' */
  if (c.p != c.end)
    return bad_header (path, _("garbage after the header dict"), error);
  h->data_offset = (guint64) prefix + header_len;
  return check_data_size (f, path, h, error);
}

/* ---- Values ------------------------------------------------------------------ */

/* float32 in this machine's byte order: read straight into out. */
static gboolean
read_native_floats (FILE *f, const char *path, float *out, gsize n, GError **error)
{
  return adiff_io_read_exact (f, path, out, n * sizeof (float), error) &&
         adiff_io_check_finite (out, n, path, error);
}

gboolean
adiff_io_npy_read_values (FILE *f, const char *path, const AdiffNpyHeader *h,
                          float *out, gsize n, GError **error)
{
  if (h->type == ADIFF_NPY_F4 && h->big_endian == (G_BYTE_ORDER == G_BIG_ENDIAN))
    return read_native_floats (f, path, out, n, error);
  guint8 buffer[65536];
  gsize per_chunk = sizeof buffer / h->item_size;
  for (gsize done = 0; done < n;)
    {
      gsize chunk = MIN (n - done, per_chunk);
      if (!adiff_io_read_exact (f, path, buffer, chunk * h->item_size, error) ||
          !adiff_io_npy_convert (h, buffer, chunk, out + done, path, done, error))
        return FALSE;
      done += chunk;
    }
  return TRUE;
}

static float *
alloc_values (const char *path, guint64 n, GError **error)
{
  float *data = g_try_malloc ((gsize) n * sizeof (float));
  if (!data)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                 _("“%s”: not enough memory for %llu values"), path, (unsigned long long) n);
  return data;
}

float *
adiff_io_npy_read_array (FILE *f, const char *path, const AdiffNpyHeader *h, GError **error)
{
  float *data = alloc_values (path, h->n_values, error);
  if (!data)
    return NULL;
  if (!adiff_io_npy_read_values (f, path, h, data, (gsize) h->n_values, error))
    {
      g_free (data);
      return NULL;
    }
  if (!h->fortran_order || h->ndim < 2)
    return data;
  float *c_order = alloc_values (path, h->n_values, error);
  if (c_order)
    adiff_io_npy_fortran_to_c (data, c_order, h->ndim, h->shape);
  g_free (data);
  return c_order;
}

gboolean
adiff_io_npy_load (const char *path, AdiffNpy *npy, GError **error)
{
  AdiffNpyHeader h;
  FILE *f;
  gboolean ok;

  g_return_val_if_fail (path && npy, FALSE);
  memset (npy, 0, sizeof *npy);
  if (!(f = adiff_io_open_read (path, error)))
    return FALSE;
  ok = adiff_io_npy_read_header (f, path, &h, error) &&
       (npy->data = adiff_io_npy_read_array (f, path, &h, error)) != NULL;
  if (ok)
    {
      npy->ndim = h.ndim;
      memcpy (npy->shape, h.shape, sizeof h.shape);
      npy->was_uint8 = h.type == ADIFF_NPY_U1;
      npy->bit_depth = adiff_io_npy_bit_depth (&h);
    }
  fclose (f);
  return ok;
}

void
adiff_io_npy_clear (AdiffNpy *npy)
{
  if (!npy)
    return;
  g_clear_pointer (&npy->data, g_free);
  npy->ndim = 0;
}

/* ---- Writing ------------------------------------------------------------------ */

/* The v1 preamble + dict, padded so that the data starts at a multiple of 64
 * bytes as numpy itself does. */
static GString *
make_header (guint ndim, const guint64 *shape)
{
  GString *dict = g_string_new ("{'descr': '<f4', 'fortran_order': False, 'shape': (");

  for (guint i = 0; i < ndim; i++)
    g_string_append_printf (dict, "%s%" G_GUINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append (dict, ndim == 1 ? ",), }" : "), }");
  while ((10 + dict->len + 1) % 64 != 0)
    g_string_append_c (dict, ' ');
  g_string_append_c (dict, '\n');

  GString *out = g_string_new_len (NPY_MAGIC "\x01\x00", 8);
  g_string_append_c (out, (char) (dict->len & 0xff));
  g_string_append_c (out, (char) (dict->len >> 8));
  g_string_append_len (out, dict->str, (gssize) dict->len);
  g_string_free (dict, TRUE);
  return out;
}

static gboolean
write_floats (AdiffIoAtomic *out, const float *data, gsize n, GError **error)
{
#if G_BYTE_ORDER == G_BIG_ENDIAN
  guint32 buffer[4096];
  for (gsize done = 0; done < n;)
    {
      gsize chunk = MIN (n - done, G_N_ELEMENTS (buffer));
      for (gsize i = 0; i < chunk; i++)
        {
          memcpy (buffer + i, data + done + i, 4);
          buffer[i] = GUINT32_TO_LE (buffer[i]);
        }
      if (!adiff_io_atomic_write (out, buffer, chunk * 4, error))
        return FALSE;
      done += chunk;
    }
  return TRUE;
#else
  return adiff_io_atomic_write (out, data, n * sizeof (float), error);
#endif
}

gboolean
adiff_io_npy_save (const char *path, const float *data, guint ndim,
                   const guint64 *shape, GError **error)
{
  gsize n = 1;
  AdiffIoAtomic out;

  g_return_val_if_fail (path && data && shape, FALSE);
  if (ndim < 1 || ndim > NPY_MAX_DIMS)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot write “%s”: %u dimensions (1 to 4 are supported)"), path, ndim);
      return FALSE;
    }
  for (guint i = 0; i < ndim; i++)
    if (shape[i] > G_MAXSIZE || !g_size_checked_mul (&n, n, (gsize) shape[i]) ||
        n > G_MAXSIZE / sizeof (float))
      {
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                     _("Cannot write “%s”: the shape is too large"), path);
        return FALSE;
      }

  g_autoptr (GString) header = make_header (ndim, shape);
  if (!adiff_io_atomic_begin (&out, path, error))
    return FALSE;
  if (!adiff_io_atomic_write (&out, header->str, header->len, error) ||
      !write_floats (&out, data, n, error))
    {
      adiff_io_atomic_abort (&out);
      return FALSE;
    }
  return adiff_io_atomic_commit (&out, error);
}
