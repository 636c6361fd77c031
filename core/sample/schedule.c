/* schedule.c — the DDPM noise schedule seen as a noise level σ in our
 * units: linear β from 1e-4 to 0.02 over T = 1000 steps,
 * ᾱ_t = Π_{s≤t} (1 − β_s), and σ(t) = ½·√((1 − ᾱ_t)/ᾱ_t) (the ½ maps the
 * DDPM data range [−1,1] onto our [0,1]). */
#include "adiff-private.h"
#include "sample/schedule.h"

#define BETA_START 1e-4
#define BETA_END   0.02

static double
beta (guint t)
{
  return BETA_START + (BETA_END - BETA_START) * t / (ADIFF_DDPM_T - 1);
}

/* ᾱ_t as a running product in log space (at most 1000 terms). */
double
adiff__ddpm_alpha_bar (guint t)
{
  double log_ab = 0;
  t = MIN (t, ADIFF_DDPM_T - 1);
  for (guint s = 0; s <= t; s++)
    log_ab += log1p (-beta (s));
  return exp (log_ab);
}

ADIFF_EXPORT double
adiff_ddpm_sigma (guint t)
{
  double ab = adiff__ddpm_alpha_bar (t);
  return 0.5 * sqrt ((1.0 - ab) / ab);
}

/* σ(t) increases strictly with t, so a bisection finds the neighbours. */
ADIFF_EXPORT guint
adiff_ddpm_t_for_sigma (double sigma)
{
  guint lo = 0, hi = ADIFF_DDPM_T - 1;
  if (!(sigma > adiff_ddpm_sigma (lo)))
    return lo;
  if (sigma >= adiff_ddpm_sigma (hi))
    return hi;
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;
      if (adiff_ddpm_sigma (mid) <= sigma)
        lo = mid;
      else
        hi = mid;
    }
  return sigma - adiff_ddpm_sigma (lo) <= adiff_ddpm_sigma (hi) - sigma ? lo : hi;
}
