/* accumulate.c — streaming mean and scatter in double precision.
 *
 * Items are shifted by a reference item r (the first one) before they are
 * summed: with y = x − r,
 *
 *   mean = r + Σy / n,     scatter = Σ y yᵀ − (Σy)(Σy)ᵀ / n.
 *
 * Without the shift, Σ x xᵀ − n μμᵀ cancels catastrophically when the mean
 * is large against the spread; with it, the subtracted term is of the
 * order of the spread itself.  Items are gathered in blocks of B so that
 * Σ y yᵀ is one DSYRK (a rank-B update, BLAS-3 speed) per block.  Memory is
 * one dim×dim matrix plus a B×dim block, independent of the item count.
 * DSYRK writes the lower triangle only; the upper half of the matrix is
 * allocated but, unless a full matrix is asked for at the end, never
 * touched, so about half of it ever becomes resident.
 */
#include <sys/mman.h>
#include <cblas.h>
#include "stats-build.h"

struct _StatsAccum
{
  gsize    dim, block;
  guint64  n;
  double  *ref;      /* [dim] shift: the first item */
  double  *sum;      /* [dim] Σ y */
  double  *scatter;  /* [dim·dim] Σ y yᵀ, lower triangle (column-major) */
  double  *y;        /* [block·dim] shifted items, item j in column j */
  gsize    fill;     /* items in y */
  double   syrk_seconds, seconds, flops;
};

/* Aim for ~8 MB of block: large enough for DSYRK to run near peak. */
gsize
stats_accum_default_block (gsize dim)
{
  gsize b = ((gsize) 1 << 20) / MAX (dim, 1);
  return CLAMP (b, 64, 4096);
}

/* Zeroed d×d doubles whose untouched pages stay unmapped: calloc of this
 * size maps fresh zero pages; transparent huge pages would make a single
 * write map 2 MB at once, upper triangle included, so they are declined. */
static double *
alloc_matrix (gsize dim)
{
  double *m = g_new0 (double, dim * dim);
#ifdef MADV_NOHUGEPAGE
  gsize page = 4096, bytes = dim * dim * sizeof (double);
  guintptr start = ((guintptr) m + page - 1) & ~(guintptr) (page - 1);
  guintptr end = ((guintptr) m + bytes) & ~(guintptr) (page - 1);
  if (end > start)
    madvise ((void *) start, end - start, MADV_NOHUGEPAGE);
#endif
  return m;
}

StatsAccum *
stats_accum_new (gsize dim, gsize block)
{
  StatsAccum *acc = g_new0 (StatsAccum, 1);
  acc->dim = dim;
  acc->block = block ? block : stats_accum_default_block (dim);
  acc->ref = g_new0 (double, dim);
  acc->sum = g_new0 (double, dim);
  acc->scatter = alloc_matrix (dim);
  acc->y = g_new (double, acc->block * dim);
  return acc;
}

static void
flush (StatsAccum *acc)
{
  gsize d = acc->dim, m = acc->fill;
  if (m == 0)
    return;
  for (gsize j = 0; j < m; j++)
    cblas_daxpy ((int) d, 1.0, acc->y + j * d, 1, acc->sum, 1);
  gint64 t0 = g_get_monotonic_time ();
  cblas_dsyrk (CblasColMajor, CblasLower, CblasNoTrans, (int) d, (int) m,
               1.0, acc->y, (int) d, 1.0, acc->scatter, (int) d);
  acc->syrk_seconds += (g_get_monotonic_time () - t0) / 1e6;
  acc->flops += (double) d * (double) (d + 1) * (double) m;
  acc->fill = 0;
}

gboolean
stats_accum_add (StatsAccum *acc, const float *items, gsize n, const char *what,
                 GError **error)
{
  gint64 t0 = g_get_monotonic_time ();
  gsize d = acc->dim;
  for (gsize j = 0; j < n; j++)
    {
      const float *x = items + j * d;
      if (acc->n == 0)
        for (gsize p = 0; p < d; p++)
          acc->ref[p] = x[p];
      double *y = acc->y + acc->fill * d;
      for (gsize p = 0; p < d; p++)
        {
          if (!isfinite (x[p]))
            {
              g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
                           "%s: item %" G_GUINT64_FORMAT " has a non-finite value (NaN or Inf)",
                           what, acc->n);
              return FALSE;
            }
          y[p] = (double) x[p] - acc->ref[p];
        }
      acc->n++;
      if (++acc->fill == acc->block)
        flush (acc);
    }
  acc->seconds += (g_get_monotonic_time () - t0) / 1e6;
  return TRUE;
}

guint64
stats_accum_count (const StatsAccum *acc)
{
  return acc->n;
}

void
stats_accum_timing (const StatsAccum *acc, double *syrk_seconds, double *seconds,
                    double *flops)
{
  *syrk_seconds = acc->syrk_seconds;
  *seconds = acc->seconds;
  *flops = acc->flops;
}

void
stats_accum_finish_lower (StatsAccum *acc, StatsMoments *out)
{
  flush (acc);
  gsize d = acc->dim;
  double n = (double) acc->n;
  double *s = acc->scatter;
  memset (out, 0, sizeof *out);
  out->dim = d;
  out->n = acc->n;
  out->mean = g_new (double, d);
  for (gsize p = 0; p < d; p++)
    out->mean[p] = acc->ref[p] + (acc->n ? acc->sum[p] / n : 0.0);
  /* Centre the lower triangle (column-major), the only half DSYRK wrote. */
  for (gsize c = 0; c < d; c++)
    for (gsize r = c; r < d; r++)
      s[c * d + r] -= acc->n ? acc->sum[r] * acc->sum[c] / n : 0.0;
  out->scatter = s;
  out->lower = TRUE;
  acc->scatter = NULL;
  stats_accum_free (acc);
}

void
stats_accum_finish (StatsAccum *acc, StatsMoments *out)
{
  stats_accum_finish_lower (acc, out);
  stats_moments_symmetrize (out);
}

void
stats_moments_symmetrize (StatsMoments *m)
{
  if (!m->lower || !m->scatter)
    return;
  gsize d = m->dim;
  for (gsize c = 0; c < d; c++)
    for (gsize r = c + 1; r < d; r++)
      m->scatter[r * d + c] = m->scatter[c * d + r];
  m->lower = FALSE;
}

void
stats_accum_free (StatsAccum *acc)
{
  if (!acc)
    return;
  g_free (acc->ref);
  g_free (acc->sum);
  g_free (acc->scatter);
  g_free (acc->y);
  g_free (acc);
}

void
stats_moments_clear (StatsMoments *m)
{
  g_clear_pointer (&m->mean, g_free);
  g_clear_pointer (&m->scatter, g_free);
  m->n = 0;
  m->lower = FALSE;
}

/* Chan, Golub & LeVeque (1979): with δ = μ_b − μ_a and n = n_a + n_b,
 *   μ = μ_a + δ·n_b/n,   M = M_a + M_b + δδᵀ·n_a·n_b/n. */
void
stats_moments_merge (StatsMoments *into, gsize dim, guint64 n, const double *mean,
                     const double *scatter)
{
  if (n == 0)
    return;
  if (into->n == 0)
    {
      stats_moments_clear (into);
      into->dim = dim;
      into->n = n;
      into->mean = g_memdup2 (mean, dim * sizeof (double));
      into->scatter = g_memdup2 (scatter, dim * dim * sizeof (double));
      return;
    }
  g_return_if_fail (into->dim == dim);
  stats_moments_symmetrize (into);
  double na = (double) into->n, nb = (double) n, nt = na + nb;
  double *delta = g_new (double, dim);
  for (gsize p = 0; p < dim; p++)
    delta[p] = mean[p] - into->mean[p];
  for (gsize i = 0; i < dim * dim; i++)
    into->scatter[i] += scatter[i];
  cblas_dger (CblasRowMajor, (int) dim, (int) dim, na * nb / nt, delta, 1, delta, 1,
              into->scatter, (int) dim);
  for (gsize p = 0; p < dim; p++)
    into->mean[p] += delta[p] * (nb / nt);
  into->n += n;
  g_free (delta);
}
