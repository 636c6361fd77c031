/* test-image.c — image load/save: PNG 8/16-bit in every colour type, JPEG,
 * BMP, TIFF, PGM/PPM, .npy images, and bad input. */
#include <math.h>
#include <png.h>
#include "io-test-util.h"
#include "io-private.h"

/* A smooth test pattern (JPEG-friendly), with distinct 16-bit levels. */
static AdiffIoImage
make_image (guint width, guint height, guint channels, gboolean alpha)
{
  AdiffIoImage im = { width, height, channels, 32, NULL, NULL };
  im.data = g_new (float, (gsize) width * height * channels);
  im.alpha = alpha ? g_new (float, (gsize) width * height) : NULL;
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        gsize p = (gsize) y * width + x;
        for (guint c = 0; c < channels; c++)
          im.data[p * channels + c] = (float) (0.1 + 0.8 * (x + y + 3 * c) / (width + height + 6.0));
        if (alpha)
          im.alpha[p] = (float) (y + 1) / (height + 1);
      }
  return im;
}

static double
max_diff (const float *a, const float *b, gsize n)
{
  double m = 0;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs ((double) a[i] - b[i]));
  return m;
}

static void
assert_close (const AdiffIoImage *a, const AdiffIoImage *b, double tolerance)
{
  g_assert_cmpuint (a->width, ==, b->width);
  g_assert_cmpuint (a->height, ==, b->height);
  g_assert_cmpuint (a->channels, ==, b->channels);
  gsize pixels = (gsize) a->width * a->height;
  double d = max_diff (a->data, b->data, pixels * a->channels);
  if (d > tolerance)
    g_error ("colour differs by %g > %g", d, tolerance);
  g_assert_cmpint (a->alpha != NULL, ==, b->alpha != NULL);
  if (a->alpha)
    g_assert_cmpfloat (max_diff (a->alpha, b->alpha, pixels), <=, tolerance);
}

typedef struct
{
  const char *name;
  guint channels, depth;
  gboolean alpha;
  double tolerance;   /* half a quantisation step, or codec error */
  guint read_depth;
} RoundTrip;

static const RoundTrip round_trips[] = {
  { "gray8.png", 1, 8, FALSE, 0.5 / 255 + 1e-7, 8 },
  { "gray-alpha8.png", 1, 8, TRUE, 0.5 / 255 + 1e-7, 8 },
  { "rgb8.png", 3, 8, FALSE, 0.5 / 255 + 1e-7, 8 },
  { "rgba8.png", 3, 8, TRUE, 0.5 / 255 + 1e-7, 8 },
  { "gray16.png", 1, 16, FALSE, 0.5 / 65535 + 1e-7, 16 },
  { "gray-alpha16.png", 1, 16, TRUE, 0.5 / 65535 + 1e-7, 16 },
  { "rgb16.png", 3, 16, FALSE, 0.5 / 65535 + 1e-7, 16 },
  { "rgba16.png", 3, 16, TRUE, 0.5 / 65535 + 1e-7, 16 },
  { "gray8.pgm", 1, 8, FALSE, 0.5 / 255 + 1e-7, 8 },
  { "gray16.pgm", 1, 16, FALSE, 0.5 / 65535 + 1e-7, 16 },
  { "rgb16.ppm", 3, 16, FALSE, 0.5 / 65535 + 1e-7, 16 },
  { "rgb.bmp", 3, 8, FALSE, 0.5 / 255 + 1e-7, 8 },
  { "rgb.tif", 3, 8, FALSE, 0.5 / 255 + 1e-7, 8 },
  { "gray.tif", 1, 8, FALSE, 0.5 / 255 + 1e-7, 8 },
  { "rgb.jpg", 3, 8, FALSE, 0.03, 8 },
  { "gray.jpg", 1, 8, FALSE, 0.03, 8 },
  { "gray.npy", 1, 32, FALSE, 0, 32 },
  { "rgba.npy", 3, 32, TRUE, 0, 32 },
};

static void
test_round_trip (gconstpointer data)
{
  const RoundTrip *t = data;
  AdiffIoImage im = make_image (13, 7, t->channels, t->alpha), back;
  g_autofree char *path = test_path (t->name);
  g_autoptr (GError) error = NULL;

  adiff_io_image_save (path, &im, t->depth == 32 ? 8 : t->depth, &error);
  g_assert_no_error (error);
  adiff_io_image_load (path, &back, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back.bit_depth, ==, t->read_depth);
  assert_close (&im, &back, t->tolerance);
  adiff_io_image_clear (&im);
  adiff_io_image_clear (&back);
  g_assert_cmpuint (count_hidden_files (test_dir), ==, 0);
}

/* 16-bit PNG keeps levels that 8 bits cannot tell apart. */
static void
test_png16_precision (void)
{
  AdiffIoImage im = make_image (64, 1, 1, FALSE), back;
  for (guint x = 0; x < 64; x++)
    im.data[x] = (30000 + x) / 65535.0f;
  g_autofree char *path = test_path ("levels16.png");
  g_assert_true (adiff_io_image_save (path, &im, 16, NULL));
  g_assert_true (adiff_io_image_load (path, &back, NULL));
  for (guint x = 0; x < 64; x++)
    g_assert_cmpfloat (fabsf (back.data[x] * 65535.0f - (30000 + x)), <, 1e-2);
  adiff_io_image_clear (&back);
  /* The same through 8 bits collapses neighbouring levels. */
  g_assert_true (adiff_io_image_save (path, &im, 8, NULL));
  g_assert_true (adiff_io_image_load (path, &back, NULL));
  g_assert_cmpuint (back.bit_depth, ==, 8);
  g_assert_cmpfloat (back.data[0], ==, back.data[1]);
  adiff_io_image_clear (&back);
  adiff_io_image_clear (&im);
}

/* Palette and 1-bit gray PNGs, written with libpng directly, are expanded. */
static void
write_png_raw (const char *path, int color_type, int depth, png_colorp palette,
               const guint8 *rows, gsize rowbytes, guint width, guint height,
               const png_byte *trans, int n_trans)
{
  FILE *f = fopen (path, "wb");
  g_assert_nonnull (f);
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  png_init_io (png, f);
  png_set_IHDR (png, info, width, height, depth, color_type, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette)
    png_set_PLTE (png, info, palette, 3);
  if (trans)
    png_set_tRNS (png, info, trans, n_trans, NULL);
  png_write_info (png, info);
  for (guint y = 0; y < height; y++)
    png_write_row (png, (png_bytep) rows + y * rowbytes);
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  fclose (f);
}

static void
test_png_palette_and_low_depth (void)
{
  png_color palette[3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 } };
  guint8 indices[2 * 3] = { 0, 1, 2, 2, 1, 0 };
  png_byte trans[3] = { 255, 128, 0 };
  g_autofree char *path = test_path ("palette.png");
  AdiffIoImage im;
  g_autoptr (GError) error = NULL;

  write_png_raw (path, PNG_COLOR_TYPE_PALETTE, 8, palette, indices, 3, 3, 2, trans, 3);
  adiff_io_image_load (path, &im, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (im.channels, ==, 3);
  g_assert_nonnull (im.alpha);
  g_assert_cmpfloat (im.data[1 * 3 + 1], ==, 1.0f);   /* pixel (1,0) is green */
  g_assert_cmpfloat (im.data[3 * 3 + 2], ==, 1.0f);   /* pixel (0,1) is blue */
  g_assert_cmpfloat_with_epsilon (im.alpha[1], 128 / 255.0, 1e-6);
  adiff_io_image_clear (&im);

  guint8 bits[2] = { 0xA0, 0x40 };  /* 1-bit gray 3×2: 1 0 1 / 0 1 0 */
  write_png_raw (path, PNG_COLOR_TYPE_GRAY, 1, NULL, bits, 1, 3, 2, NULL, 0);
  g_assert_true (adiff_io_image_load (path, &im, &error));
  g_assert_cmpuint (im.channels, ==, 1);
  g_assert_null (im.alpha);
  static const float expect[6] = { 1, 0, 1, 0, 1, 0 };
  g_assert_cmpmem (im.data, sizeof expect, expect, sizeof expect);
  adiff_io_image_clear (&im);
}

/* An interlaced (Adam7) 16-bit RGB PNG reads like a plain one. */
static void
test_png_interlaced (void)
{
  const guint w = 9, h = 7;
  g_autofree char *path = test_path ("interlaced.png");
  g_autofree guint8 *pixels = g_new (guint8, (gsize) w * h * 6);
  g_autofree png_bytep *rows = g_new (png_bytep, h);
  for (guint i = 0; i < w * h * 3; i++)
    {
      guint v = (i * 2749u) & 0xffff;
      pixels[2 * i] = (guint8) (v >> 8);
      pixels[2 * i + 1] = (guint8) (v & 0xff);
    }
  for (guint y = 0; y < h; y++)
    rows[y] = pixels + (gsize) y * w * 6;
  FILE *f = fopen (path, "wb");
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  png_init_io (png, f);
  png_set_IHDR (png, info, w, h, 16, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  png_write_image (png, rows);
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  fclose (f);

  AdiffIoImage im;
  g_autoptr (GError) error = NULL;
  g_assert_true (adiff_io_image_load (path, &im, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (im.bit_depth, ==, 16);
  g_assert_cmpuint (im.channels, ==, 3);
  for (guint i = 0; i < w * h * 3; i++)
    g_assert_cmpfloat (im.data[i], ==, ((i * 2749u) & 0xffff) / 65535.0f);
  adiff_io_image_clear (&im);
}

static void
test_ascii_pgm (void)
{
  static const char text[] = "P2\n# a comment\n3 2\n# another\n1000\n0 500 1000\n1 2 3\n";
  g_autofree char *path = test_path ("ascii.pgm");
  AdiffIoImage im;
  write_file (path, text, sizeof text - 1);
  g_assert_true (adiff_io_image_load (path, &im, NULL));
  g_assert_cmpuint (im.width, ==, 3);
  g_assert_cmpuint (im.bit_depth, ==, 16);
  g_assert_cmpfloat_with_epsilon (im.data[1], 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (im.data[5], 0.003, 1e-7);
  adiff_io_image_clear (&im);
}

/* uint8 (H,W) .npy as numpy writes it. */
static void
test_npy_uint8_image (void)
{
  static const char file[] = "\x93NUMPY\x01\x00\x46\x00"
    "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }          \n"
    "\x00\x33\x66\x99\xcc\xff";
  g_autofree char *path = test_path ("u8.npy");
  AdiffIoImage im;
  g_autoptr (GError) error = NULL;
  write_file (path, file, sizeof file - 1);
  adiff_io_image_load (path, &im, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (im.width, ==, 3);
  g_assert_cmpuint (im.height, ==, 2);
  g_assert_cmpuint (im.channels, ==, 1);
  g_assert_cmpuint (im.bit_depth, ==, 8);
  g_assert_cmpfloat_with_epsilon (im.data[5], 1.0, 1e-7);
  g_assert_cmpfloat_with_epsilon (im.data[1], 0.2, 1e-7);
  adiff_io_image_clear (&im);
}

/* Out-of-range values survive .npy (no clipping) and clip in PNG. */
static void
test_unclipped_npy (void)
{
  AdiffIoImage im = make_image (2, 2, 1, FALSE), back;
  im.data[0] = -0.5f;
  im.data[3] = 1.75f;
  g_autofree char *npy = test_path ("wide.npy");
  g_autofree char *png = test_path ("wide.png");
  g_assert_true (adiff_io_image_save (npy, &im, 0, NULL));
  g_assert_true (adiff_io_image_load (npy, &back, NULL));
  g_assert_cmpfloat (back.data[0], ==, -0.5f);
  g_assert_cmpfloat (back.data[3], ==, 1.75f);
  adiff_io_image_clear (&back);
  g_assert_true (adiff_io_image_save (png, &im, 8, NULL));
  g_assert_true (adiff_io_image_load (png, &back, NULL));
  g_assert_cmpfloat (back.data[0], ==, 0.0f);
  g_assert_cmpfloat (back.data[3], ==, 1.0f);
  adiff_io_image_clear (&back);
  adiff_io_image_clear (&im);
}

/* A JPEG whose EXIF says "rotate 90° clockwise to display" (orientation 6)
 * loads upright, as viewers show it: JPEGs are decoded from memory by a
 * path of their own, which must honour the tag like the general one. */
static void
test_jpeg_exif_orientation (void)
{
  AdiffIoImage im = make_image (6, 4, 3, FALSE), plain, turned;
  g_autofree char *path = test_path ("upright.jpg");
  g_assert_true (adiff_io_image_save (path, &im, 8, NULL));
  g_assert_true (adiff_io_image_load (path, &plain, NULL));
  g_autofree char *contents = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  /* APP1 "Exif", big-endian TIFF header, one IFD entry: 0x0112 SHORT 1 = 6. */
  static const char app1[] =
    "\xff\xe1\x00\x22" "Exif\0\0" "MM\x00\x2a\x00\x00\x00\x08"
    "\x00\x01" "\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00" "\x00\x00\x00\x00";
  GByteArray *bytes = g_byte_array_new ();
  g_byte_array_append (bytes, (const guint8 *) contents, 2);
  g_byte_array_append (bytes, (const guint8 *) app1, sizeof app1 - 1);
  g_byte_array_append (bytes, (const guint8 *) contents + 2, (guint) length - 2);
  g_autofree char *rotated = test_path ("rotated.jpg");
  write_file (rotated, (const char *) bytes->data, bytes->len);
  g_byte_array_unref (bytes);

  g_assert_true (adiff_io_image_load (rotated, &turned, NULL));
  g_assert_cmpuint (turned.width, ==, 4);
  g_assert_cmpuint (turned.height, ==, 6);
  /* Clockwise: the left column of the display is the stored bottom row. */
  for (guint y = 0; y < 6; y++)
    for (guint x = 0; x < 4; x++)
      for (guint c = 0; c < 3; c++)
        g_assert_cmpfloat (turned.data[(y * 4 + x) * 3 + c], ==,
                           plain.data[((3 - x) * 6 + y) * 3 + c]);
  adiff_io_image_clear (&turned);
  adiff_io_image_clear (&plain);
  adiff_io_image_clear (&im);
}

/* JPEGs read whole and decoded by libjpeg directly when plain: the same
 * pixels as gdk-pixbuf's file loader, for colour, gray and a damaged
 * (truncated) file, which goes the general way. */
static void
test_jpeg_paths_agree (void)
{
  struct { guint width, height, channels; gsize cut; } cases[] = {
    { 37, 23, 3, 0 }, { 16, 16, 1, 0 }, { 40, 30, 3, 200 }, { 40, 30, 1, 150 },
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      AdiffIoImage im = make_image (cases[k].width, cases[k].height, cases[k].channels, FALSE);
      for (gsize i = 0; i < (gsize) im.width * im.height * im.channels; i++)
        im.data[i] = (float) fmod (im.data[i] + 0.37 * sin (3.0 * i), 1.0);
      g_autofree char *name = g_strdup_printf ("paths-%u.jpg", k);
      g_autofree char *path = test_path (name);
      g_assert_true (adiff_io_image_save (path, &im, 8, NULL));
      if (cases[k].cut)
        {
          g_autofree char *contents = NULL;
          gsize length;
          g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
          g_assert_cmpuint (length, >, cases[k].cut);
          write_file (path, contents, length - cases[k].cut);
        }
#ifdef ADIFF_HAVE_LIBJPEG
      {
        /* The plain ones do take the libjpeg path, the damaged one not. */
        g_autofree char *bytes = NULL;
        gsize n;
        g_assert_true (g_file_get_contents (path, &bytes, &n, NULL));
        GdkPixbuf *plain = adiff_io_jpeg_decode_plain ((const guint8 *) bytes, n);
        g_assert_true ((plain != NULL) == (cases[k].cut == 0));
        g_clear_object (&plain);
      }
#endif
      AdiffIoImage fast, general;
      g_autoptr (GError) e1 = NULL;
      g_autoptr (GError) e2 = NULL;
      gboolean ok1 = adiff_io_image_load (path, &fast, &e1);
      gboolean ok2 = adiff_io_pixbuf_load (path, &general, &e2);
      g_assert_cmpint (ok1, ==, ok2);
      if (ok1)
        {
          g_assert_cmpuint (fast.channels, ==, general.channels);
          g_assert_cmpuint (fast.width, ==, general.width);
          g_assert_cmpuint (fast.height, ==, general.height);
          g_assert_cmpmem (fast.data, (gsize) fast.width * fast.height * fast.channels * 4,
                           general.data,
                           (gsize) general.width * general.height * general.channels * 4);
          adiff_io_image_clear (&fast);
          adiff_io_image_clear (&general);
        }
      else
        g_assert_cmpstr (e1->message, ==, e2->message);
      adiff_io_image_clear (&im);
    }
}

static void
test_bad_input (void)
{
  AdiffIoImage im = make_image (8, 8, 3, FALSE), back;
  g_autofree char *good = test_path ("good.png");
  g_assert_true (adiff_io_image_save (good, &im, 8, NULL));
  g_autofree char *contents = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (good, &contents, &length, NULL));

  struct { const char *name; gsize keep; const char *bytes; int code; } cases[] = {
    { "truncated.png", 0, NULL, ADIFF_ERROR_FORMAT },
    { "header-only.png", 20, NULL, ADIFF_ERROR_FORMAT },
    { "garbage.png", 0, "this is not an image at all", ADIFF_ERROR_FORMAT },
    { "garbage.jpg", 0, "\xff\xd8\xff\xe0 truncated jpeg", ADIFF_ERROR_FORMAT },
    { "empty.png", 0, "", ADIFF_ERROR_FORMAT },
    { "short.pgm", 0, "P5\n4 4\n255\n\x01\x02", ADIFF_ERROR_FORMAT },
    { "huge.pgm", 0, "P5\n99999999 99999999\n255\n", ADIFF_ERROR_FORMAT },
    { "ascii-bad.pgm", 0, "P2\n2 1\n15\n3 99\n", ADIFF_ERROR_FORMAT },
    { "cube.npy", 0, "\x93NUMPY\x01\x00\x46\x00{'descr': '|u1', 'fortran_order': False, "
                     "'shape': (1, 1, 1, 1), }    \n\x01", ADIFF_ERROR_FORMAT },
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *path = test_path (cases[k].name);
      g_autoptr (GError) error = NULL;
      if (cases[k].bytes)
        write_file (path, cases[k].bytes, strlen (cases[k].bytes));
      else
        write_file (path, contents, cases[k].keep ? cases[k].keep : length - 30);
      if (adiff_io_image_load (path, &back, &error))
        g_error ("%s loaded", cases[k].name);
      assert_error_names (error, cases[k].code, path);
      g_assert_null (back.data);
    }

  g_autofree char *absent = test_path ("absent.png");
  g_autoptr (GError) error = NULL;
  g_assert_false (adiff_io_image_load (absent, &back, &error));
  assert_error_names (error, ADIFF_ERROR_IO, absent);
  g_clear_error (&error);

  g_assert_false (adiff_io_image_load (test_dir, &back, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_IO);
  g_clear_error (&error);

  g_autofree char *missing = g_build_filename (test_dir, "nowhere", "out.png", NULL);
  g_assert_false (adiff_io_image_save (missing, &im, 8, &error));
  assert_error_names (error, ADIFF_ERROR_IO, missing);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_autofree char *odd = test_path ("out.xyz");
  g_assert_false (adiff_io_image_save (odd, &im, 8, &error));
  assert_error_names (error, ADIFF_ERROR_INVALID_ARGUMENT, odd);
  g_assert_false (g_file_test (odd, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_autofree char *deep = test_path ("deep.png");
  g_assert_false (adiff_io_image_save (deep, &im, 12, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_assert_false (g_file_test (deep, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_hidden_files (test_dir), ==, 0);
  adiff_io_image_clear (&im);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_dir_init ();
  for (guint i = 0; i < G_N_ELEMENTS (round_trips); i++)
    {
      g_autofree char *name = g_strdup_printf ("/image/round-trip/%s", round_trips[i].name);
      g_test_add_data_func (name, &round_trips[i], test_round_trip);
    }
  g_test_add_func ("/image/png16-precision", test_png16_precision);
  g_test_add_func ("/image/png-palette-low-depth", test_png_palette_and_low_depth);
  g_test_add_func ("/image/png-interlaced", test_png_interlaced);
  g_test_add_func ("/image/ascii-pgm", test_ascii_pgm);
  g_test_add_func ("/image/npy-uint8", test_npy_uint8_image);
  g_test_add_func ("/image/npy-unclipped", test_unclipped_npy);
  g_test_add_func ("/image/jpeg-exif-orientation", test_jpeg_exif_orientation);
  g_test_add_func ("/image/jpeg-paths-agree", test_jpeg_paths_agree);
  g_test_add_func ("/image/bad-input", test_bad_input);
  return g_test_run ();
}
