/* geometry.c — which pixels each pass needs and reads, for any box of
 * the output.
 *
 * The reference grid is the whole image's (every `step` pixels from 0, and
 * the last position), search windows end at the image's borders, and a
 * pass's output pixel gets estimates from every group that holds a patch
 * over it.  So an output pixel of the last pass depends on the references
 * within P − 1 + R of it, these read their search windows (R further, and
 * a patch), and so on back through the pilot: the input box reaches
 * Σ over the passes of (2R + P − 1) pixels beyond the output box, less
 * where the grid or the image's border ends sooner.
 */
#include "photo/photo-private.h"

int *
adiff__photo_ref_positions (int len, int P, int step, int *n)
{
  int last = len - P, count = last / step + 1 + (last % step != 0);
  int *pos = g_new (int, count);
  for (int i = 0, v = 0; i < count; i++, v += step)
    pos[i] = MIN (v, last);
  *n = count;
  return pos;
}

/* First index of the ascending pos[0..n) whose value is ≥ v (n if none). */
static int
lower_bound (const int *pos, int n, int v)
{
  int lo = 0, hi = n;
  while (lo < hi)
    {
      int mid = (lo + hi) / 2;
      if (pos[mid] < v)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Grid entries [*i0, *i1) whose patch or search window reach [lo, hi). */
static void
axis_reach (const int *pos, int n, int P, int R, int lo, int hi, int *i0, int *i1)
{
  *i0 = lower_bound (pos, n, lo - (P - 1) - R);
  *i1 = lower_bound (pos, n, hi + R);
}

void
adiff__photo_reach (const AdiffPhotoPass *pass, int w, int h, const int *ref_x, int n_rx,
                    const int *ref_y, int n_ry, const AdiffPhotoBox *need,
                    AdiffPhotoReach *reach)
{
  int P = pass->patch, R = pass->radius;
  reach->need = *need;
  axis_reach (ref_x, n_rx, P, R, need->x0, need->x1, &reach->j0, &reach->j1);
  axis_reach (ref_y, n_ry, P, R, need->y0, need->y1, &reach->i0, &reach->i1);
  reach->read = (AdiffPhotoBox) {
    MAX (0, ref_x[reach->j0] - R), MAX (0, ref_y[reach->i0] - R),
    MIN (w - P, ref_x[reach->j1 - 1] + R) + P, MIN (h - P, ref_y[reach->i1 - 1] + R) + P
  };
}

const AdiffPhotoPass *
adiff__photo_stage_pass (const AdiffPhotoConfig *config, int stage)
{
  return stage == 0 ? &config->pass1 : &config->pass2;
}

void
adiff__photo_reaches (const AdiffPhotoConfig *config, int w, int h, const AdiffPhotoBox *out,
                      AdiffPhotoReach *reach)
{
  AdiffPhotoBox need = *out;
  for (int s = config->n_final; s >= 0; s--)
    {
      const AdiffPhotoPass *pass = adiff__photo_stage_pass (config, s);
      int n_rx, n_ry;
      int *rx = adiff__photo_ref_positions (w, pass->patch, pass->step, &n_rx);
      int *ry = adiff__photo_ref_positions (h, pass->patch, pass->step, &n_ry);
      adiff__photo_reach (pass, w, h, rx, n_rx, ry, n_ry, &need, &reach[s]);
      need = reach[s].read;
      g_free (rx);
      g_free (ry);
    }
}

void
adiff__photo_input_box (const AdiffPhotoConfig *config, int w, int h, const AdiffPhotoBox *out,
                        AdiffPhotoBox *in)
{
  AdiffPhotoReach reach[ADIFF_PHOTO_MAX_STAGES];
  adiff__photo_reaches (config, w, h, out, reach);
  *in = reach[0].read;
}
