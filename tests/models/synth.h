/* synth.h — small synthetic bundles and brute-force double references for
 * the model tests.  Everything is built in memory; nothing is read from
 * disk. */
#pragma once

#include "adiff-private.h"

/* A Gaussian with a known stationary covariance on a w×h×c window:
 * Cov[p,q] = v·ρ^|dx|·ρ^|dy|·(c_p == c_q ? 1 : κ), mean 0.5 + small ramp,
 * and n exemplars drawn from it with the given seed.  k = number of kept
 * components (0 = all); the rest is summarised by its mean variance. */
AdiffBundle *synth_bundle (guint w, guint h, guint c, guint n, guint k,
                           guint32 seed);
/* The same bundle written to a file (for the tools' tests). */
void         synth_bundle_write (const char *path, guint w, guint h, guint c, guint n,
                                 guint k, guint32 seed);

/* A noisy window z = x + σ·ε around a fresh draw x of the same Gaussian. */
void   synth_noisy     (AdiffBundle *b, double sigma, guint32 seed, float *z);

/* W_σ as a dense d×d matrix in double, from the bundle's arrays. */
double *ref_wiener_matrix (AdiffBundle *b, double sigma);

/* The analytic masks: mask[q·d + p] = 1 when |W[q,p]| ≥ τ·max_p |W[q,p]|. */
guint8 *ref_masks (AdiffBundle *b, double sigma, double tau);

/* Brute-force references in double, one window. */
void   ref_optimal  (AdiffBundle *b, double sigma, const float *z, double *out);
void   ref_analytic (AdiffBundle *b, double sigma, double tau, const float *z,
                     double *out);
void   ref_patch    (AdiffBundle *b, double sigma, guint k, gboolean equivariant,
                     const float *z, double *out);

/* max |a − b| */
double max_abs_diff (const float *a, const double *b, gsize n);
double max_abs_diff_f (const float *a, const float *b, gsize n);
/* √(mean (a − b)²) */
double rms_diff_f (const float *a, const float *b, gsize n);
