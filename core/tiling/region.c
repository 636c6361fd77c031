/* region.c — the tiler's windows for one rectangle of an image.
 *
 * adiff_denoise_rows streams a whole image; a GEGL operation instead asks
 * for tiles in any order, from several threads.  This computes one
 * rectangle of the same result: the window grid of blend.h is laid over the
 * whole image, and only the windows that reach the rectangle are cut
 * (mirrored at the image's borders, as there), denoised and blended.  The
 * windows of each grid row are blended in the order the streaming tiler
 * adds them, so a pixel's sum is the same whatever rectangle holds it.
 * (For the Wiener filter the streaming tiler may fold the windows into one
 * matrix; that is the same result up to float rounding.)
 */
#include "adiff-private.h"
#include "blend.h"
#include "tiler.h"
#include "parallel.h"
#include <glib/gi18n-lib.h>

/* Windows [*i0, *i1) of the axis that reach samples [lo, lo + n). */
static void
window_range (const AdiffAxis *a, guint lo, guint n, guint *i0, guint *i1)
{
  gint64 from = (gint64) lo - a->size + 1 - a->first;   /* origin ≥ lo − size + 1 */
  gint64 to = (gint64) lo + n - 1 - a->first;           /* origin ≤ lo + n − 1 */
  *i0 = from <= 0 ? 0 : (guint) ((from + a->stride - 1) / a->stride);
  *i1 = (guint) MIN (to / a->stride + 1, (gint64) a->count);
}

/* Samples [*lo, *hi) that windows [i0, i1) read, after mirroring. */
static void
read_range (const AdiffAxis *a, guint i0, guint i1, guint *lo, guint *hi)
{
  guint mn = G_MAXUINT, mx = 0;
  for (guint i = i0; i < i1; i++)
    for (guint k = 0; k < a->size; k++)
      {
        guint m = adiff__mirror (adiff__axis_origin (a, i) + k, a->length);
        mn = MIN (mn, m);
        mx = MAX (mx, m);
      }
  *lo = mn;
  *hi = mx + 1;
}

typedef struct
{
  AdiffDenoiser   *den;
  AdiffAxis        ax, ay;
  guint            channels, wc, groups;
  gsize            dim;
  guint            i0, i1, j0, j1;     /* the windows that reach the region */
  const float     *in;
  const AdiffRect *input;
  float           *acc;                /* the output region, channels interleaved */
  const AdiffRect *region;
} Region;

static void
region_axes (Region *r, AdiffDenoiser *den, guint width, guint height)
{
  AdiffBundle *b = adiff_denoiser_get_bundle (den);
  guint overlap = adiff_denoiser_get_params (den)->overlap;
  adiff__axis_init (&r->ax, b->width, width, overlap);
  adiff__axis_init (&r->ay, b->height, height, overlap);
}

ADIFF_EXPORT void
adiff_region_input (AdiffDenoiser *denoiser, guint width, guint height,
                    const AdiffRect *region, AdiffRect *input)
{
  g_return_if_fail (denoiser && region && input && width && height);
  Region r;
  guint i0, i1, j0, j1, x0, x1, y0, y1;
  region_axes (&r, denoiser, width, height);
  window_range (&r.ax, region->x, MAX (region->width, 1u), &i0, &i1);
  window_range (&r.ay, region->y, MAX (region->height, 1u), &j0, &j1);
  read_range (&r.ax, i0, i1, &x0, &x1);
  read_range (&r.ay, j0, j1, &y0, &y1);
  *input = (AdiffRect) { x0, y0, x1 - x0, y1 - y0 };
  adiff__axis_clear (&r.ax);
  adiff__axis_clear (&r.ay);
}

ADIFF_EXPORT void
adiff_region_prepare (AdiffDenoiser *denoiser, guint width, guint height, guint channels,
                      guint n_threads)
{
  g_return_if_fail (denoiser && width && height);
  AdiffBundle *b = adiff_denoiser_get_bundle (denoiser);
  if (channels == 0 || channels % b->channels != 0)
    return;
  Region r;
  region_axes (&r, denoiser, width, height);
  adiff__denoiser_expect (denoiser, (guint64) r.ax.count * r.ay.count * (channels / b->channels),
                          n_threads ? n_threads : adiff__thread_count (0));
  adiff__axis_clear (&r.ax);
  adiff__axis_clear (&r.ay);
}

/* Window i of grid row j, channels g.., out of the input. */
static void
cut_window (const Region *r, guint i, guint j, guint g, float *dst)
{
  gint64 ox = adiff__axis_origin (&r->ax, i), oy = adiff__axis_origin (&r->ay, j);
  gsize row_len = (gsize) r->input->width * r->channels;
  for (guint wy = 0; wy < r->ay.size; wy++)
    {
      guint y = adiff__mirror (oy + wy, r->ay.length) - r->input->y;
      const float *row = r->in + (gsize) y * row_len + g;
      for (guint wx = 0; wx < r->ax.size; wx++)
        {
          guint x = adiff__mirror (ox + wx, r->ax.length) - r->input->x;
          const float *px = row + (gsize) x * r->channels;
          for (guint c = 0; c < r->wc; c++)
            *dst++ = px[c];
        }
    }
}

/* Add denoised window i of grid row j, weighted, into the region. */
static void
blend_window (Region *r, guint i, guint j, guint g, const float *w)
{
  gint64 ox = adiff__axis_origin (&r->ax, i), oy = adiff__axis_origin (&r->ay, j);
  const AdiffRect *R = r->region;
  gsize row_len = (gsize) R->width * r->channels;
  for (guint wy = 0; wy < r->ay.size; wy++)
    {
      gint64 y = oy + wy;
      if (y < R->y || y >= (gint64) R->y + R->height)
        continue;
      float *row = r->acc + (gsize) (y - R->y) * row_len + g;
      float fy = r->ay.weight[wy];
      for (guint wx = 0; wx < r->ax.size; wx++)
        {
          gint64 x = ox + wx;
          if (x < R->x || x >= (gint64) R->x + R->width)
            continue;
          float f = fy * r->ax.weight[wx];
          const float *src = w + ((gsize) wy * r->ax.size + wx) * r->wc;
          float *dst = row + (gsize) (x - R->x) * r->channels;
          for (guint c = 0; c < r->wc; c++)
            dst[c] += f * src[c];
        }
    }
}

/* Grid row j: cut, denoise (in the batches the denoiser likes), blend. */
static gboolean
denoise_grid_row (Region *r, guint j, const float *share, float *windows,
                  GError **error)
{
  gsize n = (gsize) (r->i1 - r->i0) * r->groups;
  for (guint i = r->i0; i < r->i1; i++)
    for (guint g = 0; g < r->groups; g++)
      cut_window (r, i, j, g, windows + ((gsize) (i - r->i0) * r->groups + g) * r->dim);
  gsize chunk = adiff__denoiser_batch_size (r->den, 16);
  for (gsize w0 = 0; w0 < n; w0 += chunk)
    {
      float *w = windows + w0 * r->dim;
      if (!adiff__denoiser_apply_shares (r->den, w, MIN (chunk, n - w0), share, w, error))
        return FALSE;
    }
  for (guint i = r->i0; i < r->i1; i++)
    for (guint g = 0; g < r->groups; g++)
      blend_window (r, i, j, g, windows + ((gsize) (i - r->i0) * r->groups + g) * r->dim);
  return TRUE;
}

/* Divide by the summed weights, as the streaming tiler does. */
static void
normalise (Region *r)
{
  const AdiffRect *R = r->region;
  float *v = r->acc;
  for (guint y = 0; y < R->height; y++)
    {
      float fy = adiff__axis_norm (&r->ay, R->y + y);
      for (guint x = 0; x < R->width; x++)
        {
          float f = fy * adiff__axis_norm (&r->ax, R->x + x);
          for (guint c = 0; c < r->channels; c++)
            *v++ *= f;
        }
    }
}

static gboolean
check_rects (const Region *r, guint width, guint height, const AdiffRect *region,
             const AdiffRect *input, GError **error)
{
  AdiffRect need;
  adiff_region_input (r->den, width, height, region, &need);
  if (region->width == 0 || region->height == 0 ||
      (guint64) region->x + region->width > width ||
      (guint64) region->y + region->height > height ||
      need.x < input->x || need.y < input->y ||
      (guint64) need.x + need.width > (guint64) input->x + input->width ||
      (guint64) need.y + need.height > (guint64) input->y + input->height)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("region %u×%u+%u+%u of a %u×%u image needs input %u×%u+%u+%u, got %u×%u+%u+%u"),
                   region->width, region->height, region->x, region->y, width, height,
                   need.width, need.height, need.x, need.y,
                   input->width, input->height, input->x, input->y);
      return FALSE;
    }
  return TRUE;
}

ADIFF_EXPORT gboolean
adiff_denoise_region (AdiffDenoiser *denoiser, guint width, guint height, guint channels,
                      const float *in, const AdiffRect *input, float *out,
                      const AdiffRect *region, GError **error)
{
  g_return_val_if_fail (denoiser && in && input && out && region, FALSE);
  AdiffBundle *b = adiff_denoiser_get_bundle (denoiser);
  if (!adiff__tile_check_geometry (b, width, height, channels, error))
    return FALSE;
  Region r = { .den = denoiser, .channels = channels, .wc = b->channels,
               .groups = channels / b->channels, .dim = b->dim,
               .in = in, .input = input, .region = region };
  if (!check_rects (&r, width, height, region, input, error))
    return FALSE;
  region_axes (&r, denoiser, width, height);
  window_range (&r.ax, region->x, region->width, &r.i0, &r.i1);
  window_range (&r.ay, region->y, region->height, &r.j0, &r.j1);

  gsize acc_len, win_len;
  gboolean ok = g_size_checked_mul (&acc_len, (gsize) region->width * region->height, channels) &&
                g_size_checked_mul (&win_len, (gsize) (r.i1 - r.i0) * r.groups, r.dim) &&
                acc_len <= G_MAXSIZE / sizeof (float) && win_len <= G_MAXSIZE / sizeof (float);
  float *windows = ok ? g_try_new (float, win_len) : NULL;
  if (!windows)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("out of memory for a %u×%u region"), region->width, region->height);
      ok = FALSE;
    }
  r.acc = out;
  if (ok)
    memset (out, 0, acc_len * sizeof (float));
  float *share = ok ? adiff__axis_shares (&r.ax, &r.ay, r.wc) : NULL;
  if (ok)
    adiff__denoiser_expect (denoiser, (guint64) r.ax.count * r.ay.count * r.groups, 0);
  for (guint j = r.j0; ok && j < r.j1; j++)
    ok = denoise_grid_row (&r, j, share, windows, error);
  if (ok)
    normalise (&r);
  g_free (share);
  g_free (windows);
  adiff__axis_clear (&r.ax);
  adiff__axis_clear (&r.ay);
  return ok;
}
