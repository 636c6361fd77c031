/* pass-setup.c — a pass's fixed parts: its bases, group transform,
 * aggregation window and reference grid (AdiffPhotoStage), set up once per
 * pass and image for the pipeline. */
#include "photo/photo-private.h"
#include "photo/transform.h"

static gboolean
uses_pca (const AdiffPhotoConfig *p, const AdiffPhotoPass *q)
{
  return q->basis == ADIFF_PHOTO_BASIS_PCA && p->pca != NULL && p->pca_size == q->patch;
}

/* The pass's basis as P² rows, coarse first (for matching coefficients). */
static float *
pass_basis (const AdiffPhotoConfig *p, const AdiffPhotoPass *q)
{
  int P = q->patch;
  if (uses_pca (p, q))
    return g_memdup2 (p->pca, sizeof (float) * P * P * P * P);
  return adiff__photo_basis_separable (q->basis, P);
}

/* The same basis as a group transform. */
static AdiffPhotoTransform *
pass_transform (const AdiffPhotoConfig *p, const AdiffPhotoPass *q)
{
  if (uses_pca (p, q))
    return adiff__photo_transform_new_dense (q->patch, p->pca);
  float *c1 = adiff__photo_basis_1d (q->basis, q->patch);
  AdiffPhotoTransform *t = adiff__photo_transform_new_separable (q->patch, c1);
  g_free (c1);
  return t;
}

void
adiff__photo_stage_init (AdiffPhotoStage *st, const AdiffPhotoConfig *config,
                         const AdiffPhotoPass *pass, int w, int h)
{
  int *rx, *ry;
  memset (st, 0, sizeof *st);
  st->w = w;
  st->h = h;
  st->pass = *pass;
  st->basis = pass_basis (config, pass);
  st->transform = pass_transform (config, pass);
  st->window = adiff__photo_window_kaiser (pass->patch, config->kaiser_beta);
  st->ref_x = rx = adiff__photo_ref_positions (w, pass->patch, pass->step, &st->n_rx);
  st->ref_y = ry = adiff__photo_ref_positions (h, pass->patch, pass->step, &st->n_ry);
}

void
adiff__photo_stage_clear (AdiffPhotoStage *st)
{
  g_free ((gpointer) st->basis);
  adiff__photo_transform_free ((AdiffPhotoTransform *) st->transform);
  g_free ((gpointer) st->window);
  g_free ((gpointer) st->ref_x);
  g_free ((gpointer) st->ref_y);
  memset (st, 0, sizeof *st);
}
