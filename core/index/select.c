/* select.c — partial sort: the indices of the smallest keys, for the
 * fast modes' candidate pruning (which clusters a window visits). */
#include "models/models-private.h"

void
adiff__select_smallest (float *key, guint32 *idx, gsize n, gsize keep)
{
  if (keep == 0 || keep >= n)
    return;
  gsize lo = 0, hi = n - 1;
  while (lo < hi)
    {
      float pivot = key[lo + (hi - lo) / 2];
      gsize i = lo, j = hi;
      while (i <= j)
        {
          while (key[i] < pivot) i++;
          while (key[j] > pivot) j--;
          if (i <= j)
            {
              float tk = key[i]; key[i] = key[j]; key[j] = tk;
              guint32 ti = idx[i]; idx[i] = idx[j]; idx[j] = ti;
              i++;
              if (j == 0)
                break;
              j--;
            }
        }
      if (keep <= j)
        hi = j;
      else if (keep >= i)
        lo = i;
      else
        break;
    }
}
