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
 * With a selection, the denoiser reads up to one window beyond the
 * selection's bounds (clipped to the layer) so pixels at the selection
 * edge see their real neighbours, not a mirrored copy; only the bounds are
 * written.  Alpha is never touched: colour is read without it, and the
 * output rows take their alpha from the source. */
#include "config.h"
#include <babl/babl.h>
#include "plugin.h"

typedef struct
{
  GeglBuffer   *src, *dst;
  const Babl   *color_fmt;   /* colour channels only */
  const Babl   *pixel_fmt;   /* colour + alpha (or = color_fmt) */
  guint         channels;    /* colour channels */
  guint         n_floats;    /* floats per pixel in pixel_fmt */
  GeglRectangle outer;       /* region the denoiser sees */
  GeglRectangle inner;       /* region written */
  double        strength;
  float        *rows;        /* inner-width rows in pixel_fmt */
  gsize         rows_cap;    /* rows buffer size in floats */
  gboolean      show_progress;
  double        last_progress;
} Strip;

static const Babl *
format_in_space (GimpDrawable *drawable, const char *name)
{
  return babl_format_with_space (name, gimp_drawable_get_format (drawable));
}

const Babl *
adiff_color_format (GimpDrawable *drawable)
{
  return format_in_space (drawable, gimp_drawable_is_gray (drawable) ? "Y' float"
                                                                     : "R'G'B' float");
}

const Babl *
adiff_pixel_format (GimpDrawable *drawable)
{
  if (! gimp_drawable_has_alpha (drawable))
    return adiff_color_format (drawable);
  return format_in_space (drawable, gimp_drawable_is_gray (drawable) ? "Y'A float"
                                                                     : "R'G'B'A float");
}

static gboolean
strip_read (guint y, guint n_rows, float *buf, gpointer data, GError **error)
{
  Strip *s = data;
  GeglRectangle r = { s->outer.x, s->outer.y + (gint) y, s->outer.width, (gint) n_rows };

  gegl_buffer_get (s->src, &r, 1.0, s->color_fmt, buf, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  return TRUE;
}

static gboolean
strip_reserve (Strip *s, gsize n_rows, GError **error)
{
  gsize n;

  if (! g_size_checked_mul (&n, n_rows, (gsize) s->inner.width) ||
      ! g_size_checked_mul (&n, n, s->n_floats) ||
      n > G_MAXSIZE / sizeof (float))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT, _("Layer too large"));
      return FALSE;
    }
  if (n > s->rows_cap)
    {
      g_free (s->rows);
      s->rows = g_new (float, n);
      s->rows_cap = n;
    }
  return TRUE;
}

/* Rows [y, y+n) of the outer region are done: blend the part inside the
 * inner region with the source by strength and keep the source alpha. */
static gboolean
strip_write (guint y, guint n_rows, const float *buf, gpointer data, GError **error)
{
  Strip *s = data;
  gint top = MAX ((gint) y, s->inner.y - s->outer.y);
  gint bottom = MIN ((gint) (y + n_rows), s->inner.y + s->inner.height - s->outer.y);
  gint dx = s->inner.x - s->outer.x;
  GeglRectangle r;

  if (top >= bottom)
    return TRUE;
  if (! strip_reserve (s, bottom - top, error))
    return FALSE;
  r = (GeglRectangle) { s->inner.x, s->outer.y + top, s->inner.width, bottom - top };
  gegl_buffer_get (s->src, &r, 1.0, s->pixel_fmt, s->rows, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);

  for (gint row = top; row < bottom; row++)
    {
      const float *est = buf + ((gsize) (row - (gint) y) * s->outer.width + dx) * s->channels;
      float *px = s->rows + (gsize) (row - top) * s->inner.width * s->n_floats;

      for (gint x = 0; x < s->inner.width; x++, px += s->n_floats, est += s->channels)
        for (guint c = 0; c < s->channels; c++)
          px[c] += (float) (s->strength * (est[c] - px[c]));
    }
  gegl_buffer_set (s->dst, &r, 0, s->pixel_fmt, s->rows, GEGL_AUTO_ROWSTRIDE);
  return TRUE;
}

/* Forward progress to GIMP at most every 1 %; a refused update (the user
 * cancelled) stops the library. */
static gboolean
strip_progress (double fraction, gpointer data)
{
  Strip *s = data;

  if (! s->show_progress || fraction - s->last_progress < 0.01)
    return TRUE;
  s->last_progress = fraction;
  return gimp_progress_update (fraction);
}

/* The selection's bounds, grown by one window for context, inside the layer. */
static GeglRectangle
context_region (GimpDrawable *drawable, const GeglRectangle *inner, AdiffBundle *bundle)
{
  gint mx = (gint) adiff_bundle_get_width (bundle);
  gint my = (gint) adiff_bundle_get_height (bundle);
  gint x0 = MAX (0, inner->x - mx);
  gint y0 = MAX (0, inner->y - my);
  gint x1 = MIN (gimp_drawable_get_width (drawable), inner->x + inner->width + mx);
  gint y1 = MIN (gimp_drawable_get_height (drawable), inner->y + inner->height + my);

  return (GeglRectangle) { x0, y0, x1 - x0, y1 - y0 };
}

gboolean
adiff_apply_denoiser (GimpDrawable *drawable, AdiffDenoiser *denoiser,
                      const AdiffApplyOptions *options, GError **error)
{
  Strip s = { 0 };
  gint x, y, w, h;
  gboolean ok;

  /* Nothing of this layer is selected: nothing to do. */
  if (! gimp_drawable_mask_intersect (drawable, &x, &y, &w, &h))
    return TRUE;

  s.inner = (GeglRectangle) { x, y, w, h };
  s.outer = context_region (drawable, &s.inner, adiff_denoiser_get_bundle (denoiser));
  s.color_fmt = adiff_color_format (drawable);
  s.pixel_fmt = adiff_pixel_format (drawable);
  s.channels = babl_format_get_n_components (s.color_fmt);
  s.n_floats = babl_format_get_n_components (s.pixel_fmt);
  s.strength = options->strength;
  s.show_progress = options->show_progress;
  s.src = gimp_drawable_get_buffer (drawable);
  s.dst = gimp_drawable_get_shadow_buffer (drawable);

  ok = adiff_denoise_rows (denoiser, s.outer.width, s.outer.height, s.channels,
                           strip_read, strip_write, &s, strip_progress, &s, error);
  g_free (s.rows);
  g_object_unref (s.src);
  if (ok)
    gegl_buffer_flush (s.dst);
  g_object_unref (s.dst);

  if (! ok)
    {
      gimp_drawable_free_shadow (drawable);
      return FALSE;
    }
  gimp_drawable_merge_shadow (drawable, TRUE);
  gimp_drawable_update (drawable, x, y, w, h);
  return TRUE;
}
