/* eigen.c — the leading eigenpairs of a covariance matrix.
 *
 * These are the steps LAPACK's DSYEVR takes (Householder tridiagonal
 * reduction, MRRR eigenvectors of the tridiagonal matrix, back
 * transformation), called one by one so that the number of components can
 * be chosen from the full spectrum in between:
 *
 *   DSYTRD  A = Q T Qᵀ, in place (A then holds the reflectors)
 *   DSTERF  all eigenvalues of T (no vectors, O(d²))
 *           → choose k (all, fixed, or a share of the variance)
 *   DSTEMR  the k largest eigenpairs of T (range 'I')
 *   DORMTR  eigenvectors of A = Q · eigenvectors of T
 *
 * Peak memory is the d×d input plus d×k, where DSYEVR needs a second d×d
 * for the vectors; for CIFAR-10 (d = 3072) that is the difference between
 * 75 MB and 150 MB.  When the vectors take more than half a matrix (k >
 * d/2), the reflectors are first copied out of the input into panels (d²/2
 * values) and the input's pages are released, and Q is applied panel by
 * panel (DLARFT + DLARFB, what DORMTR does inside): the input costs half a
 * matrix instead of a full one, more than half of whose pages DSYTRD's
 * lower triangle touches.  Eigenvalues come out descending and clipped at 0
 * (a covariance is positive semi-definite; tiny negative values are
 * rounding), eigenvectors orthonormal to working precision.
 */
#include <sys/mman.h>
#include <lapacke.h>
#include "stats-build.h"

#define PANEL 64

static gboolean
lapack_failed (lapack_int info, const char *routine, GError **error)
{
  if (info == 0)
    return FALSE;
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
               "eigendecomposition failed: LAPACK %s returned %d", routine, (int) info);
  return TRUE;
}

guint
stats_eigen_components_for_share (const double *spectrum, gsize dim, double share)
{
  double total = 0;
  for (gsize i = 0; i < dim; i++)
    total += spectrum[i];
  if (total <= 0)
    return 0;
  double cum = 0;
  for (gsize i = 0; i < dim; i++)
    {
      cum += spectrum[i];
      if (cum >= share * total)
        return (guint) (i + 1);
    }
  return (guint) dim;
}

static guint
choose_k (const StatsComponents *c, const double *spectrum, gsize dim)
{
  switch (c->mode)
    {
    case STATS_COMPONENTS_FIXED:
      return (guint) MIN ((gsize) c->k, dim);
    case STATS_COMPONENTS_AUTO:
      return stats_eigen_components_for_share (spectrum, dim, c->share);
    case STATS_COMPONENTS_ALL:
    default:
      return (guint) dim;
    }
}

/* Reverse the order of k columns of length dim (ascending → descending). */
static void
reverse_columns (double *z, gsize dim, guint k)
{
  double *tmp = g_new (double, dim);
  for (guint i = 0; i < k / 2; i++)
    {
      double *a = z + (gsize) i * dim, *b = z + (gsize) (k - 1 - i) * dim;
      memcpy (tmp, a, dim * sizeof (double));
      memcpy (a, b, dim * sizeof (double));
      memcpy (b, tmp, dim * sizeof (double));
    }
  g_free (tmp);
}

/* The n−1 Householder vectors DSYTRD ('L') left below the subdiagonal of
 * a, in panels of PANEL columns: panel p holds columns j0…j0+w−1 of
 * A(1:n−1, 0:n−2), rows j0…n−2 (height h = n−1−j0), column-major with
 * leading dimension h; offsets[p] is where it starts. */
static double *
pack_reflectors (const double *a, gsize n, gsize **offsets, guint *n_panels)
{
  guint np = (guint) ((n - 1 + PANEL - 1) / PANEL);
  gsize total = 0;
  *offsets = g_new (gsize, np + 1);
  for (guint p = 0; p < np; p++)
    {
      gsize j0 = (gsize) p * PANEL, w = MIN ((gsize) PANEL, n - 1 - j0);
      (*offsets)[p] = total;
      total += (n - 1 - j0) * w;
    }
  double *v = g_new0 (double, total + 1);
  for (guint p = 0; p < np; p++)
    {
      gsize j0 = (gsize) p * PANEL, w = MIN ((gsize) PANEL, n - 1 - j0), h = n - 1 - j0;
      for (gsize c = 0; c < w; c++)
        memcpy (v + (*offsets)[p] + c * h + c, a + (j0 + c) * n + j0 + c + 1,
                (h - c) * sizeof (double));
    }
  *n_panels = np;
  return v;
}

/* Hand the pages of a destroyed matrix back to the system (contents become
 * zeros); the caller frees the allocation as usual. */
static void
release_pages (double *a, gsize count)
{
#ifdef MADV_DONTNEED
  gsize page = 4096, bytes = count * sizeof (double);
  guintptr start = ((guintptr) a + page - 1) & ~(guintptr) (page - 1);
  guintptr end = ((guintptr) a + bytes) & ~(guintptr) (page - 1);
  if (end > start)
    madvise ((void *) start, end - start, MADV_DONTNEED);
#endif
}

/* z (n×k, leading dimension n) ← Q·z, Q = H(0)…H(n−2) from the panels:
 * the last panel first, as DORMQR does for Q·C. */
static gboolean
apply_panels (const double *v, const gsize *offsets, guint np, const double *tau, gsize n,
              guint k, double *z, GError **error)
{
  /* Zeroed: DLARFT fills only T's upper triangle, and LAPACKE's NaN
   * check of DLARFB reads all of it — heap garbage that read as NaN made
   * some builds fail with "DLARFB returned -11". */
  double *t = g_new0 (double, PANEL * PANEL);
  gboolean ok = TRUE;
  for (guint p = np; ok && p-- > 0;)
    {
      gsize j0 = (gsize) p * PANEL, w = MIN ((gsize) PANEL, n - 1 - j0), h = n - 1 - j0;
      const double *vp = v + offsets[p];
      ok = !lapack_failed (LAPACKE_dlarft (LAPACK_COL_MAJOR, 'F', 'C', (lapack_int) h,
                                           (lapack_int) w, vp, (lapack_int) h, tau + j0, t,
                                           PANEL), "DLARFT", error) &&
           !lapack_failed (LAPACKE_dlarfb (LAPACK_COL_MAJOR, 'L', 'N', 'F', 'C',
                                           (lapack_int) h, (lapack_int) k, (lapack_int) w,
                                           vp, (lapack_int) h, t, PANEL, z + j0 + 1,
                                           (lapack_int) n), "DLARFB", error);
    }
  g_free (t);
  return ok;
}

static gboolean
top_vectors (double *a, gsize dim, double *diag, double *off, const double *tau,
             guint k, StatsEigen *out, GError **error)
{
  lapack_int n = (lapack_int) dim, m = 0;
  lapack_logical tryrac = 1;
  /* Many vectors: keep the reflectors compactly and let the input go
   * before the vectors are allocated. */
  gsize *offsets = NULL;
  guint np = 0;
  double *panels = NULL;
  if (dim > 1 && (gsize) k * 2 > dim)
    {
      panels = pack_reflectors (a, dim, &offsets, &np);
      release_pages (a, dim * dim);
    }
  double *w = g_new (double, dim);
  double *z = g_new (double, dim * k);
  lapack_int *isuppz = g_new (lapack_int, 2 * (gsize) k);
  lapack_int info = LAPACKE_dstemr (LAPACK_COL_MAJOR, 'V', 'I', n, diag, off, 0.0, 0.0,
                                    n - (lapack_int) k + 1, n, &m, w, z, n,
                                    (lapack_int) k, isuppz, &tryrac);
  g_free (isuppz);
  gboolean ok = !lapack_failed (info, "DSTEMR", error);
  if (ok && m != (lapack_int) k)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
                   "eigendecomposition failed: DSTEMR found %d of %u eigenpairs",
                   (int) m, k);
      ok = FALSE;
    }
  if (ok && panels)
    ok = apply_panels (panels, offsets, np, tau, dim, k, z, error);
  else if (ok)
    ok = !lapack_failed (LAPACKE_dormtr (LAPACK_COL_MAJOR, 'L', 'L', 'N', n,
                                         (lapack_int) k, a, n, tau, z, n),
                         "DORMTR", error);
  g_free (panels);
  g_free (offsets);
  if (!ok)
    {
      g_free (w);
      g_free (z);
      return FALSE;
    }
  /* Column j of z (contiguous) is the eigenvector of w[j], ascending. */
  reverse_columns (z, dim, k);
  out->eigenvalues = g_new (double, k + 1);
  for (guint i = 0; i < k; i++)
    out->eigenvalues[i] = MAX (w[k - 1 - i], 0.0);
  /* Keep the order strict after clipping and rounding differences. */
  for (guint i = 1; i < k; i++)
    out->eigenvalues[i] = MIN (out->eigenvalues[i], out->eigenvalues[i - 1]);
  out->eigenvectors = z;
  g_free (w);
  return TRUE;
}

gboolean
stats_eigen_compute (double *cov, gsize dim, const StatsComponents *choice,
                     StatsEigen *out, GError **error)
{
  memset (out, 0, sizeof *out);
  out->dim = dim;
  lapack_int n = (lapack_int) dim;
  double *diag = g_new (double, dim), *off = g_new (double, dim);
  double *tau = g_new (double, dim), *spec = g_new (double, dim);
  gboolean ok = FALSE;

  if (lapack_failed (LAPACKE_dsytrd (LAPACK_COL_MAJOR, 'L', n, cov, n, diag, off, tau),
                     "DSYTRD", error))
    goto out;
  /* DSTERF overwrites its inputs: give it copies. */
  memcpy (spec, diag, dim * sizeof (double));
  double *e2 = g_memdup2 (off, dim * sizeof (double));
  lapack_int info = LAPACKE_dsterf (n, spec, e2);
  g_free (e2);
  if (lapack_failed (info, "DSTERF", error))
    goto out;
  out->spectrum = g_new (double, dim);
  for (gsize i = 0; i < dim; i++)
    out->spectrum[i] = MAX (spec[dim - 1 - i], 0.0);
  for (gsize i = 0; i < dim; i++)
    out->total += out->spectrum[i];

  out->k = choose_k (choice, out->spectrum, dim);
  double tail = 0;
  for (gsize i = out->k; i < dim; i++)
    tail += out->spectrum[i];
  out->residual = out->k < dim ? tail / (double) (dim - out->k) : 0.0;
  ok = out->k == 0 || top_vectors (cov, dim, diag, off, tau, out->k, out, error);

out:
  g_free (diag);
  g_free (off);
  g_free (tau);
  g_free (spec);
  if (!ok)
    stats_eigen_clear (out);
  return ok;
}

void
stats_eigen_clear (StatsEigen *e)
{
  g_clear_pointer (&e->eigenvalues, g_free);
  g_clear_pointer (&e->eigenvectors, g_free);
  g_clear_pointer (&e->spectrum, g_free);
  e->k = 0;
}
