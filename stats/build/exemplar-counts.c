/* exemplar-counts.c — choosing exemplars when shards are merged.
 *
 * Each partial bundle holds a uniform random subset of its own items.  A
 * uniform subset of size K of the union takes c_i items from shard i, where
 * (c_1..c_n) follows the multivariate hypergeometric law of drawing K from
 * populations n_1..n_n without replacement; then c_i of shard i's exemplars
 * are a uniform subset of its items.  The draw below makes it one item at a
 * time; a shard that runs out of stored exemplars leaves the population, so
 * the result is exact whenever every c_i fits and as close as possible
 * otherwise.
 */
#include "stats-build.h"

static guint64
uniform_below (GRand *rand, guint64 bound)
{
  guint64 v = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
  return v % bound;
}

void
stats_exemplar_counts (guint n_parts, const guint64 *items, const guint64 *have,
                             guint64 want, GRand *rand, guint64 *take)
{
  guint64 *left = g_new (guint64, n_parts + 1);
  guint64 total = 0;
  for (guint i = 0; i < n_parts; i++)
    {
      take[i] = 0;
      left[i] = have[i] > 0 ? MAX (items[i], have[i]) : 0;
      total += left[i];
    }
  for (guint64 t = 0; t < want && total > 0; t++)
    {
      guint64 r = uniform_below (rand, total);
      guint i = 0;
      while (r >= left[i])
        r -= left[i++];
      take[i]++;
      left[i]--;
      total--;
      if (take[i] == have[i])
        {
          total -= left[i];
          left[i] = 0;
        }
    }
  g_free (left);
}
