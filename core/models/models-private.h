/* models-private.h — helpers shared by the exemplar-based denoisers
 * (optimal, analytic, patch), the sensitivity fields and the sampler. */
#pragma once

#include <float.h>
#include "adiff-private.h"

/* Hot loops get an AVX2 clone chosen at load time, and O3 so that GCC
 * vectorises them; other compilers get plain code.  The clone names the
 * feature, not a CPU: GCC picks an "arch=haswell" clone only on Intel
 * CPUs of that family or later, so AMD machines ran the plain loops. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define ADIFF_HOT __attribute__ ((optimize ("O3"), target_clones ("avx2", "default")))
/* The same with an AVX-512 clone, for loops written sixteen lanes wide. */
#define ADIFF_HOT_WIDE \
  __attribute__ ((optimize ("O3"), target_clones ("avx512f", "avx2", "default")))
#else
#define ADIFF_HOT
#define ADIFF_HOT_WIDE
#endif

/* Logits more than this below the running maximum weigh < e^-40 ≈ 4e-18
 * relative to the best exemplar: below float and double resolution of the
 * weighted sums. */
#define ADIFF_LOGIT_CUTOFF 40.0

/* Worker threads to use for `requested` (0 = all cores). */
guint    adiff_thread_count   (guint requested);

typedef void (*AdiffTaskFunc) (guint task, guint worker, gpointer data);

/* Run fn(task, worker, data) for task = 0..n_tasks−1 on up to n_workers
 * threads (the caller's thread is worker 0); tasks are handed out in
 * order through an atomic counter.  Returns when all are done. */
void     adiff_parallel_for   (guint n_tasks, guint n_workers,
                               AdiffTaskFunc fn, gpointer data);

/* Allocate count·size bytes or fail with ADIFF_ERROR_LIMIT naming what. */
gpointer adiff_try_alloc      (gsize count, gsize size, const char *what,
                               GError **error);

/* Eight floats or ints as one value (GCC vector extensions: vector code
 * on every target, AVX2 in the ADIFF_HOT clones); sixteen for the
 * AVX-512 kernels, which alone use them. */
typedef float  AdiffV8f __attribute__ ((vector_size (32)));
typedef gint32 AdiffV8i __attribute__ ((vector_size (32)));
typedef float  AdiffV16f __attribute__ ((vector_size (64)));
typedef gint32 AdiffV16i __attribute__ ((vector_size (64)));

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

ADIFF_DEFINE_EXP_NEG (adiff_exp_neg8, AdiffV8f, AdiffV8i)
ADIFF_DEFINE_EXP_NEG (adiff_exp_neg16, AdiffV16f, AdiffV16i)

/* exp(x) for one x ≤ 0, the same as a lane of adiff_exp_neg8. */
static inline float
adiff_exp_neg (float x)
{
  AdiffV8f v = { x, x, x, x, x, x, x, x };
  adiff_exp_neg8 (&v);
  return v[0];
}

/* Partial sort of keys with their indices: afterwards idx[0..keep) hold
 * the indices of the `keep` smallest keys (in no particular order). */
void     adiff_select_smallest (float *key, guint32 *idx, gsize n, gsize keep);

/* ᾱ_t of the DDPM schedule (schedule.c). */
double   adiff_ddpm_alpha_bar (guint t);

/* The calibrated default patch size of the patch baseline at σ (patch.c). */
guint    adiff_patch_default_size (double sigma);
