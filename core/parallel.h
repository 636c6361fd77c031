/* parallel.h — worker threads and guarded allocation, for every family
 * of libadiff (parallel.c; private). */
#pragma once

#include "adiff-private.h"

/* Worker threads to use for `requested` (0 = all cores). */
guint    adiff__thread_count   (guint requested);

typedef void (*AdiffTaskFunc) (guint task, guint worker, gpointer data);

/* Run fn(task, worker, data) for task = 0..n_tasks−1 on up to n_workers
 * threads (the caller's thread is worker 0); tasks are handed out in
 * order through an atomic counter.  Returns when all are done. */
void     adiff__parallel_for   (guint n_tasks, guint n_workers,
                               AdiffTaskFunc fn, gpointer data);

/* Allocate count·size bytes or fail with ADIFF_ERROR_LIMIT naming what. */
gpointer adiff__try_alloc      (gsize count, gsize size, const char *what,
                               GError **error);
