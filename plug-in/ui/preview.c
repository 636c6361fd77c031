/* preview.c — the denoisers' live preview: the visible region denoised
 * with the dialog's current arguments, with the σ used (or the error) in a
 * line under it.  It goes through the same job and pixel routine as the
 * final run (engine/job.c, plugin_apply_source), so it shows what OK
 * will write.
 *
 * The dialog never waits for it.  A change of an argument cancels the
 * computation under way at once and asks for a new one after a pause of
 * PREVIEW_DEBOUNCE_MS (a slider being dragged asks once); "Computing…"
 * shows over the stale picture meanwhile.  The main thread reads what the
 * computation needs from GIMP (the arguments, σ or the camera noise of the
 * whole layer, measured once, a copy of the visible pixels and what the
 * model reads around them) into a Request; one worker thread
 * builds the denoiser and denoises it; the result comes back to the main
 * thread, which draws it unless a newer request was made since.  The
 * worker honours cancellation between chunks of windows (the library's
 * progress callback); building a denoiser cannot be interrupted, so the
 * worker keeps the last one and reuses it when only the strength or the
 * visible area changed. */
#include "config.h"
#include "ui/preview.h"
#include "ui/test-hook.h"
#include "engine/apply.h"
#include "engine/pixel-io.h"
#include "engine/timing.h"

#define PREVIEW_DEBOUNCE_MS 150

/* What the worker thread owns: the last denoiser it built. */
typedef struct
{
  PluginJobSpec spec;
  PluginJob     job;
  gboolean      built;   /* job was built from spec */
} Worker;

typedef struct
{
  GimpProcedureConfig *config;
  GimpDrawable        *drawable;
  PluginParamsFunc     params_func;
  PluginJobCache       cache;
  GtkWidget           *preview;
  GtkWidget           *message;   /* under the preview: σ used, or the error */
  GtkWidget           *busy;      /* "Computing…" over the preview */
  guint                debounce_id;
  guint                serial;    /* of the newest request */
  GCancellable        *newest;    /* its cancellable */
  GThreadPool         *pool;      /* one thread: requests run in turn */
  Worker               worker;    /* the pool's thread only */
} Preview;

/* One computation: made on the main thread, run by the worker, handed
 * back to the main thread. */
typedef struct
{
  GWeakRef      preview;       /* the GimpPreview widget, gone if closed */
  Worker       *worker;
  guint         serial;
  GCancellable *cancellable;
  PluginJobSpec spec;
  PluginSource  source;
  GeglRectangle rect;
  guint         bpp;
  guint8       *pixels;        /* result, u8 in the drawable's layout */
  GError       *error;
} Request;

static void
request_free (Request *r)
{
  g_weak_ref_clear (&r->preview);
  g_object_unref (r->cancellable);
  plugin_job_spec_clear (&r->spec);
  plugin_source_clear (&r->source);
  g_free (r->pixels);
  g_clear_error (&r->error);
  g_free (r);
}

static void
preview_message (Preview *p, const char *text, gboolean error)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_autofree char *markup = error ? g_strdup_printf ("<span foreground=\"#c01c28\">%s</span>", escaped)
                                  : g_strdup (escaped);
  gtk_label_set_markup (GTK_LABEL (p->message), markup);
}

/* Worker thread: the denoiser (the last one when it fits), then the
 * visible region, as u8 for GimpPreview. */
static gboolean
request_compute (Request *r, GError **error)
{
  Worker *w = r->worker;
  PluginApplyOptions options = { r->spec.strength, FALSE, NULL, r->cancellable };
  gsize n_px = (gsize) r->rect.width * r->rect.height;
  guint channels = r->source.io.channels;
  g_autofree float *out = NULL;

  if (! w->built || ! plugin_job_spec_same_denoiser (&w->spec, &r->spec))
    {
      plugin_job_clear (&w->job);
      plugin_job_spec_clear (&w->spec);
      w->built = FALSE;
      if (! plugin_job_build (&w->job, &r->spec, error))
        return FALSE;
      w->spec = r->spec;
      w->spec.bundle = r->spec.bundle != NULL ? adiff_bundle_ref (r->spec.bundle) : NULL;
      w->built = TRUE;
    }
  if (g_cancellable_set_error_if_cancelled (r->cancellable, error))
    return FALSE;
  out = g_try_new (float, n_px * (channels + 1));
  if (out == NULL)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT, _("Not enough memory"));
      return FALSE;
    }
  if (! plugin_apply_source (&r->source, &w->job.model, &r->rect, NULL, out, &options, error))
    return FALSE;
  r->pixels = g_malloc (n_px * r->bpp);
  plugin_u8_from_float (out, channels + 1, r->pixels, r->bpp, r->bpp, n_px);
  return TRUE;
}

/* The line under the preview: the σ used, or the camera noise's range. */
static char *
request_noise_text (const Request *r)
{
  double sigma = r->spec.params.sigma * 255.0, black, white;

  if (! r->spec.noise.camera)
    return r->spec.estimated ? g_strdup_printf (_("Preview: σ = %.1f (estimated)"), sigma)
                             : g_strdup_printf (_("Preview: σ = %.1f"), sigma);
  plugin_noise_range_255 (&r->spec.noise.model, &black, &white);
  return r->spec.estimated
         ? g_strdup_printf (_("Preview: camera noise, σ = %.1f in black to %.1f in white "
                              "(measured)"), black, white)
         : g_strdup_printf (_("Preview: camera noise, σ = %.1f in black to %.1f in white"),
                            black, white);
}

/* Main thread: draw the result unless it is outdated or the dialog gone. */
static gboolean
request_deliver (gpointer data)
{
  Request *r = data;
  g_autoptr (GtkWidget) widget = g_weak_ref_get (&r->preview);
  Preview *p = widget != NULL ? g_object_get_data (G_OBJECT (widget), "adiff-preview") : NULL;

  if (p == NULL || r->serial != p->serial || g_cancellable_is_cancelled (r->cancellable))
    {
      plugin_test_log ("preview %u cancelled", r->serial);
      request_free (r);
      return G_SOURCE_REMOVE;
    }
  gtk_widget_hide (p->busy);
  if (r->error != NULL)
    preview_message (p, r->error->message, TRUE);
  else
    {
      g_autofree char *text = request_noise_text (r);
      gimp_preview_draw_buffer (GIMP_PREVIEW (p->preview), r->pixels, r->rect.width * r->bpp);
      preview_message (p, text, FALSE);
    }
  plugin_test_log ("preview %u shown", r->serial);
  request_free (r);
  return G_SOURCE_REMOVE;
}

static void
request_run (gpointer data, gpointer pool_data)
{
  Request *r = data;

  if (! g_cancellable_is_cancelled (r->cancellable))
    {
      /* CPU time, for the GUI tests on a loaded machine. */
      double cpu = plugin_timing_cpu_seconds ();

      plugin_test_log ("preview %u start", r->serial);
      if (! request_compute (r, &r->error))
        plugin_test_log ("preview %u stopped: %s", r->serial, r->error->message);
      else
        plugin_test_log ("preview %u computed cpu %.3f", r->serial,
                         plugin_timing_cpu_seconds () - cpu);
    }
  g_idle_add (request_deliver, r);
}

/* Outdated: stop the computation under way, show that a new one comes. */
static void
preview_outdate (Preview *p)
{
  if (p->newest != NULL)
    g_cancellable_cancel (p->newest);
  g_clear_object (&p->newest);
  p->serial++;
  gtk_widget_show (p->busy);
}

/* Read what the worker needs from GIMP and hand it over. */
static void
preview_request (Preview *p)
{
  GimpPreview *preview = GIMP_PREVIEW (p->preview);
  g_autoptr (GError) error = NULL;
  Request *r = g_new0 (Request, 1);
  GeglRectangle outer;

  preview_outdate (p);
  g_weak_ref_init (&r->preview, p->preview);
  r->worker = &p->worker;
  r->serial = p->serial;
  r->cancellable = g_cancellable_new ();
  p->newest = g_object_ref (r->cancellable);
  gimp_preview_get_position (preview, &r->rect.x, &r->rect.y);
  gimp_preview_get_size (preview, &r->rect.width, &r->rect.height);
  if (! plugin_job_spec_read (&r->spec, p->drawable, p->config, p->params_func, &p->cache, &error))
    {
      gtk_widget_hide (p->busy);
      preview_message (p, error->message, TRUE);
      request_free (r);
      return;
    }
  outer = plugin_job_spec_context (&r->spec, p->drawable, &r->rect);
  plugin_source_init_detached (&r->source, p->drawable, &outer);
  r->bpp = r->source.io.channels + (gimp_drawable_has_alpha (p->drawable) ? 1 : 0);
  plugin_test_log ("preview %u request %dx%d", r->serial, r->rect.width, r->rect.height);
  g_thread_pool_push (p->pool, r, NULL);
}

static gboolean
debounce_done (gpointer data)
{
  Preview *p = data;

  p->debounce_id = 0;
  if (gimp_preview_get_update (GIMP_PREVIEW (p->preview)))
    preview_request (p);
  else
    gtk_widget_hide (p->busy);
  return G_SOURCE_REMOVE;
}

static void
config_changed (GObject *config, GParamSpec *pspec, GtkWidget *widget)
{
  Preview *p = g_object_get_data (G_OBJECT (widget), "adiff-preview");

  preview_outdate (p);
  if (p->debounce_id != 0)
    g_source_remove (p->debounce_id);
  p->debounce_id = g_timeout_add (PREVIEW_DEBOUNCE_MS, debounce_done, p);
}

/* GimpPreview's own "invalidated" (scrolled, switched on), already
 * delayed by the widget. */
static void
preview_invalidated (GimpPreview *preview, Preview *p)
{
  preview_request (p);
}

/* At the widget's end: stop the worker (it stops within a chunk of
 * windows, or when the denoiser it builds is done) and wait for it. */
static void
preview_free (Preview *p)
{
  if (p->debounce_id != 0)
    g_source_remove (p->debounce_id);
  if (p->newest != NULL)
    g_cancellable_cancel (p->newest);
  g_clear_object (&p->newest);
  g_thread_pool_free (p->pool, FALSE, TRUE);
  plugin_job_clear (&p->worker.job);
  plugin_job_spec_clear (&p->worker.spec);
  plugin_job_cache_clear (&p->cache);
  g_free (p);
}

/* "Computing…" in a dark box over the top of the preview. */
static GtkWidget *
busy_label_new (void)
{
  static const char css[] =
    "label { background-color: rgba(0,0,0,0.65); color: white; "
    "padding: 4px 10px; border-radius: 4px; }";
  g_autoptr (GtkCssProvider) provider = gtk_css_provider_new ();
  GtkWidget *label = gtk_label_new (_("Computing…"));

  gtk_css_provider_load_from_data (provider, css, -1, NULL);
  gtk_style_context_add_provider (gtk_widget_get_style_context (label),
                                  GTK_STYLE_PROVIDER (provider),
                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_widget_set_halign (label, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (label, GTK_ALIGN_START);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_no_show_all (label, TRUE);
  return label;
}

void
plugin_preview_add (GimpProcedureConfig *config, GimpDrawable *drawable,
                    PluginParamsFunc params_func, GtkWidget *content)
{
  Preview *p = g_new0 (Preview, 1);
  GtkWidget *overlay = gtk_overlay_new ();

  p->config = config;
  p->drawable = drawable;
  p->params_func = params_func;
  p->preview = gimp_drawable_preview_new_from_drawable (drawable);
  p->busy = busy_label_new ();
  p->pool = g_thread_pool_new (request_run, NULL, 1, FALSE, NULL);
  p->message = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (p->message), 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (p->message), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (p->message), 50);
  g_object_set_data_full (G_OBJECT (p->preview), "adiff-preview", p, (GDestroyNotify) preview_free);

  gtk_container_add (GTK_CONTAINER (overlay), p->preview);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), p->busy);
  gtk_box_pack_start (GTK_BOX (content), overlay, TRUE, TRUE, 0);
  gtk_box_reorder_child (GTK_BOX (content), overlay, 0);
  gtk_box_pack_start (GTK_BOX (content), p->message, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (content), p->message, 1);
  gtk_widget_show_all (overlay);
  gtk_widget_show (p->message);

  g_signal_connect (p->preview, "invalidated", G_CALLBACK (preview_invalidated), p);
  /* Tied to the preview's life: the config outlives the dialog. */
  g_signal_connect_object (config, "notify", G_CALLBACK (config_changed), p->preview, 0);
}
