/* simd.c — the CPU's vector level, asked once per kernel choice (see
 * simd.h). */
#include "simd.h"

AdiffSimdLevel adiff__simd_cap = ADIFF__SIMD_AVX512;

AdiffSimdLevel
adiff__simd_level (void)
{
#if ADIFF_SIMD_X86
  __builtin_cpu_init ();
  if (adiff__simd_cap >= ADIFF__SIMD_AVX512 && __builtin_cpu_supports ("avx512f") &&
      __builtin_cpu_supports ("avx512bw") && __builtin_cpu_supports ("avx512vl") &&
      __builtin_cpu_supports ("avx512dq"))
    return ADIFF__SIMD_AVX512;
  if (adiff__simd_cap >= ADIFF__SIMD_AVX2 && __builtin_cpu_supports ("avx2") &&
      __builtin_cpu_supports ("fma"))
    return ADIFF__SIMD_AVX2;
#endif
  return ADIFF__SIMD_PORTABLE;
}
