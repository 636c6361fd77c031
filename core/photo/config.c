/* config.c — the photo model's parameters per σ, and their checks.
 *
 * BM3D's structure and its 'np' / 'vn' profiles (Dabov et al. 2007; Hou et
 * al. 2010 for σ > 40): the bior1.5 wavelet for the pilot, the DCT for the
 * final pass, ±19-pixel searches, λ = 2.7.  The match thresholds, the Wiener
 * gain's noise factor and the strong-noise steps were chosen on training
 * images (25 train400 crops and 8 CBSD432 photos in gray, 6 CBSD432 photos in
 * colour; RGB's looser thresholds on 8 other CBSD432 photos); every variant
 * measured and its gain is in docs/models.md, "Photo model", "Variants",
 * "Variants, second round", (the pilot and the estimator, nothing kept)
 * "third round" and (gray's companion patch size) "fourth round".
 * Thresholds τ are mean squared differences on the 0–255 scale. */
#include "photo/photo-private.h"
#include <glib/gi18n-lib.h>

void
adiff__photo_config_init (AdiffPhotoConfig *p, float sigma_255, int channels)
{
  memset (p, 0, sizeof *p);
  /* pass 1 (pilot): hard threshold in bior1.5 × Haar, matched on the noisy image */
  p->pass1 = (AdiffPhotoPass) { .patch = 8, .basis = ADIFF_PHOTO_BASIS_BIOR15, .step = 3,
                                .group_max = 16, .radius = 19, .match_dims = 64,
                                .tau = 5000.0f, .gain_noise = 1.0f };
  /* pass 2: Wiener filter of each group with the pilot group's statistics;
   * the pilot's coefficients are a little small (it is smoothed), hence a
   * gain a little above the Wiener gain of p² */
  p->pass2 = (AdiffPhotoPass) { .patch = 8, .basis = ADIFF_PHOTO_BASIS_DCT, .step = 3,
                                .group_max = 32, .radius = 19, .match_dims = 32,
                                .tau = 600.0f, .gain_noise = 0.8f };
  p->lambda = 2.7f;
  if (sigma_255 > 40.0f)
    {
      /* strong noise: larger pilot groups, 11×11 final patches matched on
       * 64 coefficients */
      p->pass1.group_max = 32;
      p->pass1.step = 4;
      p->pass1.tau = 25000.0f;
      p->pass2.patch = 11;
      p->pass2.step = 6;
      p->pass2.match_dims = 64;
      p->pass2.tau = 3500.0f;
    }
  if (channels == 3)
    {
      /* colour: the groups are matched on the luma and filter the chroma
       * too, whose signal is weak against its noise, so fuller groups pay:
       * looser thresholds (the final pass's lets nearly every patch of the
       * window in: its group is the nearest group_max) */
      if (sigma_255 > 40.0f)
        p->pass2.tau = 10000.0f;
      else
        {
          p->pass1.tau = 12000.0f;
          p->pass2.tau = 20000.0f;
        }
    }
  if (channels == 1)
    {
      /* gray: a second, smaller patch size at the final pass's references
       * (docs/models.md, "Photo model" item 4 and "Variants, fourth
       * round"): its own groups, matched
       * on the pilot, average errors unlike the 8×8 ones (+0.03 to +0.06 dB
       * below σ = 40, +0.01 above, for 1.3–1.8× the time; RGB has no time
       * left for it) */
      AdiffPhotoPass *c = &p->companion[0];
      *c = p->pass2;
      c->patch = sigma_255 > 40.0f ? 8 : sigma_255 > 20.0f ? 5 : 4;
      c->match_dims = MIN (32, c->patch * c->patch);
      c->group_max = 64;
      p->companion_weight[0] = 1.0f;
    }
  p->n_final = 1;
  p->n_ensemble = 1;
  p->kaiser_beta = 2.0f;
  p->n_threads = 0;
}

/* Best quality: pass 2 at 2/3 of the default step, matched on all
 * coefficients, in the bundle's PCA basis when the caller sets p->pca (else
 * the DCT), and a two-element self-ensemble (identity, rot180). */
void
adiff__photo_config_init_best (AdiffPhotoConfig *p, float sigma_255, int channels)
{
  adiff__photo_config_init (p, sigma_255, channels);
  p->pass2.step = MAX (1, p->pass2.step * 2 / 3);   /* 3 → 2, 6 → 4 */
  p->pass2.match_dims = p->pass2.patch * p->pass2.patch;
  p->pass2.basis = ADIFF_PHOTO_BASIS_PCA;   /* used when p->pca matches the patch size */
  p->n_ensemble = 2;
}

static gboolean
pass_valid (const AdiffPhotoPass *q)
{
  return q->patch >= 2 && q->patch <= ADIFF_PHOTO_MAX_PATCH && q->step >= 1
         && q->step <= q->patch && q->group_max >= 1 && q->group_max <= ADIFF_PHOTO_MAX_GROUP
         && (q->group_max & (q->group_max - 1)) == 0 && q->radius >= 0 && q->radius <= 64
         && q->match_dims >= 1 && q->match_dims <= q->patch * q->patch
         && q->tau > 0.0f && isfinite (q->tau) && q->gain_noise > 0.0f
         && isfinite (q->gain_noise);
}

/* The companions must stay inside the final pass's footprint (their
 * patches in the middle of the final pass's, searching no further), so that
 * the final pass's bands, regions and margins hold for them. */
static gboolean
companions_valid (const AdiffPhotoConfig *p)
{
  for (int k = 0; k < ADIFF_PHOTO_MAX_COMPANIONS && p->companion[k].patch > 0; k++)
    {
      AdiffPhotoPass q = p->companion[k];
      q.step = 1;
      if (!pass_valid (&q) || q.patch > p->pass2.patch || q.radius > p->pass2.radius
          || p->n_final < 1 || !(p->companion_weight[k] > 0.0f)
          || !isfinite (p->companion_weight[k]))
        return FALSE;
    }
  return TRUE;
}

gboolean
adiff__photo_config_check (const AdiffPhotoConfig *p, int w, int h, float sigma_255,
                           GError **error)
{
  if (!pass_valid (&p->pass1) || !pass_valid (&p->pass2) || !companions_valid (p)
      || !(p->lambda >= 0.0f)
      || !isfinite (p->lambda) || p->n_final < 0 || p->n_final > 4
      || !(p->kaiser_beta >= 0.0f) || !isfinite (p->kaiser_beta)
      || (p->n_ensemble != 1 && p->n_ensemble != 2 && p->n_ensemble != 4
          && p->n_ensemble != 8))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("photo model: invalid parameters"));
      return FALSE;
    }
  if (!(sigma_255 > 0.0f) || !isfinite (sigma_255))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("photo model: σ %g is not a positive noise level"), sigma_255 / 255.0);
      return FALSE;
    }
  int P = MAX (p->pass1.patch, p->pass2.patch);
  if (w < P || h < P)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("photo model: the image (%d × %d) is smaller than a %d × %d patch"),
                   w, h, P, P);
      return FALSE;
    }
  return TRUE;
}
