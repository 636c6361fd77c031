/* progress.c — one self-rewriting status line on stderr (progress.h): a
 * bar, the share done, items done and items/s when there are several, and
 * the time left.  Redrawn at most five times a second. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include "interrupt.h"
#include "progress.h"

struct _CliProgress
{
  char    *what;
  guint64  total;     /* 0 when unknown */
  gboolean show;
  gint64   start, last_draw;
  double   done;
  guint64  item;      /* for cli_progress_func */
};

CliProgress *
cli_progress_new (const char *what, guint64 total, gboolean quiet)
{
  CliProgress *p = g_new0 (CliProgress, 1);
  p->what = g_strdup (what);
  p->total = total;
  p->show = !quiet && isatty (STDERR_FILENO) && g_getenv ("ADIFF_NO_PROGRESS") == NULL;
  p->start = g_get_monotonic_time ();
  return p;
}

static void
format_duration (char *buf, gsize len, double seconds)
{
  guint64 s = (guint64) (seconds + 0.5);
  if (s >= 3600)
    g_snprintf (buf, len, "%" G_GUINT64_FORMAT ":%02u:%02u", s / 3600,
                (guint) (s / 60 % 60), (guint) (s % 60));
  else
    g_snprintf (buf, len, "%u:%02u", (guint) (s / 60), (guint) (s % 60));
}

static void
draw_known (CliProgress *p, double elapsed, double rate)
{
  const int width = 24;
  double share = MIN (1.0, p->done / p->total);
  int fill = (int) (width * share);
  char bar[32], eta[32] = "?";
  memset (bar, '#', fill);
  memset (bar + fill, '-', width - fill);
  bar[width] = 0;
  if (rate > 0 && p->done <= p->total)
    format_duration (eta, sizeof eta, (p->total - p->done) / rate);
  if (p->total > 1)
    /* TRANSLATORS: progress line: what, bar, percent, done/total, rate, remaining time */
    fprintf (stderr, _("%s [%s] %3d%% %" PRIu64 "/%" PRIu64
                       " items, %.0f items/s, ETA %s   "),
             p->what, bar, (int) floor (100 * share), (guint64) p->done, p->total, rate, eta);
  else
    /* TRANSLATORS: progress line of one item: what, bar, percent, remaining time */
    fprintf (stderr, _("%s [%s] %3d%%, ETA %s   "), p->what, bar,
             (int) floor (100 * share), eta);
}

static void
draw (CliProgress *p, gint64 now)
{
  double elapsed = (now - p->start) / 1e6;
  double rate = elapsed > 0 ? p->done / elapsed : 0;
  fputc ('\r', stderr);  /* outside the messages: translators need not keep it */
  if (p->total)
    draw_known (p, elapsed, rate);
  else if (p->done == 0)
    fprintf (stderr, _("%s… %.1f s   "), p->what, elapsed);
  else
    fprintf (stderr, _("%s %" PRIu64 " items, %.0f items/s   "),
             p->what, (guint64) p->done, rate);
  fflush (stderr);
  p->last_draw = now;
}

void
cli_progress_update (CliProgress *p, double done)
{
  if (!p || !p->show)
    return;
  p->done = done;
  gint64 now = g_get_monotonic_time ();
  if (now - p->last_draw >= 200000)
    draw (p, now);
}

void
cli_progress_set_item (CliProgress *p, guint64 item)
{
  p->item = item;
}

gboolean
cli_progress_func (double fraction, gpointer data)
{
  CliProgress *p = data;
  if (cli_interrupted ())
    return FALSE;
  cli_progress_update (p, p->item + CLAMP (fraction, 0.0, 1.0));
  return TRUE;
}

void
cli_progress_free (CliProgress *p)
{
  if (!p)
    return;
  if (p->show)
    {
      draw (p, g_get_monotonic_time ());
      fputc ('\n', stderr);
    }
  g_free (p->what);
  g_free (p);
}
