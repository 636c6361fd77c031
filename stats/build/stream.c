/* stream.c — one pass over a stream of items: moments and exemplars.
 *
 * A reader thread fills chunks of items (decoding images, reading files)
 * while this thread accumulates the previous chunk, so decoding overlaps
 * the DSYRK work.  Two chunks (double buffering) circulate between two
 * queues: free → reader → full → accumulator → free; decoding is several
 * times faster than the accumulation, so the reader is always a chunk
 * ahead and a third chunk would only cost memory.  Memory: those chunks,
 * the accumulator's d×d matrix and block, and the exemplar reservoir —
 * never O(N·d).
 */
#include <inttypes.h>
#include <glib/gi18n.h>
#include "progress.h"
#include "stats-build.h"

#define N_CHUNKS 2

typedef struct
{
  float   *items;
  gint32  *labels;
  gsize    n;
  gboolean end;
  GError  *error;
} Chunk;

typedef struct
{
  StatsReadItems read;
  gpointer       user;
  gsize          capacity;   /* items per chunk */
  GAsyncQueue   *free_q, *full_q;
  gint           stop;       /* set by the accumulator after an error */
} Pipe;

static gpointer
reader_thread (gpointer data)
{
  Pipe *pipe = data;
  for (;;)
    {
      Chunk *c = g_async_queue_pop (pipe->free_q);
      if (g_atomic_int_get (&pipe->stop))
        {
          c->end = TRUE;
          g_async_queue_push (pipe->full_q, c);
          return NULL;
        }
      c->n = pipe->read (pipe->user, c->items, c->labels, pipe->capacity, &c->error);
      c->end = c->n == 0;
      g_async_queue_push (pipe->full_q, c);
      if (c->end)
        return NULL;
    }
}

static gboolean
consume (const StatsBuildConfig *cfg, StatsAccum *acc, StatsReservoir *res,
         CliProgress *progress, Chunk *c, GError **error)
{
  if (!stats_accum_add (acc, c->items, c->n, cfg->what, error))
    return FALSE;
  if (res && !stats_reservoir_add (res, c->items, cfg->labels ? c->labels : NULL, c->n,
                                   error))
    return FALSE;
  cli_progress_update (progress, stats_accum_count (acc));
  return TRUE;
}

/* Accumulate until the reader reports the end; after a local error keep
 * draining so the reader thread can finish. */
static gboolean
run_pipe (const StatsBuildConfig *cfg, Pipe *pipe, StatsAccum *acc, StatsReservoir *res,
          GError **error)
{
  CliProgress *progress = cli_progress_new (_("reading"), cfg->expected_items,
                                                cfg->quiet);
  GError *local = NULL;
  for (;;)
    {
      Chunk *c = g_async_queue_pop (pipe->full_q);
      if (c->end)
        {
          if (c->error && !local)
            local = g_steal_pointer (&c->error);
          g_clear_error (&c->error);
          break;
        }
      if (!local && !consume (cfg, acc, res, progress, c, &local))
        g_atomic_int_set (&pipe->stop, 1);
      g_async_queue_push (pipe->free_q, c);
    }
  cli_progress_free (progress);
  if (local)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

static gboolean
collect (const StatsBuildConfig *cfg, StatsAccum *acc, StatsBuildResult *result,
         GError **error)
{
  guint64 n = stats_accum_count (acc);
  if (n < 2)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("%s: %" PRIu64 " item(s); statistics need at least 2"),
                   cfg->what, n);
      return FALSE;
    }
  stats_accum_timing (acc, &result->syrk_seconds, &result->accum_seconds, &result->flops);
  return TRUE;
}

gsize
stats_build_block (const StatsBuildConfig *cfg)
{
  return cfg->block ? cfg->block : stats_accum_default_block (cfg->dim);
}

/* Items per chunk: as many as a DSYRK block, capped. */
static gsize
chunk_capacity (const StatsBuildConfig *cfg)
{
  return MIN (stats_build_block (cfg), (gsize) 4096);
}

gsize
stats_build_buffer_bytes (const StatsBuildConfig *cfg)
{
  return N_CHUNKS * chunk_capacity (cfg) * (cfg->dim * sizeof (float) + sizeof (gint32)) +
         stats_build_block (cfg) * cfg->dim * sizeof (double);
}

gboolean
stats_build_stream (const StatsBuildConfig *cfg, StatsReadItems read, gpointer user,
                    StatsBuildResult *result, GError **error)
{
  memset (result, 0, sizeof *result);
  gint64 t0 = g_get_monotonic_time ();
  StatsAccum *acc = stats_accum_new (cfg->dim, cfg->block);
  StatsReservoir *res = cfg->n_exemplars ?
    stats_reservoir_new (cfg->dim, cfg->n_exemplars, cfg->exemplars_u8, cfg->seed) : NULL;
  Pipe pipe = { read, user, 0, g_async_queue_new (), g_async_queue_new (), 0 };
  pipe.capacity = chunk_capacity (cfg);
  Chunk chunks[N_CHUNKS];
  for (guint i = 0; i < N_CHUNKS; i++)
    {
      chunks[i] = (Chunk) { g_new (float, pipe.capacity * cfg->dim),
                            g_new (gint32, pipe.capacity), 0, FALSE, NULL };
      g_async_queue_push (pipe.free_q, &chunks[i]);
    }

  GThread *thread = g_thread_new ("adiff-reader", reader_thread, &pipe);
  gboolean ok = run_pipe (cfg, &pipe, acc, res, error);
  g_thread_join (thread);
  for (guint i = 0; i < N_CHUNKS; i++)
    {
      g_free (chunks[i].items);
      g_free (chunks[i].labels);
    }
  g_async_queue_unref (pipe.free_q);
  g_async_queue_unref (pipe.full_q);

  ok = ok && collect (cfg, acc, result, error);
  if (ok)
    {
      if (cfg->lower)
        stats_accum_finish_lower (acc, &result->moments);
      else
        stats_accum_finish (acc, &result->moments);
      result->reservoir = res;
      result->labels = cfg->labels;
    }
  else
    {
      stats_accum_free (acc);
      stats_reservoir_free (res);
    }
  result->seconds = (g_get_monotonic_time () - t0) / 1e6;
  return ok;
}

void
stats_build_result_clear (StatsBuildResult *r)
{
  stats_moments_clear (&r->moments);
  g_clear_pointer (&r->reservoir, stats_reservoir_free);
}
