/* test-bad-io.c — bad-input matrix, file readers of libadiff-io: .npy
 * arrays and images (PNG, PNM, gdk-pixbuf formats, .npy images).
 *
 * Each case writes one crafted file into a fresh folder, calls the reader,
 * and asserts the exact ADIFF_ERROR code, a message naming the file, and
 * that the folder (names and SHA-256 of every file) is exactly as before.
 */
#include <math.h>
#include <zlib.h>
#include "adiff-io.h"
#include "bad-input-util.h"

typedef enum { READ_NPY, READ_IMAGE } Reader;

typedef struct
{
  const char *name;
  const char *file;                    /* file name (extension matters) */
  GByteArray *(*make) (void);
  Reader      reader;
  int         code;                    /* expected AdiffError */
} Case;

/* ---- .npy builders ------------------------------------------------------ */

static GByteArray *
npy (guint8 major, const char *descr, const char *fortran, const char *shape,
     gsize n_bytes, const void *values)
{
  GByteArray *b = g_byte_array_new ();
  char *dict = g_strdup_printf ("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                                descr, fortran, shape);
  gsize pre = major == 1 ? 10 : 12, len = strlen (dict) + 1;
  gsize pad = (64 - (pre + len) % 64) % 64;
  g_byte_array_append (b, (const guint8 *) "\x93NUMPY", 6);
  guint8 ver[2] = { major, 0 };
  g_byte_array_append (b, ver, 2);
  if (major == 1)
    {
      guint8 l[2] = { (len + pad) & 0xff, (len + pad) >> 8 };
      g_byte_array_append (b, l, 2);
    }
  else
    bad_put_le32 (b, len + pad);
  g_byte_array_append (b, (const guint8 *) dict, strlen (dict));
  for (gsize i = 0; i < pad; i++)
    g_byte_array_append (b, (const guint8 *) " ", 1);
  g_byte_array_append (b, (const guint8 *) "\n", 1);
  if (values)
    g_byte_array_append (b, values, n_bytes);
  else
    for (gsize i = 0; i < n_bytes; i++)
      g_byte_array_append (b, (const guint8 *) "\x10", 1);
  g_free (dict);
  return b;
}

static GByteArray *npy_empty (void)        { return g_byte_array_new (); }
static GByteArray *npy_bad_magic (void)    { GByteArray *b = npy (1, "<f4", "False", "(2, 2)", 16, NULL); b->data[1] = 'X'; return b; }
static GByteArray *npy_version_9 (void)    { return npy (9, "<f4", "False", "(2, 2)", 16, NULL); }
static GByteArray *npy_complex (void)      { return npy (1, "<c16", "False", "(2, 2)", 64, NULL); }
/* Found by fuzzing: an empty descr, and a byte order with no kind, read
 * past the end of the string. */
static GByteArray *npy_empty_descr (void)  { return npy (1, "", "False", "(2, 2)", 16, NULL); }
static GByteArray *npy_order_only (void)   { return npy (1, "<", "False", "(2, 2)", 16, NULL); }
static GByteArray *npy_object (void)       { return npy (1, "|O", "False", "(2, 2)", 32, NULL); }
static GByteArray *npy_unicode (void)      { return npy (1, "<U8", "False", "(2, 2)", 128, NULL); }
static GByteArray *npy_int16 (void)        { return npy (1, "<i2", "False", "(2, 2)", 8, NULL); }
static GByteArray *npy_f8_truncated (void) { return npy (1, ">f8", "False", "(4, 4)", 120, NULL); }
static GByteArray *npy_f2_truncated (void) { return npy (1, "<f2", "True", "(4, 4)", 31, NULL); }
static GByteArray *npy_f8_absurd (void)    { return npy (1, "<f8", "True", "(3037000499, 3037000499)", 64, NULL); }
static GByteArray *npy_u2_absurd (void)    { return npy (1, ">u2", "False", "(4294967296, 4294967296)", 64, NULL); }
static GByteArray *npy_truncated (void)    { return npy (1, "<f4", "False", "(4, 4)", 60, NULL); }
static GByteArray *npy_too_long (void)     { return npy (1, "<f4", "False", "(2, 2)", 20, NULL); }
static GByteArray *npy_overflow (void)     { return npy (1, "<f4", "False", "(4294967296, 4294967296, 16)", 16, NULL); }
static GByteArray *npy_five_dims (void)    { return npy (1, "|u1", "False", "(1, 1, 1, 1, 2)", 2, NULL); }
static GByteArray *npy_zero_size (void)    { return npy (1, "<f4", "False", "(0, 3)", 0, NULL); }
static GByteArray *npy_scalar (void)       { return npy (1, "<f4", "False", "()", 4, NULL); }
static GByteArray *npy_garbage_dict (void) { return npy (1, "<f4", "False", "__import__('os')", 16, NULL); }
static GByteArray *npy_v2_huge_header (void)
{
  GByteArray *b = npy (2, "<f4", "False", "(2, 2)", 16, NULL);
  b->data[8] = b->data[9] = b->data[10] = b->data[11] = 0xff;   /* 4 GiB header */
  return b;
}
static GByteArray *
npy_nan (void)
{
  float v[4] = { 0.1f, NAN, 0.3f, 0.4f };
  return npy (1, "<f4", "False", "(2, 2)", sizeof v, v);
}
static GByteArray *
npy_inf (void)
{
  float v[4] = { 0.1f, 0.2f, INFINITY, 0.4f };
  return npy (1, "<f4", "False", "(2, 2)", sizeof v, v);
}
static GByteArray *npy_image_1d (void)     { return npy (1, "<f4", "False", "(4,)", 16, NULL); }
static GByteArray *npy_image_5ch (void)    { return npy (1, "|u1", "False", "(2, 2, 5)", 20, NULL); }
static GByteArray *npy_image_batch (void)  { return npy (1, "|u1", "False", "(2, 2, 2, 3)", 24, NULL); }

/* ---- image builders ------------------------------------------------------- */

static void
png_chunk (GByteArray *b, const char *type, const guint8 *data, guint32 len)
{
  bad_put_be32 (b, len);
  g_byte_array_append (b, (const guint8 *) type, 4);
  if (len)
    g_byte_array_append (b, data, len);
  guint32 crc = crc32 (0, (const guint8 *) type, 4);
  crc = crc32 (crc, data, len);
  bad_put_be32 (b, crc);
}

/* A PNG whose IHDR declares w×h gray 8-bit, with one compressed row of
 * zeros as image data (valid CRCs: only the size is wrong). */
static GByteArray *
png_declaring (guint32 w, guint32 h)
{
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  guint8 ihdr[13] = { w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h,
                      8, 0, 0, 0, 0 };
  png_chunk (b, "IHDR", ihdr, 13);
  guint8 raw[64] = { 0 }, packed[128];
  uLongf plen = sizeof packed;
  g_assert_cmpint (compress (packed, &plen, raw, sizeof raw), ==, Z_OK);
  png_chunk (b, "IDAT", packed, plen);
  png_chunk (b, "IEND", NULL, 0);
  return b;
}

static GByteArray *png_huge (void)        { return png_declaring (60000, 60000); }
static GByteArray *png_zero_width (void)  { return png_declaring (0, 4); }
static GByteArray *png_truncated (void)
{
  GByteArray *b = png_declaring (8, 8);
  g_byte_array_set_size (b, 40);
  return b;
}
static GByteArray *png_bad_crc (void)
{
  GByteArray *b = png_declaring (8, 8);
  b->data[29] ^= 0x55;                  /* IHDR CRC */
  return b;
}
static GByteArray *png_missing_data (void)
{
  GByteArray *b = png_declaring (64, 64);  /* one row of data for 64 */
  return b;
}
static GByteArray *
text (const char *s)
{
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) s, strlen (s));
  return b;
}
static GByteArray *pgm_truncated (void)   { return text ("P5\n4 4\n255\nabc"); }
static GByteArray *pgm_zero_size (void)   { return text ("P5\n0 0\n255\n"); }
static GByteArray *pgm_maxval_0 (void)    { return text ("P5\n1 1\n0\nx"); }
static GByteArray *pgm_huge_side (void)   { return text ("P5\n99999999999 2\n255\nxx"); }
static GByteArray *pbm_bomb (void)        { return text ("P1\n3333333\n3333333\n0 1 0 1\n"); }
static GByteArray *not_an_image (void)    { return text ("hello, this is not an image\n"); }
/* An uncompressed 24-bit BMP declaring 2×h pixels with no pixel data. */
static GByteArray *
bmp_declaring (guint32 w, guint32 h)
{
  guint8 hdr[54] = { 'B', 'M', 54, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0,
                     w, w >> 8, w >> 16, w >> 24, h, h >> 8, h >> 16, h >> 24,
                     1, 0, 24, 0 };
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, hdr, sizeof hdr);
  return b;
}
static GByteArray *bmp_rows_missing (void) { return bmp_declaring (2, 50331718); }
/* Found by fuzzing: a height of INT32_MIN (|h| overflowed a 32-bit int). */
static GByteArray *bmp_height_int_min (void) { return bmp_declaring (2, 0x80000000u); }
/* Found by fuzzing: pixel data declared at 4 GB into a 54-byte file. */
static GByteArray *
bmp_offset_past_end (void)
{
  GByteArray *b = bmp_declaring (2, 2);
  b->data[10] = 0x00, b->data[11] = 0x00, b->data[12] = 0x08, b->data[13] = 0xfe;
  return b;
}
/* Found by fuzzing: a 30-byte file ("BM", an offset, then text read as a
 * 1.7 GB info header): too short for the rows check, not for gdk-pixbuf. */
static GByteArray *
bmp_30_bytes (void)
{
  static const guint8 bytes[30] = { 'B', 'M', 'F', 0, 0, 0, 0, 0, 0, 0, 0, 'P', 0, 0,
                                    'i', 'm', 'a', 'g', 'e', '/', 'x', '-', 'f', 'i',
                                    't', 's', 2, 0 };
  return g_byte_array_append (g_byte_array_new (), bytes, sizeof bytes);
}
/* Found by fuzzing: a 906 MB info header declared in a 54-byte file. */
static GByteArray *
bmp_info_header_past_end (void)
{
  GByteArray *b = bmp_declaring (2, 2);
  b->data[14] = 0x00, b->data[15] = 0x00, b->data[16] = 0x00, b->data[17] = 0x36;
  return b;
}
static GByteArray *jpeg_header_only (void)
{
  static const guint8 soi[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0 };
  return g_byte_array_append (g_byte_array_new (), soi, sizeof soi);
}

/* A plain JPEG header declaring 10000×10000 pixels (start of image, frame,
 * start of scan), and no data after it. */
static GByteArray *
jpeg_declares_100_megapixels (void)
{
  static const guint8 head[] = { 0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x27, 0x10,
                                 0x27, 0x10, 0x01, 0x01, 0x11, 0x00,
                                 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00 };
  return g_byte_array_append (g_byte_array_new (), head, sizeof head);
}
/* An input the fuzzers found, from the image target's corpus (the test
 * environment names the source tree). */
static GByteArray *
image_corpus (const char *name)
{
  const char *root = g_getenv ("ADIFF_SOURCE_ROOT");   /* set by meson test */
  g_assert_nonnull (root);
  g_autofree char *path = g_build_filename (root, "tests", "fuzz", "corpus", "image", name,
                                            NULL);
  char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_byte_array_new_take ((guint8 *) data, len);
}
/* 382 bytes declaring 9480×16632 pixels; a stray byte before the frame
 * header sends it to gdk-pixbuf, which decoded 158 megapixels from it (473
 * MB, then 1.9 GB of floats). */
static GByteArray *
jpeg_bomb_382_bytes (void)
{
  return image_corpus ("crash-jpeg-158mp-in-382-bytes-oom");
}
/* 214 bytes declaring 64263×16136 pixels, a header that
 * gdk_pixbuf_get_file_info gives up on and gdk-pixbuf's decoder reads
 * through (minutes and gigabytes before the pixel cap was read from libjpeg). */
static GByteArray *
jpeg_bomb_no_file_info (void)
{
  return image_corpus ("crash-jpeg-stray-bytes-no-file-info-slow");
}

static const Case cases[] = {
  { "npy-empty-file", "a.npy", npy_empty, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-wrong-magic", "a.npy", npy_bad_magic, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-future-version", "a.npy", npy_version_9, READ_NPY, ADIFF_ERROR_VERSION },
  { "npy-dtype-complex128", "a.npy", npy_complex, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-dtype-empty", "a.npy", npy_empty_descr, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-dtype-byte-order-only", "a.npy", npy_order_only, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-dtype-object", "a.npy", npy_object, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-dtype-unicode", "a.npy", npy_unicode, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-dtype-int16", "a.npy", npy_int16, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-float64-big-endian-truncated", "a.npy", npy_f8_truncated, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-float16-fortran-truncated", "a.npy", npy_f2_truncated, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-float64-fortran-absurd-shape", "a.npy", npy_f8_absurd, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-uint16-absurd-shape", "a.npy", npy_u2_absurd, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-truncated-data", "a.npy", npy_truncated, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-trailing-data", "a.npy", npy_too_long, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-shape-product-overflows", "a.npy", npy_overflow, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-five-dims", "a.npy", npy_five_dims, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-zero-size", "a.npy", npy_zero_size, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-scalar", "a.npy", npy_scalar, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-code-in-header", "a.npy", npy_garbage_dict, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-4gib-header-length", "a.npy", npy_v2_huge_header, READ_NPY, ADIFF_ERROR_FORMAT },
  { "npy-nan", "a.npy", npy_nan, READ_NPY, ADIFF_ERROR_NUMERIC },
  { "npy-inf", "a.npy", npy_inf, READ_NPY, ADIFF_ERROR_NUMERIC },
  { "npy-image-1-dim", "a.npy", npy_image_1d, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "npy-image-5-channels", "a.npy", npy_image_5ch, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "npy-image-batch-of-2", "a.npy", npy_image_batch, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "npy-image-nan", "a.npy", npy_nan, READ_IMAGE, ADIFF_ERROR_NUMERIC },
  { "png-declares-60000x60000", "a.png", png_huge, READ_IMAGE, ADIFF_ERROR_LIMIT },
  { "png-zero-width", "a.png", png_zero_width, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "png-truncated", "a.png", png_truncated, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "png-bad-header-crc", "a.png", png_bad_crc, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "png-missing-rows", "a.png", png_missing_data, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "pgm-truncated", "a.pgm", pgm_truncated, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "pgm-0x0", "a.pgm", pgm_zero_size, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "pgm-maxval-0", "a.pgm", pgm_maxval_0, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "pgm-absurd-width", "a.pgm", pgm_huge_side, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "pbm-declares-11-terapixels", "a.pbm", pbm_bomb, READ_IMAGE, ADIFF_ERROR_LIMIT },
  { "image-empty-file", "a.png", npy_empty, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "image-not-an-image", "a.jpg", not_an_image, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "jpeg-header-only", "a.jpg", jpeg_header_only, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "jpeg-declares-100-megapixels", "a.jpg", jpeg_declares_100_megapixels, READ_IMAGE,
    ADIFF_ERROR_LIMIT },
  { "jpeg-158-megapixels-in-382-bytes", "a.jpg", jpeg_bomb_382_bytes, READ_IMAGE,
    ADIFF_ERROR_LIMIT },
  { "jpeg-1-gigapixel-without-file-info", "a.jpg", jpeg_bomb_no_file_info, READ_IMAGE,
    ADIFF_ERROR_LIMIT },
  { "bmp-declares-rows-it-lacks", "a.bmp", bmp_rows_missing, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "bmp-height-int32-min", "a.bmp", bmp_height_int_min, READ_IMAGE, ADIFF_ERROR_LIMIT },
  { "bmp-data-offset-past-the-end", "a.bmp", bmp_offset_past_end, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "bmp-info-header-past-the-end", "a.bmp", bmp_info_header_past_end, READ_IMAGE, ADIFF_ERROR_FORMAT },
  { "bmp-shorter-than-its-header", "a.bmp", bmp_30_bytes, READ_IMAGE, ADIFF_ERROR_FORMAT },
};

static void
run_case (gconstpointer data)
{
  const Case *t = data;
  char *dir = bad_scratch ();
  GByteArray *bytes = t->make ();
  char *path = bad_write (dir, t->file, bytes->data, bytes->len);
  g_byte_array_unref (bytes);
  char *before = bad_fingerprint (dir);

  GError *error = NULL;
  gboolean ok;
  if (t->reader == READ_NPY)
    {
      AdiffNpy a;
      ok = adiff_io_npy_load (path, &a, &error);
      if (ok)
        adiff_io_npy_clear (&a);
    }
  else
    {
      AdiffIoImage im;
      ok = adiff_io_image_load (path, &im, &error);
      if (ok)
        adiff_io_image_clear (&im);
      else
        g_assert_null (im.data);
    }
  g_assert_false (ok);
  g_assert_error (error, ADIFF_ERROR, t->code);
  g_assert_nonnull (strstr (error->message, path));
  g_test_message ("%s: %s", t->name, error->message);
  g_error_free (error);

  char *after = bad_fingerprint (dir);
  g_assert_cmpstr (after, ==, before);
  g_free (before);
  g_free (after);
  g_free (path);
  bad_rmtree (dir);
  g_free (dir);
}

static void
missing_file (void)
{
  char *dir = bad_scratch ();
  char *path = g_build_filename (dir, "missing.png", NULL);
  AdiffIoImage im;
  GError *error = NULL;
  g_assert_false (adiff_io_image_load (path, &im, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_false (adiff_io_image_load (dir, &im, &error));   /* a folder */
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_IO);
  g_clear_error (&error);
  char *left = bad_fingerprint (dir);
  g_assert_cmpstr (left, ==, "");                            /* nothing created */
  g_free (left);
  g_free (path);
  bad_rmtree (dir);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *path = g_strdup_printf ("/bad-input/io/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], run_case);
      g_free (path);
    }
  g_test_add_func ("/bad-input/io/missing-file-and-folder", missing_file);
  return g_test_run ();
}
