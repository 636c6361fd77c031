/* test-half.c — float16 conversion: exact round trip of every half value,
 * rounding to nearest even, relative error bound, overflow and subnormals. */
#include <math.h>
#include "bundle/half.h"

static void
test_every_half_round_trips (void)
{
  for (guint32 h = 0; h < 65536; h++)
    {
      float f = adiff__half_to_float ((guint16) h);
      guint16 back = adiff__half_from_float (f);
      if (isnan (f))
        {
          g_assert_cmpuint (back & 0x7c00, ==, 0x7c00);
          g_assert_cmpuint (back & 0x3ff, !=, 0);
        }
      else
        g_assert_cmpuint (back, ==, h);
    }
}

typedef struct { float in; guint16 out; } Case;

static const Case cases[] = {
  { 0.0f, 0x0000 }, { -0.0f, 0x8000 }, { 1.0f, 0x3c00 }, { -2.0f, 0xc000 },
  { 65504.0f, 0x7bff }, { 65519.0f, 0x7bff }, { 65520.0f, 0x7c00 }, { 1e10f, 0x7c00 },
  { 0.5f, 0x3800 }, { 0.333333343f, 0x3555 },
  /* Ties: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10, goes to even 1. */
  { 1.00048828125f, 0x3c00 }, { 1.00146484375f, 0x3c02 },
  /* Smallest subnormal 2^-24, half of it ties to 0, a bit more rounds up. */
  { 5.9604644775390625e-8f, 0x0001 }, { 2.98023223876953125e-8f, 0x0000 },
  { 2.99e-8f, 0x0001 }, { 6.097555160522461e-5f, 0x03ff }, { 6.103515625e-5f, 0x0400 },
};

static void
test_cases (gconstpointer p)
{
  const Case *c = p;
  g_assert_cmphex (adiff__half_from_float (c->in), ==, c->out);
}

static void
test_relative_error (void)
{
  GRand *rand = g_rand_new_with_seed (7);
  for (guint i = 0; i < 200000; i++)
    {
      /* Normal halves span 6.1e-5 .. 65504. */
      float x = (float) ((g_rand_boolean (rand) ? 1 : -1) *
                         pow (2.0, g_rand_double_range (rand, -14, 15.9)));
      float y = adiff__half_to_float (adiff__half_from_float (x));
      g_assert_cmpfloat (fabsf (y - x), <=, ldexpf (fabsf (x), -11) * 1.0001f);
    }
  g_rand_free (rand);
  g_assert_true (isinf (adiff__half_to_float (adiff__half_from_float (INFINITY))));
  g_assert_true (isnan (adiff__half_to_float (adiff__half_from_float (NAN))));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/half/every-value-round-trips", test_every_half_round_trips);
  g_test_add_func ("/half/relative-error", test_relative_error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *name = g_strdup_printf ("/half/case/%u", i);
      g_test_add_data_func (name, &cases[i], test_cases);
      g_free (name);
    }
  return g_test_run ();
}
