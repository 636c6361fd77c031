/* test-rows.c — the row reader and writer of libadiff-io (adiff-io.h).
 *
 * Round trips through the row API for every depth and layout (rows read in
 * uneven batches equal adiff_io_image_load's values; rows written equal
 * adiff_io_image_save's bytes), which files qualify, and the contract's
 * edges: reading past the last row, a failed read poisoning the reader,
 * committing too few rows, freeing an uncommitted writer (its temporary
 * goes, no output appears), an unknown extension, a missing folder.
 */
#include <string.h>
#include <glib/gstdio.h>
#include "adiff-io.h"

static char *dir;

static char *
path (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static AdiffIoImage
make_image (guint w, guint h, guint c, guint depth, gboolean alpha)
{
  GRand *r = g_rand_new_with_seed (w * 100 + h + c);
  AdiffIoImage img = { .width = w, .height = h, .channels = c, .bit_depth = depth,
                       .data = g_new (float, (gsize) w * h * c),
                       .alpha = alpha ? g_new (float, (gsize) w * h) : NULL };
  for (gsize i = 0; i < (gsize) w * h * c; i++)
    img.data[i] = (float) g_rand_double_range (r, -0.1, 1.1);   /* clipped on save */
  for (gsize i = 0; alpha && i < (gsize) w * h; i++)
    img.alpha[i] = (float) g_rand_double (r);
  g_rand_free (r);
  return img;
}

static guint
count_entries (void)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  while (g_dir_read_name (d))
    n++;
  g_dir_close (d);
  return n;
}

static gboolean
same_bytes (const char *a, const char *b)
{
  char *x, *y;
  gsize lx, ly;
  g_assert_true (g_file_get_contents (a, &x, &lx, NULL));
  g_assert_true (g_file_get_contents (b, &y, &ly, NULL));
  gboolean same = lx == ly && memcmp (x, y, lx) == 0;
  g_free (x);
  g_free (y);
  return same;
}

typedef struct
{
  const char *ext;
  guint       channels, depth;
  gboolean    alpha;
} Layout;

static const Layout layouts[] = {
  { "png", 1, 8, FALSE }, { "png", 1, 16, FALSE }, { "png", 3, 8, FALSE },
  { "png", 3, 16, FALSE }, { "png", 1, 8, TRUE }, { "png", 3, 16, TRUE },
  { "pgm", 1, 8, FALSE }, { "pgm", 1, 16, FALSE }, { "ppm", 3, 8, FALSE },
  { "ppm", 3, 16, FALSE },
};

/* Write with adiff_io_image_save and with the row writer (rows in batches
 * of 1, 2, 3, …); same bytes.  Read back both ways; same values. */
static void
test_round_trip (gconstpointer layout)
{
  const Layout *l = layout;
  AdiffIoImage img = make_image (13, 17, l->channels, l->depth, l->alpha);
  g_autofree char *wname = g_strconcat ("whole.", l->ext, NULL);
  g_autofree char *name = g_strconcat ("rows.", l->ext, NULL);
  g_autofree char *whole = path (wname), *rows = path (name);
  GError *error = NULL;
  g_assert_true (adiff_io_image_save (whole, &img, 0, &error));
  g_assert_no_error (error);

  AdiffIoImageInfo info = { img.width, img.height, img.channels, img.bit_depth, l->alpha };
  AdiffIoRowWriter *w = adiff_io_row_writer_new (rows, &info, 0, &error);
  g_assert_no_error (error);
  gsize row = (gsize) img.width * img.channels;
  for (guint y = 0, n = 1; y < img.height; y += n, n++)
    {
      n = MIN (n, img.height - y);
      g_assert_true (adiff_io_row_writer_write (w, n, img.data + y * row,
                                                l->alpha ? img.alpha + y * img.width : NULL,
                                                &error));
    }
  g_assert_true (adiff_io_row_writer_commit (w, &error));
  g_assert_no_error (error);
  adiff_io_row_writer_free (w);
  g_assert_true (same_bytes (whole, rows));

  AdiffIoImage ref;
  g_assert_true (adiff_io_image_load (whole, &ref, &error));
  g_assert_true (adiff_io_rows_readable (whole));
  AdiffIoImageInfo got;
  AdiffIoRowReader *r = adiff_io_row_reader_open (whole, &got, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got.width, ==, ref.width);
  g_assert_cmpuint (got.height, ==, ref.height);
  g_assert_cmpuint (got.channels, ==, ref.channels);
  g_assert_cmpuint (got.bit_depth, ==, ref.bit_depth);
  g_assert_cmpint (got.has_alpha, ==, ref.alpha != NULL);
  float *data = g_new (float, row * img.height), *alpha = g_new (float, img.width * img.height);
  for (guint y = 0, n = 3; y < img.height; y += n, n = n % 4 + 1)
    {
      n = MIN (n, img.height - y);
      g_assert_true (adiff_io_row_reader_read (r, n, data + y * row, alpha + y * img.width,
                                               &error));
    }
  g_assert_cmpmem (data, row * img.height * sizeof (float), ref.data,
                   row * img.height * sizeof (float));
  if (ref.alpha)
    g_assert_cmpmem (alpha, img.width * img.height * sizeof (float), ref.alpha,
                     img.width * img.height * sizeof (float));
  /* Past the last row. */
  g_assert_false (adiff_io_row_reader_read (r, 1, data, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  adiff_io_row_reader_free (r);
  g_free (data);
  g_free (alpha);
  adiff_io_image_clear (&ref);
  adiff_io_image_clear (&img);
  g_unlink (whole);
  g_unlink (rows);
}

/* Which files qualify: interlaced PNG, ASCII PNM, other formats do not. */
static void
test_readable (void)
{
  static const struct { const char *name, *content; gsize len; gboolean readable; } files[] = {
    { "p5.pgm", "P5\n1 1\n255\n\x80", 12, TRUE },
    { "p2.pgm", "P2\n1 1\n255\n128\n", 15, FALSE },
    { "jpeg.jpg", "\xff\xd8\xff\xe0", 4, FALSE },
    { "text.png", "hello", 5, FALSE },
    /* A PNG signature and an IHDR whose interlace byte (offset 28) is 1. */
    { "adam7.png", "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\0\0\0\x01", 29,
      FALSE },
    { "plain.png", "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\0\0\0\0", 29,
      TRUE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *p = path (files[i].name);
      g_assert_true (g_file_set_contents (p, files[i].content, files[i].len, NULL));
      g_assert_cmpint (adiff_io_rows_readable (p), ==, files[i].readable);
      g_unlink (p);
    }
  g_autofree char *missing = path ("missing.png");
  g_assert_false (adiff_io_rows_readable (missing));
  g_assert_false (adiff_io_rows_readable (dir));
  g_assert_true (adiff_io_rows_writable ("a.PNG"));
  g_assert_true (adiff_io_rows_writable ("a.pnm"));
  g_assert_false (adiff_io_rows_writable ("a.jpg"));
  g_assert_false (adiff_io_rows_writable ("a.npy"));
  g_assert_false (adiff_io_rows_writable ("png"));
}

/* A truncated PNG: the header opens, a later row fails, and so does every
 * read after it, with the whole-image loader's error. */
static void
test_poisoned (void)
{
  /* 256 rows of noise: several IDAT chunks, of which libpng reads whole
   * ones, so the first rows come before the cut. */
  AdiffIoImage img = make_image (256, 256, 1, 8, FALSE);
  g_autofree char *p = path ("cut.png");
  GError *error = NULL;
  g_assert_true (adiff_io_image_save (p, &img, 8, &error));
  char *bytes;
  gsize len;
  g_assert_true (g_file_get_contents (p, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (p, bytes, len / 2, NULL));
  g_free (bytes);
  AdiffIoImage whole;
  g_assert_false (adiff_io_image_load (p, &whole, &error));
  char *expected = g_strdup (error->message);
  g_clear_error (&error);

  AdiffIoImageInfo info;
  AdiffIoRowReader *r = adiff_io_row_reader_open (p, &info, &error);
  g_assert_no_error (error);
  float row[256];
  guint y = 0;
  while (adiff_io_row_reader_read (r, 1, row, NULL, &error))
    y++;
  g_assert_cmpuint (y, >, 0);
  g_assert_cmpuint (y, <, 256);
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_assert_false (adiff_io_row_reader_read (r, 1, row, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT);
  g_clear_error (&error);
  adiff_io_row_reader_free (r);
  g_free (expected);
  adiff_io_image_clear (&img);
  g_unlink (p);
}

/* Never a partial file: too few rows cannot be committed, and an
 * uncommitted writer leaves nothing behind. */
static void
test_no_partial_output (void)
{
  g_autofree char *p = path ("partial.png");
  AdiffIoImageInfo info = { 10, 4, 1, 8, FALSE };
  float row[10] = { 0.5f };
  GError *error = NULL;
  guint before = count_entries ();
  AdiffIoRowWriter *w = adiff_io_row_writer_new (p, &info, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (), ==, before + 1);      /* the temporary */
  g_assert_true (adiff_io_row_writer_write (w, 1, row, NULL, &error));
  g_assert_false (adiff_io_row_writer_write (w, 4, row, NULL, &error));   /* 5 > 4 rows */
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (adiff_io_row_writer_commit (w, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  adiff_io_row_writer_free (w);
  g_assert_cmpuint (count_entries (), ==, before);
  g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));

  g_autofree char *jpg = path ("x.jpg"), *nowhere = path ("no/such/x.png");
  g_assert_null (adiff_io_row_writer_new (jpg, &info, 0, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (adiff_io_row_writer_new (nowhere, &info, 0, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_IO);
  g_clear_error (&error);
  AdiffIoImageInfo bad = { 10, 4, 2, 8, FALSE };
  g_assert_null (adiff_io_row_writer_new (p, &bad, 0, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (count_entries (), ==, before);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  GError *error = NULL;
  dir = g_dir_make_tmp ("adiff-rows-io-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (layouts); i++)
    {
      g_autofree char *name = g_strdup_printf ("/rows/round-trip/%s-%uch-%ubit%s",
                                               layouts[i].ext, layouts[i].channels,
                                               layouts[i].depth,
                                               layouts[i].alpha ? "-alpha" : "");
      g_test_add_data_func (name, &layouts[i], test_round_trip);
    }
  g_test_add_func ("/rows/readable", test_readable);
  g_test_add_func ("/rows/poisoned", test_poisoned);
  g_test_add_func ("/rows/no-partial-output", test_no_partial_output);
  int code = g_test_run ();
  g_rmdir (dir);
  return code;
}
