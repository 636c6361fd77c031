/* overlay.c — sensitivity fields as layers.
 *
 * The field of output pixel q is row q of the denoiser's Jacobian
 * (∂x̂_q/∂z): which input pixels the denoiser looks at to decide q.  It
 * lives in the bundle's window, so each field becomes a window-sized layer
 * placed exactly over the window the tiler uses for q (the one centred on
 * it, clamped inside the layer).  Colour images show it through a colour
 * map; gray images, whose layers can only be gray, as brightness.
 *
 * The layer is at the image's scale, one field value on each input pixel,
 * so it shows exactly which pixels count; at that scale a window is a few
 * pixels large, so the legend layer beside it shows each field enlarged
 * (nearest neighbour) with the colour bar, σ and pixel (legend.c).  Only
 * the first σ is visible; the others are hidden in the group.
 *
 * Everything is computed before the first layer is added, so a bad
 * argument changes nothing; the additions are one undo step. */
#include "config.h"
#include <babl/babl.h>
#include "engine/overlay.h"
#include "engine/pixel-io.h"
#include "engine/legend.h"
#include "engine/sample-point.h"

typedef struct
{
  guint   width, height, channels;   /* bundle window */
  guint   left, top;                 /* window in layer coordinates */
  guint   qx, qy;                    /* pixel in window coordinates */
  float  *z;                         /* window content, bundle channels */
  gboolean signed_;
} Window;

/* Sum the Jacobian rows of q's channels into one value per pixel: signed,
 * or as magnitudes. */
static gboolean
pixel_field (AdiffDenoiser *den, const Window *w, double *field, GError **error)
{
  gsize n = (gsize) w->width * w->height, d = n * w->channels;
  double *row = g_new (double, d);
  gboolean ok = TRUE;

  memset (field, 0, n * sizeof (double));
  for (guint c = 0; c < w->channels && ok; c++)
    {
      gsize q = ((gsize) w->qy * w->width + w->qx) * w->channels + c;
      ok = adiff_sensitivity (den, w->z, q, row, error);
      for (gsize p = 0; ok && p < n; p++)
        for (guint ci = 0; ci < w->channels; ci++)
          {
            double v = row[p * w->channels + ci] / w->channels;
            field[p] += w->signed_ ? v : fabs (v);
          }
    }
  g_free (row);
  return ok;
}

/* v → the chosen scale, sign kept, relative to the largest |v|. */
static void
apply_scale (double *field, gsize n, PluginFieldScale scale)
{
  double m = 0.0;

  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs (field[i]));
  if (scale == PLUGIN_SCALE_LINEAR || ! (m > 0))
    return;
  for (gsize i = 0; i < n; i++)
    {
      double a = fabs (field[i]) / m;
      double t = scale == PLUGIN_SCALE_SQRT ? sqrt (a) : log10 (1.0 + 999.0 * a) / 3.0;
      field[i] = copysign (t, field[i]);
    }
}

/* Field → pixels of the overlay layer (RGB floats, or gray floats). */
static float *
render (double *field, const Window *w, gboolean gray, AdiffColormap map,
        PluginFieldScale scale)
{
  gsize n = (gsize) w->width * w->height;
  float *px = g_new (float, n * (gray ? 1 : 3));
  double m = 0.0;

  apply_scale (field, n, scale);
  if (! gray)
    {
      adiff_render_field (field, w->width, w->height, w->signed_, map, px);
      return px;
    }
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs (field[i]));
  for (gsize i = 0; i < n; i++)
    {
      double t = m > 0 ? field[i] / m : 0.0;
      px[i] = (float) (w->signed_ ? 0.5 + 0.5 * t : fabs (t));
    }
  return px;
}

static gboolean
read_window (GimpDrawable *drawable, AdiffBundle *bundle, const PluginOverlayOptions *o,
             Window *w, GError **error)
{
  gint ox, oy, lw = gimp_drawable_get_width (drawable), lh = gimp_drawable_get_height (drawable);
  guint image_channels = gimp_drawable_is_gray (drawable) ? 1 : 3;
  GeglRectangle rect;
  gint px, py;

  gimp_drawable_get_offsets (drawable, &ox, &oy);
  px = o->x - ox;
  py = o->y - oy;
  if (px < 0 || py < 0 || px >= lw || py >= lh)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Pixel (%d, %d) is outside the layer “%s” (%d×%d at %d, %d)"),
                   o->x, o->y, gimp_item_get_name (GIMP_ITEM (drawable)), lw, lh, ox, oy);
      return FALSE;
    }
  w->width = adiff_bundle_get_width (bundle);
  w->height = adiff_bundle_get_height (bundle);
  w->channels = adiff_bundle_get_channels (bundle);
  if (w->channels != 1 && w->channels != image_channels)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("%s: the bundle has %u channels and the layer %u"),
                   adiff_bundle_get_name (bundle), w->channels, image_channels);
      return FALSE;
    }
  adiff_window_for_pixel (lw, lh, w->width, w->height, px, py, &w->left, &w->top);
  w->qx = MIN ((guint) px - w->left, w->width - 1);
  w->qy = MIN ((guint) py - w->top, w->height - 1);
  w->signed_ = o->colormap == ADIFF_COLORMAP_COOLWARM;
  rect = (GeglRectangle) { (gint) w->left, (gint) w->top, (gint) w->width, (gint) w->height };
  w->z = plugin_read_region (drawable, &rect, w->channels == 1, error);
  return w->z != NULL;
}

/* Every field, computed before anything is added to the image. */
static void
free_layers (float **layers)
{
  for (guint k = 0; layers[k] != NULL; k++)
    g_free (layers[k]);
  g_free (layers);
}

static float **
all_fields (AdiffBundle *bundle, const PluginOverlayOptions *o, const Window *w,
            gboolean gray, GError **error)
{
  float **layers = g_new0 (float *, o->n_sigmas + 1);
  double *field = g_new (double, (gsize) w->width * w->height);

  for (guint k = 0; k < o->n_sigmas; k++)
    {
      AdiffParams params;
      AdiffDenoiser *den;
      gboolean ok;

      adiff_params_init (&params);
      params.method = o->method;
      params.tau = o->tau;
      params.sigma = o->sigmas[k] / 255.0;
      den = adiff_denoiser_new (bundle, &params, error);
      ok = den != NULL && pixel_field (den, w, field, error);
      if (den != NULL)
        adiff_denoiser_free (den);
      if (! ok)
        {
          free_layers (layers);
          g_free (field);
          return NULL;
        }
      layers[k] = render (field, w, gray, o->colormap, o->scale);
    }
  g_free (field);
  return layers;
}

static GimpLayer *
new_layer (GimpImage *image, GimpDrawable *drawable, const Window *w, const float *pixels,
           const char *name, double opacity)
{
  gboolean gray = gimp_drawable_is_gray (drawable);
  GimpLayer *layer = gimp_layer_new (image, name, w->width, w->height,
                                     gray ? GIMP_GRAY_IMAGE : GIMP_RGB_IMAGE, opacity,
                                     GIMP_LAYER_MODE_NORMAL);
  GeglBuffer *buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));

  gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, w->width, w->height), 0,
                   babl_format_with_space (gray ? "Y' float" : "R'G'B' float",
                                           gimp_drawable_get_format (GIMP_DRAWABLE (layer))),
                   pixels, GEGL_AUTO_ROWSTRIDE);
  g_object_unref (buffer);
  return layer;
}

/* Put the new layers right above the drawable, in its layer group. */
static GimpLayer *
insert_layers (GimpImage *image, GimpDrawable *drawable, const Window *w, float **pixels,
               const PluginOverlayOptions *o)
{
  GimpLayer *parent = NULL, *top = NULL;
  gint position = 0, ox, oy;

  if (GIMP_IS_LAYER (drawable))
    {
      parent = GIMP_LAYER (gimp_item_get_parent (GIMP_ITEM (drawable)));
      position = gimp_image_get_item_position (image, GIMP_ITEM (drawable));
    }
  gimp_drawable_get_offsets (drawable, &ox, &oy);

  if (o->n_sigmas > 1 || o->legend)
    {
      g_autofree char *name = g_strdup_printf (_("Sensitivity (%d,%d)"), o->x, o->y);
      top = GIMP_LAYER (gimp_group_layer_new (image, name));
      gimp_image_insert_layer (image, top, parent, position);
      parent = top;
      position = 0;
    }
  for (guint k = 0; k < o->n_sigmas; k++)
    {
      g_autofree char *name = g_strdup_printf (_("Sensitivity (%d,%d) σ=%g"),
                                               o->x, o->y, o->sigmas[k]);
      GimpLayer *layer = new_layer (image, drawable, w, pixels[k], name, o->opacity);

      gimp_image_insert_layer (image, layer, parent, position + (gint) k);
      gimp_layer_set_offsets (layer, ox + (gint) w->left, oy + (gint) w->top);
      /* Stacked at the same place, only the top one could be seen. */
      gimp_item_set_visible (GIMP_ITEM (layer), k == 0);
      if (top == NULL)
        top = layer;
    }
  return top;
}

static const char *
scale_name (PluginFieldScale scale)
{
  switch (scale)
    {
    case PLUGIN_SCALE_SQRT: return _("square-root scale");
    case PLUGIN_SCALE_LOG:  return _("log scale");
    default:                return _("linear scale");
    }
}

/* Pixels of a w×h rectangle at (x, y) outside the image. */
static gint64
outside (gint x, gint y, gint w, gint h, gint iw, gint ih)
{
  gint64 inside = (gint64) MAX (0, MIN (x + w, iw) - MAX (x, 0)) *
                  MAX (0, MIN (y + h, ih) - MAX (y, 0));
  return (gint64) w * h - inside;
}

/* Where a lw×lh legend goes beside the window, never over it: right,
 * left, below or above (slid along that side into the image), the first
 * that lies inside the image, else the one least outside.  Returns how
 * many of its pixels are outside the image. */
static gint64
legend_place (gint iw, gint ih, gint wx, gint wy, const Window *w, gint lw, gint lh,
              gint *x, gint *y)
{
  gint gap = MAX (4, (gint) w->width / 2);
  gint ww = (gint) w->width, wh = (gint) w->height;
  gint sy = CLAMP (wy, 0, MAX (0, ih - lh)), sx = CLAMP (wx, 0, MAX (0, iw - lw));
  const gint places[4][2] = {
    { wx + ww + gap, sy }, { wx - gap - lw, sy }, { sx, wy + wh + gap }, { sx, wy - gap - lh },
  };
  gint64 best = G_MAXINT64;

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      gint64 out = outside (places[i][0], places[i][1], lw, lh, iw, ih);
      if (out < best)
        {
          best = out;
          *x = places[i][0];
          *y = places[i][1];
        }
    }
  return best;
}

static const char *
model_name (AdiffMethod method)
{
  switch (method)
    {
    case ADIFF_METHOD_WIENER:   return _("Wiener");
    case ADIFF_METHOD_ANALYTIC: return _("Analytic");
    case ADIFF_METHOD_OPTIMAL:  return _("Optimal");
    default:                    return _("Patch");
    }
}

/* The legend beside the window: its fields as large as fit there (96 px
 * down to 48 px), so that it covers neither the window nor, where the
 * image has room, anything outside the image. */
static void
add_legend (GimpImage *image, GimpDrawable *drawable, GimpLayer *group, const Window *w,
            float **pixels, const PluginOverlayOptions *o)
{
  static const double sizes[] = { 96, 80, 64, 48 };
  gboolean gray = gimp_drawable_is_gray (drawable);
  gint iw = gimp_image_get_width (image), ih = gimp_image_get_height (image);
  g_autofree char *title = g_strdup_printf (_("Pixel (%d, %d) · %s"), o->x, o->y,
                                            model_name (o->method));
  g_autofree char *name = g_strdup_printf (_("Legend (%d,%d)"), o->x, o->y);
  PluginLegend l = {
    title, scale_name (o->scale), (const float * const *) pixels, o->sigmas, o->n_sigmas,
    w->width, w->height, w->qx, w->qy, gray, w->signed_, o->colormap, 0,
    MAX (1.0, round (MIN (iw, ih) / 800.0))
  };
  g_autofree guchar *argb = NULL;
  gint lw = 0, lh = 0, x = 0, y = 0, ox, oy;
  GimpLayer *layer;
  GeglBuffer *buffer;

  gimp_drawable_get_offsets (drawable, &ox, &oy);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_free (argb);
      l.field_size = sizes[i];
      argb = plugin_legend_render (&l, &lw, &lh);
      if (legend_place (iw, ih, ox + (gint) w->left, oy + (gint) w->top, w, lw, lh,
                        &x, &y) == 0)
        break;
    }
  layer = gimp_layer_new (image, name, lw, lh, gray ? GIMP_GRAYA_IMAGE : GIMP_RGBA_IMAGE,
                          100.0, GIMP_LAYER_MODE_NORMAL);
  buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
  gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, lw, lh), 0, babl_format ("cairo-ARGB32"),
                   argb, lw * 4);
  g_object_unref (buffer);
  gimp_image_insert_layer (image, layer, group, 0);
  gimp_layer_set_offsets (layer, x, y);
}

GimpLayer *
plugin_overlay_add (GimpImage *image, GimpDrawable *drawable, AdiffBundle *bundle,
                    const PluginOverlayOptions *options, GError **error)
{
  Window w = { 0 };
  float **pixels;
  GimpLayer *top;

  if (! read_window (drawable, bundle, options, &w, error))
    return NULL;
  pixels = all_fields (bundle, options, &w, gimp_drawable_is_gray (drawable), error);
  g_free (w.z);
  if (pixels == NULL)
    return NULL;

  gimp_image_undo_group_start (image);
  top = insert_layers (image, drawable, &w, pixels, options);
  if (options->legend)
    add_legend (image, drawable, top, &w, pixels, options);
  plugin_sample_point_mark (image, options->x, options->y);
  gimp_image_undo_group_end (image);
  free_layers (pixels);
  return top;
}
