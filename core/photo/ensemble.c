/* ensemble.c — the photo model on interleaved pixels: scale to 0–255,
 * gray or the opponent colour planes, and the self-ensemble over the
 * dihedral group (each element sees other reference grids, patch
 * alignments and matches; the results are averaged). */
#include "photo/photo-private.h"

/* Element g of the dihedral group D4 acting on a w×h plane: bit 0 transposes,
 * bit 1 flips x, bit 2 flips y (of the result).  dst has size w'×h'. */
static void
d4_apply (const float *src, int w, int h, int g, float *dst)
{
  gboolean tr = g & 1, fx = (g >> 1) & 1, fy = (g >> 2) & 1;
  int W = tr ? h : w, H = tr ? w : h;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        int xs = fx ? W - 1 - x : x, ys = fy ? H - 1 - y : y;
        dst[(gsize) y * W + x] = tr ? src[(gsize) xs * w + ys] : src[(gsize) ys * w + xs];
      }
}

/* Inverse of d4_apply (src is the W×H transformed plane, dst w×h). */
static void
d4_invert (const float *src, int w, int h, int g, float *dst)
{
  gboolean tr = g & 1, fx = (g >> 1) & 1, fy = (g >> 2) & 1;
  int W = tr ? h : w, H = tr ? w : h;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        int xs = fx ? W - 1 - x : x, ys = fy ? H - 1 - y : y;
        float v = src[(gsize) y * W + x];
        if (tr)
          dst[(gsize) xs * w + ys] = v;
        else
          dst[(gsize) ys * w + xs] = v;
      }
}

/* The model averaged over p->n_ensemble elements of D4. */
static gboolean
run_ensemble (float *const *planes, int nch, int w, int h, float sigma,
              const AdiffPhotoConfig *p, float *const *out, AdiffPhotoProgress *progress,
              GError **error)
{
  if (p->n_ensemble <= 1)
    return adiff__photo_model (planes, nch, w, h, sigma, p, out, progress, error);

  /* a transpose alone repeats a square image's computation: flips first */
  static const int order[8] = { 0, 6, 2, 4, 1, 7, 3, 5 };
  gsize npix = (gsize) w * h;
  float *tp[ADIFF_PHOTO_MAX_CH], *to[ADIFF_PHOTO_MAX_CH], *tmp;
  if (!adiff__photo_planes_alloc (tp, nch, npix, error))
    return FALSE;
  if (!adiff__photo_planes_alloc (to, nch, npix, error) ||
      !adiff__photo_planes_alloc (&tmp, 1, npix, error))
    {
      adiff__photo_planes_free (tp, nch);
      adiff__photo_planes_free (to, nch);
      return FALSE;
    }
  for (int c = 0; c < nch; c++)
    memset (out[c], 0, npix * sizeof (float));
  gboolean ok = TRUE;
  for (int e = 0; ok && e < p->n_ensemble; e++)
    {
      int g = order[e], W = (g & 1) ? h : w, H = (g & 1) ? w : h;
      for (int c = 0; c < nch; c++)
        d4_apply (planes[c], w, h, g, tp[c]);
      ok = adiff__photo_model (tp, nch, W, H, sigma, p, to, progress, error);
      for (int c = 0; ok && c < nch; c++)
        {
          d4_invert (to[c], w, h, g, tmp);
          for (gsize i = 0; i < npix; i++)
            out[c][i] += tmp[i] / p->n_ensemble;
        }
    }
  adiff__photo_planes_free (tp, nch);
  adiff__photo_planes_free (to, nch);
  adiff__photo_planes_free (&tmp, 1);
  return ok;
}

/* Interleaved pixels × scale into planes: gray, or the opponent planes. */
static void
planes_from_pixels (const float *in, gsize npix, int channels, float scale, float **planes)
{
  for (gsize i = 0; i < npix; i++)
    {
      if (channels == 1)
        {
          planes[0][i] = in[i] * scale;
          continue;
        }
      float rgb[3] = { in[3 * i] * scale, in[3 * i + 1] * scale, in[3 * i + 2] * scale }, o[3];
      adiff__photo_rgb_to_opp (rgb, o);
      for (int c = 0; c < 3; c++)
        planes[c][i] = o[c];
    }
}

static void
pixels_from_planes (float *const *planes, gsize npix, int channels, float scale, float *out)
{
  for (gsize i = 0; i < npix; i++)
    {
      if (channels == 1)
        {
          out[i] = planes[0][i] / scale;
          continue;
        }
      float o[3] = { planes[0][i], planes[1][i], planes[2][i] }, rgb[3];
      adiff__photo_opp_to_rgb (o, rgb);
      for (int c = 0; c < 3; c++)
        out[3 * i + c] = rgb[c] / scale;
    }
}

gboolean
adiff__photo_run (const AdiffPhotoConfig *p, const float *in, int w, int h, int channels,
                  float scale, float sigma_255, float *out, AdiffPhotoProgress *progress,
                  GError **error)
{
  g_return_val_if_fail (channels == 1 || channels == 3, FALSE);
  if (!adiff__photo_config_check (p, w, h, sigma_255, error))
    return FALSE;
  gsize npix = (gsize) w * h;
  float *planes[ADIFF_PHOTO_MAX_CH], *res[ADIFF_PHOTO_MAX_CH];
  if (!adiff__photo_planes_alloc (planes, channels, npix, error))
    return FALSE;
  if (!adiff__photo_planes_alloc (res, channels, npix, error))
    {
      adiff__photo_planes_free (planes, channels);
      return FALSE;
    }
  if (progress)
    {
      progress->done = 0;
      progress->span = 1.0 / (p->n_ensemble * (1 + p->n_final));
    }
  planes_from_pixels (in, npix, channels, scale, planes);
  /* the colour transform is orthonormal: every channel keeps noise σ */
  gboolean ok = run_ensemble (planes, channels, w, h, sigma_255, p, res, progress, error);
  if (ok)
    pixels_from_planes (res, npix, channels, scale, out);
  adiff__photo_planes_free (planes, channels);
  adiff__photo_planes_free (res, channels);
  return ok;
}
