/* exemplars.c — a seeded uniform random subset of a stream of items
 * (reservoir sampling, Vitter's algorithm R): item t (0-based) enters the
 * reservoir of capacity K with probability K/(t+1), replacing a uniformly
 * chosen resident.  Every K-subset of the stream is equally likely, the
 * result depends only on the seed and the item order, and the total item
 * count need not be known in advance.
 */
#include <inttypes.h>
#include <glib/gi18n.h>
#include "stats-build.h"

struct _StatsReservoir
{
  gsize    dim;
  guint64  capacity;   /* STATS_EXEMPLARS_ALL: keep everything */
  gboolean as_u8;
  guint64  seen;
  GRand   *rand;
  GByteArray *items;   /* count·dim bytes or floats */
  GArray  *labels;     /* gint32 */
};

/* Keep an absurd "all" from exhausting memory: the loader's own cap. */
#define MAX_KEPT ADIFF_DEFAULT_MAX_EXEMPLARS

StatsReservoir *
stats_reservoir_new (gsize dim, guint64 capacity, gboolean as_u8, guint64 seed)
{
  StatsReservoir *r = g_new0 (StatsReservoir, 1);
  r->dim = dim;
  r->capacity = capacity;
  r->as_u8 = as_u8;
  /* GRand takes 32-bit seeds; fold the 64-bit seed into an array seed. */
  guint32 s[2] = { (guint32) seed, (guint32) (seed >> 32) };
  r->rand = g_rand_new_with_seed_array (s, 2);
  r->items = g_byte_array_new ();
  r->labels = g_array_new (FALSE, FALSE, sizeof (gint32));
  return r;
}

static gsize
item_bytes (const StatsReservoir *r)
{
  return r->dim * (r->as_u8 ? 1 : sizeof (float));
}

static void
store (StatsReservoir *r, guint64 slot, const float *x, gint32 label)
{
  gsize nb = item_bytes (r);
  if (slot * nb == r->items->len)
    {
      g_byte_array_set_size (r->items, r->items->len + nb);
      g_array_append_val (r->labels, label);
    }
  else
    g_array_index (r->labels, gint32, slot) = label;
  guint8 *dst = r->items->data + slot * nb;
  if (r->as_u8)
    for (gsize p = 0; p < r->dim; p++)
      dst[p] = (guint8) CLAMP (lrintf (x[p] * 255.0f), 0, 255);
  else
    memcpy (dst, x, nb);
}

/* Uniform integer in [0, bound), bound ≤ 2^64 − 1, from two 32-bit draws
 * (the modulo bias is below 2^-32 for any stream length we can see). */
static guint64
uniform_below (GRand *rand, guint64 bound)
{
  guint64 v = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
  return v % bound;
}

gboolean
stats_reservoir_add (StatsReservoir *r, const float *items, const gint32 *labels,
                     gsize n, GError **error)
{
  for (gsize j = 0; j < n; j++, r->seen++)
    {
      const float *x = items + j * r->dim;
      gint32 label = labels ? labels[j] : -1;
      if (r->seen < r->capacity)
        {
          if (r->seen >= MAX_KEPT)
            {
              g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                           _("more than %" PRIu64 " exemplars requested; "
                             "use --exemplars N with a smaller N"), (guint64) MAX_KEPT);
              return FALSE;
            }
          store (r, r->seen, x, label);
        }
      else
        {
          guint64 slot = uniform_below (r->rand, r->seen + 1);
          if (slot < r->capacity)
            store (r, slot, x, label);
        }
    }
  return TRUE;
}

guint
stats_reservoir_count (const StatsReservoir *r)
{
  return r->labels->len;
}

float *
stats_reservoir_dup_items (const StatsReservoir *r)
{
  gsize n = (gsize) r->labels->len * r->dim;
  float *out = g_new (float, n + 1);
  if (r->as_u8)
    for (gsize i = 0; i < n; i++)
      out[i] = r->items->data[i] * (1.0f / 255.0f);
  else
    memcpy (out, r->items->data, n * sizeof (float));
  return out;
}

gint32 *
stats_reservoir_dup_labels (const StatsReservoir *r)
{
  return g_memdup2 (r->labels->data, (gsize) r->labels->len * sizeof (gint32) + 1);
}

void
stats_reservoir_free (StatsReservoir *r)
{
  if (!r)
    return;
  g_rand_free (r->rand);
  g_byte_array_unref (r->items);
  g_array_unref (r->labels);
  g_free (r);
}
