/* pixel-picker.c — the Sensitivity dialog's preview: a thumbnail of the
 * layer where a click chooses the pixel whose field to show.  The marker
 * is a ring around the pixel, so the pixel itself stays visible. */
#include "config.h"
#include "ui/pixel-picker.h"

#define PICKER_SIZE 256

typedef struct
{
  GimpProcedureConfig *config;
  GdkPixbuf           *thumb;
  gint                 ox, oy;          /* layer offsets */
  double               scale;           /* thumbnail pixels per layer pixel */
} Picker;

static void
picker_free (gpointer data)
{
  Picker *p = data;
  g_object_unref (p->thumb);
  g_free (p);
}

static gboolean
picker_draw (GtkWidget *area, cairo_t *cr, Picker *p)
{
  gint x, y, from;

  gdk_cairo_set_source_pixbuf (cr, p->thumb, 0, 0);
  cairo_paint (cr);
  g_object_get (p->config, "x", &x, "y", &y, NULL);
  from = gimp_procedure_config_get_choice_id (p->config, "pixel-from");
  if (from != 0 || x < 0 || y < 0)
    return FALSE;
  cairo_set_line_width (cr, 2);
  cairo_arc (cr, (x - p->ox + 0.5) * p->scale, (y - p->oy + 0.5) * p->scale,
             MAX (6, p->scale), 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 0.2, 1.0, 0.3);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  return FALSE;
}

static gboolean
picker_press (GtkWidget *box, GdkEventButton *event, Picker *p)
{
  gint w = (gint) round (gdk_pixbuf_get_width (p->thumb) / p->scale);
  gint h = (gint) round (gdk_pixbuf_get_height (p->thumb) / p->scale);
  gint x = p->ox + CLAMP ((gint) floor (event->x / p->scale), 0, w - 1);
  gint y = p->oy + CLAMP ((gint) floor (event->y / p->scale), 0, h - 1);

  g_object_set (p->config, "pixel-from", "coordinates", "x", x, "y", y, NULL);
  return TRUE;
}

static void
picker_changed (GObject *config, GParamSpec *pspec, GtkWidget *area)
{
  gtk_widget_queue_draw (area);
}

/* The layer at most PICKER_SIZE large; small layers enlarged (nearest
 * neighbour) so that each pixel is easy to hit. */
static GdkPixbuf *
picker_thumbnail (GimpDrawable *drawable, gint w, gint h)
{
  double scale = (double) PICKER_SIZE / MAX (w, h);
  gint tw = MAX (1, (gint) (w * scale)), th = MAX (1, (gint) (h * scale));
  GdkPixbuf *thumb = gimp_drawable_get_thumbnail (drawable, tw, th, GIMP_PIXBUF_SMALL_CHECKS);
  GdkPixbuf *large;

  if (gdk_pixbuf_get_width (thumb) >= tw)
    return thumb;
  large = gdk_pixbuf_scale_simple (thumb, tw, th, GDK_INTERP_NEAREST);
  g_object_unref (thumb);
  return large;
}

GtkWidget *
plugin_pixel_picker_new (GimpProcedureConfig *config, GimpDrawable *drawable)
{
  gint w = gimp_drawable_get_width (drawable), h = gimp_drawable_get_height (drawable);
  Picker *p = g_new0 (Picker, 1);
  GtkWidget *frame, *box, *area;

  p->config = config;
  p->thumb = picker_thumbnail (drawable, w, h);
  p->scale = (double) gdk_pixbuf_get_width (p->thumb) / w;
  gimp_drawable_get_offsets (drawable, &p->ox, &p->oy);

  frame = gtk_frame_new (_("Click the pixel whose field to show"));
  box = gtk_event_box_new ();
  area = gtk_drawing_area_new ();
  gtk_widget_set_size_request (area, gdk_pixbuf_get_width (p->thumb),
                               gdk_pixbuf_get_height (p->thumb));
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_container_add (GTK_CONTAINER (box), area);
  gtk_container_add (GTK_CONTAINER (frame), box);
  g_object_set_data_full (G_OBJECT (frame), "plugin-pixel-picker", p, picker_free);
  g_signal_connect (area, "draw", G_CALLBACK (picker_draw), p);
  g_signal_connect (box, "button-press-event", G_CALLBACK (picker_press), p);
  g_signal_connect_object (config, "notify", G_CALLBACK (picker_changed), area, 0);
  gtk_widget_show_all (frame);
  return frame;
}
