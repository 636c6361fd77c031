/* linear.c — the blended tiling of a linear (Wiener) denoiser, folded
 * into one matrix per output block.
 *
 * Every window's output is b + W z (b = μ − Wμ), and the tiler's result at a
 * pixel is a fixed weighted sum of such outputs.  For the stride-sized block
 * of output pixels at a grid point B, every window touching the block has
 * its origin among B − m·stride (m = 0..M, M = ⌊(size−1)/stride⌋), so the
 * block depends only on the footprint [B − M·stride, B − M·stride + F) with
 * F = M·stride + size, through one matrix K (block values × footprint values)
 * and one bias vector, the same for every block:
 *
 *   K[(py,px,c), (fy,fx,c')] = Σ_m,n  w_y(iy) w_x(ix) / (S_y(py) S_x(px))
 *                                       · W[(iy,ix,c), (fy − (M−m)s, fx − (M−n)s, c')]
 *
 * with iy = py + m·s_y, ix = px + n·s_x inside the window.  A strip of
 * blocks is then one SGEMM.  For a 32×32×3 window this needs 2·48²·3 = 13.8k
 * multiply-adds per output value instead of 4·2·3072 = 24.6k through the
 * eigenbasis of four windows; the result is the same tiling up to float
 * rounding (tests/image compares it with a brute-force tiling).
 */
#include <cblas.h>
#include "adiff-private.h"
#include "tiling/linear.h"
#include <glib/gi18n-lib.h>

/* W rows computed per SGEMM while building K (bounds the scratch). */
#define ROW_CHUNK 256

/* Window origins before the block's own that still reach into the block. */
static guint
reach (const AdiffAxis *a)
{
  return (a->size - 1) / a->stride;
}

void
adiff__linear_tiles_shape (const AdiffAxis *ax, const AdiffAxis *ay, guint channels,
                          AdiffLinearTiles *lt)
{
  lt->mx = reach (ax);
  lt->my = reach (ay);
  lt->fw = lt->mx * ax->stride + ax->size;
  lt->fh = lt->my * ay->stride + ay->size;
  lt->channels = channels;
  lt->out_len = (gsize) ax->stride * ay->stride * channels;
  lt->in_len = (gsize) lt->fw * lt->fh * channels;
}

/* Add the contribution of W's rows [r0, r0+nr) (and their bias) to K. */
static void
scatter_rows (AdiffLinearTiles *lt, const AdiffAxis *ax, const AdiffAxis *ay,
              const float *w_rows, const double *bias, gsize r0, gsize nr)
{
  guint c = lt->channels, ww = ax->size, wh = ay->size;
  for (gsize r = 0; r < nr; r++)
    {
      gsize q = r0 + r;
      guint qc = q % c, ix = (q / c) % ww, iy = (q / c) / ww;
      guint px = ix % ax->stride, n = ix / ax->stride;
      guint py = iy % ay->stride, m = iy / ay->stride;
      float f = ay->weight[iy] * ax->weight[ix] * ay->inv_sum[py] * ax->inv_sum[px];
      gsize row = ((gsize) py * ax->stride + px) * c + qc;
      float *k = lt->kernel + row * lt->in_len;
      guint oy = (lt->my - m) * ay->stride, ox = (lt->mx - n) * ax->stride;
      const float *src = w_rows + r * (gsize) ww * wh * c;
      for (guint jy = 0; jy < wh; jy++)
        {
          float *dst = k + ((gsize) (oy + jy) * lt->fw + ox) * c;
          const float *s = src + (gsize) jy * ww * c;
          for (gsize j = 0; j < (gsize) ww * c; j++)
            dst[j] += f * s[j];
        }
      lt->bias[row] += f * (float) bias[r];
    }
}

gboolean
adiff__linear_tiles_init (AdiffLinearTiles *lt, AdiffDenoiser *den,
                         const AdiffAxis *ax, const AdiffAxis *ay, GError **error)
{
  AdiffBundle *b = den->bundle;
  gsize d = b->dim;
  guint k = b->n_components;
  adiff__linear_tiles_shape (ax, ay, b->channels, lt);
  lt->kernel = g_try_new0 (float, lt->out_len * lt->in_len);
  lt->bias = g_new0 (float, lt->out_len);
  float *gains = g_new (float, k + 1), *a = g_new (float, (gsize) ROW_CHUNK * k + 1);
  float *rows = g_try_new (float, ROW_CHUNK * d);
  double *bias = g_new (double, ROW_CHUNK);
  double *g = g_new (double, k + 1), sr;
  if (!lt->kernel || !rows)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("out of memory for the folded Wiener tiling of %s"), b->name);
      g_free (gains); g_free (a); g_free (rows); g_free (bias); g_free (g);
      return FALSE;
    }
  adiff__wiener_gains (b, den->params.sigma, g, &sr);
  for (guint i = 0; i < k; i++)
    gains[i] = (float) g[i];

  /* W[r0.., :] = (U[:, r0..]ᵀ diag(g − s_r)) U + s_r I, a chunk at a time. */
  for (gsize r0 = 0; r0 < d; r0 += ROW_CHUNK)
    {
      gsize nr = MIN (ROW_CHUNK, d - r0);
      for (gsize r = 0; r < nr; r++)
        for (guint i = 0; i < k; i++)
          a[r * k + i] = b->eigenvectors[(gsize) i * d + r0 + r] * gains[i];
      memset (rows, 0, nr * d * sizeof (float));
      if (k > 0)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) nr, (int) d, (int) k,
                     1.0f, a, (int) k, b->eigenvectors, (int) d, 0.0f, rows, (int) d);
      for (gsize r = 0; r < nr; r++)
        {
          rows[r * d + r0 + r] += (float) sr;
          double wm = 0;
          for (gsize p = 0; p < d; p++)
            wm += rows[r * d + p] * b->mean[p];
          bias[r] = b->mean[r0 + r] - wm;        /* b = μ − Wμ */
        }
      scatter_rows (lt, ax, ay, rows, bias, r0, nr);
    }
  g_free (gains); g_free (a); g_free (rows); g_free (bias); g_free (g);
  return TRUE;
}

void
adiff__linear_tiles_apply (const AdiffLinearTiles *lt, const float *patches, gsize n,
                          float *out)
{
  for (gsize i = 0; i < n; i++)
    memcpy (out + i * lt->out_len, lt->bias, lt->out_len * sizeof (float));
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) n, (int) lt->out_len,
               (int) lt->in_len, 1.0f, patches, (int) lt->in_len, lt->kernel,
               (int) lt->in_len, 1.0f, out, (int) lt->out_len);
}

void
adiff__linear_tiles_clear (AdiffLinearTiles *lt)
{
  g_clear_pointer (&lt->kernel, g_free);
  g_clear_pointer (&lt->bias, g_free);
}
