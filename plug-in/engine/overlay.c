/* overlay.c — sensitivity fields as layers.
 *
 * The field of output pixel q is row q of the denoiser's Jacobian
 * (∂x̂_q/∂z): which input pixels the denoiser looks at to decide q.  It
 * lives in the bundle's window, so each field becomes a window-sized layer
 * placed exactly over the window the tiler uses for q (the one centred on
 * it, clamped inside the layer).  Colour images show it through a colour
 * map; gray images, whose layers can only be gray, as brightness.
 *
 * Everything is computed before the first layer is added, so a bad
 * argument changes nothing; the additions are one undo step. */
#include "config.h"
#include <babl/babl.h>
#include "engine/overlay.h"
#include "engine/pixel-io.h"

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

/* Field → pixels of the overlay layer (RGB floats, or gray floats). */
static float *
render (const double *field, const Window *w, gboolean gray, AdiffColormap map)
{
  gsize n = (gsize) w->width * w->height;
  float *px = g_new (float, n * (gray ? 1 : 3));
  double m = 0.0;

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
      layers[k] = render (field, w, gray, o->colormap);
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

  if (o->n_sigmas > 1)
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
      if (o->n_sigmas == 1)
        top = layer;
    }
  return top;
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
  gimp_image_add_sample_point (image, options->x, options->y);  /* marks the pixel */
  gimp_image_undo_group_end (image);
  free_layers (pixels);
  return top;
}
