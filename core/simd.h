/* simd.h — vector code in libadiff, and how it is picked at run time
 * (private).
 *
 * Everything about instruction sets lives here, so that a kernel file
 * only says which level a function is written for:
 *
 *  - portable vector code is written with the compiler's vector types
 *    below (GCC and clang both take them); it is vector code on every
 *    target;
 *  - loops that the compiler vectorises well are marked ADIFF_HOT (or
 *    ADIFF_HOT_WIDE): GCC makes AVX2 (and AVX-512) clones of them, chosen
 *    when the library is loaded;
 *  - kernels written by hand with intrinsics are compiled with
 *    ADIFF_TARGET_AVX2_FMA or ADIFF_TARGET_AVX512 (only where ADIFF_SIMD_X86
 *    is 1) and chosen by the caller from adiff__simd_level(), the one
 *    place that asks the CPU what it runs.
 *
 * Only GCC on x86-64 gets the clones and the hand-written kernels; other
 * compilers (clang for the fuzzing build) run the portable code, whose
 * results the tests compare with the wide kernels'.
 */
#pragma once

#include <glib.h>

/* The clone names the feature, not a CPU: GCC picks an "arch=haswell"
 * clone only on Intel CPUs of that family or later, so AMD machines ran
 * the plain loops.  O3 so that GCC vectorises them. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define ADIFF_HOT __attribute__ ((optimize ("O3"), target_clones ("avx2", "default")))
/* The same with an AVX-512 clone, for loops written sixteen lanes wide. */
#define ADIFF_HOT_WIDE \
  __attribute__ ((optimize ("O3"), target_clones ("avx512f", "avx2", "default")))
#else
#define ADIFF_HOT
#define ADIFF_HOT_WIDE
#endif

/* Hand-written kernels.  target_clones cannot ask for AVX2 and FMA
 * together without naming a CPU model, hence target attributes and a
 * choice by level. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ADIFF_SIMD_X86 1
#include <immintrin.h>
#define ADIFF_TARGET_AVX2_FMA __attribute__ ((target ("avx2,fma")))
#define ADIFF_TARGET_AVX512 \
  __attribute__ ((target ("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#else
#define ADIFF_SIMD_X86 0
#endif

typedef enum
{
  ADIFF__SIMD_PORTABLE,
  ADIFF__SIMD_AVX2,     /* AVX2 and FMA */
  ADIFF__SIMD_AVX512    /* AVX-512 F, BW, VL and DQ */
} AdiffSimdLevel;

/* The widest level a caller may use: tests lower it to cover every kind
 * of kernel on one machine (ADIFF__SIMD_AVX512 by default). */
extern AdiffSimdLevel adiff__simd_cap;

/* The widest level that the CPU runs, the build has kernels for, and
 * adiff__simd_cap allows. */
AdiffSimdLevel adiff__simd_level (void);

/* n rounded up to whole eight-lane vectors. */
static inline gsize
adiff__pad8 (gsize n)
{
  return (n + 7) & ~(gsize) 7;
}

/* Eight floats or ints as one value; sixteen for the AVX-512 kernels,
 * which alone use them. */
typedef float  AdiffV8f __attribute__ ((vector_size (32)));
typedef gint32 AdiffV8i __attribute__ ((vector_size (32)));
typedef float  AdiffV16f __attribute__ ((vector_size (64)));
typedef gint32 AdiffV16i __attribute__ ((vector_size (64)));
typedef double AdiffV8d __attribute__ ((vector_size (64)));
typedef gint64 AdiffV8l __attribute__ ((vector_size (64)));
/* Eight floats or doubles at any address (loads and stores through
 * plain allocations). */
typedef float  AdiffV8fAny __attribute__ ((vector_size (32), aligned (4)));
typedef double AdiffV8dAny __attribute__ ((vector_size (64), aligned (8)));

/* *x = exp(*x) on every lane, for x ≤ 0, relative error < 3e-7; 0 at
 * or below −87.  Cody–Waite reduction (ln 2 in two parts) and a degree-7
 * polynomial.  Written with vector extensions because GCC does not
 * vectorise the scalar form (its float/int punning stays scalar).  Takes
 * a pointer so that no vector crosses a call boundary.  One body for
 * both widths, so that a lane gives the same value in either. */
#define ADIFF_DEFINE_EXP_NEG(name, VF, VI)                                   \
  static inline __attribute__ ((always_inline)) void                        \
  name (VF *xp)                                                              \
  {                                                                          \
    VF lo = (VF) {} - 87.0f, x = *xp;                                        \
    VI under = x <= lo;                                                      \
    x = (VF) (((VI) lo & under) | ((VI) x & ~under));                        \
    VF n = x * 1.44269504f - 0.5f;                                           \
    VI ni = __builtin_convertvector (n, VI);                                 \
    VF nf = __builtin_convertvector (ni, VF);                                \
    VF r = x - nf * 0.693145752f;                                            \
    r = r - nf * 1.42860677e-6f;                                             \
    VF p = r * (1.0f / 5040) + 1.0f / 720;                                   \
    p = p * r + 1.0f / 120;                                                  \
    p = p * r + 1.0f / 24;                                                   \
    p = p * r + 1.0f / 6;                                                    \
    p = p * r + 0.5f;                                                        \
    p = p * r + 1.0f;                                                        \
    p = p * r + 1.0f;                                                        \
    VF scale = (VF) ((ni + 127) << 23);                                      \
    *xp = (VF) ((VI) (p * scale) & ~under);                                  \
  }

ADIFF_DEFINE_EXP_NEG (adiff__exp_neg8, AdiffV8f, AdiffV8i)
ADIFF_DEFINE_EXP_NEG (adiff__exp_neg16, AdiffV16f, AdiffV16i)

/* exp(x) for one x ≤ 0, the same as a lane of adiff__exp_neg8. */
static inline float
adiff__exp_neg (float x)
{
  AdiffV8f v = { x, x, x, x, x, x, x, x };
  adiff__exp_neg8 (&v);
  return v[0];
}
