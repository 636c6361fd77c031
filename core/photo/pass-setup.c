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
  st->weight = 1.0f;
}

/* The companions read what their stage reads (the planes, σ, the
 * shrinkage), and their patches sit in the middle of the stage's: so they
 * reach no pixel the stage does not (config.c checks their sizes and
 * radii), and the bands, regions and margins of the stage hold for them
 * unchanged.  Each is the companion of the one before. */
void
adiff__photo_stage_add_companions (AdiffPhotoStage *st, const AdiffPhotoConfig *config)
{
  AdiffPhotoStage *last = st;
  for (int k = 0; k < ADIFF_PHOTO_MAX_COMPANIONS && config->companion[k].patch > 0; k++)
    {
      AdiffPhotoStage *c = g_new (AdiffPhotoStage, 1);
      adiff__photo_stage_init (c, config, &config->companion[k], st->w, st->h);
      c->nch = st->nch;
      c->noisy = st->noisy;
      c->pilot = st->pilot;
      c->guide = st->guide;
      c->guide_noise = st->guide_noise;
      memcpy (c->sigma, st->sigma, sizeof c->sigma);
      c->shrink = st->shrink;
      c->lambda = st->lambda;
      c->weight = config->companion_weight[k];
      c->offset = (st->pass.patch - config->companion[k].patch) / 2;
      last->companion = c;
      last = c;
    }
}

void
adiff__photo_stage_clear (AdiffPhotoStage *st)
{
  g_free ((gpointer) st->basis);
  adiff__photo_transform_free ((AdiffPhotoTransform *) st->transform);
  g_free ((gpointer) st->window);
  g_free ((gpointer) st->ref_x);
  g_free ((gpointer) st->ref_y);
  if (st->companion != NULL)
    {
      adiff__photo_stage_clear (st->companion);
      g_free (st->companion);
    }
  memset (st, 0, sizeof *st);
}
