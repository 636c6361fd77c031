/* denoise-window.c — the paper's setting: an input exactly the size of
 * the bundle's window is the model's input itself.  It goes through one
 * call of the window denoiser (adiff_denoiser_apply, the call `adiff
 * compare` makes), with no shifted or mirrored windows and no blending, so
 * `adiff denoise` on a batch of windows gives the model's x̂0.  The tiler
 * would instead blend 2 × 2 (or overlap²) shifted, mirror-padded windows,
 * which is a different, smoother denoiser.  `--tile` asks for the tiler. */
#include <string.h>
#include "adiff-commands.h"

#define CHUNK 64       /* windows per denoiser call: progress and Ctrl-C between */

gboolean
cli_is_window (AdiffBundle *bundle, guint width, guint height)
{
  return width == adiff_bundle_get_width (bundle) &&
         height == adiff_bundle_get_height (bundle);
}

/* A gray bundle on a colour window: every channel is a window of its own,
 * as the tiler does it.  planes[g·d + p] = item[p·groups + g]. */
static void
split_channels (const float *item, guint groups, gsize d, float *planes)
{
  for (gsize p = 0; p < d; p++)
    for (guint g = 0; g < groups; g++)
      planes[g * d + p] = item[p * groups + g];
}

static void
join_channels (const float *planes, guint groups, gsize d, float *item)
{
  for (gsize p = 0; p < d; p++)
    for (guint g = 0; g < groups; g++)
      item[p * groups + g] = planes[g * d + p];
}

/* m items of len values each, in place. */
static gboolean
apply_items (AdiffDenoiser *den, float *items, guint m, guint groups, gsize len,
             float *planes, GError **error)
{
  if (groups == 1)
    return adiff_denoiser_apply (den, items, m, items, error);
  gsize d = len / groups;
  for (guint i = 0; i < m; i++)
    split_channels (items + i * len, groups, d, planes + i * len);
  if (!adiff_denoiser_apply (den, planes, (gsize) m * groups, planes, error))
    return FALSE;
  for (guint i = 0; i < m; i++)
    join_channels (planes + i * len, groups, d, items + i * len);
  return TRUE;
}

gboolean
cli_denoise_windows (AdiffDenoiser *den, float *items, guint n, guint channels,
                     CliProgress *progress, guint first_item, GError **error)
{
  AdiffBundle *b = adiff_denoiser_get_bundle (den);
  guint groups = channels / adiff_bundle_get_channels (b);
  gsize len = adiff_bundle_get_dim (b) * groups;
  g_autofree float *planes = groups > 1 ? g_new (float, (gsize) MIN (n, CHUNK) * len) : NULL;

  for (guint i = 0; i < n; i += CHUNK)
    {
      guint m = MIN (CHUNK, n - i);
      if (!apply_items (den, items + i * len, m, groups, len, planes, error))
        return FALSE;
      cli_progress_set_item (progress, first_item + i + m);
      if (!cli_progress_func (0.0, progress))
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED, _("interrupted"));
          return FALSE;
        }
    }
  return TRUE;
}
