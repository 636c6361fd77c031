/* sample.c — DDIM sampling (Song et al. 2021) with any of our denoisers.
 *
 * In our variance-exploding units z = x0 + σ(t)·ε, one DDIM step from t to
 * s < t with the denoiser's estimate x̂0 = D(z, σ_t) and ε̂ = (z − x̂0)/σ_t is
 *
 *   z_s = x̂0 + √(σ_s² − c²)·ε̂ + c·ξ,   ξ ~ N(0, I),
 *   c   = η · ½·√((1−ᾱ_s)/(1−ᾱ_t) · (1 − ᾱ_t/ᾱ_s) / ᾱ_s)
 *
 * which is the DDPM-form DDIM update divided by √ᾱ_s and mapped to [0,1]
 * (η = 0: deterministic; η = 1: DDPM-like).  The timesteps are evenly
 * spaced and end at the schedule's last step: t_i = (T/N)(N − i) − 1,
 * i = 0..N−1 (999, 899, …, 99 for N = 10); the final step goes to σ = 0,
 * i.e. returns x̂0.  The start is pure DDPM noise x_T ~ N(0, I), which in
 * our units is z = ½ + ½·ξ/√ᾱ_{t0}.
 */
#include "adiff-private.h"
#include "sample/schedule.h"
#include "sample/sample-private.h"
#include <glib/gi18n-lib.h>

ADIFF_EXPORT void
adiff_sample_params_init (AdiffSampleParams *params)
{
  memset (params, 0, sizeof *params);
  params->steps = 10;
  params->eta = 0.0;
  params->seed = 0;
}

static double
gaussian (GRand *rng)
{
  /* Box–Muller; 1 − u keeps the logarithm finite. */
  double u = 1.0 - g_rand_double (rng), v = g_rand_double (rng);
  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

static GRand *
rng_for_seed (guint64 seed)
{
  guint32 words[2] = { (guint32) seed, (guint32) (seed >> 32) };
  return g_rand_new_with_seed_array (words, 2);
}

static gboolean
check_sample_params (const AdiffSampleParams *p, GError **error)
{
  if (p->steps == 0 || p->steps > ADIFF_DDPM_T)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("%u sampling steps: need between 1 and %d"), p->steps, ADIFF_DDPM_T);
      return FALSE;
    }
  if (!isfinite (p->eta) || p->eta < 0 || p->eta > 1)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("DDIM η = %g is outside [0, 1]"), p->eta);
      return FALSE;
    }
  return TRUE;
}

static guint
step_t (guint i, guint steps)
{
  return (guint) ((guint64) ADIFF_DDPM_T * (steps - i) / steps) - 1;
}

gboolean
adiff__ddim_run (gsize n, const AdiffSampleParams *params, AdiffDdimDenoiseFunc denoise,
                gpointer denoise_data, float *out,
                gboolean (*progress) (double, gpointer), gpointer progress_data,
                GError **error)
{
  if (!check_sample_params (params, error))
    return FALSE;
  float *z = g_new (float, n), *x0 = g_new (float, n);
  GRand *rng = rng_for_seed (params->seed);
  gboolean ok = TRUE;

  double start_scale = 0.5 / sqrt (adiff__ddpm_alpha_bar (step_t (0, params->steps)));
  for (gsize p = 0; p < n; p++)
    z[p] = (float) (0.5 + start_scale * gaussian (rng));

  for (guint i = 0; ok && i < params->steps; i++)
    {
      guint t = step_t (i, params->steps);
      double st = adiff_ddpm_sigma (t);
      ok = denoise (st, z, x0, denoise_data, error);
      if (!ok)
        break;
      if (i + 1 == params->steps)
        {
          memcpy (out, x0, n * sizeof (float));
          break;
        }
      guint s = step_t (i + 1, params->steps);
      double ab_t = adiff__ddpm_alpha_bar (t), ab_s = adiff__ddpm_alpha_bar (s);
      double ss = adiff_ddpm_sigma (s);
      double c = params->eta * 0.5 * sqrt ((1 - ab_s) / (1 - ab_t) * (1 - ab_t / ab_s) / ab_s);
      double dir = sqrt (MAX (0.0, ss * ss - c * c));
      for (gsize p = 0; p < n; p++)
        {
          double eps = (z[p] - x0[p]) / st;
          double noise = c > 0 ? c * gaussian (rng) : 0.0;
          z[p] = (float) (x0[p] + dir * eps + noise);
        }
      if (progress && !progress ((i + 1.0) / params->steps, progress_data))
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED, _("sampling cancelled"));
          ok = FALSE;
        }
    }
  if (ok && progress)
    progress (1.0, progress_data);
  g_rand_free (rng);
  g_free (z);
  g_free (x0);
  return ok;
}

typedef struct
{
  AdiffBundle       *bundle;
  const AdiffParams *model;
  guint              n_windows;
} Windows;

AdiffDenoiser *
adiff__ddim_denoiser (AdiffBundle *bundle, const AdiffParams *model, double sigma,
                     GError **error)
{
  AdiffParams p = *model;
  p.sigma = sigma;
  return adiff_denoiser_new (bundle, &p, error);
}

/* One denoiser evaluation at noise level σ_t over every window. */
static gboolean
denoise_windows (double sigma, const float *z, float *x0, gpointer data, GError **error)
{
  Windows *w = data;
  AdiffDenoiser *den = adiff__ddim_denoiser (w->bundle, w->model, sigma, error);
  if (!den)
    return FALSE;
  gboolean ok = adiff_denoiser_apply (den, z, w->n_windows, x0, error);
  adiff_denoiser_free (den);
  return ok;
}

ADIFF_EXPORT gboolean
adiff_sample_windows (AdiffBundle *bundle, const AdiffParams *model,
                      const AdiffSampleParams *params, guint n_windows, float *out,
                      gboolean (*progress) (double, gpointer), gpointer progress_data,
                      GError **error)
{
  g_return_val_if_fail (bundle && model && params && out && n_windows > 0, FALSE);
  Windows w = { bundle, model, n_windows };
  return adiff__ddim_run ((gsize) n_windows * bundle->dim, params, denoise_windows, &w, out,
                         progress, progress_data, error);
}

ADIFF_EXPORT gboolean
adiff_sample (AdiffBundle *bundle, const AdiffParams *model,
              const AdiffSampleParams *params, float *out,
              gboolean (*progress) (double, gpointer), gpointer progress_data,
              GError **error)
{
  return adiff_sample_windows (bundle, model, params, 1, out, progress, progress_data, error);
}
