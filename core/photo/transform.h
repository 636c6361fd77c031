/* transform.h — 2-D patch transforms of a group (separable, or a dense
 * basis), forward and inverse (transform.c). */
#pragma once

#include "photo/photo-private.h"

struct _AdiffPhotoTransform
{
  int       P, n;         /* patch side, P² */
  gboolean  separable;
  float    *c, *ct;       /* separable: 1-D forward matrix C (P×P, rows = basis vectors), Cᵀ */
  float    *g, *gt;       /* separable: 1-D inverse G = C⁻¹ (= Cᵀ when orthonormal), Gᵀ */
  float    *b, *bt;       /* dense: basis B (n×n, rows orthonormal) and Bᵀ */
};

AdiffPhotoTransform *adiff__photo_transform_new_separable (int P, const float *c1);
AdiffPhotoTransform *adiff__photo_transform_new_dense     (int P, const float *basis);
void                 adiff__photo_transform_free          (AdiffPhotoTransform *t);
void                 adiff__photo_transform_forward       (const AdiffPhotoTransform *t,
                                                           const float *x, float *y, int N);
void                 adiff__photo_transform_inverse       (const AdiffPhotoTransform *t,
                                                           const float *y, float *x, int N);
