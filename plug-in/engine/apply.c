/* apply.c — pixels in, libadiff, pixels out.
 *
 * The drawable is read through GEGL as float in its own colour space
 * (perceptual R'G'B' or Y', whatever the precision), in strips handed to
 * adiff_denoise_rows(); finished rows go into the shadow buffer, and only
 * when every row is done is the shadow merged — so a failure or a cancel
 * leaves the layer as it was, and success is one undo step.  GIMP merges
 * the shadow through the selection mask, which is what makes feathered
 * selections blend.
 *
 * The photo model needs its whole region at once: it is read in one
 * piece, denoised and written back in strips the same way.
 *
 * With a selection, the denoiser reads up to one window beyond the
 * selection's bounds, clipped to the layer, so pixels at the selection
 * edge see their real neighbours, not a mirrored copy; only the bounds are
 * written.  The photo model reads what libadiff's region form names and
 * gives there exactly the whole layer's pixels.  Alpha is never
 * touched: the output rows take their alpha from the source.
 *
 * Pixels travel as floats with alpha (pixel-io.c); the colour is picked
 * out here for the library. */
#include "config.h"
#include "engine/apply.h"
#include "engine/pixel-io.h"

#if defined (HAVE_OPENBLAS_SET_NUM_THREADS) && defined (HAVE_OPENBLAS_GET_NUM_THREADS)
void openblas_set_num_threads (int n);
int  openblas_get_num_threads (void);
#endif

typedef struct
{
  GeglBuffer   *src, *dst;    /* dst NULL: results go to out */
  float        *out;         /* inner-sized, with alpha */
  PluginPixelIO io;
  guint         channels;    /* colour channels */
  guint         n_floats;    /* floats per pixel: channels + alpha */
  GeglRectangle outer;       /* region the denoiser sees */
  GeglRectangle inner;       /* region written */
  double        strength;
  float        *rows;        /* rows with alpha (scratch) */
  gsize         rows_cap;    /* rows buffer size in floats */
  gboolean      show_progress;
  GCancellable *cancellable;  /* may be NULL */
  double        last_progress;
  gint64        last_update;  /* monotonic µs of the last forwarded update */
  PluginTiming *timing;      /* may be NULL */
} Strip;

/* Make s->rows hold n_rows rows of width pixels with alpha. */
static gboolean
strip_reserve (Strip *s, gsize n_rows, gsize width, GError **error)
{
  gsize n;

  if (! g_size_checked_mul (&n, n_rows, width) ||
      ! g_size_checked_mul (&n, n, s->n_floats) ||
      n > G_MAXSIZE / sizeof (float))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT, _("Layer too large"));
      return FALSE;
    }
  if (n > s->rows_cap)
    {
      g_free (s->rows);
      s->rows = g_try_new (float, n);
      s->rows_cap = s->rows != NULL ? n : 0;
      if (s->rows == NULL)
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT, _("Not enough memory"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
strip_read_rows (Strip *s, guint y, guint n_rows, float *buf, GError **error)
{
  GeglRectangle r = { s->outer.x, s->outer.y + (gint) y, s->outer.width, (gint) n_rows };
  gsize n = (gsize) n_rows * s->outer.width;

  if (! strip_reserve (s, n_rows, s->outer.width, error))
    return FALSE;
  if (! plugin_pixel_io_fetch (&s->io, s->src, &r, GEGL_ABYSS_NONE, s->rows))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT, _("Not enough memory"));
      return FALSE;
    }
  plugin_drop_alpha (s->rows, n, s->channels);
  memcpy (buf, s->rows, n * s->channels * sizeof (float));
  return TRUE;
}

static gboolean
strip_read (guint y, guint n_rows, float *buf, gpointer data, GError **error)
{
  Strip *s = data;
  gint64 t0 = plugin_timing_now ();
  gboolean ok = strip_read_rows (s, y, n_rows, buf, error);

  plugin_timing_add (s->timing, PLUGIN_PHASE_READ, t0);
  return ok;
}

/* Rows [y, y+n) of the outer region are done: blend the part inside the
 * inner region with the source by strength and keep the source alpha. */
static gboolean
strip_write_rows (Strip *s, guint y, guint n_rows, const float *buf, GError **error)
{
  gint top = MAX ((gint) y, s->inner.y - s->outer.y);
  gint bottom = MIN ((gint) (y + n_rows), s->inner.y + s->inner.height - s->outer.y);
  gint dx = s->inner.x - s->outer.x;
  GeglRectangle r;

  if (top >= bottom)
    return TRUE;
  if (! strip_reserve (s, bottom - top, s->inner.width, error))
    return FALSE;
  r = (GeglRectangle) { s->inner.x, s->outer.y + top, s->inner.width, bottom - top };
  if (! plugin_pixel_io_fetch (&s->io, s->src, &r, GEGL_ABYSS_NONE, s->rows))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT, _("Not enough memory"));
      return FALSE;
    }

  for (gint row = top; row < bottom; row++)
    {
      const float *est = buf + ((gsize) (row - (gint) y) * s->outer.width + dx) * s->channels;
      float *px = s->rows + (gsize) (row - top) * s->inner.width * s->n_floats;

      for (gint x = 0; x < s->inner.width; x++, px += s->n_floats, est += s->channels)
        for (guint c = 0; c < s->channels; c++)
          px[c] += (float) (s->strength * (est[c] - px[c]));
    }
  if (s->dst == NULL)
    {
      gsize row_len = (gsize) s->inner.width * s->n_floats;
      memcpy (s->out + (gsize) (r.y - s->inner.y) * row_len, s->rows,
              (gsize) r.height * row_len * sizeof (float));
      return TRUE;
    }
  if (! plugin_pixel_io_store (&s->io, s->dst, &r, s->rows))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT, _("Not enough memory"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
strip_write (guint y, guint n_rows, const float *buf, gpointer data, GError **error)
{
  Strip *s = data;
  gint64 t0 = plugin_timing_now ();
  gboolean ok = strip_write_rows (s, y, n_rows, buf, error);

  plugin_timing_add (s->timing, PLUGIN_PHASE_WRITE, t0);
  return ok;
}

/* Forward progress to GIMP every 1 %, or every half second when 1 % takes
 * longer (the exemplar models on big layers), so that the bar moves and a
 * refused update (the user cancelled) stops the library promptly.  Each
 * update is a PDB round trip, hence not more often. */
static gboolean
strip_progress (double fraction, gpointer data)
{
  Strip *s = data;
  gint64 now = g_get_monotonic_time (), t0;
  gboolean ok;

  if (g_cancellable_is_cancelled (s->cancellable))
    return FALSE;
  if (! s->show_progress ||
      (fraction - s->last_progress < 0.01 && now - s->last_update < G_USEC_PER_SEC / 2))
    return TRUE;
  s->last_progress = fraction;
  s->last_update = now;
  t0 = plugin_timing_now ();
  ok = gimp_progress_update (fraction);
  plugin_timing_add (s->timing, PLUGIN_PHASE_PROGRESS, t0);
  return ok;
}

/* rect grown by mx, my on each side, inside the width × height drawable. */
static GeglRectangle
grow_inside (gint width, gint height, const GeglRectangle *rect, gint mx, gint my)
{
  gint x0 = MAX (0, rect->x - mx);
  gint y0 = MAX (0, rect->y - my);
  gint x1 = MIN (width, rect->x + rect->width + mx);
  gint y1 = MIN (height, rect->y + rect->height + my);

  return (GeglRectangle) { x0, y0, x1 - x0, y1 - y0 };
}

GeglRectangle
plugin_window_context (gint width, gint height, const GeglRectangle *rect, AdiffBundle *bundle)
{
  return grow_inside (width, height, rect, (gint) adiff_bundle_get_width (bundle),
                      (gint) adiff_bundle_get_height (bundle));
}

GeglRectangle
plugin_photo_context (const AdiffPhotoParams *params, gint width, gint height,
                      const GeglRectangle *rect)
{
  AdiffRect region = { rect->x, rect->y, rect->width, rect->height }, input;

  adiff_photo_region_input (params, width, height, &region, &input);
  return (GeglRectangle) { input.x, input.y, input.width, input.height };
}

static GeglRectangle
model_context (const PluginModel *model, gint width, gint height, const GeglRectangle *rect)
{
  if (model->denoiser == NULL)
    return plugin_photo_context (&model->photo, width, height, rect);
  return plugin_window_context (width, height, rect, adiff_denoiser_get_bundle (model->denoiser));
}

void
plugin_source_init (PluginSource *source, GimpDrawable *drawable)
{
  source->src = gimp_drawable_get_buffer (drawable);
  source->width = gimp_drawable_get_width (drawable);
  source->height = gimp_drawable_get_height (drawable);
  plugin_pixel_io_init (&source->io, drawable);
}

/* The drawable's buffer fetches its tiles from GIMP over the plug-in's
 * pipe, which only the main thread may use: a worker gets a copy. */
void
plugin_source_init_detached (PluginSource *source, GimpDrawable *drawable,
                             const GeglRectangle *outer)
{
  GeglBuffer *buffer;

  plugin_source_init (source, drawable);
  buffer = gegl_buffer_new (outer, gegl_buffer_get_format (source->src));
  gegl_buffer_copy (source->src, outer, GEGL_ABYSS_NONE, buffer, outer);
  g_object_unref (source->src);
  source->src = buffer;
}

void
plugin_source_clear (PluginSource *source)
{
  g_clear_object (&source->src);
  plugin_pixel_io_clear (&source->io);
}

/* The photo model's worker threads each call BLAS for small products:
 * BLAS's own threads on top of them would only compete (as in adiff). */
static int
blas_single_thread (void)
{
#if defined (HAVE_OPENBLAS_SET_NUM_THREADS) && defined (HAVE_OPENBLAS_GET_NUM_THREADS)
  int before = openblas_get_num_threads ();
  openblas_set_num_threads (1);
  return before;
#else
  return 0;
#endif
}

static void
blas_threads_restore (int n)
{
#if defined (HAVE_OPENBLAS_SET_NUM_THREADS) && defined (HAVE_OPENBLAS_GET_NUM_THREADS)
  if (n > 0)
    openblas_set_num_threads (n);
#endif
}

/* Rows written back per strip after the photo model. */
#define PHOTO_WRITE_ROWS 64

/* The photo model (under camera noise through its transform) on the
 * width × height drawable, whose outer part px holds: in place on the whole
 * drawable, else the inner region through the region form, put back into
 * px where strip_write takes it. */
static gboolean
photo_denoise (Strip *s, const PluginModel *model, gint width, gint height, float *px,
               GError **error)
{
  AdiffRect input = { s->outer.x, s->outer.y, s->outer.width, s->outer.height };
  AdiffRect region = { s->inner.x, s->inner.y, s->inner.width, s->inner.height };
  gsize w = s->outer.width, row = (gsize) region.width * s->channels;
  g_autofree float *out = NULL;
  gboolean ok;

  if (s->inner.width == width && s->inner.height == height)
    return model->camera
           ? adiff_noise_denoise (&model->photo, &model->noise, model->photo_bundle, px,
                                  w, s->outer.height, s->channels, px, strip_progress, s, error)
           : adiff_photo_denoise (&model->photo, model->photo_bundle, px, w, s->outer.height,
                                  s->channels, px, strip_progress, s, error);
  out = g_try_new (float, row * region.height);
  if (out == NULL)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT, _("Not enough memory"));
      return FALSE;
    }
  ok = model->camera
       ? adiff_noise_denoise_region (&model->photo, &model->noise, model->photo_bundle, width,
                                     height, s->channels, px, &input, out, &region,
                                     strip_progress, s, error)
       : adiff_photo_denoise_region (&model->photo, model->photo_bundle, width, height,
                                     s->channels, px, &input, out, &region, strip_progress, s,
                                     error);
  for (guint y = 0; ok && y < region.height; y++)
    memcpy (px + ((gsize) (region.y - input.y + y) * w + region.x - input.x) * s->channels,
            out + y * row, row * sizeof (float));
  return ok;
}

/* The photo model needs its input at once: read it (colour only, in place
 * of the alpha), denoise it, and write the region back in strips through
 * the same blend as the models that stream rows. */
static gboolean
strip_run_photo (Strip *s, const PluginModel *model, gint width, gint height, GError **error)
{
  gsize w = s->outer.width, h = s->outer.height, n, len;
  gint64 t0 = plugin_timing_now ();
  g_autofree float *px = NULL;
  gboolean ok;
  int blas;

  if (! g_size_checked_mul (&n, w, h) || ! g_size_checked_mul (&len, n, s->n_floats) ||
      len > G_MAXSIZE / sizeof (float))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT, _("Layer too large"));
      return FALSE;
    }
  px = g_try_new (float, len);
  if (px == NULL || ! plugin_pixel_io_fetch (&s->io, s->src, &s->outer, GEGL_ABYSS_NONE, px))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT, _("Not enough memory"));
      return FALSE;
    }
  plugin_drop_alpha (px, n, s->channels);
  plugin_timing_add (s->timing, PLUGIN_PHASE_READ, t0);

  blas = blas_single_thread ();
  ok = photo_denoise (s, model, width, height, px, error);
  blas_threads_restore (blas);
  for (gsize y = 0; ok && y < h; y += PHOTO_WRITE_ROWS)
    ok = strip_write (y, MIN (PHOTO_WRITE_ROWS, h - y), px + y * w * s->channels, s, error);
  return ok;
}

gboolean
plugin_apply_source (PluginSource *source, const PluginModel *model,
                     const GeglRectangle *rect, GeglBuffer *dst, float *out,
                     const PluginApplyOptions *options, GError **error)
{
  Strip s = { 0 };
  gboolean ok;
  gint64 t0 = plugin_timing_now ();
  gint64 io_before = 0;

  s.inner = *rect;
  s.outer = model_context (model, source->width, source->height, &s.inner);
  s.io = source->io;
  s.channels = s.io.channels;
  s.n_floats = s.channels + 1;
  s.strength = options->strength;
  s.show_progress = options->show_progress;
  s.cancellable = options->cancellable;
  s.src = source->src;
  s.dst = dst;
  s.out = out;
  s.timing = options->timing;
  if (s.timing != NULL)
    io_before = s.timing->us[PLUGIN_PHASE_READ] + s.timing->us[PLUGIN_PHASE_WRITE] +
                s.timing->us[PLUGIN_PHASE_PROGRESS];

  ok = model->denoiser == NULL
       ? strip_run_photo (&s, model, source->width, source->height, error)
       : adiff_denoise_rows (model->denoiser, s.outer.width, s.outer.height, s.channels,
                             strip_read, strip_write, &s, strip_progress, &s, error);
  /* Library time: the whole call minus the callbacks'. */
  plugin_timing_add (s.timing, PLUGIN_PHASE_DENOISE, t0);
  if (s.timing != NULL)
    s.timing->us[PLUGIN_PHASE_DENOISE] -= s.timing->us[PLUGIN_PHASE_READ] +
                                         s.timing->us[PLUGIN_PHASE_WRITE] +
                                         s.timing->us[PLUGIN_PHASE_PROGRESS] - io_before;
  g_free (s.rows);
  /* The scratch of the pixel I/O may have grown: keep it with the source. */
  source->io = s.io;
  return ok;
}

gboolean
plugin_apply_model (GimpDrawable *drawable, const PluginModel *model,
                       const PluginApplyOptions *options, GError **error)
{
  PluginSource source;
  GeglRectangle rect;
  GeglBuffer *shadow;
  gboolean ok;
  gint64 t0;

  /* Nothing of this drawable is selected: nothing to do. */
  if (! gimp_drawable_mask_intersect (drawable, &rect.x, &rect.y, &rect.width, &rect.height))
    return TRUE;

  plugin_source_init (&source, drawable);
  shadow = gimp_drawable_get_shadow_buffer (drawable);
  ok = plugin_apply_source (&source, model, &rect, shadow, NULL, options, error);
  plugin_source_clear (&source);
  t0 = plugin_timing_now ();
  if (ok)
    gegl_buffer_flush (shadow);
  g_object_unref (shadow);

  if (! ok)
    {
      gimp_drawable_free_shadow (drawable);
      return FALSE;
    }
  gimp_drawable_merge_shadow (drawable, TRUE);
  gimp_drawable_update (drawable, rect.x, rect.y, rect.width, rect.height);
  plugin_timing_add (options->timing, PLUGIN_PHASE_MERGE, t0);
  return TRUE;
}
