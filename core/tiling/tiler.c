/* tiler.c — the window tiler: a window denoiser applied to an image of any size.
 *
 * The windows of blend.h are processed one grid row (a "strip") at a time:
 *
 *   1. drop input rows no later strip needs, read the new rows the strip
 *      needs (rows arrive in increasing order, each once);
 *   2. cut the strip's windows out of the buffered rows (mirroring at the
 *      borders) and denoise them with one adiff_denoiser_apply call, so a
 *      BLAS-backed denoiser sees one large batch;
 *   3. add each result, times its blending weight, into an accumulator of
 *      one window height;
 *   4. rows above the next strip's origin are complete: divide by the summed
 *      weight and hand them to the writer.
 *
 * Buffers: input ≤ window height + stride rows, accumulator = window height
 * rows, windows of one strip ≈ 2·width·window height·channels floats —
 * proportional to width × window height and independent of image height.
 *
 * A gray bundle on a colour image is applied to every channel separately
 * (one window per channel per position); a bundle with more channels than
 * the image is refused.
 *
 * For the Wiener filter the same tiling is folded into one matrix per
 * stride-sized output block (linear.c); a strip is then a strip of
 * blocks, each computed from its footprint of the input, with no
 * accumulator.  Both paths share the row streaming below: a "strip" is a
 * band of strip_height rows starting at strip_first + j·stride.
 */
#include "adiff-private.h"
#include "tiling/tiler.h"
#include "tiling/blend.h"
#include "tiling/linear.h"
#include <glib/gi18n-lib.h>

typedef struct
{
  AdiffDenoiser     *den;
  guint              width, height, channels;   /* image */
  guint              win_channels;              /* bundle channels */
  guint              groups;                    /* windows per grid position */
  gsize              dim;                       /* values per window */
  gsize              row_len;                   /* floats per image row */
  AdiffAxis          ax, ay;
  guint             *mirror_x;                  /* padded x − x0 → image x */
  gint64             x0;                        /* first padded x */

  gint64             strip_first;               /* origin of strip 0 */
  guint              strip_height, n_strips;
  gboolean           folded;                    /* the linear path */
  AdiffLinearTiles   lt;
  guint              n_blocks;                  /* blocks per strip (folded) */
  float             *blocks;                    /* their values (folded) */

  float             *in;                        /* rows [in_lo, in_hi) */
  guint              in_lo, in_hi, in_cap;
  float             *acc;                       /* rows [out_lo, out_lo + ay.size) */
  guint              out_lo;
  float             *windows;                   /* one strip of windows/footprints */
  gsize              n_windows;
  float             *share;                     /* [dim] coordinate's share of its pixel */

  AdiffReadRowsFunc  read_rows;
  AdiffWriteRowsFunc write_rows;
  gpointer           user_data;
  AdiffTileStats     stats;
} Tiler;

gboolean
adiff__tile_check_geometry (AdiffBundle *b, guint width, guint height, guint channels,
                GError **error)
{
  if (width == 0 || height == 0 || channels == 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("image of %u×%u pixels with %u channels is empty"),
                   width, height, channels);
      return FALSE;
    }
  if (b->channels != channels && b->channels != 1)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("%s: the bundle has %u channels and the image %u; "
                   "a %u-channel bundle only applies to %u-channel images "
                   "(a gray bundle applies to any image, channel by channel)"),
                   b->name, b->channels, channels, b->channels, b->channels);
      return FALSE;
    }
  return TRUE;
}

/* Should the tiling of this Wiener denoiser be folded?  Compares flops:
 * window by window costs 4·d·k per window (two products with the k×d
 * eigenbasis); folded costs 2·d²·k once to build W, then
 * 2·block·footprint per block.  K must also stay below 256 MiB. */
static gboolean
prefer_folded (const Tiler *t, AdiffTilePath path)
{
  AdiffDenoiser *den = t->den;
  if (path == ADIFF_TILE_WINDOWS || den->params.method != ADIFF_METHOD_WIENER)
    return FALSE;
  /* Odd window sizes reach two strides back: the footprint would exceed the
   * window height + stride rows that the streaming contract promises. */
  if ((t->ax.size - 1) / t->ax.stride > 1 || (t->ay.size - 1) / t->ay.stride > 1)
    return FALSE;
  AdiffLinearTiles lt;
  adiff__linear_tiles_shape (&t->ax, &t->ay, t->win_channels, &lt);
  if ((double) lt.out_len * lt.in_len > 64.0 * 1024 * 1024)
    return FALSE;
  if (path == ADIFF_TILE_FOLDED)
    return TRUE;
  double d = t->dim, k = den->bundle->n_components;
  double windows = (double) t->ax.count * t->ay.count * t->groups * 4 * d * k;
  double blocks = (double) ((t->width + t->ax.stride - 1) / t->ax.stride) *
                  ((t->height + t->ay.stride - 1) / t->ay.stride) * t->groups;
  double folded = 2 * d * d * k + blocks * 2 * lt.out_len * lt.in_len;
  return folded < windows;
}

/* The strips and the padded x range of the chosen path. */
static void
plan_strips (Tiler *t, gsize *padded_w, gsize *per_strip, gsize *patch_len)
{
  if (t->folded)
    {
      AdiffLinearTiles *lt = &t->lt;
      t->n_blocks = (t->width + t->ax.stride - 1) / t->ax.stride;
      t->strip_first = -(gint64) lt->my * t->ay.stride;
      t->strip_height = lt->fh;
      t->n_strips = (t->height + t->ay.stride - 1) / t->ay.stride;
      t->x0 = -(gint64) lt->mx * t->ax.stride;
      *padded_w = (gsize) (t->n_blocks - 1) * t->ax.stride + lt->fw;
      *per_strip = (gsize) t->n_blocks * t->groups;
      *patch_len = lt->in_len;
    }
  else
    {
      t->strip_first = t->ay.first;
      t->strip_height = t->ay.size;
      t->n_strips = t->ay.count;
      t->x0 = t->ax.first;
      *padded_w = (gsize) (t->ax.count - 1) * t->ax.stride + t->ax.size;
      *per_strip = (gsize) t->ax.count * t->groups;
      *patch_len = t->dim;
    }
}

/* Geometry and every buffer, with overflow-checked sizes. */
static gboolean
tiler_init (Tiler *t, AdiffDenoiser *den, guint width, guint height,
            guint channels, AdiffTilePath path, GError **error)
{
  AdiffBundle *b = den->bundle;
  memset (t, 0, sizeof *t);
  t->den = den;
  t->width = width;
  t->height = height;
  t->channels = channels;
  t->win_channels = b->channels;
  t->groups = channels / b->channels;
  t->dim = b->dim;
  adiff__axis_init (&t->ax, b->width, width, den->params.overlap);
  adiff__axis_init (&t->ay, b->height, height, den->params.overlap);
  t->folded = prefer_folded (t, path);
  if (t->folded && !adiff__linear_tiles_init (&t->lt, den, &t->ax, &t->ay, error))
    return FALSE;

  gsize padded_w, per_strip, patch_len;
  plan_strips (t, &padded_w, &per_strip, &patch_len);
  gsize row_len, in_size, acc_size, win_size, blk_size = 0;
  guint in_rows = MIN (height, t->strip_height + t->ay.stride);
  if (!g_size_checked_mul (&row_len, width, channels) ||
      !g_size_checked_mul (&in_size, row_len, in_rows) ||
      !g_size_checked_mul (&acc_size, row_len, b->height) ||
      !g_size_checked_mul (&win_size, per_strip, patch_len) ||
      (t->folded && !g_size_checked_mul (&blk_size, per_strip, t->lt.out_len)) ||
      win_size > G_MAXSIZE / sizeof (float) || in_size > G_MAXSIZE / sizeof (float) ||
      acc_size > G_MAXSIZE / sizeof (float) || blk_size > G_MAXSIZE / sizeof (float) ||
      per_strip > G_MAXINT)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("image of %u×%u pixels with %u channels is too large to tile"),
                   width, height, channels);
      return FALSE;
    }
  t->row_len = row_len;
  t->in_cap = in_rows;
  t->n_windows = per_strip;
  t->in = g_try_new (float, in_size);
  t->acc = g_try_new0 (float, acc_size);
  t->windows = g_try_new (float, win_size);
  t->blocks = t->folded ? g_try_new (float, blk_size) : NULL;
  t->mirror_x = g_try_new (guint, padded_w);
  if (!t->in || !t->acc || !t->windows || !t->mirror_x || (t->folded && !t->blocks))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("out of memory for the strip buffers of a %u-pixel wide image"),
                   width);
      return FALSE;
    }
  for (gsize i = 0; i < padded_w; i++)
    t->mirror_x[i] = adiff__mirror (t->x0 + (gint64) i, width);
  if (!t->folded)
    {
      t->share = adiff__axis_shares (&t->ax, &t->ay, t->win_channels);
      /* Lazy indexes are built, or not, for the whole image at once, so a
       * pixel's value does not depend on how many windows came before it
       * (adiff_denoise_region gives the same pixels). */
      adiff__denoiser_expect (den, (guint64) t->ax.count * t->ay.count * t->groups, 0);
    }
  t->stats.folded = t->folded;
  t->stats.strip_floats = in_size + acc_size + win_size + blk_size;
  return TRUE;
}

static void
tiler_clear (Tiler *t)
{
  adiff__axis_clear (&t->ax);
  adiff__axis_clear (&t->ay);
  adiff__linear_tiles_clear (&t->lt);
  g_free (t->in);
  g_free (t->acc);
  g_free (t->windows);
  g_free (t->blocks);
  g_free (t->mirror_x);
  g_free (t->share);
}

static gint64
strip_origin (const Tiler *t, guint j)
{
  return t->strip_first + (gint64) j * t->ay.stride;
}

/* Image rows [*lo, *hi) that strip j reads (after mirroring). */
static void
strip_rows (const Tiler *t, guint j, guint *lo, guint *hi)
{
  gint64 oy = strip_origin (t, j);
  guint mn = G_MAXUINT, mx = 0;
  for (guint wy = 0; wy < t->strip_height; wy++)
    {
      guint r = adiff__mirror (oy + wy, t->height);
      mn = MIN (mn, r);
      mx = MAX (mx, r);
    }
  *lo = mn;
  *hi = mx + 1;
}

/* The lowest row strip j or any later strip reads.  Strips lying inside the
 * image read from their own origin, which only grows; only the last few
 * strips, which cross the bottom border, mirror back above it. */
static guint
keep_from (const Tiler *t, guint j)
{
  guint lo, hi;
  strip_rows (t, j, &lo, &hi);
  for (guint k = j + 1; k < t->n_strips; k++)
    if (strip_origin (t, k) + t->strip_height > t->height)
      {
        guint l, h;
        strip_rows (t, k, &l, &h);
        lo = MIN (lo, l);
      }
  return lo;
}

/* Make the input buffer hold rows [keep_from(j), hi of strip j). */
static gboolean
fetch_rows (Tiler *t, guint j, GError **error)
{
  guint lo, hi;
  strip_rows (t, j, &lo, &hi);
  guint keep = keep_from (t, j);
  if (keep > t->in_lo)
    {
      guint drop = MIN (keep, t->in_hi) - t->in_lo;
      memmove (t->in, t->in + drop * t->row_len,
               (t->in_hi - t->in_lo - drop) * t->row_len * sizeof (float));
      t->in_lo += drop;
    }
  if (hi <= t->in_hi)
    return TRUE;
  if (hi - t->in_lo > t->in_cap)      /* not expected: strips are shorter */
    {
      t->in_cap = hi - t->in_lo;
      t->in = g_renew (float, t->in, (gsize) t->in_cap * t->row_len);
    }
  guint n = hi - t->in_hi;
  if (!t->read_rows (t->in_hi, n, t->in + (gsize) (t->in_hi - t->in_lo) * t->row_len,
                     t->user_data, error))
    return FALSE;
  t->in_hi = hi;
  t->stats.peak_input_rows = MAX (t->stats.peak_input_rows, t->in_hi - t->in_lo);
  return TRUE;
}

/* Copy the pw × ph region at padded (ox, oy), channels g.., out of the
 * buffered rows into dst. */
static void
cut_patch (const Tiler *t, gint64 ox, gint64 oy, guint pw, guint ph, guint g,
           float *dst)
{
  guint wc = t->win_channels;
  const guint *mx = t->mirror_x + (ox - t->x0);
  for (guint wy = 0; wy < ph; wy++)
    {
      guint r = adiff__mirror (oy + wy, t->height) - t->in_lo;
      const float *row = t->in + (gsize) r * t->row_len + g;
      for (guint wx = 0; wx < pw; wx++)
        {
          const float *px = row + (gsize) mx[wx] * t->channels;
          for (guint c = 0; c < wc; c++)
            *dst++ = px[c];
        }
    }
}

/* Copy the strip's windows (or footprints) out of the buffered rows. */
static void
cut_strip (Tiler *t, guint j)
{
  gint64 oy = strip_origin (t, j);
  guint n = t->folded ? t->n_blocks : t->ax.count;
  guint pw = t->folded ? t->lt.fw : t->ax.size;
  gsize len = t->folded ? t->lt.in_len : t->dim;
  for (guint i = 0; i < n; i++)
    for (guint g = 0; g < t->groups; g++)
      cut_patch (t, t->x0 + (gint64) i * t->ax.stride, oy, pw, t->strip_height, g,
                 t->windows + ((gsize) i * t->groups + g) * len);
}

/* Add the denoised windows, weighted, into the accumulator. */
static void
blend_windows (Tiler *t, guint j)
{
  gint64 oy = strip_origin (t, j);
  guint ww = t->ax.size, wh = t->ay.size, wc = t->win_channels;
  for (guint i = 0; i < t->ax.count; i++)
    {
      gint64 ox = adiff__axis_origin (&t->ax, i);
      for (guint g = 0; g < t->groups; g++)
        {
          const float *w = t->windows + ((gsize) i * t->groups + g) * t->dim;
          for (guint wy = 0; wy < wh; wy++)
            {
              gint64 y = oy + wy;
              if (y < 0 || y >= t->height)
                continue;
              float *row = t->acc + (gsize) (y - t->out_lo) * t->row_len + g;
              float fy = t->ay.weight[wy];
              for (guint wx = 0; wx < ww; wx++)
                {
                  gint64 x = ox + wx;
                  if (x < 0 || x >= t->width)
                    continue;
                  float f = fy * t->ax.weight[wx];
                  const float *src = w + ((gsize) wy * ww + wx) * wc;
                  float *dst = row + (gsize) x * t->channels;
                  for (guint c = 0; c < wc; c++)
                    dst[c] += f * src[c];
                }
            }
        }
    }
}

/* Normalise and write the rows above the next strip, then shift them out. */
static gboolean
emit_rows (Tiler *t, guint j, GError **error)
{
  gint64 next = strip_origin (t, j + 1);
  guint end = (guint) CLAMP (next, 0, (gint64) t->height);
  if (end <= t->out_lo)
    return TRUE;
  guint n = end - t->out_lo;
  for (guint r = 0; r < n; r++)
    {
      float *row = t->acc + (gsize) r * t->row_len;
      float fy = adiff__axis_norm (&t->ay, t->out_lo + r);
      for (guint x = 0; x < t->width; x++)
        {
          float f = fy * adiff__axis_norm (&t->ax, x);
          for (guint c = 0; c < t->channels; c++)
            row[(gsize) x * t->channels + c] *= f;
        }
    }
  if (!t->write_rows (t->out_lo, n, t->acc, t->user_data, error))
    return FALSE;
  gsize keep = (gsize) (t->ay.size - n) * t->row_len;
  memmove (t->acc, t->acc + (gsize) n * t->row_len, keep * sizeof (float));
  memset (t->acc + keep, 0, (gsize) n * t->row_len * sizeof (float));
  t->out_lo = end;
  return TRUE;
}

/* Folded path: the strip's blocks are final; lay them out as rows. */
static gboolean
emit_blocks (Tiler *t, guint j, GError **error)
{
  guint sx = t->ax.stride, sy = t->ay.stride, wc = t->win_channels;
  guint y0 = j * sy, n = MIN (sy, t->height - y0);
  for (guint i = 0; i < t->n_blocks; i++)
    for (guint g = 0; g < t->groups; g++)
      {
        const float *blk = t->blocks + ((gsize) i * t->groups + g) * t->lt.out_len;
        guint nx = MIN (sx, t->width - i * sx);
        for (guint py = 0; py < n; py++)
          {
            float *dst = t->acc + (gsize) py * t->row_len + (gsize) i * sx * t->channels + g;
            const float *src = blk + (gsize) py * sx * wc;
            for (guint px = 0; px < nx; px++)
              for (guint c = 0; c < wc; c++)
                dst[(gsize) px * t->channels + c] = src[(gsize) px * wc + c];
          }
      }
  return t->write_rows (y0, n, t->acc, t->user_data, error);
}

/* Windows per adiff_denoiser_apply call within a strip.  A strip of a
 * wide image can take many seconds with the exemplar models; denoising it
 * in chunks lets progress move and a cancel land within about a second,
 * and a chunk is still a batch large enough for the BLAS calls and the
 * worker threads (a denoiser may ask for larger ones that still take well
 * under a second, see adiff__denoiser_batch_size).  Windows are
 * independent, so chunks change no result. */
#define STRIP_CHUNK 16

typedef struct
{
  AdiffProgressFunc progress;
  gpointer          data;
} Progress;

static gboolean
report (const Tiler *t, const Progress *pr, guint j, double within, GError **error)
{
  if (!pr->progress || pr->progress ((j + within) / t->n_strips, pr->data))
    return TRUE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED,
               _("denoising cancelled after strip %u of %u"), j, t->n_strips);
  return FALSE;
}

static gboolean
denoise_strip_windows (Tiler *t, const Progress *pr, guint j, GError **error)
{
  gsize d = t->dim, chunk = adiff__denoiser_batch_size (t->den, STRIP_CHUNK);
  for (gsize w0 = 0; w0 < t->n_windows; w0 += chunk)
    {
      gsize nw = MIN (chunk, t->n_windows - w0);
      float *win = t->windows + w0 * d;
      if (!adiff__denoiser_apply_shares (t->den, win, nw, t->share, win, error))
        return FALSE;
      if (w0 + nw < t->n_windows &&
          !report (t, pr, j, (double) (w0 + nw) / t->n_windows, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
process_strip (Tiler *t, const Progress *pr, guint j, GError **error)
{
  if (!fetch_rows (t, j, error))
    return FALSE;
  cut_strip (t, j);
  if (t->folded)
    {
      if (!adiff__check_finite (t->windows, t->n_windows * t->lt.in_len,
                               _("the noisy input"), error))
        return FALSE;
      adiff__linear_tiles_apply (&t->lt, t->windows, t->n_windows, t->blocks);
      return emit_blocks (t, j, error);
    }
  if (!denoise_strip_windows (t, pr, j, error))
    return FALSE;
  blend_windows (t, j);
  return emit_rows (t, j, error);
}

static gboolean
run_strips (Tiler *t, AdiffProgressFunc progress, gpointer progress_data,
            GError **error)
{
  Progress pr = { progress, progress_data };
  for (guint j = 0; j < t->n_strips; j++)
    if (!process_strip (t, &pr, j, error) || !report (t, &pr, j + 1, 0.0, error))
      return FALSE;
  return TRUE;
}

gboolean
adiff__denoise_rows_full (AdiffDenoiser *denoiser, guint width, guint height,
                         guint channels, AdiffTilePath path, AdiffTileStats *stats,
                         AdiffReadRowsFunc read_rows, AdiffWriteRowsFunc write_rows,
                         gpointer user_data, AdiffProgressFunc progress,
                         gpointer progress_data, GError **error)
{
  g_return_val_if_fail (denoiser != NULL && read_rows != NULL && write_rows != NULL, FALSE);
  if (!adiff__tile_check_geometry (denoiser->bundle, width, height, channels, error))
    return FALSE;
  Tiler t;
  gboolean ok = tiler_init (&t, denoiser, width, height, channels, path, error);
  if (ok)
    {
      t.read_rows = read_rows;
      t.write_rows = write_rows;
      t.user_data = user_data;
      ok = run_strips (&t, progress, progress_data, error);
    }
  if (stats)
    *stats = t.stats;
  tiler_clear (&t);
  return ok;
}

ADIFF_EXPORT gboolean
adiff_denoise_rows (AdiffDenoiser *denoiser, guint width, guint height,
                    guint channels, AdiffReadRowsFunc read_rows,
                    AdiffWriteRowsFunc write_rows, gpointer user_data,
                    AdiffProgressFunc progress, gpointer progress_data,
                    GError **error)
{
  return adiff__denoise_rows_full (denoiser, width, height, channels, ADIFF_TILE_AUTO, NULL,
                                  read_rows, write_rows, user_data, progress,
                                  progress_data, error);
}

typedef struct
{
  const float *in;
  float       *out;
  gsize        row_len;
} MemoryRows;

static gboolean
memory_read (guint y, guint n, float *buf, gpointer data, GError **error)
{
  MemoryRows *m = data;
  memcpy (buf, m->in + (gsize) y * m->row_len, (gsize) n * m->row_len * sizeof (float));
  return TRUE;
}

static gboolean
memory_write (guint y, guint n, const float *buf, gpointer data, GError **error)
{
  MemoryRows *m = data;
  memcpy (m->out + (gsize) y * m->row_len, buf, (gsize) n * m->row_len * sizeof (float));
  return TRUE;
}

/* in == out is safe: the tiler writes row y only after it has read it, and
 * keeps every row it still needs in its own buffer. */
ADIFF_EXPORT gboolean
adiff_denoise_image (AdiffDenoiser *denoiser, const float *in, float *out,
                     guint width, guint height, guint channels,
                     AdiffProgressFunc progress, gpointer progress_data,
                     GError **error)
{
  g_return_val_if_fail (in != NULL && out != NULL, FALSE);
  MemoryRows m = { in, out, (gsize) width * channels };
  return adiff_denoise_rows (denoiser, width, height, channels, memory_read,
                             memory_write, &m, progress, progress_data, error);
}

ADIFF_EXPORT void
adiff_window_for_pixel (guint image_width, guint image_height,
                        guint window_width, guint window_height,
                        guint x, guint y, guint *left, guint *top)
{
  gint64 l = (gint64) x - window_width / 2;
  gint64 t = (gint64) y - window_height / 2;
  gint64 max_l = (gint64) image_width - window_width;
  gint64 max_t = (gint64) image_height - window_height;
  *left = (guint) CLAMP (l, 0, MAX (max_l, 0));
  *top = (guint) CLAMP (t, 0, MAX (max_t, 0));
}
