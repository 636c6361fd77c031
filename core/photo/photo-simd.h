/* photo-simd.h — eight-float loads, stores and broadcasts for the photo
 * model's kernels (core/simd.h's vector type; two SSE registers in the
 * portable build, one AVX register in ADIFF_HOT's AVX2 clones). */
#pragma once

#include <string.h>
#include "simd.h"

/* These helpers are always inlined: no eight-float value crosses a call,
 * so GCC's note that their ABI would differ without AVX does not apply. */
#pragma GCC diagnostic ignored "-Wpsabi"

static inline __attribute__ ((always_inline)) AdiffV8f
ld8 (const float *p)
{
  AdiffV8f v;
  memcpy (&v, p, 32);
  return v;
}

static inline __attribute__ ((always_inline)) void
st8 (float *p, AdiffV8f v)
{
  memcpy (p, &v, 32);
}

static inline __attribute__ ((always_inline)) AdiffV8f
splat8 (float a)
{
  /* scalar ⊕ vector broadcasts (one vbroadcastss); an initializer list of
   * eight copies compiled to a chain of vinsertps */
  return (AdiffV8f) { 0 } + a;
}

static inline __attribute__ ((always_inline)) float
hsum8 (AdiffV8f v)
{
  return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}
