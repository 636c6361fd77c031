/* adiff-denoiser.h — the denoisers of "Locality in Image Diffusion Models
 * Emerges from Data Statistics" (Lukoianov et al. 2025) and baselines.
 *
 * Units: pixels in [0,1]; noisy z = x0 + σ·ε; σ in the same [0,1] units
 * (user interfaces divide their 0–255 value by 255).
 */
#pragma once

#include <glib.h>
#include "adiff-bundle.h"

G_BEGIN_DECLS

typedef enum
{
  ADIFF_METHOD_WIENER,      /* x̂ = μ + W_σ (z − μ), eq. 6 */
  ADIFF_METHOD_OPTIMAL,     /* empirical denoiser over exemplars, eq. 3 */
  ADIFF_METHOD_ANALYTIC,    /* masked empirical denoiser, eq. 8 */
  ADIFF_METHOD_PATCH,       /* Kamb & Ganguli patch baseline */
} AdiffMethod;

typedef struct
{
  AdiffMethod method;
  double      sigma;        /* noise level in [0,1] units, > 0 */
  double      tau;          /* analytic mask threshold in (0,1], default 0.02 */
  guint       patch_size;   /* patch baseline k (odd); 0 = calibrated default for σ */
  gboolean    equivariant;  /* patch baseline: compare at every position (default TRUE) */
  gboolean    exact;        /* TRUE: exact mode; FALSE: fast mode (default) */
  guint       n_threads;    /* 0 = all cores */
  /* Images (adiff-image.h): windows over each pixel along each axis, so
   * the stride between windows is the window size / overlap.  2 (the
   * default; 0 means 2) averages 2 × 2 window estimates per pixel; 4
   * averages 4 × 4 — smoother and, for the nonlinear models, better
   * (Set12: +0.4 to +0.8 dB for the analytic model) at ≈ 3–4× the time.
   * At most ADIFF_MAX_OVERLAP. */
  guint       overlap;
} AdiffParams;

#define ADIFF_MAX_OVERLAP 64

/* Fill defaults: Wiener, σ = 25/255, τ = 0.02, equivariant, fast,
 * overlap 2. */
void          adiff_params_init          (AdiffParams *params);
const char   *adiff_method_to_string     (AdiffMethod method);
gboolean      adiff_method_from_string   (const char *name, AdiffMethod *method);
/* Does the method need exemplars in the bundle? */
gboolean      adiff_method_needs_exemplars (AdiffMethod method);

typedef struct _AdiffDenoiser AdiffDenoiser;

/* Validates params against the bundle (σ > 0 and finite, τ in (0,1],
 * exemplars present when needed) and precomputes what depends on σ only
 * (W_σ, the analytic masks). */
AdiffDenoiser *adiff_denoiser_new        (AdiffBundle       *bundle,
                                          const AdiffParams *params,
                                          GError           **error);
void           adiff_denoiser_free       (AdiffDenoiser *denoiser);
AdiffBundle   *adiff_denoiser_get_bundle (AdiffDenoiser *denoiser);
const AdiffParams *adiff_denoiser_get_params (AdiffDenoiser *denoiser);

/* Denoise n windows of d = width·height·channels floats each (row-major,
 * consecutive).  in and out may be the same buffer.  Non-finite input is an
 * ADIFF_ERROR_NUMERIC error. */
gboolean       adiff_denoiser_apply      (AdiffDenoiser *denoiser,
                                          const float   *in,
                                          gsize          n,
                                          float         *out,
                                          GError       **error);

/* W_σ[q,·] — row q of the Wiener matrix (d doubles). */
void           adiff_wiener_row          (AdiffBundle *bundle,
                                          double       sigma,
                                          gsize        q,
                                          double      *row);

G_END_DECLS
