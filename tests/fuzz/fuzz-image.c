/* fuzz-image.c — fuzz target for the image-folder path for one file:
 * adiff_io_image_load() on a file, then the same file as the only item of
 * an image folder read through adiff_dataset_open() (resize to a small
 * window, gray), which is what `adiff-stats build FOLDER` does per file.
 *
 * The file's extension follows its first bytes, as a real file's would;
 * unknown content is named .png (the decoder must refuse it cleanly).
 *
 * Differential: a PNG or binary PGM/PPM is also read through the row
 * reader (what `adiff denoise` streams), which must fail exactly when the
 * whole-image loader fails, with the same error code, and otherwise give
 * the same values bit for bit; a small image is then written back with
 * the row writer and with adiff_io_image_save, which must give the same
 * bytes.
 */
#include <stdio.h>
#include <string.h>
#include "fuzz-dataset.h"

static const char *
extension_for (const uint8_t *data, size_t size)
{
  static const struct { const char *magic; size_t len; const char *ext; } table[] = {
    { "\x89PNG", 4, "png" },
    { "P5", 2, "pgm" },
    { "P6", 2, "ppm" },
    { "P2", 2, "pgm" },
    { "P3", 2, "ppm" },
    { "\xff\xd8", 2, "jpg" },
    { "BM", 2, "bmp" },
    { "II*", 3, "tif" },
    { "MM\0*", 4, "tif" },
    { "\x93NUMPY", 6, "npy" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (table); i++)
    if (size >= table[i].len && memcmp (data, table[i].magic, table[i].len) == 0)
      return table[i].ext;
  return "png";
}

/* Read every row; FALSE with error on the first failure. */
static gboolean
read_rows (const char *path, AdiffIoImageInfo *info, float **data, float **alpha,
           GError **error)
{
  AdiffIoRowReader *r = adiff_io_row_reader_open (path, info, error);
  if (!r)
    return FALSE;
  gsize n = (gsize) info->width * info->height;
  *data = g_new (float, n * info->channels);
  *alpha = info->has_alpha ? g_new (float, n) : NULL;
  gboolean ok = TRUE;
  for (guint y = 0; y < info->height && ok; y++)
    ok = adiff_io_row_reader_read (r, 1, *data + (gsize) y * info->width * info->channels,
                                   *alpha ? *alpha + (gsize) y * info->width : NULL, error);
  adiff_io_row_reader_free (r);
  return ok;
}

static gboolean
same_file_bytes (const char *a, const char *b)
{
  gchar *x = NULL, *y = NULL;
  gsize lx = 0, ly = 0;
  gboolean same = g_file_get_contents (a, &x, &lx, NULL) &&
                  g_file_get_contents (b, &y, &ly, NULL) && lx == ly &&
                  memcmp (x, y, lx) == 0;
  g_free (x);
  g_free (y);
  return same;
}

/* The row writer against adiff_io_image_save, for small images. */
static void
check_row_writer (const char *path, const AdiffIoImage *image)
{
  if ((guint64) image->width * image->height > 4096)
    return;
  AdiffIoImageInfo info = { image->width, image->height, image->channels,
                            image->bit_depth, image->alpha != NULL };
  char *dir = g_path_get_dirname (path);
  static const char *const names[] = { "rows.png", "rows.ppm" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      char *whole = g_strdup_printf ("%s/whole-%s", dir, names[i]);
      char *rows = g_strdup_printf ("%s/%s", dir, names[i]);
      GError *error = NULL;
      if (!adiff_io_image_save (whole, image, 0, &error))
        abort ();
      AdiffIoRowWriter *w = adiff_io_row_writer_new (rows, &info, 0, &error);
      gsize row = (gsize) image->width * image->channels;
      for (guint y = 0; w && y < image->height; y++)
        if (!adiff_io_row_writer_write (w, 1, image->data + y * row,
                                        image->alpha ? image->alpha + (gsize) y * image->width
                                                     : NULL, &error))
          abort ();
      if (!w || !adiff_io_row_writer_commit (w, &error) || !same_file_bytes (whole, rows))
        abort ();
      adiff_io_row_writer_free (w);
      g_unlink (whole);
      g_unlink (rows);
      g_free (whole);
      g_free (rows);
    }
  g_free (dir);
}

static void
check_rows (const char *path, const AdiffIoImage *image, const GError *whole_error)
{
  if (!adiff_io_rows_readable (path))
    return;
  AdiffIoImageInfo info = { 0 };
  float *data = NULL, *alpha = NULL;
  GError *error = NULL;
  gboolean ok = read_rows (path, &info, &data, &alpha, &error);
  if (whole_error)
    {
      /* Only the whole loader allocates the whole image. */
      gboolean memory = g_error_matches (whole_error, ADIFF_ERROR, ADIFF_ERROR_LIMIT) && ok;
      if (!memory && (ok || !error || error->code != whole_error->code))
        {
          fprintf (stderr, "adiff fuzz: whole-image loader: %s; row reader: %s\n",
                   whole_error->message, ok ? "succeeded" : error ? error->message : "?");
          abort ();
        }
    }
  else
    {
      gsize n = (gsize) image->width * image->height;
      if (!ok || info.width != image->width || info.height != image->height ||
          info.channels != image->channels || info.bit_depth != image->bit_depth ||
          info.has_alpha != (image->alpha != NULL) ||
          memcmp (data, image->data, n * image->channels * sizeof (float)) != 0 ||
          (alpha && memcmp (alpha, image->alpha, n * sizeof (float)) != 0))
        abort ();
      check_row_writer (path, image);
    }
  if (!ok)
    fuzz_check_error (error);       /* frees it */
  g_free (data);
  g_free (alpha);
}

static gboolean
check_image (const char *path)
{
  AdiffIoImage image = { 0 };
  GError *error = NULL;
  if (!adiff_io_image_load (path, &image, &error))
    {
      check_rows (path, NULL, error);
      fuzz_check_error (error);       /* frees it */
      return FALSE;
    }
  if (image.width == 0 || image.height == 0 ||
      (image.channels != 1 && image.channels != 3))
    abort ();
  size_t n = (size_t) image.width * image.height;
  fuzz_check_floats (image.data, n * image.channels, "image data");
  if (image.alpha)
    fuzz_check_floats (image.alpha, n, "image alpha");
  check_rows (path, &image, NULL);
  adiff_io_image_clear (&image);
  return TRUE;
}

static void
check_folder (const char *folder)
{
  AdiffDatasetOptions options;
  adiff_dataset_options_init (&options);
  options.n_threads = 1;
  options.width = 8;
  options.height = 8;
  options.fit = ADIFF_FIT_RESIZE;
  options.color = ADIFF_COLOR_GRAY;
  const char *sources[] = { folder, NULL };
  GError *error = NULL;
  AdiffDataset *ds = adiff_dataset_open (sources, &options, &error);
  if (!ds)
    {
      fuzz_check_error (error);
      return;
    }
  float items[2 * 64];
  gsize got;
  while ((got = adiff_dataset_read (ds, items, NULL, 2, &error)) > 0)
    fuzz_check_floats (items, got * 64, "folder item");
  if (error)
    fuzz_check_error (error);
  adiff_dataset_free (ds);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *name = g_strdup_printf ("folder/input.%s", extension_for (data, size));
  char *path = fuzz_write (name, data, size);
  if (check_image (path))
    {
      char *folder = g_path_get_dirname (path);
      check_folder (folder);
      g_free (folder);
    }
  g_unlink (path);
  g_free (path);
  g_free (name);
  return 0;
}
