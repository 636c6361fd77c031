/* models-private.h — helpers shared by the exemplar-based denoisers
 * (optimal, analytic, patch), the sensitivity fields and the sampler. */
#pragma once

#include <float.h>
#include "adiff-private.h"
#include "simd.h"
#include "parallel.h"

/* Logits more than this below the running maximum weigh < e^-40 ≈ 4e-18
 * relative to the best exemplar: below float and double resolution of the
 * weighted sums. */
#define ADIFF_LOGIT_CUTOFF 40.0

/* The exemplar models' Jacobian row at z (exemplar-field.c):
 * field[p] = [p ∈ mask] Cov_w(x_q, x_p)/σ², w the softmax of the masked
 * distances (mask NULL = every coordinate). */
void     adiff__exemplar_field (AdiffBundle *b, const float *z, const guint8 *mask,
                                gsize q, double sigma, double *field);

/* Partial sort of keys with their indices: afterwards idx[0..keep) hold
 * the indices of the `keep` smallest keys (in no particular order). */
void     adiff__select_smallest (float *key, guint32 *idx, gsize n, gsize keep);

/* The calibrated default patch size of the patch baseline at σ (patch.c). */
guint    adiff__patch_default_size (double sigma);
