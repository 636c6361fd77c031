/* picture.c — a Sample that makes a picture of the size asked for.
 *
 * Two ways, after the bundle's kind:
 *   - tiled: bundles of small local windows (photo windows) and the patch
 *     model make one sample of the whole size, every DDIM step denoising
 *     the whole image through the tiler (adiff_sample_image), as texture
 *     synthesis does;
 *   - grid: window-sized bundles (faces, CIFAR, MNIST) make one sample per
 *     window, as many as fill the size with each about a third of the
 *     shorter side large (few enough to stay quick with the analytic
 *     model), laid out in a grid and scaled to the size
 *     (nearest neighbour when the factor is whole, so pixels stay sharp;
 *     cubic otherwise). */
#include "config.h"
#include <babl/babl.h>
#include "engine/picture.h"

PluginLayout
plugin_picture_layout (AdiffBundle *bundle, AdiffMethod method, PluginLayout layout)
{
  if (layout != PLUGIN_LAYOUT_AUTO)
    return layout;
  if (method == ADIFF_METHOD_PATCH ||
      (adiff_bundle_get_width (bundle) <= PLUGIN_LOCAL_WINDOW &&
       adiff_bundle_get_height (bundle) <= PLUGIN_LOCAL_WINDOW))
    return PLUGIN_LAYOUT_TILED;
  return PLUGIN_LAYOUT_GRID;
}

void
plugin_picture_grid (guint window_width, guint window_height, guint width, guint height,
                     guint *columns, guint *rows)
{
  double scale = MAX (1.0, MIN (width, height) / (3.0 * MAX (window_width, window_height)));

  *columns = MAX (1, (guint) round (width / (scale * window_width)));
  *rows = MAX (1, (guint) round (height / (scale * window_height)));
}

/* Window k of windows (bundle layout) → cell k of a columns-wide grid. */
static float *
grid_pixels (const float *windows, guint w, guint h, guint c, guint columns, guint rows)
{
  gsize row_len = (gsize) columns * w * c;
  float *grid = g_new (float, row_len * rows * h);

  for (guint k = 0; k < columns * rows; k++)
    for (guint y = 0; y < h; y++)
      memcpy (grid + ((gsize) (k / columns) * h + y) * row_len + (gsize) (k % columns) * w * c,
              windows + ((gsize) k * h + y) * w * c, (gsize) w * c * sizeof (float));
  return grid;
}

static GimpImage *
new_picture (const float *pixels, guint pw, guint ph, gboolean gray, guint width, guint height)
{
  GimpImage *image = gimp_image_new (width, height, gray ? GIMP_GRAY : GIMP_RGB);
  GimpLayer *layer = gimp_layer_new (image, _("Sample"), pw, ph,
                                     gray ? GIMP_GRAY_IMAGE : GIMP_RGB_IMAGE, 100.0,
                                     GIMP_LAYER_MODE_NORMAL);
  GeglBuffer *buffer;

  gimp_image_undo_disable (image);
  gimp_image_insert_layer (image, layer, NULL, 0);
  buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
  gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, pw, ph), 0,
                   babl_format_with_space (gray ? "Y' float" : "R'G'B' float",
                                           gimp_drawable_get_format (GIMP_DRAWABLE (layer))),
                   pixels, GEGL_AUTO_ROWSTRIDE);
  g_object_unref (buffer);
  if (pw != width || ph != height)
    {
      gboolean whole = width % pw == 0 && height % ph == 0;
      gimp_context_push ();
      gimp_context_set_interpolation (whole ? GIMP_INTERPOLATION_NONE
                                            : GIMP_INTERPOLATION_CUBIC);
      gimp_layer_scale (layer, width, height, FALSE);
      gimp_context_pop ();
    }
  gimp_image_undo_enable (image);
  return image;
}

GimpImage *
plugin_picture_sample (AdiffBundle *bundle, const AdiffParams *model,
                       const AdiffSampleParams *params, guint width, guint height,
                       PluginLayout layout, AdiffProgressFunc progress, GError **error)
{
  guint w = adiff_bundle_get_width (bundle), h = adiff_bundle_get_height (bundle);
  guint c = adiff_bundle_get_channels (bundle), columns, rows;
  g_autofree float *pixels = NULL, *grid = NULL;
  gsize n;

  if (c != 1 && c != 3)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("%s: a bundle with %u channels cannot make a GIMP image (1 or 3 needed)"),
                   adiff_bundle_get_name (bundle), c);
      return NULL;
    }
  if (plugin_picture_layout (bundle, model->method, layout) == PLUGIN_LAYOUT_TILED)
    {
      if (! g_size_checked_mul (&n, width, height) || ! g_size_checked_mul (&n, n, c))
        n = G_MAXSIZE;
      pixels = g_try_new (float, n);
      if (pixels == NULL)
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                       _("Not enough memory for a %u×%u sample"), width, height);
          return NULL;
        }
      if (! adiff_sample_image (bundle, model, params, width, height, pixels, progress, NULL,
                                error))
        return NULL;
      return new_picture (pixels, width, height, c == 1, width, height);
    }
  plugin_picture_grid (w, h, width, height, &columns, &rows);
  pixels = g_new (float, (gsize) columns * rows * adiff_bundle_get_dim (bundle));
  if (! adiff_sample_windows (bundle, model, params, columns * rows, pixels, progress, NULL,
                              error))
    return NULL;
  grid = grid_pixels (pixels, w, h, c, columns, rows);
  return new_picture (grid, columns * w, rows * h, c == 1, width, height);
}
