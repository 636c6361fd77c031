/* test-npy.c — .npy round trips, every dtype and order read, and every
 * malformed-header case. */
#include <math.h>
#include "io-test-util.h"

/* Bytes of a .npy file: preamble of the given version, dict text (a '\n' is
 * appended), then data. */
static GByteArray *
make_npy (guint version, const char *dict, const void *data, gsize data_len)
{
  GByteArray *b = g_byte_array_new ();
  guint8 pre[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', (guint8) version, 0 };
  gsize len = strlen (dict) + 1;
  pre[8] = len & 0xff;
  pre[9] = (len >> 8) & 0xff;
  pre[10] = (len >> 16) & 0xff;
  pre[11] = (len >> 24) & 0xff;
  g_byte_array_append (b, pre, version == 1 ? 10 : 12);
  g_byte_array_append (b, (const guint8 *) dict, (guint) len - 1);
  g_byte_array_append (b, (const guint8 *) "\n", 1);
  if (data_len)
    g_byte_array_append (b, data, (guint) data_len);
  return b;
}

static char *
write_npy (const char *name, guint version, const char *dict, const void *data,
           gsize data_len)
{
  g_autoptr (GByteArray) b = make_npy (version, dict, data, data_len);
  char *path = test_path (name);
  write_file (path, b->data, b->len);
  return path;
}

static void
test_round_trip (void)
{
  static const guint64 shapes[][4] = { { 7 }, { 3, 5 }, { 4, 3, 3 }, { 2, 3, 4, 1 } };
  for (guint k = 0; k < G_N_ELEMENTS (shapes); k++)
    {
      guint ndim = k + 1;
      gsize n = 1;
      for (guint i = 0; i < ndim; i++)
        n *= shapes[k][i];
      g_autofree float *data = g_new (float, n);
      for (gsize i = 0; i < n; i++)
        data[i] = (float) i * 0.37f - 2.0f;  /* out of [0,1]: npy is unclipped */
      g_autofree char *path = test_path ("round.npy");
      g_autoptr (GError) error = NULL;
      adiff_io_npy_save (path, data, ndim, shapes[k], &error);
      g_assert_no_error (error);

      /* numpy aligns the data to 64 bytes; so do we. */
      g_autofree char *contents = NULL;
      gsize length;
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_assert_cmpuint ((length - n * 4) % 64, ==, 0);
      g_assert_cmpint (contents[length - n * 4 - 1], ==, '\n');

      AdiffNpy npy;
      adiff_io_npy_load (path, &npy, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (npy.ndim, ==, ndim);
      for (guint i = 0; i < ndim; i++)
        g_assert_cmpuint (npy.shape[i], ==, shapes[k][i]);
      g_assert_false (npy.was_uint8);
      g_assert_cmpmem (npy.data, n * 4, data, n * 4);
      adiff_io_npy_clear (&npy);
    }
  g_assert_cmpuint (count_hidden_files (test_dir), ==, 0);
}

/* Files as numpy writes them: uint8 divided by 255, versions 2 and 3. */
static void
test_read_variants (void)
{
  static const guint8 bytes[6] = { 0, 1, 127, 128, 254, 255 };
  static const float floats[2] = { 0.25f, -1.5f };
  struct { guint version; const char *dict; const void *data; gsize len; gboolean u8; } cases[] = {
    { 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }   ", bytes, 6, TRUE },
    { 2, "{'descr': '<u1', 'fortran_order': False, 'shape': (6,), }", bytes, 6, TRUE },
    { 3, "{\"descr\": \"<f4\", \"shape\": (2,), \"fortran_order\": False}", floats, 8, FALSE },
    { 1, "{'descr':'<f4','fortran_order':False,'shape':(1,2)}", floats, 8, FALSE },
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *path = write_npy ("variant.npy", cases[k].version, cases[k].dict,
                                         cases[k].data, cases[k].len);
      AdiffNpy npy;
      g_autoptr (GError) error = NULL;
      adiff_io_npy_load (path, &npy, &error);
      g_assert_no_error (error);
      g_assert_cmpint (npy.was_uint8, ==, cases[k].u8);
      if (cases[k].u8)
        for (guint i = 0; i < 6; i++)
          g_assert_cmpfloat_with_epsilon (npy.data[i], bytes[i] / 255.0, 1e-7);
      else
        g_assert_cmpmem (npy.data, 8, floats, 8);
      adiff_io_npy_clear (&npy);
    }
}

/* ---- Every dtype, both byte orders, Fortran order ---------------------- */

/* Append the size-byte integer bits in the given byte order. */
static void
put_bits (GByteArray *b, guint64 bits, guint size, gboolean big)
{
  for (guint i = 0; i < size; i++)
    {
      guint8 byte = (guint8) (bits >> (8 * (big ? size - 1 - i : i)));
      g_byte_array_append (b, &byte, 1);
    }
}

/* Values exact in every float type (a float16 subnormal, its largest
 * finite value, −0): as floats and as float16 bits. */
static const float exact[8] = { 0.25f, -1.5f, 0.0f, 1.0f, 65504.0f, 5.9604644775390625e-8f,
                                3.140625f, -0.0f };
static const guint16 exact_half[8] = { 0x3400, 0xbe00, 0x0000, 0x3c00, 0x7bff, 0x0001,
                                       0x4248, 0x8000 };
static const guint16 samples_u16[8] = { 0, 1, 255, 256, 32767, 32768, 65534, 65535 };

typedef struct
{
  const char *descr;
  char        kind;        /* 'u', 'f' */
  guint       size;
  gboolean    big;
  guint       bit_depth;
} DtypeCase;

static const DtypeCase dtype_cases[] = {
  { "|u1", 'u', 1, FALSE, 8 },   { "<u2", 'u', 2, FALSE, 16 }, { ">u2", 'u', 2, TRUE, 16 },
  { "<f2", 'f', 2, FALSE, 32 },  { ">f2", 'f', 2, TRUE, 32 },  { "<f4", 'f', 4, FALSE, 32 },
  { ">f4", 'f', 4, TRUE, 32 },   { "<f8", 'f', 8, FALSE, 32 }, { ">f8", 'f', 8, TRUE, 32 },
  { "=f4", 'f', 4, G_BYTE_ORDER == G_BIG_ENDIAN, 32 },
};

/* The stored bits of value i for a dtype, and the float it must load as. */
static guint64
stored_bits (const DtypeCase *t, guint i, float *expect)
{
  if (t->kind == 'u')
    {
      guint64 v = t->size == 1 ? samples_u16[i] & 0xff : samples_u16[i];
      *expect = t->size == 1 ? (float) v / 255.0f : (float) v / 65535.0f;
      return v;
    }
  *expect = exact[i];
  if (t->size == 2)
    return exact_half[i];
  if (t->size == 4)
    {
      guint32 u;
      memcpy (&u, &exact[i], 4);
      return u;
    }
  double d = exact[i];
  guint64 u;
  memcpy (&u, &d, 8);
  return u;
}

static void
test_dtypes (gconstpointer data)
{
  const DtypeCase *t = data;
  float expect[8];
  g_autoptr (GByteArray) values = g_byte_array_new ();
  for (guint i = 0; i < 8; i++)
    put_bits (values, stored_bits (t, i, &expect[i]), t->size, t->big);
  g_autofree char *dict = g_strdup_printf ("{'descr': '%s', 'fortran_order': False, "
                                           "'shape': (2, 4), }", t->descr);
  g_autofree char *path = write_npy ("dtype.npy", 1, dict, values->data, values->len);
  AdiffNpy npy;
  g_autoptr (GError) error = NULL;
  adiff_io_npy_load (path, &npy, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (npy.ndim, ==, 2);
  g_assert_cmpuint (npy.bit_depth, ==, t->bit_depth);
  g_assert_cmpint (npy.was_uint8, ==, t->bit_depth == 8);
  g_assert_cmpmem (npy.data, sizeof expect, expect, sizeof expect);   /* −0 kept too */
  adiff_io_npy_clear (&npy);
}

/* Fortran order: element (i,j,k) of shape (2,3,4) holds 100i + 10j + k and
 * sits at i + 2j + 6k in the file; it loads in C order. */
static void
test_fortran_order (void)
{
  static const char *descrs[] = { "<f4", ">f8", "|u1" };
  for (guint d = 0; d < G_N_ELEMENTS (descrs); d++)
    {
      DtypeCase t = { descrs[d], descrs[d][1], (guint) (descrs[d][2] - '0'),
                      descrs[d][0] == '>', 0 };
      g_autoptr (GByteArray) values = g_byte_array_new ();
      for (guint k = 0; k < 4; k++)
        for (guint j = 0; j < 3; j++)
          for (guint i = 0; i < 2; i++)
            {
              float v = 100.0f * i + 10.0f * j + k;
              guint64 bits = (guint64) v;
              double dv = v;
              if (t.size == 4)
                memcpy (&bits, &v, 4), bits &= 0xffffffffu;
              else if (t.size == 8)
                memcpy (&bits, &dv, 8);
              put_bits (values, bits, t.size, t.big);
            }
      g_autofree char *dict = g_strdup_printf ("{'descr': '%s', 'fortran_order': True, "
                                               "'shape': (2, 3, 4), }", t.descr);
      g_autofree char *path = write_npy ("fortran.npy", 1, dict, values->data, values->len);
      AdiffNpy npy;
      g_autoptr (GError) error = NULL;
      adiff_io_npy_load (path, &npy, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (npy.shape[0], ==, 2);
      g_assert_cmpuint (npy.shape[2], ==, 4);
      for (guint i = 0; i < 2; i++)
        for (guint j = 0; j < 3; j++)
          for (guint k = 0; k < 4; k++)
            {
              float v = 100.0f * i + 10.0f * j + k;
              float want = t.kind == 'u' ? v / 255.0f : v;
              g_assert_cmpfloat (npy.data[(i * 3 + j) * 4 + k], ==, want);
            }
      adiff_io_npy_clear (&npy);
    }
}

typedef struct
{
  const char *what;
  guint       version;
  const char *dict;       /* NULL: raw bytes below */
  const char *raw;
  gsize       raw_len;
  gsize       data_len;   /* bytes of float data after the header */
  int         code;
  const char *says;       /* part of the message */
} BadCase;

static const BadCase bad_cases[] = {
  { "empty file", 0, NULL, "", 0, 0, ADIFF_ERROR_FORMAT, "magic" },
  { "wrong magic", 0, NULL, "\x93NUMPZ\x01\x00\x10\x00{}", 12, 0, ADIFF_ERROR_FORMAT, "magic" },
  { "short preamble", 0, NULL, "\x93NUMPY\x01", 7, 0, ADIFF_ERROR_FORMAT, "magic" },
  { "version 4", 0, NULL, "\x93NUMPY\x04\x00\x10\x00{}", 12, 0, ADIFF_ERROR_VERSION, "4.0" },
  { "header length 0", 0, NULL, "\x93NUMPY\x01\x00\x00\x00", 10, 0, ADIFF_ERROR_FORMAT, "header length" },
  { "header length 4 GiB", 0, NULL, "\x93NUMPY\x02\x00\xff\xff\xff\xff{", 13, 0, ADIFF_ERROR_FORMAT, "header length" },
  { "truncated header", 0, NULL, "\x93NUMPY\x01\x00\x40\x00{'descr'", 17, 0, ADIFF_ERROR_FORMAT, "truncated" },
  { "not a dict", 1, "['descr', '<f4']", NULL, 0, 0, ADIFF_ERROR_FORMAT, "{" },
  { "int16", 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 4, ADIFF_ERROR_FORMAT, "<i2" },
  { "int64", 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 16, ADIFF_ERROR_FORMAT, "astype" },
  { "uint32", 1, "{'descr': '>u4', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, ">u4" },
  { "complex64", 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 16, ADIFF_ERROR_FORMAT, "<c8" },
  { "complex128", 1, "{'descr': '>c16', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 32, ADIFF_ERROR_FORMAT, ">c16" },
  { "object", 1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 16, ADIFF_ERROR_FORMAT, "|O" },
  { "unicode", 1, "{'descr': '<U5', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 40, ADIFF_ERROR_FORMAT, "<U5" },
  { "bool", 1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 2, ADIFF_ERROR_FORMAT, "|b1" },
  { "datetime", 1, "{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 16, ADIFF_ERROR_FORMAT, "<M8" },
  { "no byte order on float32", 1, "{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "|f4" },
  { "empty dtype", 1, "{'descr': '', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "dtype" },
  { "structured dtype", 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "string" },
  { "float64 truncated", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", NULL, 0, 40, ADIFF_ERROR_FORMAT, "truncated" },
  { "float16 too long", 1, "{'descr': '>f2', 'fortran_order': False, 'shape': (2, 3), }", NULL, 0, 16, ADIFF_ERROR_FORMAT, "16" },
  { "fortran truncated", 1, "{'descr': '<u2', 'fortran_order': True, 'shape': (3, 3), }", NULL, 0, 17, ADIFF_ERROR_FORMAT, "truncated" },
  { "float64 bytes overflow", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387903,), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "too large" },
  { "absurd float16 shape", 1, "{'descr': '<f2', 'fortran_order': True, 'shape': (1000000, 1000000, 1000), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "truncated" },
  { "fortran order not bool", 1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "fortran_order" },
  { "negative dim", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "integers" },
  { "huge dim", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "too large" },
  { "product overflow", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "overflow" },
  { "shape beyond memory", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 1073741824), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "too large" },
  { "five dims", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 2), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "4 dimensions" },
  { "scalar", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", NULL, 0, 4, ADIFF_ERROR_FORMAT, "scalar" },
  { "empty array", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", NULL, 0, 0, ADIFF_ERROR_FORMAT, "empty" },
  { "unclosed shape", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3 }", NULL, 0, 24, ADIFF_ERROR_FORMAT, "shape" },
  { "data too short", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", NULL, 0, 20, ADIFF_ERROR_FORMAT, "truncated" },
  { "data too long", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", NULL, 0, 28, ADIFF_ERROR_FORMAT, "28" },
  { "unknown key", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", NULL, 0, 8, ADIFF_ERROR_FORMAT, "unknown key" },
  { "missing shape", 1, "{'descr': '<f4', 'fortran_order': False}", NULL, 0, 8, ADIFF_ERROR_FORMAT, "lacks" },
  { "unterminated string", 1, "{'descr: '<f4'}", NULL, 0, 8, ADIFF_ERROR_FORMAT, "" },
  { "garbage after dict", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", NULL, 0, 8, ADIFF_ERROR_FORMAT, "garbage" },
  { "escape in string", 1, "{'descr': '<f\\4', 'fortran_order': False, 'shape': (2,), }", NULL, 0, 8, ADIFF_ERROR_FORMAT, "string" },
};

static void
test_bad (gconstpointer data)
{
  const BadCase *c = data;
  g_autofree char *path = test_path ("bad.npy");
  g_autofree guint8 *zeros = g_malloc0 (c->data_len + 1);

  if (c->dict)
    g_free (write_npy ("bad.npy", c->version, c->dict, zeros, c->data_len));
  else
    write_file (path, c->raw, c->raw_len);
  AdiffNpy npy = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_false (adiff_io_npy_load (path, &npy, &error));
  assert_error_names (error, c->code, path);
  if (!strstr (error->message, c->says))
    g_error ("%s: message lacks “%s”: %s", c->what, c->says, error->message);
  g_assert_null (npy.data);
}

static void
test_non_finite (void)
{
  float data[4] = { 0.5f, 0.25f, 0.0f, 1.0f };
  static const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
  for (guint k = 0; k < 3; k++)
    {
      data[2] = k == 0 ? NAN : k == 1 ? INFINITY : -INFINITY;
      g_autofree char *path = write_npy ("nan.npy", 1, dict, data, sizeof data);
      AdiffNpy npy;
      g_autoptr (GError) error = NULL;
      g_assert_false (adiff_io_npy_load (path, &npy, &error));
      assert_error_names (error, ADIFF_ERROR_NUMERIC, path);
    }
}

/* NaN/Inf in float16 and float64, and float64 beyond float32's range. */
static void
test_non_finite_wide (void)
{
  static const struct { const char *descr; guint64 bits; guint size; const char *says; } cases[] = {
    { "<f2", 0x7e00, 2, "non-finite" },                 /* NaN */
    { ">f2", 0xfc00, 2, "non-finite" },                 /* −Inf */
    { "<f8", 0x7ff8000000000000ull, 8, "non-finite" },  /* NaN */
    { ">f8", 0x47f0000000000000ull, 8, "float32 range" },  /* 2^128 */
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr (GByteArray) values = g_byte_array_new ();
      put_bits (values, 0, cases[k].size, FALSE);
      put_bits (values, cases[k].bits, cases[k].size, cases[k].descr[0] == '>');
      g_autofree char *dict = g_strdup_printf ("{'descr': '%s', 'fortran_order': False, "
                                               "'shape': (2,), }", cases[k].descr);
      g_autofree char *path = write_npy ("wide-nan.npy", 1, dict, values->data, values->len);
      AdiffNpy npy;
      g_autoptr (GError) error = NULL;
      g_assert_false (adiff_io_npy_load (path, &npy, &error));
      assert_error_names (error, ADIFF_ERROR_NUMERIC, path);
      g_assert_nonnull (strstr (error->message, cases[k].says));
      g_assert_nonnull (strstr (error->message, "index 1"));
    }
}

static void
test_missing_file (void)
{
  g_autofree char *path = test_path ("absent.npy");
  AdiffNpy npy;
  g_autoptr (GError) error = NULL;
  g_assert_false (adiff_io_npy_load (path, &npy, &error));
  assert_error_names (error, ADIFF_ERROR_IO, path);
}

static void
test_save_errors (void)
{
  float data[2] = { 1, 2 };
  guint64 shape[5] = { 2, 1, 1, 1, 1 };
  g_autofree char *missing = g_build_filename (test_dir, "no-such-folder", "out.npy", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_false (adiff_io_npy_save (missing, data, 1, shape, &error));
  assert_error_names (error, ADIFF_ERROR_IO, missing);
  g_assert_nonnull (strstr (error->message, "no-such-folder"));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_autofree char *path = test_path ("five.npy");
  g_assert_false (adiff_io_npy_save (path, data, 5, shape, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_hidden_files (test_dir), ==, 0);
}

/* A save over an existing file replaces it whole. */
static void
test_overwrite (void)
{
  g_autofree char *path = test_path ("over.npy");
  float big[100] = { 0 }, small[1] = { 0.5f };
  guint64 s100 = 100, s1 = 1;
  AdiffNpy npy;

  g_assert_true (adiff_io_npy_save (path, big, 1, &s100, NULL));
  g_assert_true (adiff_io_npy_save (path, small, 1, &s1, NULL));
  g_assert_true (adiff_io_npy_load (path, &npy, NULL));
  g_assert_cmpuint (npy.shape[0], ==, 1);
  g_assert_cmpfloat (npy.data[0], ==, 0.5f);
  adiff_io_npy_clear (&npy);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_dir_init ();
  g_test_add_func ("/npy/round-trip", test_round_trip);
  g_test_add_func ("/npy/read-variants", test_read_variants);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/npy/bad/%s", bad_cases[i].what);
      g_test_add_data_func (name, &bad_cases[i], test_bad);
    }
  g_test_add_func ("/npy/non-finite", test_non_finite);
  g_test_add_func ("/npy/non-finite-wide", test_non_finite_wide);
  for (guint i = 0; i < G_N_ELEMENTS (dtype_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/npy/dtype/%s", dtype_cases[i].descr);
      g_test_add_data_func (name, &dtype_cases[i], test_dtypes);
    }
  g_test_add_func ("/npy/fortran-order", test_fortran_order);
  g_test_add_func ("/npy/missing-file", test_missing_file);
  g_test_add_func ("/npy/save-errors", test_save_errors);
  g_test_add_func ("/npy/overwrite", test_overwrite);
  return g_test_run ();
}
