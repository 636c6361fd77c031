/* ensemble.c — the photo model on interleaved pixels: scale to 0–255,
 * gray or the opponent colour planes, and the self-ensemble over the
 * dihedral group (each element sees other reference grids, patch
 * alignments and matches; the results are averaged).
 *
 * Each element is one streamed run of the passes (pipeline.c) over the
 * element's view of the image: its source reads the input pixels through
 * the element's flip or transpose, its sink writes the output pixels back
 * through it.  Between elements the output holds the running average (in
 * the model's planes); the last element turns it into pixels. */
#include "photo/photo-private.h"
#include "parallel.h"

/* Element g of the dihedral group D4 acting on a w×h image: bit 0
 * transposes, bit 1 flips x, bit 2 flips y (of the result).  Pixel (x, y)
 * of the element's view is pixel (*ox, *oy) of the image. */
static void
d4_source (int g, int w, int h, int x, int y, int *ox, int *oy)
{
  gboolean tr = g & 1, fx = (g >> 1) & 1, fy = (g >> 2) & 1;
  int W = tr ? h : w, H = tr ? w : h;
  int xs = fx ? W - 1 - x : x, ys = fy ? H - 1 - y : y;
  *ox = tr ? ys : xs;
  *oy = tr ? xs : ys;
}

/* Pixel (ox, oy) of the image in the element's view. */
static void
d4_target (int g, int w, int h, int ox, int oy, int *x, int *y)
{
  gboolean tr = g & 1, fx = (g >> 1) & 1, fy = (g >> 2) & 1;
  int W = tr ? h : w, H = tr ? w : h;
  int xs = tr ? oy : ox, ys = tr ? ox : oy;
  *x = fx ? W - 1 - xs : xs;
  *y = fy ? H - 1 - ys : ys;
}

/* A box of the image in the element's view (to_view) or back. */
static void
d4_box (int g, int w, int h, gboolean to_view, const AdiffPhotoBox *b, AdiffPhotoBox *r)
{
  int ax, ay, bx, by;
  if (to_view)
    {
      d4_target (g, w, h, b->x0, b->y0, &ax, &ay);
      d4_target (g, w, h, b->x1 - 1, b->y1 - 1, &bx, &by);
    }
  else
    {
      d4_source (g, w, h, b->x0, b->y0, &ax, &ay);
      d4_source (g, w, h, b->x1 - 1, b->y1 - 1, &bx, &by);
    }
  *r = (AdiffPhotoBox) { MIN (ax, bx), MIN (ay, by), MAX (ax, bx) + 1, MAX (ay, by) + 1 };
}

/* A self-ensemble element's run. */
typedef struct
{
  int                  g, w, h, channels, element, n_elements;
  float                scale;
  const float         *in;
  const AdiffPhotoBox *in_box;       /* of the image */
  float               *out;
  const AdiffPhotoBox *out_box;      /* of the image */
  AdiffPhotoBox        view_in;      /* the run's input box, in the element's view */
  AdiffPhotoBox        view_out;
} Element;

/* Row y of the element's view: interleaved pixels × scale into planes
 * (gray, or the opponent planes). */
static void
pixels_source (int y, float *const *rows, gpointer data)
{
  const Element *e = data;
  int in_w = e->in_box->x1 - e->in_box->x0;
  for (int x = e->view_in.x0; x < e->view_in.x1; x++)
    {
      int ox, oy, i = x - e->view_in.x0;
      d4_source (e->g, e->w, e->h, x, y, &ox, &oy);
      const float *px = e->in + ((gsize) (oy - e->in_box->y0) * in_w + (ox - e->in_box->x0))
                                * e->channels;
      if (e->channels == 1)
        {
          rows[0][i] = px[0] * e->scale;
          continue;
        }
      float rgb[3] = { px[0] * e->scale, px[1] * e->scale, px[2] * e->scale }, o[3];
      adiff__photo_rgb_to_opp (rgb, o);
      for (int c = 0; c < 3; c++)
        rows[c][i] = o[c];
    }
}

/* Row y of the element's view into the output: added to the running
 * average, or (at the last element) back to pixels / scale. */
static void
pixels_sink (int y, const float *const *rows, gpointer data)
{
  const Element *e = data;
  int out_w = e->out_box->x1 - e->out_box->x0;
  gboolean last = e->element == e->n_elements - 1;
  for (int x = e->view_out.x0; x < e->view_out.x1; x++)
    {
      int ox, oy, i = x - e->view_out.x0;
      float v[ADIFF_PHOTO_MAX_CH];
      d4_source (e->g, e->w, e->h, x, y, &ox, &oy);
      float *px = e->out + ((gsize) (oy - e->out_box->y0) * out_w + (ox - e->out_box->x0))
                           * e->channels;
      for (int c = 0; c < e->channels; c++)
        {
          v[c] = rows[c][i];
          if (e->n_elements > 1)
            v[c] = (e->element == 0 ? 0.0f : px[c]) + v[c] / e->n_elements;
        }
      if (!last)
        memcpy (px, v, e->channels * sizeof (float));
      else if (e->channels == 1)
        px[0] = v[0] / e->scale;
      else
        {
          float rgb[3];
          adiff__photo_opp_to_rgb (v, rgb);
          for (int c = 0; c < 3; c++)
            px[c] = rgb[c] / e->scale;
        }
    }
}

/* a transpose alone repeats a square image's computation: flips first */
static const int ensemble_order[8] = { 0, 6, 2, 4, 1, 7, 3, 5 };

void
adiff__photo_region_box (const AdiffPhotoConfig *p, int w, int h, const AdiffPhotoBox *out,
                         AdiffPhotoBox *in)
{
  *in = (AdiffPhotoBox) { w, h, 0, 0 };
  for (int e = 0; e < MAX (1, p->n_ensemble); e++)
    {
      int g = ensemble_order[e], W = (g & 1) ? h : w, H = (g & 1) ? w : h;
      AdiffPhotoBox view_out, view_in, back;
      d4_box (g, w, h, TRUE, out, &view_out);
      adiff__photo_input_box (p, W, H, &view_out, &view_in);
      d4_box (g, w, h, FALSE, &view_in, &back);
      *in = (AdiffPhotoBox) { MIN (in->x0, back.x0), MIN (in->y0, back.y0),
                              MAX (in->x1, back.x1), MAX (in->y1, back.y1) };
    }
}

gboolean
adiff__photo_run_box (const AdiffPhotoConfig *p, int w, int h, int channels, float scale,
                      float sigma_255, const float *in, const AdiffPhotoBox *in_box,
                      float *out, const AdiffPhotoBox *out_box, AdiffPhotoProgress *progress,
                      GError **error)
{
  g_return_val_if_fail (channels == 1 || channels == 3, FALSE);
  if (!adiff__photo_config_check (p, w, h, sigma_255, error))
    return FALSE;
  int n = MAX (1, p->n_ensemble);
  if (progress)
    {
      progress->done = 0;
      progress->span = 1.0 / n;
    }
  gboolean ok = TRUE;
  for (int e = 0; ok && e < n; e++)
    {
      int g = ensemble_order[e], W = (g & 1) ? h : w, H = (g & 1) ? w : h;
      Element el = { g, w, h, channels, e, n, scale, in, in_box, out, out_box };
      d4_box (g, w, h, TRUE, out_box, &el.view_out);
      adiff__photo_input_box (p, W, H, &el.view_out, &el.view_in);
      /* the colour transform is orthonormal: every channel keeps noise σ */
      ok = adiff__photo_pipeline_run (p, channels, W, H, sigma_255, &el.view_out,
                                      pixels_source, pixels_sink, &el, progress, error);
    }
  return ok;
}

gboolean
adiff__photo_run (const AdiffPhotoConfig *p, const float *in, int w, int h, int channels,
                  float scale, float sigma_255, float *out, AdiffPhotoProgress *progress,
                  GError **error)
{
  AdiffPhotoBox all = { 0, 0, w, h };
  float *copy = NULL;
  if (!adiff__photo_config_check (p, w, h, sigma_255, error))
    return FALSE;
  /* One run streams: it reads each input row before it writes that output
   * row.  The self-ensemble's later elements read the input again, so
   * in place they need a copy of it. */
  if (in == out && p->n_ensemble > 1)
    {
      gsize n = (gsize) w * h * channels;
      if (!(copy = adiff__try_alloc (n, sizeof (float), "photo model: a copy of the input",
                                     error)))
        return FALSE;
      memcpy (copy, in, n * sizeof (float));
      in = copy;
    }
  gboolean ok = adiff__photo_run_box (p, w, h, channels, scale, sigma_255, in, &all, out,
                                      &all, progress, error);
  g_free (copy);
  return ok;
}
