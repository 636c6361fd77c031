/* denoise.c — the photo model on planes: the pilot pass, then the grouped
 * Wiener pass(es) with the pilot's statistics. */
#include "photo/photo-private.h"
#include "photo/transform.h"
#include "parallel.h"

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

/* Run one pass (st holds the planes, shrinkage and guide) into out. */
static gboolean
run_pass (AdiffPhotoStage *st, const AdiffPhotoConfig *p, const AdiffPhotoPass *pass,
          float *const *out, GError **error)
{
  float *basis = pass_basis (p, pass);
  float *win = adiff__photo_window_kaiser (pass->patch, p->kaiser_beta);
  AdiffPhotoTransform *tr = pass_transform (p, pass);
  st->pass = *pass;
  st->basis = basis;
  st->transform = tr;
  st->window = win;
  for (int c = 0; c < st->nch; c++)
    st->out[c] = out[c];
  gboolean ok = adiff__photo_stage_run (st, error);
  if (st->progress)
    st->progress->done += st->progress->span;
  g_free (basis);
  g_free (win);
  adiff__photo_transform_free (tr);
  return ok;
}

gboolean
adiff__photo_planes_alloc (float **planes, int n, gsize npix, GError **error)
{
  memset (planes, 0, n * sizeof *planes);
  for (int c = 0; c < n; c++)
    if (!(planes[c] = adiff__try_alloc (npix, sizeof (float), "photo model: image", error)))
      {
        adiff__photo_planes_free (planes, n);
        return FALSE;
      }
  return TRUE;
}

void
adiff__photo_planes_free (float **planes, int n)
{
  for (int c = 0; c < n; c++)
    g_clear_pointer (&planes[c], g_free);
}

/* Run the model on nch planes (w×h, stride w).  Channel 0 is the one groups
 * are matched on (gray, or the luma of the opponent transform). */
gboolean
adiff__photo_model (float *const *planes, int nch, int w, int h, float sigma,
                    const AdiffPhotoConfig *p, float *const *out,
                    AdiffPhotoProgress *progress, GError **error)
{
  AdiffPhotoStage st = { 0 };
  float *pilot[ADIFF_PHOTO_MAX_CH];
  gsize npix = (gsize) w * h;

  if (!adiff__photo_planes_alloc (pilot, nch, npix, error))
    return FALSE;
  st.w = w;
  st.h = h;
  st.nch = nch;
  st.n_threads = p->n_threads;
  st.lambda = p->lambda;
  st.progress = progress;
  for (int c = 0; c < nch; c++)
    {
      st.noisy[c] = planes[c];
      st.sigma[c] = sigma;
    }

  /* pass 1: pilot (the group's own noisy coefficients as its statistics) */
  st.guide = planes[0];
  st.guide_noise = sigma * sigma;
  st.shrink = ADIFF_PHOTO_SHRINK_HARD;
  gboolean ok = run_pass (&st, p, &p->pass1, pilot, error);

  /* pass 2 (and optional repeats): Wiener with the pilot's statistics */
  st.shrink = ADIFF_PHOTO_SHRINK_PILOT;
  for (int it = 0; ok && it < p->n_final; it++)
    {
      st.guide = pilot[0];
      st.guide_noise = 0.0f;
      for (int c = 0; c < nch; c++)
        st.pilot[c] = pilot[c];
      ok = run_pass (&st, p, &p->pass2, out, error);
      if (ok && it + 1 < p->n_final)
        for (int c = 0; c < nch; c++)
          memcpy (pilot[c], out[c], npix * sizeof (float));
    }
  if (ok && p->n_final == 0)
    for (int c = 0; c < nch; c++)
      memcpy (out[c], pilot[c], npix * sizeof (float));
  adiff__photo_planes_free (pilot, nch);
  return ok;
}
