/* pipeline.c — the passes of the photo model, streamed band by band.
 *
 * Every pass (stage) is cut into bands of ADIFF_PHOTO_BAND_REFS reference
 * rows; the bands of all stages form one task list, in which a band of a
 * later stage comes after the bands of the stage before that finish the
 * rows it reads.  Workers take tasks in order and compute a band's sums
 * in a slot of their own; the band's sums are added to the stage's sums in
 * task order (whichever thread finishes a task adds every finished task
 * up to the first one still running).  Rows are let go as soon as no band
 * left needs them, and each plane keeps its rows in a ring just long
 * enough for the rows held at once, which the task list fixes in advance
 * (ring_sizes): memory is a few bands' rows of each plane, never the whole
 * image, in one block per plane (rows allocated one by one measured a few
 * per cent slower).  At most `lookahead` tasks run past the first one not
 * yet added, which bounds the slots and lets a later stage's band start
 * without waiting (it is placed that far behind the bands it needs).
 *
 * A pixel's sum is thus the sum over bands, in band order, of each band's
 * sum over its groups, in the order of the references: the same float
 * additions for any thread count and any output box (geometry.c picks the
 * references a box needs; those that do not reach a pixel add nothing to
 * it).
 */
#include "photo/photo-private.h"
#include "parallel.h"
#include <glib/gi18n-lib.h>

typedef struct
{
  int            stage;
  AdiffPhotoBand band;
  int            dep;        /* task that must be added before this one starts, or −1 */
} Task;

typedef struct
{
  /* the run */
  int                  nch, w, h, n_stages, n_tasks, lookahead;
  AdiffPhotoReach      reach[ADIFF_PHOTO_MAX_STAGES];
  AdiffPhotoStage      stage[ADIFF_PHOTO_MAX_STAGES];
  Task                *tasks;
  int                 *stage_tasks[ADIFF_PHOTO_MAX_STAGES];  /* a stage's tasks, band order */
  int                  n_bands[ADIFF_PHOTO_MAX_STAGES];
  AdiffPhotoSourceFunc source;
  AdiffPhotoSinkFunc   sink;
  gpointer             data;
  AdiffPhotoProgress  *progress;
  int                 *peak_rows;

  /* rows (every plane: the input box's rows and columns) */
  AdiffPhotoRows       noisy[ADIFF_PHOTO_MAX_CH];
  AdiffPhotoRows       out[ADIFF_PHOTO_MAX_STAGES][ADIFF_PHOTO_MAX_CH];  /* all but the last */
  AdiffPhotoRows       num[ADIFF_PHOTO_MAX_STAGES][ADIFF_PHOTO_MAX_CH];
  AdiffPhotoRows       den[ADIFF_PHOTO_MAX_STAGES][ADIFF_PHOTO_MAX_CH];
  float               *sink_row[ADIFF_PHOTO_MAX_CH];
  AdiffPhotoSums      *slots;           /* lookahead of them: task t uses t % lookahead */
  AdiffPhotoScratch   *workers;
  guint                n_workers;

  /* shared state, under lock */
  GMutex               lock;
  GCond                cond;
  gboolean            *done;
  int                  added;           /* tasks added, in order */
  int                  stage_added[ADIFF_PHOTO_MAX_STAGES];
  int                  final_to[ADIFF_PHOTO_MAX_STAGES];  /* rows below are final */
  int                  produced;        /* source rows given, up to */
  int                  freed;           /* noisy rows freed, up to */
  int                  out_freed[ADIFF_PHOTO_MAX_STAGES];
  gboolean             stop;
} Pipeline;

/* ---- rows ----------------------------------------------------------------- */

/* The box's rows, at most `capacity` of them held at once. */
static gboolean
rows_init (AdiffPhotoRows *p, const AdiffPhotoBox *box, int capacity)
{
  p->x0 = box->x0;
  p->width = box->x1 - box->x0;
  p->y0 = box->y0;
  p->height = box->y1 - box->y0;
  p->capacity = CLAMP (capacity, 1, p->height);
  p->row = g_try_new0 (float *, p->height);
  p->ring = g_try_new (float, (gsize) p->capacity * p->width);
  p->holder = g_try_new (int, p->capacity);
  if (p->holder)
    for (int i = 0; i < p->capacity; i++)
      p->holder[i] = -1;
  return p->row != NULL && p->ring != NULL && p->holder != NULL;
}

static void
rows_clear (AdiffPhotoRows *p)
{
  g_clear_pointer (&p->row, g_free);
  g_clear_pointer (&p->ring, g_free);
  g_clear_pointer (&p->holder, g_free);
}

/* Row y, zeroed when it was not held. */
static float *
rows_get (AdiffPhotoRows *p, int y)
{
  float **r = &p->row[y - p->y0];
  if (*r == NULL)
    {
      int place = (y - p->y0) % p->capacity, before = p->holder[place];
      /* ring_sizes made the ring long enough: the row there was let go */
      if (before >= 0 && p->row[before - p->y0] != NULL)
        g_critical ("photo model: row %d would overwrite row %d", y, before);
      p->holder[place] = y;
      *r = p->ring + (gsize) place * p->width;
      memset (*r, 0, p->width * sizeof (float));
    }
  return *r;
}

static void
rows_free (AdiffPhotoRows *p, int y)
{
  p->row[y - p->y0] = NULL;
}


/* ---- the task list ---------------------------------------------------------- */

/* The bands of stage s over its reach (reference rows in groups of
 * ADIFF_PHOTO_BAND_REFS counted from the image's first). */
static int
stage_bands (const Pipeline *pl, int s, AdiffPhotoBand *bands)
{
  const AdiffPhotoReach *r = &pl->reach[s];
  int n = 0;
  for (int b = r->i0 / ADIFF_PHOTO_BAND_REFS; b * ADIFF_PHOTO_BAND_REFS < r->i1; b++, n++)
    {
      AdiffPhotoBand *band = &bands[n];
      band->i0 = MAX (r->i0, b * ADIFF_PHOTO_BAND_REFS);
      band->i1 = MIN (r->i1, (b + 1) * ADIFF_PHOTO_BAND_REFS);
      band->j0 = r->j0;
      band->j1 = r->j1;
      adiff__photo_band_rows (&pl->stage[s], band);
    }
  return n;
}

/* The last band of stage s − 1 whose rows start at or above row y1 − 1:
 * once it and those before are added, rows < y1 of that stage are final. */
static int
last_band_reaching (const AdiffPhotoBand *bands, int n, int y1)
{
  int k = -1;
  while (k + 1 < n && bands[k + 1].ay0 < y1)
    k++;
  return k;
}

/* Where the task that stage s's next band waits for stands: −1 for none,
 * −2 when it is not placed yet. */
static int
dep_position (const Pipeline *pl, AdiffPhotoBand *const *bands, int *const *pos,
              const int *next, int s)
{
  if (s == 0)
    return -1;
  int k = last_band_reaching (bands[s - 1], pl->n_bands[s - 1], bands[s][next[s]].ay1);
  if (k < 0)
    return -1;
  return k < next[s - 1] ? pos[s - 1][k] : -2;
}

/* Order the bands of all stages: a later stage's band as soon as the task
 * it waits for is `lookahead` tasks back (then it never waits), the
 * deepest stage first (that frees rows); else the pilot's next band; else
 * (the pilot is done) the next band of the lowest stage left. */
static void
build_tasks (Pipeline *pl)
{
  AdiffPhotoBand *bands[ADIFF_PHOTO_MAX_STAGES];
  int next[ADIFF_PHOTO_MAX_STAGES] = { 0 }, *pos[ADIFF_PHOTO_MAX_STAGES];
  int total = 0;
  for (int s = 0; s < pl->n_stages; s++)
    {
      const AdiffPhotoReach *r = &pl->reach[s];
      bands[s] = g_new (AdiffPhotoBand, (r->i1 - r->i0) / ADIFF_PHOTO_BAND_REFS + 2);
      pl->n_bands[s] = stage_bands (pl, s, bands[s]);
      pos[s] = pl->stage_tasks[s] = g_new (int, pl->n_bands[s]);
      total += pl->n_bands[s];
    }
  pl->tasks = g_new (Task, total);
  pl->n_tasks = total;
  for (int t = 0; t < total; t++)
    {
      int pick = -1, d = -1;
      for (int s = pl->n_stages - 1; s >= 1 && pick < 0; s--)
        if (next[s] < pl->n_bands[s] &&
            (d = dep_position (pl, bands, pos, next, s)) != -2 && t - d >= pl->lookahead)
          pick = s;
      if (pick < 0 && next[0] < pl->n_bands[0])
        {
          pick = 0;
          d = -1;
        }
      for (int s = 1; s < pl->n_stages && pick < 0; s++)
        if (next[s] < pl->n_bands[s] && (d = dep_position (pl, bands, pos, next, s)) != -2)
          pick = s;
      g_assert (pick >= 0);
      pl->tasks[t] = (Task) { pick, bands[pick][next[pick]], d };
      pos[pick][next[pick]++] = t;
    }
  for (int s = 0; s < pl->n_stages; s++)
    g_free (bands[s]);
}

/* ---- adding a band, finishing rows ------------------------------------------ */

/* The first row stage s's bands still to add can touch (G_MAXINT: none). */
static int
stage_low (const Pipeline *pl, int s)
{
  int k = pl->stage_added[s];
  return k < pl->n_bands[s] ? pl->tasks[pl->stage_tasks[s][k]].band.ay0 : G_MAXINT;
}

/* Row y of stage s is final: the estimate where some group reached it,
 * else the noisy pixel (as the whole-image filter does). */
static void
finish_row (const Pipeline *pl, int s, int y, float *const *dst, int x0, int x1)
{
  for (int c = 0; c < pl->nch; c++)
    {
      const float *num = adiff__photo_at (&pl->num[s][c], x0, y);
      const float *den = adiff__photo_at (&pl->den[s][c], x0, y);
      const float *noisy = adiff__photo_at (&pl->noisy[c], x0, y);
      for (int i = 0; i < x1 - x0; i++)
        dst[c][i] = den[i] > 0.0f ? num[i] / den[i] : noisy[i];
    }
}

/* Rows [pl->final_to[s], to) of stage s are final: into the next stage's
 * input, or to the sink; their sums go. */
static void
finish_rows (Pipeline *pl, int s, int to)
{
  const AdiffPhotoBox *need = &pl->reach[s].need;
  gboolean last = s == pl->n_stages - 1;
  to = MIN (to, pl->reach[s].read.y1);
  for (int y = pl->final_to[s]; y < to; y++)
    {
      if (y >= need->y0 && y < need->y1)
        {
          float *dst[ADIFF_PHOTO_MAX_CH];
          for (int c = 0; c < pl->nch; c++)
            dst[c] = last ? pl->sink_row[c]
                     : rows_get (&pl->out[s][c], y) + (need->x0 - pl->out[s][c].x0);
          finish_row (pl, s, y, dst, need->x0, need->x1);
          if (last)
            pl->sink (y, (const float *const *) dst, pl->data);
        }
      for (int c = 0; c < pl->nch; c++)
        {
          rows_free (&pl->num[s][c], y);
          rows_free (&pl->den[s][c], y);
        }
    }
  pl->final_to[s] = MAX (pl->final_to[s], to);
}

/* The rows no band left reads go: noisy rows above every stage's next
 * band, a stage's output above the next stage's next band. */
static int
noisy_low (const Pipeline *pl, int produced)
{
  int low = produced;
  for (int s = 0; s < pl->n_stages; s++)
    low = MIN (low, stage_low (pl, s));
  return low;
}

static int
out_low (const Pipeline *pl, int s, int final_to)
{
  return MIN (stage_low (pl, s + 1), final_to);
}

static void
free_rows (Pipeline *pl)
{
  for (int low = noisy_low (pl, pl->produced); pl->freed < low; pl->freed++)
    for (int c = 0; c < pl->nch; c++)
      rows_free (&pl->noisy[c], pl->freed);
  for (int s = 0; s + 1 < pl->n_stages; s++)
    for (int low = out_low (pl, s, pl->final_to[s]); pl->out_freed[s] < low;
         pl->out_freed[s]++)
      for (int c = 0; c < pl->nch; c++)
        rows_free (&pl->out[s][c], pl->out_freed[s]);
}

/* Add task t's sums (slot t % lookahead) to its stage's, finish the rows
 * no later band of the stage reaches, let go of the rows no band needs. */
static void
add_band (Pipeline *pl, int t)
{
  const Task *task = &pl->tasks[t];
  const AdiffPhotoSums *sums = &pl->slots[t % pl->lookahead];
  int s = task->stage, width = pl->noisy[0].width;
  for (int y = task->band.ay0; y < task->band.ay1; y++)
    for (int c = 0; c < pl->nch; c++)
      {
        float *gn = rows_get (&pl->num[s][c], y), *gd = rows_get (&pl->den[s][c], y);
        const float *bn = sums->num[c] + (gsize) (y - task->band.ay0) * width;
        const float *bd = sums->den[c] + (gsize) (y - task->band.ay0) * width;
        for (int i = 0; i < width; i++)
          {
            gn[i] += bn[i];
            gd[i] += bd[i];
          }
      }
  pl->stage_added[s]++;
  finish_rows (pl, s, stage_low (pl, s));
  free_rows (pl);
}

/* The source rows up to which the tasks [added, added + lookahead) read. */
static int
rows_wanted (const Pipeline *pl, int added, int wanted)
{
  for (int t = added; t < MIN (pl->n_tasks, added + pl->lookahead); t++)
    wanted = MAX (wanted, pl->tasks[t].band.ay1);
  return wanted;
}

/* Give the source rows the tasks [added, added + lookahead) read. */
static void
produce_rows (Pipeline *pl)
{
  for (int wanted = rows_wanted (pl, pl->added, pl->produced); pl->produced < wanted;
       pl->produced++)
    {
      float *rows[ADIFF_PHOTO_MAX_CH];
      for (int c = 0; c < pl->nch; c++)
        rows[c] = rows_get (&pl->noisy[c], pl->produced);
      pl->source (pl->produced, rows, pl->data);
      if (pl->peak_rows)
        *pl->peak_rows = MAX (*pl->peak_rows, pl->produced + 1 - pl->freed);
    }
}

/* Add every finished task in order (caller holds the lock). */
static void
add_finished (Pipeline *pl)
{
  if (pl->stop)
    return;
  while (pl->added < pl->n_tasks && pl->done[pl->added])
    add_band (pl, pl->added++);
  produce_rows (pl);
}

/* The rings' sizes: the most rows each kind of plane holds at once, found
 * by running through the task list as add_finished will (sums: a band's
 * rows; a stage's output: from the next stage's next band to its last
 * final row; noisy rows: from every stage's next band to the last row
 * produced). */
static void
ring_sizes (Pipeline *pl, int *noisy, int *out, int *sums)
{
  int y0 = pl->reach[0].read.y0, produced = y0, freed = y0;
  int final_to[ADIFF_PHOTO_MAX_STAGES], out_freed[ADIFF_PHOTO_MAX_STAGES];
  *noisy = 1;
  for (int s = 0; s < pl->n_stages; s++)
    {
      final_to[s] = out_freed[s] = y0;
      out[s] = sums[s] = 1;
      pl->stage_added[s] = 0;
    }
  for (int a = 0; a <= pl->n_tasks; a++)
    {
      if (a > 0)
        {
          const Task *task = &pl->tasks[a - 1];
          int s = task->stage;
          sums[s] = MAX (sums[s], task->band.ay1 - task->band.ay0);
          pl->stage_added[s]++;
          int to = MIN (stage_low (pl, s), pl->reach[s].read.y1);
          if (to > final_to[s])
            {
              out[s] = MAX (out[s], to - out_freed[s]);
              final_to[s] = to;
            }
          freed = MAX (freed, noisy_low (pl, produced));
          for (int k = 0; k + 1 < pl->n_stages; k++)
            out_freed[k] = MAX (out_freed[k], out_low (pl, k, final_to[k]));
        }
      produced = rows_wanted (pl, a, produced);
      *noisy = MAX (*noisy, produced - freed);
    }
  for (int s = 0; s < pl->n_stages; s++)
    pl->stage_added[s] = 0;
}

/* ---- workers ------------------------------------------------------------------- */

static void
report_progress (Pipeline *pl, int added)
{
  AdiffPhotoProgress *pr = pl->progress;
  if (pr == NULL || pr->func == NULL)
    return;
  if (!pr->func (pr->done + pr->span * added / pl->n_tasks, pr->data))
    g_atomic_int_set (&pr->cancelled, 1);
}

static gboolean
cancelled (const Pipeline *pl)
{
  return pl->progress && g_atomic_int_get (&pl->progress->cancelled);
}

static void
run_task (guint t, guint worker, gpointer data)
{
  Pipeline *pl = data;
  const Task *task = &pl->tasks[t];
  int need = MAX ((int) t - pl->lookahead + 1, task->dep + 1);

  g_mutex_lock (&pl->lock);
  if (cancelled (pl) && !pl->stop)
    {
      pl->stop = TRUE;
      g_cond_broadcast (&pl->cond);
    }
  while (pl->added < need && !pl->stop)
    g_cond_wait (&pl->cond, &pl->lock);
  gboolean stop = pl->stop;
  g_mutex_unlock (&pl->lock);

  if (!stop)
    adiff__photo_band_run (&pl->stage[task->stage], &task->band, &pl->workers[worker],
                           &pl->slots[t % pl->lookahead]);

  g_mutex_lock (&pl->lock);
  pl->done[t] = TRUE;
  add_finished (pl);
  int added = pl->added;
  g_cond_broadcast (&pl->cond);
  g_mutex_unlock (&pl->lock);
  if (worker == 0)   /* the caller's thread */
    report_progress (pl, added);
}

/* ---- the run ------------------------------------------------------------------- */

static gboolean
alloc_buffers (Pipeline *pl, GError **error)
{
  const AdiffPhotoBox *in = &pl->reach[0].read;
  int width = in->x1 - in->x0, max_rows = 1;
  for (int s = 0; s < pl->n_stages; s++)
    {
      const AdiffPhotoPass *pass = &pl->stage[s].pass;
      max_rows = MAX (max_rows, (ADIFF_PHOTO_BAND_REFS - 1) * pass->step + 2 * pass->radius +
                                pass->patch);
    }
  int noisy_rows, out_rows[ADIFF_PHOTO_MAX_STAGES], sum_rows[ADIFF_PHOTO_MAX_STAGES];
  ring_sizes (pl, &noisy_rows, out_rows, sum_rows);
  gboolean ok = TRUE;
  for (int c = 0; c < pl->nch; c++)
    {
      ok = ok && rows_init (&pl->noisy[c], in, noisy_rows);
      for (int s = 0; s < pl->n_stages; s++)
        ok = ok && rows_init (&pl->num[s][c], in, sum_rows[s]) &&
             rows_init (&pl->den[s][c], in, sum_rows[s]) &&
             (s == pl->n_stages - 1 || rows_init (&pl->out[s][c], in, out_rows[s]));
      ok = ok && (pl->sink_row[c] = g_try_new (float, MAX (1, width))) != NULL;
    }
  pl->slots = g_new0 (AdiffPhotoSums, pl->lookahead);
  for (int i = 0; i < pl->lookahead && ok; i++)
    for (int c = 0; c < pl->nch && ok; c++)
      ok = (pl->slots[i].num[c] = g_try_new (float, (gsize) max_rows * width)) &&
           (pl->slots[i].den[c] = g_try_new (float, (gsize) max_rows * width));
  if (!ok)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("photo model: out of memory for rows of %d pixels"), width);
      return FALSE;
    }
  pl->workers = g_new0 (AdiffPhotoScratch, pl->n_workers);
  for (guint t = 0; t < pl->n_workers; t++)
    if (!adiff__photo_scratch_init (&pl->workers[t], pl->stage, pl->n_stages, error))
      return FALSE;
  return TRUE;
}

static void
pipeline_clear (Pipeline *pl)
{
  for (int c = 0; c < ADIFF_PHOTO_MAX_CH; c++)
    {
      rows_clear (&pl->noisy[c]);
      for (int s = 0; s < ADIFF_PHOTO_MAX_STAGES; s++)
        {
          rows_clear (&pl->out[s][c]);
          rows_clear (&pl->num[s][c]);
          rows_clear (&pl->den[s][c]);
        }
      g_free (pl->sink_row[c]);
    }
  if (pl->slots)
    for (int i = 0; i < pl->lookahead; i++)
      for (int c = 0; c < ADIFF_PHOTO_MAX_CH; c++)
        {
          g_free (pl->slots[i].num[c]);
          g_free (pl->slots[i].den[c]);
        }
  g_free (pl->slots);
  if (pl->workers)
    for (guint t = 0; t < pl->n_workers; t++)
      adiff__photo_scratch_clear (&pl->workers[t]);
  g_free (pl->workers);
  for (int s = 0; s < pl->n_stages; s++)
    {
      adiff__photo_stage_clear (&pl->stage[s]);
      g_free (pl->stage_tasks[s]);
    }
  g_free (pl->tasks);
  g_free (pl->done);
  g_mutex_clear (&pl->lock);
  g_cond_clear (&pl->cond);
}

/* The stages: the pilot on the noisy planes, then each final pass with the
 * stage before as its pilot and guide; the last with its companion. */
static void
init_stages (Pipeline *pl, const AdiffPhotoConfig *config, float sigma)
{
  for (int s = 0; s < pl->n_stages; s++)
    {
      AdiffPhotoStage *st = &pl->stage[s];
      adiff__photo_stage_init (st, config, adiff__photo_stage_pass (config, s), pl->w, pl->h);
      st->nch = pl->nch;
      st->noisy = pl->noisy;
      st->lambda = config->lambda;
      for (int c = 0; c < pl->nch; c++)
        st->sigma[c] = sigma;
      if (s == 0)
        {
          st->guide = &pl->noisy[0];
          st->guide_noise = sigma * sigma;
          st->shrink = ADIFF_PHOTO_SHRINK_HARD;
        }
      else
        {
          st->pilot = pl->out[s - 1];
          st->guide = &pl->out[s - 1][0];
          st->guide_noise = 0.0f;
          st->shrink = ADIFF_PHOTO_SHRINK_PILOT;
          if (s == pl->n_stages - 1)
            adiff__photo_stage_add_companions (st, config);
        }
    }
}

gboolean
adiff__photo_pipeline_run (const AdiffPhotoConfig *config, int nch, int w, int h, float sigma,
                           const AdiffPhotoBox *out, AdiffPhotoSourceFunc source,
                           AdiffPhotoSinkFunc sink, gpointer data,
                           AdiffPhotoProgress *progress, GError **error)
{
  Pipeline *pl = g_new0 (Pipeline, 1);
  pl->nch = nch;
  pl->w = w;
  pl->h = h;
  pl->n_stages = 1 + config->n_final;
  pl->source = source;
  pl->sink = sink;
  pl->data = data;
  pl->progress = progress;
  pl->peak_rows = config->peak_rows;
  g_mutex_init (&pl->lock);
  g_cond_init (&pl->cond);
  adiff__photo_reaches (config, w, h, out, pl->reach);
  init_stages (pl, config, sigma);
  guint threads = adiff__thread_count (config->n_threads);
  pl->lookahead = config->lookahead > 0 ? config->lookahead : (int) threads + 2;
  build_tasks (pl);
  pl->n_workers = MIN (threads, (guint) pl->n_tasks);
  pl->done = g_new0 (gboolean, pl->n_tasks);
  for (int s = 0; s < pl->n_stages; s++)
    pl->final_to[s] = pl->out_freed[s] = pl->reach[0].read.y0;
  pl->produced = pl->freed = pl->reach[0].read.y0;

  gboolean ok = alloc_buffers (pl, error);
  if (ok)
    {
      /* Asked once before any work, on the caller's thread: only worker 0
       * reports later, and on a small image the other workers may take
       * every task, so a cancel at once would otherwise go unseen. */
      report_progress (pl, 0);
      produce_rows (pl);
      adiff__parallel_for ((guint) pl->n_tasks, pl->n_workers, run_task, pl);
      if (pl->stop || cancelled (pl))
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_CANCELLED, _("denoising cancelled"));
          ok = FALSE;
        }
    }
  if (ok && progress)
    progress->done += progress->span;
  pipeline_clear (pl);
  g_free (pl);
  return ok;
}
