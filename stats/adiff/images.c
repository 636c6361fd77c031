/* images.c — the inputs and outputs of `adiff`: a batch of images of
 * one size, read from an image file or a .npy array, written back in the
 * same layout.  Alpha is carried along untouched. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include "adiff-commands.h"

gboolean
cli_path_is_npy (const char *path)
{
  return g_str_has_suffix (path, ".npy") || g_str_has_suffix (path, ".NPY");
}

static gboolean
shape_error (const char *path, GError **error)
{
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
               _("“%s” is not an image array: expected shape (H,W), (H,W,C) or "
                 "(N,H,W,C) with C = 1, 2, 3 or 4 (2 and 4: alpha last)"), path);
  return FALSE;
}

/* Is a 3-D array (N,H,W) gray windows of the bundle rather than (H,W,C)?
 * Only when its last axis cannot be channels (more than 4), so that every
 * array read as (H,W,C) before still is. */
static gboolean
is_gray_window_batch (const AdiffNpy *npy, AdiffBundle *batch_of)
{
  const guint64 *s = npy->shape;
  return batch_of && npy->ndim == 3 && adiff_bundle_get_channels (batch_of) == 1 &&
         s[1] == adiff_bundle_get_height (batch_of) &&
         s[2] == adiff_bundle_get_width (batch_of) && s[2] > 4;
}

/* Split (n, h, w, samples) into colour values and alpha. */
static gboolean
split_npy (const char *path, const AdiffNpy *npy, AdiffBundle *batch_of, CliImages *img,
           GError **error)
{
  const guint64 *s = npy->shape;
  guint64 n = 1, h, w, c = 1;
  gboolean batch = npy->ndim == 4 || is_gray_window_batch (npy, batch_of);
  switch (npy->ndim)
    {
    case 2: h = s[0]; w = s[1]; break;
    case 3:
      if (batch)
        n = s[0], h = s[1], w = s[2];
      else
        h = s[0], w = s[1], c = s[2];
      break;
    case 4: n = s[0]; h = s[1]; w = s[2]; c = s[3]; break;
    default: return shape_error (path, error);
    }
  if (n == 0 || h == 0 || w == 0 || c < 1 || c > 4 || h > G_MAXINT || w > G_MAXINT ||
      n > G_MAXINT)
    return shape_error (path, error);
  gsize pixels = (gsize) n * h * w;       /* the array exists, so no overflow */
  img->n = (guint) n;
  img->height = (guint) h;
  img->width = (guint) w;
  img->channels = c == 2 || c == 4 ? (guint) c - 1 : (guint) c;
  img->bit_depth = 32;
  img->npy_ndim = npy->ndim;
  img->npy_batch = batch;
  if (img->channels == c)
    {
      img->data = g_memdup2 (npy->data, pixels * c * sizeof (float));
      return TRUE;
    }
  img->data = g_new (float, pixels * img->channels);
  img->alpha = g_new (float, pixels);
  for (gsize i = 0; i < pixels; i++)
    {
      memcpy (img->data + i * img->channels, npy->data + i * c,
              img->channels * sizeof (float));
      img->alpha[i] = npy->data[i * c + img->channels];
    }
  return TRUE;
}

static gboolean
check_values (const char *path, const CliImages *img, GError **error)
{
  gsize n = (gsize) img->n * img->width * img->height * img->channels;
  for (gsize i = 0; i < n; i++)
    if (!isfinite (img->data[i]))
      {
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
                     _("“%s” holds a non-finite value (NaN or infinity) at index %lu"),
                     path, (gulong) i);
        return FALSE;
      }
  return TRUE;
}

static gboolean
load_images (const char *path, AdiffBundle *batch_of, CliImages *img, GError **error)
{
  if (cli_path_is_npy (path))
    {
      AdiffNpy npy;
      if (!adiff_io_npy_load (path, &npy, error))
        return FALSE;
      gboolean ok = split_npy (path, &npy, batch_of, img, error) && check_values (path, img, error);
      adiff_io_npy_clear (&npy);
      if (!ok)
        cli_images_clear (img);
      return ok;
    }
  AdiffIoImage io;
  if (!adiff_io_image_load (path, &io, error))
    return FALSE;
  img->n = 1;
  img->width = io.width;
  img->height = io.height;
  img->channels = io.channels;
  img->bit_depth = io.bit_depth;
  img->data = g_steal_pointer (&io.data);
  img->alpha = g_steal_pointer (&io.alpha);
  adiff_io_image_clear (&io);
  if (!check_values (path, img, error))
    {
      cli_images_clear (img);
      return FALSE;
    }
  return TRUE;
}

gboolean
cli_images_load (const char *path, AdiffBundle *batch_of, CliImages *img, GError **error)
{
  memset (img, 0, sizeof *img);
  /* The decoders cannot be cancelled, but nothing is written yet. */
  cli_exit_on_interrupt_begin ();
  gboolean ok = load_images (path, batch_of, img, error);
  cli_exit_on_interrupt_end ();
  return ok;
}

static gboolean
save_npy (const char *path, const CliImages *img, GError **error)
{
  guint samples = img->channels + (img->alpha ? 1 : 0);
  gsize pixels = (gsize) img->n * img->height * img->width;
  float *packed = g_new (float, pixels * samples);
  for (gsize i = 0; i < pixels; i++)
    {
      memcpy (packed + i * samples, img->data + i * img->channels,
              img->channels * sizeof (float));
      if (img->alpha)
        packed[i * samples + img->channels] = img->alpha[i];
    }
  /* Keep the input's layout: (H,W) stays 2-D, (N,H,W) 3-D, a batch
   * (N,H,W,C) 4-D. */
  gboolean channel_axis = img->npy_ndim == 0 || img->npy_ndim == 4 ||
                          (img->npy_ndim == 3 && !img->npy_batch);
  guint64 shape[4];
  guint ndim = 0;
  if (img->npy_batch || img->n > 1)
    shape[ndim++] = img->n;
  shape[ndim++] = img->height;
  shape[ndim++] = img->width;
  if (channel_axis || samples != 1)
    shape[ndim++] = samples;
  gboolean ok = adiff_io_npy_save (path, packed, ndim, shape, error);
  g_free (packed);
  return ok;
}

gboolean
cli_images_save (const char *path, const CliImages *img, GError **error)
{
  if (cli_path_is_npy (path))
    return save_npy (path, img, error);
  if (img->n != 1)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Cannot write %u images to “%s”: a batch needs a .npy output"),
                   img->n, path);
      return FALSE;
    }
  gsize n = (gsize) img->width * img->height * img->channels;
  AdiffIoImage io = {
    .width = img->width, .height = img->height, .channels = img->channels,
    .bit_depth = img->bit_depth, .data = g_new (float, n), .alpha = img->alpha,
  };
  for (gsize i = 0; i < n; i++)
    io.data[i] = CLAMP (img->data[i], 0.0f, 1.0f);
  /* bit depth 0: 16 bits when the source was deeper than 8, else 8. */
  gboolean ok = adiff_io_image_save (path, &io, 0, error);
  g_free (io.data);
  return ok;
}

void
cli_images_clear (CliImages *img)
{
  g_clear_pointer (&img->data, g_free);
  g_clear_pointer (&img->alpha, g_free);
}

gboolean
cli_check_output (const char *in, const char *out, GError **error)
{
  struct stat a, b;
  gboolean same = FALSE;
  if (in && stat (in, &a) == 0 && stat (out, &b) == 0)
    same = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
  else if (in)
    {
      char *ca = g_canonicalize_filename (in, NULL), *cb = g_canonicalize_filename (out, NULL);
      same = g_str_equal (ca, cb);
      g_free (ca);
      g_free (cb);
    }
  if (same)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("the output “%s” is the input file; choose another name"), out);
      return FALSE;
    }
  static const char *const known[] = { ".png", ".npy", ".pgm", ".ppm", ".pnm", ".jpg",
                                       ".jpeg", ".bmp", ".tif", ".tiff" };
  char *lower = g_ascii_strdown (out, -1);
  gboolean ok = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    ok |= g_str_has_suffix (lower, known[i]);
  g_free (lower);
  if (!ok)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("the output “%s” has no known extension (.png, .npy, .pgm, .ppm, "
                     ".jpg, .bmp or .tif)"), out);
      return FALSE;
    }
  if (g_file_test (out, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("the output “%s” is a folder"), out);
      return FALSE;
    }
  return TRUE;
}

/* σ of item i: given, or estimated from the item itself. */
gboolean
cli_item_sigma (gboolean estimate, const char *in, const CliImages *img, guint i,
                double given, double *sigma, GError **error)
{
  if (!estimate)
    {
      *sigma = given;
      return TRUE;
    }
  gsize len = (gsize) img->width * img->height * img->channels;
  double s = adiff_estimate_sigma (img->data + i * len, img->width, img->height,
                                   img->channels);
  if (!isfinite (s) || s <= 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("cannot estimate the noise of “%s” (too small or noiseless); "
                     "give --sigma"), in);
      return FALSE;
    }
  if (img->n > 1)
    g_printerr (_("%s [%u]: estimated σ = %.2f (0–255 scale)\n"), in, i, s * 255);
  else
    g_printerr (_("%s: estimated σ = %.2f (0–255 scale)\n"), in, s * 255);
  *sigma = s;
  return TRUE;
}

gboolean
cli_check_batch_output (const char *in, const CliImages *img, const char *out,
                        GError **error)
{
  if (img->n <= 1 || cli_path_is_npy (out))
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
               _("“%s” holds %u images: write them to a .npy file, not “%s”"),
               in, img->n, out);
  return FALSE;
}
