/* test-moments.c — the streaming statistics against an independent
 * reference: two-pass mean and covariance in double precision, LAPACK's
 * DSYEVR, and the Wiener matrix built from those, on small synthetic data
 * with a large mean (where naive Σxxᵀ − nμμᵀ loses everything).  Also:
 * shards merged == one build, the reservoir, and bad streams. */
#include <math.h>
#include <lapacke.h>
#include "stats-build.h"

#define D 12          /* a 4×3 gray window */
#define N 600

typedef struct
{
  const float *items;
  const gint32 *labels;
  gsize n, pos, chunk;
  gboolean fail_at_end;
} MemSource;

static gsize
mem_read (gpointer user, float *items, gint32 *labels, gsize max, GError **error)
{
  MemSource *s = user;
  gsize m = MIN (MIN (max, s->chunk), s->n - s->pos);
  if (m == 0 && s->fail_at_end)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO, "source.bin: read error");
      return 0;
    }
  memcpy (items, s->items + s->pos * D, m * D * sizeof (float));
  if (labels && s->labels)
    memcpy (labels, s->labels + s->pos, m * sizeof (gint32));
  s->pos += m;
  return m;
}

/* Correlated data x = 1000 + A g + spread, g Gaussian: mean ≫ spread. */
static float *
make_items (gsize n, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  double a[D][D];
  for (int i = 0; i < D; i++)
    for (int j = 0; j < D; j++)
      a[i][j] = g_rand_double_range (rand, -1, 1) * 0.05 / (1 + abs (i - j));
  float *x = g_new (float, n * D);
  for (gsize t = 0; t < n; t++)
    {
      double g[D];
      for (int j = 0; j < D; j++)
        {
          double u1 = g_rand_double (rand), u2 = g_rand_double (rand);
          g[j] = sqrt (-2 * log (1 - u1)) * cos (2 * G_PI * u2);
        }
      for (int i = 0; i < D; i++)
        {
          double v = 1000.0 + 0.01 * i;
          for (int j = 0; j < D; j++)
            v += a[i][j] * g[j];
          x[t * D + i] = (float) v;
        }
    }
  g_rand_free (rand);
  return x;
}

/* Two-pass reference: mean, covariance (÷ n) in double. */
static void
reference_moments (const float *x, gsize n, double *mean, double *cov)
{
  memset (mean, 0, D * sizeof (double));
  for (gsize t = 0; t < n; t++)
    for (int i = 0; i < D; i++)
      mean[i] += x[t * D + i];
  for (int i = 0; i < D; i++)
    mean[i] /= n;
  memset (cov, 0, D * D * sizeof (double));
  for (gsize t = 0; t < n; t++)
    for (int i = 0; i < D; i++)
      for (int j = 0; j < D; j++)
        cov[i * D + j] += (x[t * D + i] - mean[i]) * (x[t * D + j] - mean[j]);
  for (int i = 0; i < D * D; i++)
    cov[i] /= n;
}

/* Reference eigenpairs with DSYEVR (ascending, columns). */
static void
reference_eigen (const double *cov, double *w, double *z)
{
  double a[D * D];
  memcpy (a, cov, sizeof a);
  lapack_int m, isuppz[2 * D];
  g_assert_cmpint (LAPACKE_dsyevr (LAPACK_COL_MAJOR, 'V', 'A', 'L', D, a, D, 0, 0, 0, 0,
                                   0.0, &m, w, z, D, isuppz), ==, 0);
  g_assert_cmpint (m, ==, D);
}

/* W_σ = Σ g_i u_i u_iᵀ + s_r (I − Σ u_i u_iᵀ); u rows (k×D). */
static void
wiener_from (const double *lam, const double *u, guint k, double r, double sigma,
             double *w)
{
  double s2 = sigma * sigma, sr = r > 0 ? r / (r + s2) : 0;
  for (int p = 0; p < D; p++)
    for (int q = 0; q < D; q++)
      {
        double v = p == q ? sr : 0;
        for (guint i = 0; i < k; i++)
          v += (lam[i] / (lam[i] + s2) - sr) * u[i * D + p] * u[i * D + q];
        w[p * D + q] = v;
      }
}

static double
max_abs (const double *v, gsize n)
{
  double m = 0;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs (v[i]));
  return m;
}

static double
max_diff (const double *a, const double *b, gsize n)
{
  double m = 0;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs (a[i] - b[i]));
  return m;
}

static void
build (const float *x, gsize n, gsize chunk, gsize block, StatsBuildResult *res)
{
  MemSource src = { x, NULL, n, 0, chunk, FALSE };
  StatsBuildConfig cfg = { .dim = D, .block = block, .what = "synthetic", .quiet = TRUE };
  GError *error = NULL;
  g_assert_true (stats_build_stream (&cfg, mem_read, &src, res, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (res->moments.n, ==, n);
}

static void
test_against_reference (void)
{
  float *x = make_items (N, 1);
  double mean[D], cov[D * D], w[D], z[D * D];
  reference_moments (x, N, mean, cov);
  reference_eigen (cov, w, z);

  StatsBuildResult res;
  build (x, N, 37, 16, &res);
  g_assert_cmpfloat (max_diff (res.moments.mean, mean, D), <=, 1e-9 * max_abs (mean, D));
  double c[D * D];
  for (int i = 0; i < D * D; i++)
    c[i] = res.moments.scatter[i] / N;
  g_assert_cmpfloat (max_diff (c, cov, D * D), <=, 1e-9 * max_abs (cov, D * D));

  /* Naive one-pass sums on the same data miss by far more: the test can fail. */
  double s[D] = { 0 }, ss = 0;
  for (gsize t = 0; t < N; t++)
    {
      for (int i = 0; i < D; i++)
        s[i] += x[t * D + i];
      ss += (double) x[t * D] * x[t * D];
    }
  double naive = ss / N - (s[0] / N) * (s[0] / N);
  g_assert_cmpfloat (fabs (naive - cov[0]), >, 1e-9 * max_abs (cov, D * D));

  StatsComponents all = { STATS_COMPONENTS_ALL };
  StatsEigen eig;
  GError *error = NULL;
  g_assert_true (stats_eigen_compute (c, D, &all, &eig, &error));
  g_assert_cmpuint (eig.k, ==, D);
  double lam_ref[D], u_ref[D * D];
  for (int i = 0; i < D; i++)
    {
      lam_ref[i] = MAX (w[D - 1 - i], 0);
      memcpy (u_ref + i * D, z + (D - 1 - i) * D, D * sizeof (double));
    }
  g_assert_cmpfloat (max_diff (eig.eigenvalues, lam_ref, D), <=, 1e-9 * lam_ref[0]);
  for (int i = 1; i < D; i++)
    g_assert_cmpfloat (eig.eigenvalues[i], <=, eig.eigenvalues[i - 1]);
  /* Orthonormal rows. */
  for (int i = 0; i < D; i++)
    for (int j = 0; j < D; j++)
      {
        double dot = 0;
        for (int p = 0; p < D; p++)
          dot += eig.eigenvectors[i * D + p] * eig.eigenvectors[j * D + p];
        g_assert_cmpfloat (fabs (dot - (i == j)), <=, 1e-12);
      }
  for (guint si = 0; si < 3; si++)
    {
      double sigma = (double[]) { 0.005, 0.05, 0.5 }[si];
      double wb[D * D], wr[D * D];
      wiener_from (eig.eigenvalues, eig.eigenvectors, D, 0, sigma, wb);
      wiener_from (lam_ref, u_ref, D, 0, sigma, wr);
      g_assert_cmpfloat (max_diff (wb, wr, D * D), <=, 1e-9 * max_abs (wr, D * D));
    }
  stats_eigen_clear (&eig);
  stats_build_result_clear (&res);
  g_free (x);
}

/* Compact storage: the k leading pairs and the mean variance of the rest. */
static void
test_compact (void)
{
  float *x = make_items (N, 2);
  double mean[D], cov[D * D], w[D], z[D * D];
  reference_moments (x, N, mean, cov);
  reference_eigen (cov, w, z);
  double total = 0;
  for (int i = 0; i < D; i++)
    total += MAX (w[i], 0);

  for (guint k = 0; k <= D; k += 3)
    {
      double c[D * D];
      memcpy (c, cov, sizeof c);
      StatsComponents fixed = { STATS_COMPONENTS_FIXED, k };
      StatsEigen eig;
      g_assert_true (stats_eigen_compute (c, D, &fixed, &eig, NULL));
      g_assert_cmpuint (eig.k, ==, k);
      double tail = 0;
      for (int i = 0; i < D - (int) k; i++)
        tail += MAX (w[i], 0);
      double r = k < D ? tail / (D - k) : 0;
      g_assert_cmpfloat (fabs (eig.residual - r), <=, 1e-9 * w[D - 1]);
      g_assert_cmpfloat (fabs (eig.total - total), <=, 1e-9 * total);
      for (guint i = 0; i < k; i++)
        g_assert_cmpfloat (fabs (eig.eigenvalues[i] - w[D - 1 - i]), <=, 1e-9 * w[D - 1]);
      stats_eigen_clear (&eig);
    }

  /* auto: the smallest k holding the share. */
  double c[D * D];
  memcpy (c, cov, sizeof c);
  StatsComponents automatic = { STATS_COMPONENTS_AUTO, 0, 0.9 };
  StatsEigen eig;
  g_assert_true (stats_eigen_compute (c, D, &automatic, &eig, NULL));
  double kept = 0, before = 0;
  for (guint i = 0; i < eig.k; i++)
    {
      before = kept;
      kept += eig.eigenvalues[i];
    }
  g_assert_cmpfloat (kept, >=, 0.9 * eig.total);
  g_assert_cmpfloat (before, <, 0.9 * eig.total);
  stats_eigen_clear (&eig);
  g_free (x);
}

/* Shards merged with Chan's update equal one build over all items. */
static void
test_merge_equals_single (void)
{
  float *x = make_items (N, 3);
  StatsBuildResult all;
  build (x, N, 64, 32, &all);

  static const gsize sizes[] = { 100, 1, 349, 150 };
  StatsMoments merged = { 0 };
  gsize start = 0;
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      StatsBuildResult part;
      if (sizes[i] < 2)
        {
          /* A one-item shard: its moments are just the item. */
          StatsAccum *acc = stats_accum_new (D, 0);
          g_assert_true (stats_accum_add (acc, x + start * D, 1, "x", NULL));
          stats_accum_finish (acc, &part.moments);
        }
      else
        build (x + start * D, sizes[i], 29, 8, &part);
      stats_moments_merge (&merged, D, part.moments.n, part.moments.mean,
                           part.moments.scatter);
      stats_moments_clear (&part.moments);
      start += sizes[i];
    }
  g_assert_cmpuint (merged.n, ==, N);
  g_assert_cmpfloat (max_diff (merged.mean, all.moments.mean, D), <=,
                     1e-12 * max_abs (all.moments.mean, D));
  g_assert_cmpfloat (max_diff (merged.scatter, all.moments.scatter, D * D), <=,
                     1e-12 * max_abs (all.moments.scatter, D * D));
  stats_moments_clear (&merged);
  stats_build_result_clear (&all);
  g_free (x);
}

/* Block and chunk sizes do not change the result beyond rounding. */
static void
test_block_sizes (void)
{
  float *x = make_items (200, 4);
  StatsBuildResult a, b;
  build (x, 200, 200, 1, &a);
  build (x, 200, 7, 4096, &b);
  g_assert_cmpfloat (max_diff (a.moments.scatter, b.moments.scatter, D * D), <=,
                     1e-12 * max_abs (a.moments.scatter, D * D));
  stats_build_result_clear (&a);
  stats_build_result_clear (&b);
  g_free (x);
}

static void
test_reservoir (void)
{
  /* Each of 10 items is kept with probability 3/10 over many seeds. */
  guint counts[10] = { 0 };
  float items[10];
  for (int i = 0; i < 10; i++)
    items[i] = i / 255.0f;
  const guint runs = 4000;
  for (guint s = 0; s < runs; s++)
    {
      StatsReservoir *r = stats_reservoir_new (1, 3, TRUE, s);
      for (int i = 0; i < 10; i++)
        g_assert_true (stats_reservoir_add (r, items + i, NULL, 1, NULL));
      g_assert_cmpuint (stats_reservoir_count (r), ==, 3);
      float *kept = stats_reservoir_dup_items (r);
      for (int j = 0; j < 3; j++)
        counts[lrintf (kept[j] * 255)]++;
      g_free (kept);
      stats_reservoir_free (r);
    }
  for (int i = 0; i < 10; i++)   /* mean 1200, sd ≈ 29 */
    {
      g_assert_cmpuint (counts[i], >, 1050);
      g_assert_cmpuint (counts[i], <, 1350);
    }

  /* Same seed, same subset; "all" keeps everything in order with labels. */
  float *x = make_items (50, 5);
  gint32 labels[50];
  for (int i = 0; i < 50; i++)
    labels[i] = i;
  StatsReservoir *a = stats_reservoir_new (D, STATS_EXEMPLARS_ALL, FALSE, 1);
  g_assert_true (stats_reservoir_add (a, x, labels, 50, NULL));
  g_assert_cmpuint (stats_reservoir_count (a), ==, 50);
  float *ka = stats_reservoir_dup_items (a);
  gint32 *la = stats_reservoir_dup_labels (a);
  g_assert_cmpmem (ka, 50 * D * 4, x, 50 * D * 4);
  g_assert_cmpmem (la, 50 * 4, labels, 50 * 4);
  g_free (ka);
  g_free (la);
  stats_reservoir_free (a);
  g_free (x);
}

static void
test_merge_counts (void)
{
  GRand *rand = g_rand_new_with_seed (9);
  guint64 items[3] = { 1000, 3000, 6000 }, have[3] = { 100, 100, 2000 }, take[3];
  double mean[3] = { 0 };
  for (int t = 0; t < 500; t++)
    {
      stats_exemplar_counts (3, items, have, 200, rand, take);
      g_assert_cmpuint (take[0] + take[1] + take[2], ==, 200);
      for (int i = 0; i < 3; i++)
        {
          g_assert_cmpuint (take[i], <=, have[i]);
          mean[i] += take[i] / 500.0;
        }
    }
  /* Expected 20, 60, 120. */
  g_assert_cmpfloat (fabs (mean[0] - 20), <, 1.5);
  g_assert_cmpfloat (fabs (mean[1] - 60), <, 2.5);
  /* Capped: want more than exist. */
  stats_exemplar_counts (3, items, have, 5000, rand, take);
  g_assert_cmpuint (take[0], ==, 100);
  g_assert_cmpuint (take[1], ==, 100);
  g_assert_cmpuint (take[2], ==, 2000);
  g_rand_free (rand);
}

static void
test_bad_streams (void)
{
  float *x = make_items (10, 6);
  StatsBuildConfig cfg = { .dim = D, .what = "tiny.npy", .quiet = TRUE };
  StatsBuildResult res;
  GError *error = NULL;

  MemSource one = { x, NULL, 1, 0, 5, FALSE };
  g_assert_false (stats_build_stream (&cfg, mem_read, &one, &res, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "tiny.npy"));
  g_assert_nonnull (strstr (error->message, "at least 2"));
  g_clear_error (&error);

  MemSource empty = { x, NULL, 0, 0, 5, FALSE };
  g_assert_false (stats_build_stream (&cfg, mem_read, &empty, &res, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  MemSource failing = { x, NULL, 10, 0, 3, TRUE };
  g_assert_false (stats_build_stream (&cfg, mem_read, &failing, &res, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "source.bin"));
  g_clear_error (&error);

  x[7 * D + 3] = NAN;
  MemSource nan = { x, NULL, 10, 0, 3, FALSE };
  g_assert_false (stats_build_stream (&cfg, mem_read, &nan, &res, &error));
  g_assert_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC);
  g_assert_nonnull (strstr (error->message, "item 7"));
  g_clear_error (&error);
  g_free (x);
}

/* Exemplars and labels come out of the stream; partial bundles keep the
 * scatter and an isotropic model of the same total variance. */
static void
test_finish (void)
{
  float *x = make_items (N, 7);
  gint32 *labels = g_new (gint32, N);
  for (int i = 0; i < N; i++)
    labels[i] = i;
  MemSource src = { x, labels, N, 0, 50, FALSE };
  StatsBuildConfig cfg = { .dim = D, .n_exemplars = 20, .labels = TRUE, .seed = 3,
                           .what = "synthetic", .quiet = TRUE };
  StatsBuildResult res;
  g_assert_true (stats_build_stream (&cfg, mem_read, &src, &res, NULL));
  g_assert_cmpuint (stats_reservoir_count (res.reservoir), ==, 20);
  float *ex = stats_reservoir_dup_items (res.reservoir);
  gint32 *lab = stats_reservoir_dup_labels (res.reservoir);
  for (int j = 0; j < 20; j++)
    g_assert_cmpmem (ex + j * D, D * 4, x + lab[j] * D, D * 4);

  double trace = 0;
  for (int p = 0; p < D; p++)
    trace += res.moments.scatter[p * D + p];
  StatsFinishConfig fc = { .width = 4, .height = 3, .channels = 1, .partial = TRUE,
                           .quiet = TRUE };
  GError *error = NULL;
  AdiffBundle *b = stats_finish_in_memory (&fc, &res.moments, 20, ex, lab, &error);
  g_assert_no_error (error);
  g_assert_nonnull (adiff_bundle_get_scatter (b));
  g_assert_cmpuint (adiff_bundle_get_n_components (b), ==, 0);
  g_assert_cmpfloat (fabs (adiff_bundle_get_residual_variance (b) - trace / N / D), <=,
                     1e-15);
  g_assert_cmpuint (adiff_bundle_get_n_exemplars (b), ==, 20);
  g_assert_cmpmem (adiff_bundle_get_labels (b), 20 * 4, lab, 20 * 4);
  adiff_bundle_unref (b);

  /* From the reservoir, expanded after the eigendecomposition. */
  fc.partial = FALSE;
  fc.reservoir = res.reservoir;
  fc.reservoir_labels = TRUE;
  b = stats_finish_in_memory (&fc, &res.moments, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adiff_bundle_get_n_components (b), ==, D);
  g_assert_cmpuint (adiff_bundle_get_n_exemplars (b), ==, 20);
  g_assert_cmpmem (adiff_bundle_get_exemplars (b), 20 * D * 4, ex, 20 * D * 4);
  g_assert_cmpmem (adiff_bundle_get_labels (b), 20 * 4, lab, 20 * 4);
  g_assert_null (adiff_bundle_get_scatter (b));
  g_assert_nonnull (strstr (adiff_bundle_get_metadata (b), "explained-variance=1"));
  adiff_bundle_unref (b);
  stats_build_result_clear (&res);
  g_free (ex);
  g_free (lab);
  g_free (labels);
  g_free (x);
}

/* A build that keeps only the lower triangle (what adiff-stats build does,
 * to halve the resident matrix) writes exactly the full build's lower
 * entries, never writes the upper half, and gives the same bundle both
 * as a partial (symmetrized) and after the eigendecomposition. */
static void
test_lower_triangle (void)
{
  float *x = make_items (N, 8);
  StatsBuildResult full, low;
  build (x, N, 37, 16, &full);
  MemSource src = { x, NULL, N, 0, 37, FALSE };
  StatsBuildConfig cfg = { .dim = D, .block = 16, .what = "synthetic", .quiet = TRUE,
                           .lower = TRUE };
  g_assert_true (stats_build_stream (&cfg, mem_read, &src, &low, NULL));
  g_assert_true (low.moments.lower);
  g_assert_false (full.moments.lower);
  for (int c = 0; c < D; c++)
    for (int r = 0; r < D; r++)
      if (r >= c)
        g_assert_cmpfloat (low.moments.scatter[c * D + r], ==, full.moments.scatter[c * D + r]);
      else
        g_assert_cmpfloat (low.moments.scatter[c * D + r], ==, 0.0);

  StatsFinishConfig fc = { .width = 4, .height = 3, .channels = 1, .quiet = TRUE,
                           .components = { STATS_COMPONENTS_ALL } };
  StatsMoments copy = { D, N, g_memdup2 (low.moments.mean, D * sizeof (double)),
                        g_memdup2 (low.moments.scatter, D * D * sizeof (double)), TRUE };
  AdiffBundle *a = stats_finish_in_memory (&fc, &full.moments, 0, NULL, NULL, NULL);
  AdiffBundle *b = stats_finish_in_memory (&fc, &low.moments, 0, NULL, NULL, NULL);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpmem (adiff_bundle_get_eigenvalues (a), D * sizeof (double),
                   adiff_bundle_get_eigenvalues (b), D * sizeof (double));
  g_assert_cmpmem (adiff_bundle_get_eigenvectors (a), D * D * sizeof (float),
                   adiff_bundle_get_eigenvectors (b), D * D * sizeof (float));
  adiff_bundle_unref (a);
  adiff_bundle_unref (b);

  /* Partial: written as the full symmetric scatter. */
  fc.partial = TRUE;
  b = stats_finish_in_memory (&fc, &copy, 0, NULL, NULL, NULL);
  g_assert_nonnull (b);
  g_assert_false (copy.lower);
  stats_build_result_clear (&full);   /* its scatter went to the eigensolver */
  build (x, N, 37, 16, &full);
  g_assert_cmpmem (adiff_bundle_get_scatter (b), D * D * sizeof (double),
                   full.moments.scatter, D * D * sizeof (double));
  adiff_bundle_unref (b);
  stats_moments_clear (&copy);
  stats_build_result_clear (&full);
  stats_build_result_clear (&low);
  g_free (x);
}

/* A 200×200 covariance (several 64-column panels of reflectors): for k
 * above d/2 (reflectors packed, Q applied panel by panel) and below (DORMTR)
 * every pair satisfies A u = λ u, the vectors are orthonormal, and the
 * eigenvalues match LAPACK's DSYEV. */
static void
test_eigen_paths (void)
{
  enum { E = 200 };
  double *a = g_new (double, E * E), *ref = g_new (double, E * E), w[E];
  GRand *rand = g_rand_new_with_seed (11);
  double *x = g_new (double, E * 300);
  for (int i = 0; i < E * 300; i++)
    x[i] = g_rand_double_range (rand, -1, 1) * (1.0 + (i % E) / 20.0);
  g_rand_free (rand);
  for (int p = 0; p < E; p++)
    for (int q = 0; q < E; q++)
      {
        double v = 0;
        for (int t = 0; t < 300; t++)
          v += x[t * E + p] * x[t * E + q];
        ref[p * E + q] = v / 300;
      }
  double *copy = g_memdup2 (ref, E * E * sizeof (double));
  g_assert_cmpint (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'N', 'U', E, copy, E, w), ==, 0);
  g_free (copy);
  for (guint kk = 0; kk < 3; kk++)
    {
      guint k = (guint[]) { E, 130, 60 }[kk];
      memcpy (a, ref, E * E * sizeof (double));
      StatsComponents fixed = { STATS_COMPONENTS_FIXED, k };
      StatsEigen eig;
      GError *error = NULL;
      g_assert_true (stats_eigen_compute (a, E, &fixed, &eig, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (eig.k, ==, k);
      for (guint i = 0; i < k; i++)
        {
          const double *u = eig.eigenvectors + (gsize) i * E;
          g_assert_cmpfloat (fabs (eig.eigenvalues[i] - w[E - 1 - i]), <=, 1e-9 * w[E - 1]);
          double worst = 0;
          for (int p = 0; p < E; p++)
            {
              double au = 0;
              for (int q = 0; q < E; q++)
                au += ref[p * E + q] * u[q];
              worst = MAX (worst, fabs (au - eig.eigenvalues[i] * u[p]));
            }
          g_assert_cmpfloat (worst, <=, 1e-9 * w[E - 1]);
          for (guint j = 0; j <= i; j++)
            {
              double dot = 0;
              for (int p = 0; p < E; p++)
                dot += u[p] * eig.eigenvectors[(gsize) j * E + p];
              g_assert_cmpfloat (fabs (dot - (i == j)), <=, 1e-12);
            }
        }
      stats_eigen_clear (&eig);
    }
  g_free (x);
  g_free (a);
  g_free (ref);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/moments/against-reference", test_against_reference);
  g_test_add_func ("/stats/moments/compact", test_compact);
  g_test_add_func ("/stats/moments/merge-equals-single", test_merge_equals_single);
  g_test_add_func ("/stats/moments/block-sizes", test_block_sizes);
  g_test_add_func ("/stats/moments/lower-triangle", test_lower_triangle);
  g_test_add_func ("/stats/eigen/paths", test_eigen_paths);
  g_test_add_func ("/stats/exemplars/reservoir", test_reservoir);
  g_test_add_func ("/stats/exemplars/merge-counts", test_merge_counts);
  g_test_add_func ("/stats/build/bad-streams", test_bad_streams);
  g_test_add_func ("/stats/build/finish", test_finish);
  return g_test_run ();
}
