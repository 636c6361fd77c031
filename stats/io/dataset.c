/* dataset.c — AdiffDataset: open the sources, agree on a geometry, and
 * stream shaped items.
 *
 * Pipeline for each raw item (an image of a source, in order): decode (in a
 * worker thread for folders) → drop alpha → colour (gray/RGB) → geometry
 * (native size, resize, centre or random crop, or K random patches) → a
 * mirrored copy after each window (augment_hflip) → the injected pattern
 * γ·c·s on every output item.  Randomness comes from a GRand seeded by
 * (seed, raw item index), so the output does not depend on the number of
 * threads or on how reads are chunked. */
#include <math.h>
#include <string.h>
#include "dataset-private.h"

#define MAX_BATCH_BYTES ((gsize) 256 << 20)
/* Raw items per decoding batch.  The batch being delivered, its copy and
 * the batch decoding in the background are all in memory at once; 64
 * keeps that near 2 MB for CIFAR-10 (256 cost 6.5 MB more peak memory in
 * adiff-stats build) and still gives each thread dozens of images per
 * wake-up. */
#define MAX_BATCH_ITEMS 64

typedef struct _Job
{
  AdiffDataset *dataset;
  guint64       raw_index;
  AdiffIoImage  image;
  char         *path;     /* file to decode, or NULL when image is filled */
  char         *name;     /* for messages */
  gint32        label;
  float        *out;
  guint         n_out;
  GError       *error;
  gboolean      bad_file; /* could not be decoded: skippable */
} Job;

void
adiff_dataset_options_init (AdiffDatasetOptions *options)
{
  memset (options, 0, sizeof *options);
  options->fit = ADIFF_FIT_NONE;
  options->color = ADIFF_COLOR_NATIVE;
  options->inject_gamma = 0.0;
}

/* ---- Shaping one raw item ------------------------------------------------ */

static gboolean
convert_color (AdiffDataset *ds, AdiffIoImage *im, const char *name, GError **error)
{
  gsize pixels = (gsize) im->width * im->height;
  float *converted;

  if (im->channels == ds->channels)
    return TRUE;
  if (im->channels == 3 && ds->options.color == ADIFF_COLOR_NATIVE)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("“%s” is in colour while the dataset is gray (its first image is); "
                     "choose gray or RGB items explicitly"), name);
      return FALSE;
    }
  converted = g_new (float, pixels * ds->channels);
  if (ds->channels == 1)
    adiff_io_rgb_to_gray (im->data, pixels, converted);
  else
    adiff_io_gray_to_rgb (im->data, pixels, converted);
  g_free (im->data);
  im->data = converted;
  im->channels = ds->channels;
  return TRUE;
}

static gboolean
check_same_size (AdiffDataset *ds, const AdiffIoImage *im, const char *name, GError **error)
{
  if (im->width == ds->width && im->height == ds->height)
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
               _("“%s” is %u×%u while the dataset's items are %u×%u; give a size "
                 "with a fit (resize or crop) to combine images of different sizes"),
               name, im->width, im->height, ds->width, ds->height);
  return FALSE;
}

/* A crop of W×H from im at native scale; an image smaller than W×H is first
 * enlarged (aspect kept) just enough to cover it. */
static void
crop_window (AdiffDataset *ds, const AdiffIoImage *im, gboolean random, GRand *rand,
             float *dst)
{
  guint w = im->width, h = im->height, c = ds->channels;
  g_autofree float *scaled = NULL;
  const float *src = im->data;

  if (w < ds->width || h < ds->height)
    {
      double f = MAX ((double) ds->width / w, (double) ds->height / h);
      guint nw = MAX (ds->width, (guint) ceil (w * f - 1e-9));
      guint nh = MAX (ds->height, (guint) ceil (h * f - 1e-9));
      scaled = g_new (float, (gsize) nw * nh * c);
      adiff_io_resample (im->data, w, h, c, scaled, nw, nh);
      src = scaled;
      w = nw;
      h = nh;
    }
  guint x0 = (w - ds->width) / 2, y0 = (h - ds->height) / 2;
  if (random)
    {
      x0 = (guint) g_rand_int_range (rand, 0, (gint32) (w - ds->width + 1));
      y0 = (guint) g_rand_int_range (rand, 0, (gint32) (h - ds->height + 1));
    }
  adiff_io_crop (src, w, c, x0, y0, ds->width, ds->height, dst);
}

static gboolean
make_window (AdiffDataset *ds, const AdiffIoImage *im, GRand *rand, float *dst,
             const char *name, GError **error)
{
  if (ds->options.patches_per_image > 0)
    {
      if (im->width < ds->width || im->height < ds->height)
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                       _("“%s” (%u×%u) is smaller than the %u×%u patches"),
                       name, im->width, im->height, ds->width, ds->height);
          return FALSE;
        }
      guint x0 = (guint) g_rand_int_range (rand, 0, (gint32) (im->width - ds->width + 1));
      guint y0 = (guint) g_rand_int_range (rand, 0, (gint32) (im->height - ds->height + 1));
      adiff_io_crop (im->data, im->width, ds->channels, x0, y0, ds->width, ds->height, dst);
      return TRUE;
    }
  switch (ds->options.width == 0 ? ADIFF_FIT_NONE : ds->options.fit)
    {
    case ADIFF_FIT_RESIZE:
      adiff_io_resample (im->data, im->width, im->height, ds->channels,
                         dst, ds->width, ds->height);
      return TRUE;
    case ADIFF_FIT_CENTER_CROP:
    case ADIFF_FIT_RANDOM_CROP:
      crop_window (ds, im, ds->options.fit == ADIFF_FIT_RANDOM_CROP, rand, dst);
      return TRUE;
    default:
      if (!check_same_size (ds, im, name, error))
        return FALSE;
      memcpy (dst, im->data, ds->dim * sizeof (float));
      return TRUE;
    }
}

/* x += γ·c·s with c uniform in [−1,1] per channel, drawn per output item. */
static void
inject (AdiffDataset *ds, float *item, GRand *rand)
{
  double c[3];
  gsize pixels = (gsize) ds->width * ds->height;

  for (guint k = 0; k < ds->channels; k++)
    c[k] = g_rand_double_range (rand, -1.0, 1.0) * ds->options.inject_gamma;
  for (gsize p = 0; p < pixels; p++)
    if (ds->mask[p] > 0)
      for (guint k = 0; k < ds->channels; k++)
        item[p * ds->channels + k] += (float) c[k];
}

static GRand *
item_rand (guint64 seed, guint64 index)
{
  guint32 words[4] = { (guint32) seed, (guint32) (seed >> 32),
                       (guint32) index, (guint32) (index >> 32) };
  return g_rand_new_with_seed_array (words, 4);
}

static void
run_job (Job *job)
{
  AdiffDataset *ds = job->dataset;
  guint windows = MAX (ds->options.patches_per_image, 1);

  if (job->path && !adiff_io_image_load (job->path, &job->image, &job->error))
    {
      job->bad_file = TRUE;
      return;
    }
  g_clear_pointer (&job->image.alpha, g_free);
  if (!convert_color (ds, &job->image, job->name, &job->error))
    return;
  /* Seeding a GRand costs as much as decoding a small JPEG: only when a
   * random choice is to be made. */
  gboolean random = ds->options.patches_per_image > 0 || ds->mask ||
                    (ds->options.width != 0 && ds->options.fit == ADIFF_FIT_RANDOM_CROP);
  GRand *rand = random ? item_rand (ds->options.seed, job->raw_index) : NULL;
  for (guint k = 0; k < windows; k++)
    {
      float *dst = job->out + (gsize) job->n_out * ds->dim;
      if (!make_window (ds, &job->image, rand, dst, job->name, &job->error))
        break;
      job->n_out++;
      if (ds->options.augment_hflip)
        {
          adiff_io_hflip (dst, ds->width, ds->height, ds->channels, dst + ds->dim);
          job->n_out++;
        }
    }
  if (ds->mask && !job->error)
    for (guint i = 0; i < job->n_out; i++)
      inject (ds, job->out + (gsize) i * ds->dim, rand);
  g_clear_pointer (&rand, g_rand_free);
  adiff_io_image_clear (&job->image);
}

static void
pool_worker (gpointer data, gpointer user_data)
{
  Job *job = data;
  AdiffDataset *ds = user_data;

  run_job (job);
  g_mutex_lock (&ds->lock);
  if (--ds->remaining == 0)
    g_cond_signal (&ds->done);
  g_mutex_unlock (&ds->lock);
}

/* ---- Batches ----------------------------------------------------------------- */

static void
job_clear (Job *job)
{
  adiff_io_image_clear (&job->image);
  g_free (job->path);
  g_free (job->name);
  g_free (job->out);
  g_clear_error (&job->error);
}

/* Serial part: each source hands out its items in order. */
static gboolean
fetch_job (AdiffDataset *ds, guint64 raw, Job *job, GError **error)
{
  while (raw >= ds->starts[ds->source_index + 1])
    ds->source_index++;
  AdiffSource *source = ds->sources->pdata[ds->source_index];
  guint64 local = raw - ds->starts[ds->source_index];

  job->dataset = ds;
  job->raw_index = raw;
  job->label = -1;
  if (!source->klass->fetch (source, local, &job->image, &job->path, &job->label, error))
    return FALSE;
  job->name = job->path ? g_strdup (job->path) :
    g_strdup_printf (_("%s, item %llu"), source->path, (unsigned long long) local);
  job->out = g_new (float, (gsize) ds->outs_per_raw * ds->dim);
  return TRUE;
}

/* Start the jobs: on the pool when there is decoding to do (folders), else
 * right here.  Threads only pay off for decoding. */
static void
start_jobs (AdiffDataset *ds, Job *jobs, guint n)
{
  gboolean decoding = FALSE;
  for (guint i = 0; i < n; i++)
    decoding |= jobs[i].path != NULL;
  if (!ds->pool && ds->n_threads > 1 && decoding)
    ds->pool = g_thread_pool_new (pool_worker, ds, (gint) ds->n_threads, FALSE, NULL);
  if (!ds->pool || !decoding)
    {
      for (guint i = 0; i < n; i++)
        run_job (&jobs[i]);
      return;
    }
  g_mutex_lock (&ds->lock);
  ds->remaining += n;
  g_mutex_unlock (&ds->lock);
  for (guint i = 0; i < n; i++)
    g_thread_pool_push (ds->pool, &jobs[i], NULL);
}

static void
wait_jobs (AdiffDataset *ds)
{
  g_mutex_lock (&ds->lock);
  while (ds->remaining > 0)
    g_cond_wait (&ds->done, &ds->lock);
  g_mutex_unlock (&ds->lock);
}

/* Move the outputs of the jobs, in order, to the pending buffer. */
static gboolean
collect (AdiffDataset *ds, Job *jobs, guint n, GError **error)
{
  ds->pending_n = ds->pending_pos = 0;
  for (guint i = 0; i < n; i++)
    {
      Job *job = &jobs[i];
      if (job->error && job->bad_file && ds->options.skip_bad)
        {
          g_ptr_array_add (ds->skipped, g_strdup (job->path));
          continue;
        }
      if (job->error)
        {
          g_propagate_error (error, g_steal_pointer (&job->error));
          return FALSE;
        }
      memcpy (ds->pending + ds->pending_n * ds->dim, job->out,
              (gsize) job->n_out * ds->dim * sizeof (float));
      for (guint k = 0; k < job->n_out; k++)
        ds->pending_labels[ds->pending_n + k] = job->label;
      ds->pending_n += job->n_out;
    }
  return TRUE;
}

static guint
batch_size (AdiffDataset *ds, gsize wanted)
{
  gsize item_bytes = (gsize) ds->outs_per_raw * ds->dim * sizeof (float);
  guint64 n = (wanted + ds->outs_per_raw - 1) / ds->outs_per_raw;

  n = MAX (n, 2 * (guint64) ds->n_threads);
  n = MIN (n, MAX_BATCH_ITEMS);
  n = MIN (n, MAX (1, MAX_BATCH_BYTES / item_bytes));
  return (guint) MIN (n, ds->n_raw - ds->next_raw);
}

static void
free_jobs (Job *jobs, guint n)
{
  for (guint i = 0; i < n; i++)
    job_clear (&jobs[i]);
  g_free (jobs);
}

/* Fetch the next batch (serially, in order) and start decoding it.  A
 * fetch error is kept in ds->deferred and reported when the batch is due,
 * so that items before it are still delivered. */
static void
start_batch (AdiffDataset *ds, gsize wanted)
{
  guint n = batch_size (ds, wanted), fetched = 0;
  Job *jobs = g_new0 (Job, n);

  for (; fetched < n; fetched++)
    if (!fetch_job (ds, ds->next_raw + fetched, &jobs[fetched], &ds->deferred))
      break;
  start_jobs (ds, jobs, fetched);
  ds->next_raw += fetched;
  ds->batch = jobs;
  ds->batch_n = fetched;
}

void
adiff_dataset_finish_batch (AdiffDataset *ds)
{
  if (!ds->batch)
    return;
  wait_jobs (ds);
  free_jobs (ds->batch, ds->batch_n);
  ds->batch = NULL;
  ds->batch_n = 0;
}

/* Deliver the batch in flight (starting one if none) to the pending
 * buffer, then start decoding the next one in the background so that it
 * overlaps with whatever the caller does with these items. */
static gboolean
run_batch (AdiffDataset *ds, gsize wanted, GError **error)
{
  if (!ds->batch && !ds->deferred)
    start_batch (ds, wanted);
  wait_jobs (ds);
  Job *jobs = ds->batch;
  guint n = ds->batch_n;
  ds->batch = NULL;
  ds->batch_n = 0;

  g_free (ds->pending);
  g_free (ds->pending_labels);
  ds->pending = g_new (float, (gsize) n * ds->outs_per_raw * ds->dim);
  ds->pending_labels = g_new (gint32, (gsize) n * ds->outs_per_raw);
  gboolean ok = collect (ds, jobs, n, error);
  free_jobs (jobs, n);
  if (ok && ds->deferred)
    {
      /* Items before the failure have been collected: deliver them first. */
      if (ds->pending_n > 0)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&ds->deferred));
      return FALSE;
    }
  if (ok && ds->pool && ds->next_raw < ds->n_raw)
    start_batch (ds, wanted);
  return ok;
}

gsize
adiff_dataset_read (AdiffDataset *ds, float *items, gint32 *labels, gsize max,
                    GError **error)
{
  gsize done = 0;

  g_return_val_if_fail (ds && (items || max == 0), 0);
  if (ds->failed)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("%s: reading already failed"), ds->description);
      return 0;
    }
  while (done < max)
    {
      if (ds->pending_pos < ds->pending_n)
        {
          gsize n = MIN (max - done, ds->pending_n - ds->pending_pos);
          memcpy (items + done * ds->dim, ds->pending + ds->pending_pos * ds->dim,
                  n * ds->dim * sizeof (float));
          if (labels)
            memcpy (labels + done, ds->pending_labels + ds->pending_pos, n * sizeof (gint32));
          done += n;
          ds->pending_pos += n;
          continue;
        }
      if (ds->next_raw >= ds->n_raw && !ds->batch && !ds->deferred)
        break;
      if (!run_batch (ds, max - done, error))
        {
          ds->failed = TRUE;
          return 0;
        }
    }
  return done;
}
