/* half.c — float ↔ IEEE binary16 by bit manipulation (no F16C dependency,
 * so the file format does not depend on the CPU that wrote it). */
#include <string.h>
#include "bundle/half.h"

static guint32
float_bits (float f)
{
  guint32 u;
  memcpy (&u, &f, 4);
  return u;
}

static float
bits_float (guint32 u)
{
  float f;
  memcpy (&f, &u, 4);
  return f;
}

guint16
adiff__half_from_float (float value)
{
  guint32 x = float_bits (value);
  guint16 sign = (guint16) ((x >> 16) & 0x8000);
  guint32 absx = x & 0x7fffffff;

  if (absx >= 0x7f800000)                    /* inf or NaN */
    return sign | 0x7c00 | (absx > 0x7f800000 ? 0x200 : 0);
  if (absx >= 0x477ff000)                    /* rounds to ≥ 65520: overflow */
    return sign | 0x7c00;
  if (absx < 0x38800000)                     /* below the smallest normal half */
    {
      if (absx < 0x33000000)                 /* below half the smallest subnormal */
        return sign;
      /* Subnormal: shift the 24-bit significand right, rounding to even. */
      guint32 mant = (absx & 0x7fffff) | 0x800000;
      int shift = 126 - (int) (absx >> 23);  /* 14 + (113 − exponent) */
      guint32 half = mant >> shift;
      guint32 rest = mant & ((1u << shift) - 1);
      guint32 halfway = 1u << (shift - 1);
      if (rest > halfway || (rest == halfway && (half & 1)))
        half++;
      return sign | (guint16) half;
    }
  /* Normal: rebias the exponent, round the 13 dropped bits to even.  A carry
   * out of the mantissa correctly bumps the exponent. */
  guint32 h = ((absx - 0x38000000) >> 13);
  guint32 rest = absx & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
    h++;
  return sign | (guint16) h;
}

float
adiff__half_to_float (guint16 half)
{
  guint32 sign = (guint32) (half & 0x8000) << 16;
  guint32 exp = (half >> 10) & 0x1f;
  guint32 mant = half & 0x3ff;

  if (exp == 0x1f)
    return bits_float (sign | 0x7f800000 | (mant << 13));
  if (exp == 0)
    {
      /* Zero or subnormal: mant · 2^−24, exact in float. */
      float v = (float) mant * (1.0f / 16777216.0f);
      return sign ? -v : v;
    }
  return bits_float (sign | ((exp + 112) << 23) | (mant << 13));
}
