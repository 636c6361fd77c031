/* denoise.c — the photo model on whole planes: the passes streamed by
 * pipeline.c over the image. */
#include "photo/photo-private.h"

/* ---- whole planes --------------------------------------------------------- */

typedef struct
{
  float *const *planes;
  float *const *out;
  int           nch, w;
} Planes;

static void
planes_source (int y, float *const *rows, gpointer data)
{
  const Planes *p = data;
  for (int c = 0; c < p->nch; c++)
    memcpy (rows[c], p->planes[c] + (gsize) y * p->w, p->w * sizeof (float));
}

static void
planes_sink (int y, const float *const *rows, gpointer data)
{
  const Planes *p = data;
  for (int c = 0; c < p->nch; c++)
    memcpy (p->out[c] + (gsize) y * p->w, rows[c], p->w * sizeof (float));
}

/* Run the model on nch planes (w×h, stride w).  Channel 0 is the one groups
 * are matched on (gray, or the luma of the opponent transform). */
gboolean
adiff__photo_model (float *const *planes, int nch, int w, int h, float sigma,
                    const AdiffPhotoConfig *p, float *const *out,
                    AdiffPhotoProgress *progress, GError **error)
{
  Planes data = { planes, out, nch, w };
  AdiffPhotoBox all = { 0, 0, w, h };
  return adiff__photo_pipeline_run (p, nch, w, h, sigma, &all, planes_source, planes_sink,
                                    &data, progress, error);
}
