/* legend.c — the legend of a sensitivity overlay, one small layer that
 * says what the colours mean:
 *
 *   Pixel (120, 80) · Wiener
 *   ┌──────┐ ┌──────┐
 *   │field │ │field │   each field enlarged (nearest neighbour) so its
 *   └──────┘ └──────┘   structure can be seen; the pixel's cell outlined,
 *    σ = 10   σ = 25    not filled, so it stays visible
 *   ▕▁▂▃▄▅▆▇█▏ colour bar, 0 … max (−max … +max when signed)
 *   0   scale: log   max
 *
 * Drawn with Cairo and Pango on a dark, slightly transparent card so it
 * reads over any image. */
#include "config.h"
#include <pango/pangocairo.h>
#include "engine/legend.h"

#define PAD    8.0
#define BAR    12.0
#define TEXT   12.0

static guint32
argb (double r, double g, double b)
{
  return 0xff000000u | ((guint32) CLAMP (r * 255 + 0.5, 0, 255) << 16) |
         ((guint32) CLAMP (g * 255 + 0.5, 0, 255) << 8) | (guint32) CLAMP (b * 255 + 0.5, 0, 255);
}

/* A field's pixels as an opaque Cairo surface (one pixel per value). */
static cairo_surface_t *
field_surface (const PluginLegend *l, const float *field)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, l->width, l->height);
  guchar *data = cairo_image_surface_get_data (s);
  gint stride = cairo_image_surface_get_stride (s);

  for (guint y = 0; y < l->height; y++)
    for (guint x = 0; x < l->width; x++)
      {
        gsize i = (gsize) y * l->width + x;
        guint32 *px = (guint32 *) (data + (gsize) y * stride) + x;
        *px = l->gray ? argb (field[i], field[i], field[i])
                      : argb (field[3 * i], field[3 * i + 1], field[3 * i + 2]);
      }
  cairo_surface_mark_dirty (s);
  return s;
}

static void
text (cairo_t *cr, PangoLayout *layout, double x, double y, const char *s, double align)
{
  gint w, h;

  pango_layout_set_text (layout, s, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - align * w, y);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_field (cairo_t *cr, const PluginLegend *l, const float *field, double x, double y,
            double k)
{
  cairo_surface_t *s = field_surface (l, field);

  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, k, k);
  cairo_set_source_surface (cr, s, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (s);
  /* The pixel: an outline around its cell, the cell itself left visible. */
  cairo_set_source_rgb (cr, 0.2, 1.0, 0.3);
  cairo_set_line_width (cr, MAX (1.0, k / 8));
  cairo_rectangle (cr, x + l->qx * k - 0.5, y + l->qy * k - 0.5, k + 1, k + 1);
  cairo_stroke (cr);
}

static void
draw_bar (cairo_t *cr, const PluginLegend *l, double x, double y, double w, double h)
{
  for (gint i = 0; i < (gint) w; i++)
    {
      double t = i / MAX (1.0, w - 1), rgb[3];
      float c[3];

      if (l->gray)
        c[0] = c[1] = c[2] = (float) t;
      else
        adiff_colormap_lookup (l->colormap, t, c);
      for (gint j = 0; j < 3; j++)
        rgb[j] = c[j];
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle (cr, x + i, y, 1, h);
      cairo_fill (cr);
    }
}

guchar *
plugin_legend_render (const PluginLegend *l, gint *width, gint *height)
{
  double u = l->unit, pad = PAD * u;
  double k = MAX (1.0, floor (l->field_size * u / MAX (l->width, l->height)));
  double fw = k * l->width, fh = k * l->height, line = TEXT * u * 1.5;
  double w = MAX (pad + l->n * (fw + pad), 200 * u);
  double h = pad + line + fh + line + BAR * u + line + pad;
  cairo_surface_t *surface;
  PangoFontDescription *font;
  PangoLayout *layout;
  cairo_t *cr;
  guchar *pixels;
  double y;

  *width = (gint) ceil (w);
  *height = (gint) ceil (h);
  pixels = g_new0 (guchar, (gsize) *width * *height * 4);
  surface = cairo_image_surface_create_for_data (pixels, CAIRO_FORMAT_ARGB32, *width, *height,
                                                 *width * 4);
  cr = cairo_create (surface);
  cairo_set_source_rgba (cr, 0.08, 0.08, 0.08, 0.85);
  cairo_paint (cr);

  layout = pango_cairo_create_layout (cr);
  font = pango_font_description_from_string ("Sans");
  pango_font_description_set_absolute_size (font, TEXT * u * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);

  cairo_set_source_rgb (cr, 1, 1, 1);
  text (cr, layout, pad, pad, l->title, 0);
  y = pad + line;
  for (guint i = 0; i < l->n; i++)
    {
      double x = pad + i * (fw + pad);
      g_autofree char *label = g_strdup_printf ("σ = %g", l->sigmas[i]);

      draw_field (cr, l, l->fields[i], x, y, k);
      cairo_set_source_rgb (cr, 1, 1, 1);
      text (cr, layout, x + fw / 2, y + fh + 2 * u, label, 0.5);
    }
  y += fh + line;
  draw_bar (cr, l, pad, y, w - 2 * pad, BAR * u);
  y += BAR * u + 2 * u;
  cairo_set_source_rgb (cr, 1, 1, 1);
  text (cr, layout, pad, y, l->signed_ ? _("−max") : "0", 0);
  text (cr, layout, w / 2, y, l->scale_name, 0.5);
  text (cr, layout, w - pad, y, l->signed_ ? _("+max") : _("max"), 1);

  g_object_unref (layout);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  cairo_surface_destroy (surface);
  return pixels;
}
