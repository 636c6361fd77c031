/* kmeans.h — the k-means of the fast-mode indexes (private).
 *
 * One implementation for both indexes, in two layouts that keep each
 * caller's arithmetic as it was measured:
 *
 *  - ADIFF__KMEANS_ROWS: centres point-major ([k·m]); points are
 *    assigned in blocks by one SGEMM against all centres (the regions of
 *    regions.c: few dimensions, many points);
 *  - ADIFF__KMEANS_COLUMNS: centres coordinate-major, k padded to a
 *    multiple of 8 ([m·kp]); points are assigned one by one with eight
 *    lanes (the per-group indexes of group-build.c: many small k-means).
 *
 * Both seed with evenly spaced points, take the mean of each cluster's
 * members in double (an empty cluster keeps its centre) and are
 * deterministic.
 */
#pragma once

#include <glib.h>

typedef enum
{
  ADIFF__KMEANS_ROWS,
  ADIFF__KMEANS_COLUMNS
} AdiffKmeansLayout;

typedef struct
{
  AdiffKmeansLayout layout;
  guint   k, m;        /* centres, dimensions */
  guint   kp;          /* COLUMNS: k padded to 8, the stride of a coordinate; ROWS: k */
  float  *cent;        /* ROWS: [k·m]; COLUMNS: [m·kp] (padding centres 0) */
  float  *cnorm;       /* [kp] ‖centre‖²; padding centres G_MAXFLOAT/4, never nearest */
  float  *scratch;     /* assignment keys or scores */
} AdiffKmeans;

typedef struct
{
  guint iterations;
  /* Iterate on an evenly spaced sample of this many points per centre
   * (0: on every point). */
  guint sample_per_cluster;
  /* After the last assignment of every point, make the centres the means
   * of their members. */
  gboolean final_update;
} AdiffKmeansParams;

void     adiff__kmeans_init  (AdiffKmeans *km, AdiffKmeansLayout layout, guint k, guint m);
void     adiff__kmeans_clear (AdiffKmeans *km);
/* Cluster the points x[idx[i]] (rows of m floats; idx NULL: x[i], which
 * ROWS requires) into km->k centres; assign[i] gets point i's cluster.
 * A single centre is the first point (with final_update, the mean). */
void     adiff__kmeans_run   (AdiffKmeans *km, const AdiffKmeansParams *params,
                              const float *x, const guint32 *idx, gsize n,
                              guint32 *assign);
/* The members of each cluster, contiguous: start [k + 1] (prefix sums of
 * the counts), members [n] the point indices in increasing order within
 * each cluster. */
void     adiff__kmeans_lists (const guint32 *assign, gsize n, guint k,
                              guint32 *start, guint32 *members);
/* Index of the smallest of score[0..kp), kp a multiple of 8 (the lowest
 * index among equals). */
guint32  adiff__argmin8      (const float *score, guint kp);
