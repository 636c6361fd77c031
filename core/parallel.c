/* parallel.c — a minimal parallel-for over worker threads, and a checked
 * allocator.  BLAS calls stay on the caller's thread (OpenBLAS threads
 * itself); these workers run the plain-C kernels. */
#include "parallel.h"
#include <glib/gi18n-lib.h>

guint
adiff__thread_count (guint requested)
{
  guint n = requested ? requested : g_get_num_processors ();
  return CLAMP (n, 1, 256);
}

typedef struct
{
  guint          n_tasks;
  gint           next;       /* atomic */
  AdiffTaskFunc  fn;
  gpointer       data;
} Job;

typedef struct
{
  Job  *job;
  guint worker;
} Worker;

static void
run_tasks (Job *job, guint worker)
{
  for (;;)
    {
      guint t = (guint) g_atomic_int_add (&job->next, 1);
      if (t >= job->n_tasks)
        return;
      job->fn (t, worker, job->data);
    }
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  run_tasks (w->job, w->worker);
  return NULL;
}

void
adiff__parallel_for (guint n_tasks, guint n_workers, AdiffTaskFunc fn,
                    gpointer data)
{
  Job job = { n_tasks, 0, fn, data };
  n_workers = MAX (1, MIN (n_workers, n_tasks));
  GThread **threads = g_new0 (GThread *, n_workers);
  Worker *workers = g_new0 (Worker, n_workers);
  for (guint w = 1; w < n_workers; w++)
    {
      workers[w] = (Worker) { &job, w };
      threads[w] = g_thread_try_new ("adiff-worker", worker_main, &workers[w], NULL);
    }
  /* If a thread could not start, the others (and we) take its tasks. */
  run_tasks (&job, 0);
  for (guint w = 1; w < n_workers; w++)
    if (threads[w])
      g_thread_join (threads[w]);
  g_free (threads);
  g_free (workers);
}

gpointer
adiff__try_alloc (gsize count, gsize size, const char *what, GError **error)
{
  gsize bytes;
  gpointer p = NULL;
  if (g_size_checked_mul (&bytes, count, size))
    p = g_try_malloc (MAX (bytes, 1));
  if (!p)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                 _("cannot allocate %zu × %zu bytes for %s"), count, size, what);
  return p;
}
