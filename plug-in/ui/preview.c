/* preview.c — the denoisers' live preview: the visible region denoised
 * in fast mode with the dialog's current arguments, redrawn whenever one
 * changes, with the σ used (or the error) in a line under it.  The same
 * job and pixel routine as the final run (engine/job.c, engine/apply.c). */
#include "config.h"
#include "ui/preview.h"
#include "engine/apply.h"
#include "engine/pixel-io.h"

typedef struct
{
  GimpProcedureConfig *config;
  GimpDrawable        *drawable;
  PluginParamsFunc     params_func;
  PluginJobCache       cache;
  GtkWidget           *message;   /* under the preview: σ used, or the error */
} Preview;

static void
preview_message (Preview *p, const char *text, gboolean error)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_autofree char *markup = error ? g_strdup_printf ("<span foreground=\"#c01c28\">%s</span>", escaped)
                                  : g_strdup (escaped);
  gtk_label_set_markup (GTK_LABEL (p->message), markup);
}

/* Denoise the visible region and draw it as u8 in the drawable's layout
 * (what GimpPreview expects); floats are perceptual already. */
static void
preview_update (GimpPreview *preview, Preview *p)
{
  g_autoptr (GError) error = NULL;
  guint channels = gimp_drawable_is_gray (p->drawable) ? 1 : 3;
  guint bpp = channels + (gimp_drawable_has_alpha (p->drawable) ? 1 : 0);
  PluginApplyOptions options = { 1.0, FALSE, NULL };
  GeglRectangle rect;
  PluginJob job;
  float *out;
  guint8 *pixels;

  gimp_preview_get_position (preview, &rect.x, &rect.y);
  gimp_preview_get_size (preview, &rect.width, &rect.height);
  if (! plugin_job_prepare (&job, p->drawable, p->config, p->params_func, &p->cache, &error))
    {
      preview_message (p, error->message, TRUE);
      plugin_job_clear (&job);
      return;
    }
  options.strength = job.strength;
  out = g_new (float, (gsize) rect.width * rect.height * (channels + 1));
  if (plugin_apply_region (p->drawable, job.denoiser, &rect, NULL, out, &options, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Preview (fast mode), σ = %.1f"), job.sigma * 255.0);
      pixels = g_malloc ((gsize) rect.width * rect.height * bpp);
      plugin_u8_from_float (out, channels + 1, pixels, bpp, bpp, (gsize) rect.width * rect.height);
      gimp_preview_draw_buffer (preview, pixels, rect.width * bpp);
      g_free (pixels);
      preview_message (p, text, FALSE);
    }
  else
    preview_message (p, error->message, TRUE);
  g_free (out);
  plugin_job_clear (&job);
}

static void
preview_free (Preview *p)
{
  plugin_job_cache_clear (&p->cache);
  g_free (p);
}

void
plugin_preview_add (GimpProcedureConfig *config, GimpDrawable *drawable,
                    PluginParamsFunc params_func, GtkWidget *content)
{
  Preview *p = g_new0 (Preview, 1);
  GtkWidget *preview = gimp_drawable_preview_new_from_drawable (drawable);

  p->config = config;
  p->drawable = drawable;
  p->params_func = params_func;
  p->message = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (p->message), 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (p->message), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (p->message), 50);
  g_object_set_data_full (G_OBJECT (preview), "adiff-preview", p, (GDestroyNotify) preview_free);

  gtk_box_pack_start (GTK_BOX (content), preview, TRUE, TRUE, 0);
  gtk_box_reorder_child (GTK_BOX (content), preview, 0);
  gtk_box_pack_start (GTK_BOX (content), p->message, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (content), p->message, 1);
  gtk_widget_show (preview);
  gtk_widget_show (p->message);

  g_signal_connect (preview, "invalidated", G_CALLBACK (preview_update), p);
  /* Tied to the preview's life: the config outlives the dialog. */
  g_signal_connect_object (config, "notify", G_CALLBACK (gimp_preview_invalidate), preview,
                           G_CONNECT_SWAPPED);
}
