/* test-dataset.c — AdiffDataset: each reader (folder, CIFAR-10, IDX, npy),
 * the shaping pipeline (sizes, crops, patches, mirroring, pattern
 * injection, limit, seed, threads) and each bad-input case, on tiny files
 * written by the test. */
#include <math.h>
#include <zlib.h>
#include "io-test-util.h"

/* ---- Fixtures ------------------------------------------------------------ */

/* Pixel value of synthetic image `id` at (x, y, c): distinct per image. */
static float
pattern (guint id, guint x, guint y, guint c)
{
  return (float) (((id * 37 + x * 11 + y * 5 + c * 3) % 251) / 255.0);
}

static void
save_image (const char *path, guint id, guint w, guint h, guint channels, guint depth)
{
  AdiffIoImage im = { w, h, channels, depth, g_new (float, (gsize) w * h * channels), NULL };
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      for (guint c = 0; c < channels; c++)
        im.data[((gsize) y * w + x) * channels + c] = pattern (id, x, y, c);
  g_autoptr (GError) error = NULL;
  adiff_io_image_save (path, &im, depth, &error);
  g_assert_no_error (error);
  adiff_io_image_clear (&im);
}

static char *
make_folder (const char *name)
{
  char *path = test_path (name);
  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
  return path;
}

static char *
folder_file (const char *folder, const char *name)
{
  return g_build_filename (folder, name, NULL);
}

static AdiffDataset *
open_one (const char *source, const AdiffDatasetOptions *options, GError **error)
{
  const char *sources[] = { source, NULL };
  return adiff_dataset_open (sources, options, error);
}

/* All items (n_items must be exact); labels optional. */
static float *
read_all (AdiffDataset *ds, gint32 **labels, gsize chunk)
{
  gsize n = adiff_dataset_get_n_items (ds);
  gsize d = (gsize) adiff_dataset_get_width (ds) * adiff_dataset_get_height (ds) *
            adiff_dataset_get_channels (ds);
  float *items = g_new (float, (n + 1) * d);
  gint32 *l = g_new (gint32, n + 1);
  gsize got = 0, r;
  g_autoptr (GError) error = NULL;
  while ((r = adiff_dataset_read (ds, items + got * d, l + got, MIN (chunk, n + 1 - got),
                                  &error)) > 0)
    got += r;
  g_assert_no_error (error);
  g_assert_cmpuint (got, ==, n);
  if (labels)
    *labels = l;
  else
    g_free (l);
  return items;
}

/* ---- CIFAR-10 -------------------------------------------------------------- */

static char *
write_cifar (const char *name, guint rows, gsize extra)
{
  gsize size = (gsize) rows * 3073 + extra;
  g_autofree guint8 *bytes = g_malloc0 (size);
  for (guint r = 0; r < rows; r++)
    {
      bytes[r * 3073] = (guint8) (r * 3 + 1);
      for (guint i = 0; i < 3072; i++)
        bytes[r * 3073 + 1 + i] = (guint8) ((i * 7 + r * 13) & 0xff);
    }
  char *path = test_path (name);
  write_file (path, bytes, size);
  return path;
}

static void
test_cifar (void)
{
  g_autofree char *path = write_cifar ("batch.bin", 3, 0);
  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  AdiffDataset *ds = open_one (path, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_width (ds), ==, 32);
  g_assert_cmpuint (adiff_dataset_get_height (ds), ==, 32);
  g_assert_cmpuint (adiff_dataset_get_channels (ds), ==, 3);
  g_assert_cmpuint (adiff_dataset_get_bit_depth (ds), ==, 8);
  g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 3);
  g_assert_true (adiff_dataset_has_labels (ds));
  g_assert_nonnull (strstr (adiff_dataset_describe (ds), "batch.bin"));
  gint32 *labels;
  g_autofree float *items = read_all (ds, &labels, 2);
  for (guint r = 0; r < 3; r++)
    {
      g_assert_cmpint (labels[r], ==, r * 3 + 1);
      /* Planar in the file, interleaved in the item. */
      for (guint p = 0; p < 1024; p += 97)
        for (guint c = 0; c < 3; c++)
          {
            guint i = c * 1024 + p;
            g_assert_cmpfloat (items[r * 3072 + p * 3 + c], ==,
                               ((i * 7 + r * 13) & 0xff) / 255.0f);
          }
    }
  g_free (labels);
  adiff_dataset_free (ds);
}

static void
test_cifar_bad_length (void)
{
  guint extras[] = { 1, 3072 };
  for (guint k = 0; k < G_N_ELEMENTS (extras); k++)
    {
      g_autofree char *path = write_cifar ("short.bin", 3, extras[k]);
      AdiffDatasetOptions o;
      adiff_dataset_options_init (&o);
      g_autoptr (GError) error = NULL;
      g_assert_null (open_one (path, &o, &error));
      assert_error_names (error, ADIFF_ERROR_FORMAT, path);
      g_assert_nonnull (strstr (error->message, "3073"));
    }
  g_autofree char *empty = write_cifar ("empty.bin", 0, 0);
  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  g_assert_null (open_one (empty, &o, &error));
  assert_error_names (error, ADIFF_ERROR_FORMAT, empty);
}

/* ---- IDX --------------------------------------------------------------------- */

static void
be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* IDX images (count announced, data_items written) and optional labels. */
static char *
write_idx (const char *name, gboolean gz, guint32 count, guint data_items,
           gint label_count)
{
  const guint rows = 4, cols = 3;
  guint8 head[16];
  char *path = test_path (name);
  be32 (head, 0x803);
  be32 (head + 4, count);
  be32 (head + 8, rows);
  be32 (head + 12, cols);
  gzFile f = gzopen (path, gz ? "wb" : "wbT");
  g_assert_nonnull (f);
  gzwrite (f, head, 16);
  for (guint n = 0; n < data_items; n++)
    for (guint i = 0; i < rows * cols; i++)
      {
        guint8 v = (guint8) (n * 20 + i);
        gzwrite (f, &v, 1);
      }
  gzclose (f);
  if (label_count >= 0)
    {
      g_autofree char *lname = g_strdup (path);
      char *at = strstr (lname, "images-idx3-ubyte");
      memcpy (at, "labels-idx1-ubyte", 17);
      f = gzopen (lname, gz ? "wb" : "wbT");
      be32 (head, 0x801);
      be32 (head + 4, (guint32) label_count);
      gzwrite (f, head, 8);
      for (gint n = 0; n < label_count; n++)
        {
          guint8 v = (guint8) (9 - n);
          gzwrite (f, &v, 1);
        }
      gzclose (f);
    }
  return path;
}

static void
test_idx (void)
{
  struct { const char *name; gboolean gz; gint labels; } cases[] = {
    { "a-images-idx3-ubyte.gz", TRUE, 5 },
    { "b-images-idx3-ubyte", FALSE, -1 },
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *path = write_idx (cases[k].name, cases[k].gz, 5, 5, cases[k].labels);
      AdiffDatasetOptions o;
      adiff_dataset_options_init (&o);
      g_autoptr (GError) error = NULL;
      AdiffDataset *ds = open_one (path, &o, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (adiff_dataset_get_width (ds), ==, 3);
      g_assert_cmpuint (adiff_dataset_get_height (ds), ==, 4);
      g_assert_cmpuint (adiff_dataset_get_channels (ds), ==, 1);
      g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 5);
      g_assert_cmpint (adiff_dataset_has_labels (ds), ==, cases[k].labels >= 0);
      gint32 *labels;
      g_autofree float *items = read_all (ds, &labels, 3);
      for (guint n = 0; n < 5; n++)
        {
          for (guint i = 0; i < 12; i++)
            g_assert_cmpfloat (items[n * 12 + i], ==, (n * 20 + i) / 255.0f);
          if (cases[k].labels >= 0)
            g_assert_cmpint (labels[n], ==, 9 - (gint) n);
        }
      g_free (labels);
      adiff_dataset_free (ds);
    }
}

static void
test_idx_bad (void)
{
  struct { const char *name; guint32 count; guint items; gint labels; gboolean label_file; } cases[] = {
    { "short-images-idx3-ubyte.gz", 6, 5, -1, FALSE },
    { "long-images-idx3-ubyte.gz", 4, 5, -1, FALSE },
    { "zero-images-idx3-ubyte.gz", 0, 0, -1, FALSE },
    { "badlabels-images-idx3-ubyte.gz", 5, 5, 4, TRUE },
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *path = write_idx (cases[k].name, TRUE, cases[k].count,
                                         cases[k].items, cases[k].labels);
      AdiffDatasetOptions o;
      adiff_dataset_options_init (&o);
      g_autoptr (GError) error = NULL;
      g_assert_null (open_one (path, &o, &error));
      if (cases[k].label_file)
        g_assert_nonnull (strstr (error->message, "labels-idx1-ubyte"));
      else
        assert_error_names (error, ADIFF_ERROR_FORMAT, path);
    }
  /* Wrong magic in a file named like IDX. */
  g_autofree char *path = test_path ("fake-images-idx3-ubyte");
  write_file (path, "\x00\x00\x08\x01\x00\x00\x00\x01\x05", 9);
  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  g_assert_null (open_one (path, &o, &error));
  assert_error_names (error, ADIFF_ERROR_FORMAT, path);
}

/* ---- npy ------------------------------------------------------------------------ */

static void
test_npy (void)
{
  guint64 shape3[3] = { 4, 2, 3 }, shape4[4] = { 2, 2, 3, 3 };
  float data[36];
  for (guint i = 0; i < 36; i++)
    data[i] = i / 40.0f;
  g_autofree char *gray = test_path ("gray-set.npy");
  g_autofree char *rgb = test_path ("rgb-set.npy");
  g_assert_true (adiff_io_npy_save (gray, data, 3, shape3, NULL));
  g_assert_true (adiff_io_npy_save (rgb, data, 4, shape4, NULL));

  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  AdiffDataset *ds = open_one (gray, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 4);
  g_assert_cmpuint (adiff_dataset_get_channels (ds), ==, 1);
  g_assert_cmpuint (adiff_dataset_get_bit_depth (ds), ==, 32);
  g_assert_false (adiff_dataset_has_labels (ds));
  g_autofree float *items = read_all (ds, NULL, 100);
  g_assert_cmpmem (items, 24 * 4, data, 24 * 4);
  adiff_dataset_free (ds);

  ds = open_one (rgb, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_channels (ds), ==, 3);
  g_assert_cmpuint (adiff_dataset_get_width (ds), ==, 3);
  g_autofree float *items2 = read_all (ds, NULL, 1);
  g_assert_cmpmem (items2, 36 * 4, data, 36 * 4);
  adiff_dataset_free (ds);
}

static void
test_npy_bad (void)
{
  float data[12] = { 0 };
  struct { const char *name; guint ndim; guint64 shape[4]; gboolean nan; int code; } cases[] = {
    { "flat.npy", 2, { 3, 4 }, FALSE, ADIFF_ERROR_FORMAT },
    { "two-channels.npy", 4, { 1, 2, 3, 2 }, FALSE, ADIFF_ERROR_FORMAT },
    { "five-channels.npy", 4, { 1, 1, 2, 6 }, FALSE, ADIFF_ERROR_FORMAT },
    { "nan.npy", 3, { 3, 2, 2 }, TRUE, ADIFF_ERROR_NUMERIC },
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *path = test_path (cases[k].name);
      data[7] = cases[k].nan ? NAN : 0;
      g_assert_true (adiff_io_npy_save (path, data, cases[k].ndim, cases[k].shape, NULL));
      AdiffDatasetOptions o;
      adiff_dataset_options_init (&o);
      g_autoptr (GError) error = NULL;
      AdiffDataset *ds = open_one (path, &o, &error);
      if (ds)   /* NaN (in item 1) shows when that item is read */
        {
          float items[12];
          g_assert_cmpuint (adiff_dataset_read (ds, items, NULL, 1, &error), ==, 1);
          g_assert_no_error (error);
          g_assert_cmpuint (adiff_dataset_read (ds, items, NULL, 3, &error), ==, 0);
          adiff_dataset_free (ds);
        }
      assert_error_names (error, cases[k].code, path);
    }
  /* A dtype no reader takes. */
  static const char c8[] = "\x93NUMPY\x01\x00\x36\x00"
    "{'descr': '<c8', 'fortran_order': False, 'shape': (1, 1, 1), }\n"
    "\0\0\0\0\0\0\0\0";
  g_autofree char *path = test_path ("complex.npy");
  write_file (path, c8, sizeof c8 - 1);
  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  g_assert_null (open_one (path, &o, &error));
  assert_error_names (error, ADIFF_ERROR_FORMAT, path);
  g_assert_nonnull (strstr (error->message, "<c8"));
}

/* A v1 .npy with the given dict (a '\n' is appended) and data bytes. */
static char *
write_raw_npy (const char *name, const char *dict, const guint8 *data, gsize len)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  gsize header = strlen (dict) + 1;
  guint8 pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, header & 0xff, header >> 8 };
  g_byte_array_append (b, pre, 10);
  g_byte_array_append (b, (const guint8 *) dict, (guint) header - 1);
  g_byte_array_append (b, (const guint8 *) "\n", 1);
  g_byte_array_append (b, data, (guint) len);
  char *path = test_path (name);
  write_file (path, b->data, b->len);
  return path;
}

/* Items of a big-endian uint16 array in Fortran order (transposed at open)
 * and of a float64 array (read item by item): the same values as C order. */
static void
test_npy_wide (void)
{
  /* (N,H,W) = (2,2,3); item n pixel (y,x) = 1000n + 10y + x. */
  guint8 be_fortran[24], le_f8[96];
  guint i = 0;
  for (guint x = 0; x < 3; x++)
    for (guint y = 0; y < 2; y++)
      for (guint n = 0; n < 2; n++, i++)
        {
          guint v = 1000 * n + 10 * y + x;
          be_fortran[2 * i] = (guint8) (v >> 8);
          be_fortran[2 * i + 1] = (guint8) v;
        }
  i = 0;
  for (guint n = 0; n < 2; n++)
    for (guint y = 0; y < 2; y++)
      for (guint x = 0; x < 3; x++, i++)
        {
          double v = 1000 * n + 10 * y + x;
          guint64 bits;
          memcpy (&bits, &v, 8);
          bits = GUINT64_TO_LE (bits);
          memcpy (le_f8 + 8 * i, &bits, 8);
        }
  g_autofree char *u2 = write_raw_npy ("fortran-u2.npy", "{'descr': '>u2', 'fortran_order': "
                                       "True, 'shape': (2, 2, 3), }", be_fortran, 24);
  g_autofree char *f8 = write_raw_npy ("f8.npy", "{'descr': '<f8', 'fortran_order': "
                                       "False, 'shape': (2, 2, 3), }", le_f8, 96);
  const char *paths[2] = { u2, f8 };
  for (guint k = 0; k < 2; k++)
    {
      AdiffDatasetOptions o;
      adiff_dataset_options_init (&o);
      g_autoptr (GError) error = NULL;
      AdiffDataset *ds = open_one (paths[k], &o, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 2);
      g_assert_cmpuint (adiff_dataset_get_width (ds), ==, 3);
      g_assert_cmpuint (adiff_dataset_get_bit_depth (ds), ==, k == 0 ? 16 : 32);
      g_autofree float *items = read_all (ds, NULL, 1);
      for (guint j = 0; j < 12; j++)
        {
          float v = 1000.0f * (j / 6) + 10.0f * (j / 3 % 2) + (float) (j % 3);
          g_assert_cmpfloat (items[j], ==, k == 0 ? v / 65535.0f : v);
        }
      adiff_dataset_free (ds);
    }
}

/* ---- Folders ------------------------------------------------------------------------ */

static void
test_folder_labels_and_order (void)
{
  g_autofree char *root = make_folder ("classes");
  g_autofree char *a = make_folder ("classes/ant");
  g_autofree char *b = make_folder ("classes/bee/deep");
  const char *files[] = { "ant/2.png", "bee/deep/0.png", "ant/10.png", "bee/1.pgm" };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *p = folder_file (root, files[i]);
      save_image (p, i, 5, 4, 1, i == 1 ? 16 : 8);
    }
  g_autofree char *ignored = folder_file (root, "notes.txt");
  write_file (ignored, "x", 1);
  g_autofree char *hidden = folder_file (root, ".hidden.png");
  write_file (hidden, "not read", 8);

  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  AdiffDataset *ds = open_one (root, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 4);
  g_assert_true (adiff_dataset_has_labels (ds));
  gint32 *labels;
  g_autofree float *items = read_all (ds, &labels, 3);
  /* Sorted by relative path: ant/10, ant/2, bee/1.pgm, bee/deep/0. */
  static const guint ids[] = { 2, 0, 3, 1 };
  static const gint32 expect_labels[] = { 0, 0, 1, 1 };
  for (guint n = 0; n < 4; n++)
    {
      g_assert_cmpint (labels[n], ==, expect_labels[n]);
      for (guint y = 0; y < 4; y++)
        for (guint x = 0; x < 5; x++)
          g_assert_cmpfloat_with_epsilon (items[n * 20 + y * 5 + x],
                                          pattern (ids[n], x, y, 0), 0.5 / 255 + 1e-6);
    }
  g_free (labels);
  adiff_dataset_free (ds);
}

static void
test_folder_color_modes (void)
{
  g_autofree char *root = make_folder ("colors");
  g_autofree char *p1 = folder_file (root, "a.png");
  g_autofree char *p2 = folder_file (root, "b.png");
  save_image (p1, 1, 4, 4, 3, 8);
  save_image (p2, 2, 4, 4, 1, 16);

  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  /* Native: the first image is RGB, the gray one is replicated. */
  AdiffDataset *ds = open_one (root, &o, &error);
  g_assert_no_error (error);
  g_assert_false (adiff_dataset_has_labels (ds));
  g_assert_cmpuint (adiff_dataset_get_channels (ds), ==, 3);
  g_autofree float *rgb = read_all (ds, NULL, 8);
  g_assert_cmpfloat (rgb[48 + 0], ==, rgb[48 + 1]);
  adiff_dataset_free (ds);

  /* Gray: Rec. 601 luma of the RGB image. */
  o.color = ADIFF_COLOR_GRAY;
  ds = open_one (root, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_channels (ds), ==, 1);
  g_autofree float *gray = read_all (ds, NULL, 8);
  for (guint p = 0; p < 16; p++)
    g_assert_cmpfloat_with_epsilon (gray[p], 0.299 * rgb[3 * p] + 0.587 * rgb[3 * p + 1] +
                                    0.114 * rgb[3 * p + 2], 1e-6);
  adiff_dataset_free (ds);

  /* Native with a gray first image: a colour image later is an error. */
  g_autofree char *p0 = folder_file (root, "0.png");
  save_image (p0, 0, 4, 4, 1, 8);
  o.color = ADIFF_COLOR_NATIVE;
  ds = open_one (root, &o, &error);
  g_assert_no_error (error);
  float items[3 * 16];
  g_assert_cmpuint (adiff_dataset_read (ds, items, NULL, 3, &error), ==, 0);
  assert_error_names (error, ADIFF_ERROR_MISMATCH, p1);
  adiff_dataset_free (ds);
}

/* A colour JPEG whose pixels are gray comes first: gdk-pixbuf reports it
 * as gray, but the folder follows the three components the file declares,
 * so the colour image after it is read, not refused. */
static void
test_folder_gray_looking_jpeg (void)
{
  g_autofree char *root = make_folder ("jpegs");
  g_autofree char *p1 = folder_file (root, "a.jpg");
  g_autofree char *p2 = folder_file (root, "b.jpg");
  save_image (p1, 1, 8, 8, 1, 8);   /* gdk-pixbuf writes 3-component JPEGs */
  save_image (p2, 2, 8, 8, 3, 8);
  AdiffIoImage im;
  g_assert_true (adiff_io_image_load (p1, &im, NULL));
  g_assert_cmpuint (im.channels, ==, 1);
  adiff_io_image_clear (&im);

  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  AdiffDataset *ds = open_one (root, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_channels (ds), ==, 3);
  g_autofree float *items = read_all (ds, NULL, 2);
  g_assert_cmpfloat (items[0], ==, items[1]);
  adiff_dataset_free (ds);
}

static void
test_folder_sizes (void)
{
  g_autofree char *root = make_folder ("sizes");
  g_autofree char *p1 = folder_file (root, "a.png");
  g_autofree char *p2 = folder_file (root, "b.png");
  g_autofree char *p3 = folder_file (root, "c.png");
  save_image (p1, 1, 8, 6, 1, 8);
  save_image (p2, 2, 10, 12, 1, 8);
  save_image (p3, 3, 8, 6, 1, 8);

  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  AdiffDataset *ds = open_one (root, &o, &error);
  g_assert_no_error (error);   /* geometry from the first image */
  float items[3 * 48];
  g_assert_cmpuint (adiff_dataset_read (ds, items, NULL, 3, &error), ==, 0);
  assert_error_names (error, ADIFF_ERROR_MISMATCH, p2);
  g_clear_error (&error);
  /* A failed dataset stays failed. */
  g_assert_cmpuint (adiff_dataset_read (ds, items, NULL, 3, &error), ==, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);
  adiff_dataset_free (ds);

  AdiffFit fits[] = { ADIFF_FIT_RESIZE, ADIFF_FIT_CENTER_CROP, ADIFF_FIT_RANDOM_CROP };
  for (guint k = 0; k < G_N_ELEMENTS (fits); k++)
    {
      o.width = 4;
      o.height = 4;
      o.fit = fits[k];
      ds = open_one (root, &o, &error);
      g_assert_no_error (error);
      g_autofree float *out = read_all (ds, NULL, 2);
      if (fits[k] == ADIFF_FIT_CENTER_CROP)
        for (guint y = 0; y < 4; y++)
          for (guint x = 0; x < 4; x++)
            g_assert_cmpfloat_with_epsilon (out[16 + y * 4 + x], pattern (2, x + 3, y + 4, 0),
                                            0.5 / 255 + 1e-6);
      adiff_dataset_free (ds);
    }
  /* Fit none with a size: every image must already have it. */
  o.fit = ADIFF_FIT_NONE;
  o.width = 8;
  o.height = 6;
  ds = open_one (root, &o, &error);
  g_assert_cmpuint (adiff_dataset_read (ds, items, NULL, 3, &error), ==, 0);
  assert_error_names (error, ADIFF_ERROR_MISMATCH, p2);
  adiff_dataset_free (ds);
}

static void
test_folder_bad_files (void)
{
  g_autofree char *root = make_folder ("bad");
  g_autofree char *good = folder_file (root, "b-good.png");
  g_autofree char *good2 = folder_file (root, "d-good.png");
  g_autofree char *trunc = folder_file (root, "c-truncated.png");
  g_autofree char *first_bad = folder_file (root, "a-garbage.jpg");
  save_image (good, 1, 6, 6, 3, 8);
  save_image (good2, 2, 6, 6, 3, 8);
  save_image (trunc, 3, 6, 6, 3, 8);
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (trunc, &bytes, &len, NULL));
  write_file (trunc, bytes, len / 2);
  write_file (first_bad, "\xff\xd8\xff not really", 14);

  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  g_assert_null (open_one (root, &o, &error));
  assert_error_names (error, ADIFF_ERROR_FORMAT, first_bad);
  g_clear_error (&error);

  o.skip_bad = TRUE;
  AdiffDataset *ds = open_one (root, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 3);
  float items[4 * 108];
  gsize n = 0, r;
  while ((r = adiff_dataset_read (ds, items + n * 108, NULL, 4 - n, &error)) > 0)
    n += r;
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (adiff_dataset_get_n_skipped (ds), ==, 2);
  const char *const *skipped = adiff_dataset_get_skipped (ds);
  g_assert_cmpstr (skipped[0], ==, first_bad);
  g_assert_cmpstr (skipped[1], ==, trunc);
  g_assert_null (skipped[2]);
  adiff_dataset_free (ds);

  /* Without skip_bad, the truncated file stops the read and is named. */
  g_unlink (first_bad);
  o.skip_bad = FALSE;
  ds = open_one (root, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_read (ds, items, NULL, 4, &error), ==, 0);
  assert_error_names (error, ADIFF_ERROR_FORMAT, trunc);
  adiff_dataset_free (ds);
}

static void
test_empty_and_unknown (void)
{
  g_autofree char *empty = make_folder ("empty");
  g_autofree char *only_text = make_folder ("textonly");
  g_autofree char *txt = folder_file (only_text, "readme.txt");
  write_file (txt, "hello", 5);
  g_autofree char *unknown = test_path ("data.csv");
  write_file (unknown, "1,2,3\n", 6);
  g_autofree char *absent = test_path ("absent.bin");
  struct { const char *path; int code; } cases[] = {
    { empty, ADIFF_ERROR_FORMAT },
    { only_text, ADIFF_ERROR_FORMAT },
    { unknown, ADIFF_ERROR_FORMAT },
    { absent, ADIFF_ERROR_IO },
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      AdiffDatasetOptions o;
      adiff_dataset_options_init (&o);
      g_autoptr (GError) error = NULL;
      g_assert_null (open_one (cases[k].path, &o, &error));
      assert_error_names (error, cases[k].code, cases[k].path);
    }
  const char *none[] = { NULL };
  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  g_assert_null (adiff_dataset_open (none, &o, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  o.patches_per_image = 3;  /* without a size */
  g_assert_null (adiff_dataset_open ((const char *[]) { empty, NULL }, &o, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
}

/* ---- Pipeline ------------------------------------------------------------------------ */

static char *
photo_folder (void)
{
  char *root = make_folder ("photos");
  for (guint i = 0; i < 9; i++)
    {
      g_autofree char *name = g_strdup_printf ("%02u.png", i);
      g_autofree char *p = folder_file (root, name);
      save_image (p, i, 12 + i % 3, 10, 3, 8);
    }
  return root;
}

/* Patches are windows of their image; mirrored copies follow each window. */
static void
test_patches_and_flip (void)
{
  g_autofree char *root = photo_folder ();
  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  o.width = 4;
  o.height = 3;
  o.patches_per_image = 5;
  o.augment_hflip = TRUE;
  o.seed = 7;
  g_autoptr (GError) error = NULL;
  AdiffDataset *ds = open_one (root, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 9 * 5 * 2);
  g_autofree float *items = read_all (ds, NULL, 7);
  const gsize d = 36;
  guint distinct_positions = 0;
  for (guint i = 0; i < 9; i++)
    for (guint k = 0; k < 5; k++)
      {
        const float *item = items + ((gsize) i * 10 + 2 * k) * d;
        const float *mirror = item + d;
        gboolean found = FALSE;
        for (guint y0 = 0; y0 + 3 <= 10 && !found; y0++)
          for (guint x0 = 0; x0 + 4 <= 12 + i % 3 && !found; x0++)
            {
              gboolean same = TRUE;
              for (guint y = 0; y < 3 && same; y++)
                for (guint x = 0; x < 4 && same; x++)
                  for (guint c = 0; c < 3 && same; c++)
                    same = fabsf (item[(y * 4 + x) * 3 + c] -
                                  pattern (i, x0 + x, y0 + y, c)) < 0.5f / 255 + 1e-6f;
              found = same;
              distinct_positions += same && (x0 + y0 > 0);
            }
        g_assert_true (found);
        for (guint y = 0; y < 3; y++)
          for (guint x = 0; x < 4; x++)
            for (guint c = 0; c < 3; c++)
              g_assert_cmpfloat (mirror[(y * 4 + x) * 3 + c], ==, item[(y * 4 + 3 - x) * 3 + c]);
      }
  g_assert_cmpuint (distinct_positions, >, 20);   /* windows do move */
  adiff_dataset_free (ds);
}

/* One image file is a source of one item; with patches, of K windows.
 * Too many patches per image for memory are refused at open. */
static void
test_single_image (void)
{
  g_autofree char *path = test_path ("photo.png");
  save_image (path, 4, 40, 30, 1, 16);
  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  AdiffDataset *ds = open_one (path, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 1);
  g_assert_cmpuint (adiff_dataset_get_bit_depth (ds), ==, 16);
  adiff_dataset_free (ds);

  o.width = o.height = 8;
  o.patches_per_image = 50;
  ds = open_one (path, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 50);
  g_free (read_all (ds, NULL, 16));
  adiff_dataset_free (ds);

  o.width = o.height = 30;
  o.patches_per_image = 100000;
  o.augment_hflip = TRUE;
  o.color = ADIFF_COLOR_RGB;   /* 2·10⁵ items of 2700 floats: 2.2 GB */
  g_assert_null (open_one (path, &o, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT);
  g_clear_error (&error);

  /* A broken single image is an error even with skip_bad. */
  g_autofree char *broken = test_path ("broken.png");
  write_file (broken, "\x89PNG\r\n\x1a\n broken", 15);
  adiff_dataset_options_init (&o);
  o.skip_bad = TRUE;
  g_assert_null (open_one (broken, &o, &error));
  assert_error_names (error, ADIFF_ERROR_FORMAT, broken);
}

/* Same seed → same items whatever the thread count and read chunks;
 * another seed → other items. */
static void
test_determinism (void)
{
  g_autofree char *root = photo_folder ();
  g_autofree char *mask = test_path ("mask.png");
  save_image (mask, 5, 6, 6, 1, 8);
  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  o.width = 6;
  o.height = 5;
  o.fit = ADIFF_FIT_RANDOM_CROP;
  o.patches_per_image = 0;
  o.augment_hflip = TRUE;
  o.inject_pattern = mask;
  o.inject_gamma = 0.3;
  o.seed = 42;
  float *runs[4];
  guint threads[4] = { 1, 4, 3, 1 };
  gsize chunks[4] = { 1000, 1, 5, 3 };
  for (guint r = 0; r < 4; r++)
    {
      o.n_threads = threads[r];
      if (r == 3)
        o.seed = 43;
      g_autoptr (GError) error = NULL;
      AdiffDataset *ds = open_one (root, &o, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (adiff_dataset_get_bit_depth (ds), ==, 32);
      runs[r] = read_all (ds, NULL, chunks[r]);
      adiff_dataset_free (ds);
    }
  gsize bytes = 18 * 90 * sizeof (float);
  g_assert_cmpmem (runs[0], bytes, runs[1], bytes);
  g_assert_cmpmem (runs[0], bytes, runs[2], bytes);
  g_assert_true (memcmp (runs[0], runs[3], bytes) != 0);
  for (guint r = 0; r < 4; r++)
    g_free (runs[r]);
}

/* x + γ·c·s: zero images show the mask times a colour drawn per item,
 * uniform in [−1,1]: values leave [0,1] and are not clipped. */
static void
test_inject (void)
{
  guint64 shape[4] = { 400, 4, 4, 3 };
  g_autofree float *zeros = g_new0 (float, 400 * 48);
  g_autofree char *path = test_path ("zeros.npy");
  g_assert_true (adiff_io_npy_save (path, zeros, 4, shape, NULL));
  /* Mask: left half on, drawn at 8×8 and resized to 4×4. */
  AdiffIoImage m = { 8, 8, 1, 8, g_new0 (float, 64), NULL };
  for (guint y = 0; y < 8; y++)
    for (guint x = 0; x < 4; x++)
      m.data[y * 8 + x] = 1;
  g_autofree char *mask = test_path ("half.png");
  g_assert_true (adiff_io_image_save (mask, &m, 8, NULL));
  adiff_io_image_clear (&m);

  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  o.inject_pattern = mask;
  o.inject_gamma = 2.0;
  g_autoptr (GError) error = NULL;
  AdiffDataset *ds = open_one (path, &o, &error);
  g_assert_no_error (error);
  g_autofree float *items = read_all (ds, NULL, 64);
  double sum[3] = { 0 }, sq = 0, maxabs = 0;
  for (guint n = 0; n < 400; n++)
    {
      const float *it = items + n * 48;
      for (guint p = 0; p < 16; p++)
        for (guint c = 0; c < 3; c++)
          {
            float v = it[p * 3 + c];
            if (p % 4 >= 2)
              g_assert_cmpfloat (v, ==, 0);        /* outside the mask */
            else
              g_assert_cmpfloat (v, ==, it[c]);    /* one colour per item */
          }
      for (guint c = 0; c < 3; c++)
        {
          sum[c] += it[c];
          sq += it[c] * it[c];
          maxabs = MAX (maxabs, fabs (it[c]));
        }
    }
  g_assert_cmpfloat (maxabs, <=, 2.0);
  g_assert_cmpfloat (maxabs, >, 1.5);                  /* leaves [0,1], unclipped */
  for (guint c = 0; c < 3; c++)
    g_assert_cmpfloat (fabs (sum[c] / 400), <, 0.25);   /* mean 0, sd of mean 0.058 */
  g_assert_cmpfloat (fabs (sq / 1200 - 4.0 / 3.0), <, 0.25);  /* E[(γc)²] = γ²/3 */
  g_assert_cmpfloat (items[0], !=, items[1]);           /* colours differ per channel */
  adiff_dataset_free (ds);

  /* A mask with nothing above 0.5 injects nothing: refused. */
  AdiffIoImage blank = { 4, 4, 1, 8, g_new0 (float, 16), NULL };
  g_autofree char *blank_path = test_path ("blank.png");
  g_assert_true (adiff_io_image_save (blank_path, &blank, 8, NULL));
  adiff_io_image_clear (&blank);
  o.inject_pattern = blank_path;
  g_assert_null (open_one (path, &o, &error));
  assert_error_names (error, ADIFF_ERROR_INVALID_ARGUMENT, blank_path);
}

/* Several sources concatenate; limit cuts raw items; sizes must agree. */
static void
test_concat_and_limit (void)
{
  g_autofree char *cifar = write_cifar ("concat.bin", 3, 0);
  guint64 shape[4] = { 2, 32, 32, 3 };
  g_autofree float *halves = g_new (float, 2 * 3072);
  for (guint i = 0; i < 2 * 3072; i++)
    halves[i] = 0.5f;
  g_autofree char *npy = test_path ("concat.npy");
  g_assert_true (adiff_io_npy_save (npy, halves, 4, shape, NULL));
  const char *sources[] = { cifar, npy, NULL };
  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  g_autoptr (GError) error = NULL;
  AdiffDataset *ds = adiff_dataset_open (sources, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 5);
  g_assert_false (adiff_dataset_has_labels (ds));   /* the npy has none */
  g_assert_cmpuint (adiff_dataset_get_bit_depth (ds), ==, 32);
  g_assert_nonnull (strstr (adiff_dataset_describe (ds), "concat.npy"));
  g_autofree float *items = read_all (ds, NULL, 2);
  g_assert_cmpfloat (items[3 * 3072], ==, 0.5f);
  g_assert_cmpfloat (items[0], ==, 0.0f);
  adiff_dataset_free (ds);

  o.limit = 4;
  o.augment_hflip = TRUE;
  ds = adiff_dataset_open (sources, &o, &error);
  g_assert_cmpuint (adiff_dataset_get_n_items (ds), ==, 8);
  g_free (read_all (ds, NULL, 3));
  adiff_dataset_free (ds);

  /* 32×32 CIFAR with a 3×2 npy: mismatch at open unless a size is given. */
  guint64 small[3] = { 2, 2, 3 };
  g_autofree char *other = test_path ("small.npy");
  g_assert_true (adiff_io_npy_save (other, halves, 3, small, NULL));
  const char *mixed[] = { cifar, other, NULL };
  adiff_dataset_options_init (&o);
  g_assert_null (adiff_dataset_open (mixed, &o, &error));
  assert_error_names (error, ADIFF_ERROR_MISMATCH, other);
  g_clear_error (&error);
  o.color = ADIFF_COLOR_GRAY;
  o.width = o.height = 8;
  o.fit = ADIFF_FIT_RESIZE;
  ds = adiff_dataset_open (mixed, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_dataset_get_channels (ds), ==, 1);
  g_autofree float *resized = read_all (ds, NULL, 10);
  for (guint i = 0; i < 64; i++)   /* a constant image stays constant */
    g_assert_cmpfloat_with_epsilon (resized[3 * 64 + i], 0.5, 1e-6);
  adiff_dataset_free (ds);
}

/* The resampler: identity at the same size, exact on constants, an area
 * average when halving a checkerboard, bilinear when doubling. */
static void
test_resize_filter (void)
{
  guint64 shape[3] = { 1, 8, 8 };
  float board[64];
  for (guint i = 0; i < 64; i++)
    board[i] = (float) ((i / 8 + i % 8) % 2);
  g_autofree char *path = test_path ("board.npy");
  g_assert_true (adiff_io_npy_save (path, board, 3, shape, NULL));
  AdiffDatasetOptions o;
  adiff_dataset_options_init (&o);
  o.fit = ADIFF_FIT_RESIZE;
  guint sizes[] = { 8, 4, 16 };
  for (guint k = 0; k < 3; k++)
    {
      o.width = o.height = sizes[k];
      g_autoptr (GError) error = NULL;
      AdiffDataset *ds = open_one (path, &o, &error);
      g_assert_no_error (error);
      g_autofree float *out = read_all (ds, NULL, 1);
      guint s = sizes[k];
      if (s == 8)
        g_assert_cmpmem (out, sizeof board, board, sizeof board);
      else if (s == 4)
        for (guint i = 0; i < 16; i++)
          g_assert_cmpfloat_with_epsilon (out[i], 0.5, 0.13);
      else
        {
          /* Interior output (5,5) sits between inputs 2 and 3: mixes them. */
          g_assert_cmpfloat (out[5 * 16 + 5], >, 0.1);
          g_assert_cmpfloat (out[5 * 16 + 5], <, 0.9);
          for (guint i = 0; i < 256; i++)
            g_assert_true (out[i] >= -1e-6 && out[i] <= 1 + 1e-6);
        }
      adiff_dataset_free (ds);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_dir_init ();
  g_test_add_func ("/dataset/cifar", test_cifar);
  g_test_add_func ("/dataset/cifar-bad-length", test_cifar_bad_length);
  g_test_add_func ("/dataset/idx", test_idx);
  g_test_add_func ("/dataset/idx-bad", test_idx_bad);
  g_test_add_func ("/dataset/npy", test_npy);
  g_test_add_func ("/dataset/npy-bad", test_npy_bad);
  g_test_add_func ("/dataset/npy-wide", test_npy_wide);
  g_test_add_func ("/dataset/folder-labels-order", test_folder_labels_and_order);
  g_test_add_func ("/dataset/folder-colors", test_folder_color_modes);
  g_test_add_func ("/dataset/folder-gray-looking-jpeg", test_folder_gray_looking_jpeg);
  g_test_add_func ("/dataset/folder-sizes", test_folder_sizes);
  g_test_add_func ("/dataset/folder-bad-files", test_folder_bad_files);
  g_test_add_func ("/dataset/empty-and-unknown", test_empty_and_unknown);
  g_test_add_func ("/dataset/patches-flip", test_patches_and_flip);
  g_test_add_func ("/dataset/single-image", test_single_image);
  g_test_add_func ("/dataset/determinism", test_determinism);
  g_test_add_func ("/dataset/inject", test_inject);
  g_test_add_func ("/dataset/concat-limit", test_concat_and_limit);
  g_test_add_func ("/dataset/resize-filter", test_resize_filter);
  return g_test_run ();
}
