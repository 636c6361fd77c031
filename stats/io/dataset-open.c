/* dataset-open.c — adiff_dataset_open: recognise each source, agree on one
 * item geometry (size, channels) for all of them, prepare the injected
 * pattern; plus the accessors and free. */
#include <math.h>
#include <string.h>
#include <zlib.h>
#include "dataset-private.h"

static gboolean
has_extension (const char *path, const char *ext)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  return g_str_has_suffix (lower, ext);
}

/* The first 4 bytes after gunzip (zlib reads plain files as they are). */
static gboolean
peek_gz (const char *path, guint8 head[4])
{
  gzFile f = gzopen (path, "rb");
  gboolean ok = f && gzread (f, head, 4) == 4;
  if (f)
    gzclose (f);
  return ok;
}

static AdiffSource *
open_source (const char *path, const AdiffDatasetOptions *options, GError **error)
{
  guint8 head[6] = { 0 };

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return adiff_source_folder_open (path, options, error);
  FILE *f = adiff_io_open_read (path, error);
  if (!f)
    return NULL;
  gsize n = fread (head, 1, sizeof head, f);
  fclose (f);
  if (n == 6 && memcmp (head, "\x93NUMPY", 6) == 0)
    return adiff_source_npy_open (path, error);
  if ((peek_gz (path, head) && memcmp (head, "\x00\x00\x08\x03", 4) == 0) ||
      strstr (path, "idx3-ubyte"))
    return adiff_source_idx_open (path, error);
  g_autofree char *base = g_path_get_basename (path);
  if (adiff_io_is_image_name (base) ||
      (n >= 6 && memcmp (head, "\x89PNG\r\n", 6) == 0))
    return adiff_source_image_open (path, options, error);
  if (has_extension (path, ".bin"))
    return adiff_source_cifar_open (path, error);
  if (has_extension (path, ".npy"))
    return adiff_source_npy_open (path, error);
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
               _("“%s” is not a dataset that can be read: give a folder of images, an "
                 "image file, a CIFAR-10 batch (*.bin), an IDX file (*-idx3-ubyte[.gz]) "
                 "or a .npy array (N,H,W[,C])"), path);
  return NULL;
}

static gboolean
check_options (const AdiffDatasetOptions *o, GError **error)
{
  const char *why = NULL;

  if ((o->width == 0) != (o->height == 0))
    why = _("give both a width and a height, or neither");
  else if (o->patches_per_image > 0 && o->width == 0)
    why = _("patches need a patch size");
  else if (o->patches_per_image > 100000)
    why = _("more than 100000 patches per image");
  else if (o->fit > ADIFF_FIT_RANDOM_CROP || o->color > ADIFF_COLOR_RGB)
    why = _("unknown fit or colour mode");
  else if (o->inject_pattern && !isfinite (o->inject_gamma))
    why = _("the pattern strength γ is not finite");
  if (!why)
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
               _("Invalid dataset options: %s"), why);
  return FALSE;
}

/* Channels, size and bit depth common to all sources. */
static gboolean
agree_geometry (AdiffDataset *ds, GError **error)
{
  AdiffSource *first = ds->sources->pdata[0];

  ds->channels = ds->options.color == ADIFF_COLOR_GRAY ? 1 :
                 ds->options.color == ADIFF_COLOR_RGB ? 3 : first->channels;
  ds->width = ds->options.width ? ds->options.width : first->width;
  ds->height = ds->options.height ? ds->options.height : first->height;
  ds->bit_depth = 8;
  for (guint i = 0; i < ds->sources->len; i++)
    {
      AdiffSource *s = ds->sources->pdata[i];
      if (ds->options.color == ADIFF_COLOR_NATIVE && s->channels != ds->channels)
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                       _("“%s” has %u channels but “%s” has %u; choose gray or RGB "
                         "items explicitly"), s->path, s->channels, first->path,
                       first->channels);
          return FALSE;
        }
      if (ds->options.width == 0 && (s->width != ds->width || s->height != ds->height))
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                       _("“%s” has items of %u×%u but “%s” of %u×%u; give a size with "
                         "a fit (resize or crop)"), s->path, s->width, s->height,
                       first->path, ds->width, ds->height);
          return FALSE;
        }
      ds->bit_depth = MAX (ds->bit_depth, s->bit_depth);
    }
  /* The injected pattern moves values off the source's quantisation grid. */
  if (ds->options.inject_pattern)
    ds->bit_depth = 32;
  guint64 dim = (guint64) ds->width * ds->height * ds->channels;
  if (dim > ADIFF_DATASET_MAX_ITEM_VALUES)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("Items of %u×%u×%u values are too large"),
                   ds->width, ds->height, ds->channels);
      return FALSE;
    }
  ds->dim = (gsize) dim;
  return TRUE;
}

/* The mask s: the pattern image in gray, resized to the item size, > 0.5. */
static gboolean
load_mask (AdiffDataset *ds, GError **error)
{
  AdiffIoImage im;
  gsize pixels = (gsize) ds->width * ds->height;

  if (!adiff_io_image_load (ds->inject_path, &im, error))
    return FALSE;
  if (im.channels == 3)
    {
      float *gray = g_new (float, (gsize) im.width * im.height);
      adiff_io_rgb_to_gray (im.data, (gsize) im.width * im.height, gray);
      g_free (im.data);
      im.data = gray;
    }
  ds->mask = g_new (float, pixels);
  adiff_io_resample (im.data, im.width, im.height, 1, ds->mask, ds->width, ds->height);
  guint on = 0;
  for (gsize p = 0; p < pixels; p++)
    on += ds->mask[p] = ds->mask[p] > 0.5f ? 1.0f : 0.0f;
  adiff_io_image_clear (&im);
  if (on == 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("The pattern “%s” has no pixel above 0.5 at %u×%u: nothing would "
                     "be injected"), ds->inject_path, ds->width, ds->height);
      return FALSE;
    }
  return TRUE;
}

static char *
describe (AdiffDataset *ds)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < ds->sources->len; i++)
    {
      AdiffSource *source = ds->sources->pdata[i];
      g_string_append_printf (s, "%s%s", i ? " + " : "", source->description);
    }
  g_string_append_printf (s, ", %" G_GUINT64_FORMAT " items, %u×%u %s",
                          adiff_dataset_get_n_items (ds), ds->width, ds->height,
                          ds->channels == 1 ? "gray" : "RGB");
  if (ds->options.patches_per_image)
    g_string_append_printf (s, ", %u patches per image", ds->options.patches_per_image);
  if (ds->options.augment_hflip)
    g_string_append (s, ", with mirrored copies");
  if (ds->options.inject_pattern)
    g_string_append_printf (s, ", pattern %s injected with γ = %g",
                            ds->inject_path, ds->options.inject_gamma);
  return g_string_free (s, FALSE);
}

static gboolean
open_sources (AdiffDataset *ds, const char *const *sources, GError **error)
{
  guint n = 0;

  while (sources[n])
    n++;
  ds->starts = g_new0 (guint64, n + 1);
  for (guint i = 0; i < n; i++)
    {
      AdiffSource *source = open_source (sources[i], &ds->options, error);
      if (!source)
        return FALSE;
      g_ptr_array_add (ds->sources, source);
      for (guint k = 0; source->skipped && k < source->skipped->len; k++)
        g_ptr_array_add (ds->skipped, g_strdup (source->skipped->pdata[k]));
      ds->starts[i + 1] = ds->starts[i] + source->n_items;
    }
  return TRUE;
}

AdiffDataset *
adiff_dataset_open (const char *const *sources, const AdiffDatasetOptions *options,
                    GError **error)
{
  g_return_val_if_fail (options, NULL);
  if (!sources || !sources[0])
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("No dataset source given"));
      return NULL;
    }
  if (!check_options (options, error))
    return NULL;

  AdiffDataset *ds = g_new0 (AdiffDataset, 1);
  ds->options = *options;
  ds->inject_path = g_strdup (options->inject_pattern);
  ds->options.inject_pattern = ds->inject_path;
  ds->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) adiff_source_free);
  ds->skipped = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  g_mutex_init (&ds->lock);
  g_cond_init (&ds->done);
  ds->n_threads = options->n_threads ? options->n_threads : g_get_num_processors ();
  if (!open_sources (ds, sources, error) || !agree_geometry (ds, error) ||
      (ds->inject_path && !load_mask (ds, error)))
    {
      adiff_dataset_free (ds);
      return NULL;
    }
  ds->n_raw = ds->starts[ds->sources->len];
  if (options->limit && options->limit < ds->n_raw)
    ds->n_raw = options->limit;
  ds->outs_per_raw = MAX (options->patches_per_image, 1) * (options->augment_hflip ? 2 : 1);
  /* The items of one image are produced together: keep them under 1 GiB. */
  if ((guint64) ds->outs_per_raw * ds->dim * sizeof (float) > ((guint64) 1 << 30))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("%u patches of %u×%u×%u values per image exceed 1 GiB; use fewer "
                     "patches per image"), options->patches_per_image, ds->width,
                   ds->height, ds->channels);
      adiff_dataset_free (ds);
      return NULL;
    }
  ds->has_labels = TRUE;
  for (guint i = 0; i < ds->sources->len; i++)
    ds->has_labels &= ((AdiffSource *) ds->sources->pdata[i])->has_labels;
  ds->description = describe (ds);
  return ds;
}

guint adiff_dataset_get_width (AdiffDataset *ds) { return ds->width; }
guint adiff_dataset_get_height (AdiffDataset *ds) { return ds->height; }
guint adiff_dataset_get_channels (AdiffDataset *ds) { return ds->channels; }
guint adiff_dataset_get_bit_depth (AdiffDataset *ds) { return ds->bit_depth; }
gboolean adiff_dataset_has_labels (AdiffDataset *ds) { return ds->has_labels; }
const char *adiff_dataset_describe (AdiffDataset *ds) { return ds->description; }
guint adiff_dataset_get_n_skipped (AdiffDataset *ds) { return ds->skipped->len; }

guint64
adiff_dataset_get_n_items (AdiffDataset *ds)
{
  return ds->n_raw * ds->outs_per_raw;
}

const char *const *
adiff_dataset_get_skipped (AdiffDataset *ds)
{
  return (const char *const *) ds->skipped->pdata;
}

void
adiff_dataset_free (AdiffDataset *ds)
{
  if (!ds)
    return;
  adiff_dataset_finish_batch (ds);
  if (ds->pool)
    g_thread_pool_free (ds->pool, FALSE, TRUE);
  g_clear_error (&ds->deferred);
  g_ptr_array_unref (ds->sources);
  g_ptr_array_unref (ds->skipped);
  g_free (ds->starts);
  g_free (ds->inject_path);
  g_free (ds->mask);
  g_free (ds->description);
  g_free (ds->pending);
  g_free (ds->pending_labels);
  g_mutex_clear (&ds->lock);
  g_cond_clear (&ds->done);
  g_free (ds);
}
