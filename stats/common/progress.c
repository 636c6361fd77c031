/* progress.c — one self-rewriting status line on stderr, shown only on a
 * terminal (logs and pipes stay clean): a bar, items done, items/s, ETA.
 * Redrawn at most five times a second. */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include "stats-build.h"

struct _AdiffProgress
{
  char    *what;
  guint64  total;     /* 0 when unknown */
  gint64   start, last_draw;
  guint64  done;
};

AdiffProgress *
adiff_progress_new (const char *what, guint64 total, gboolean quiet)
{
  if (quiet || !isatty (STDERR_FILENO))
    return NULL;
  AdiffProgress *p = g_new0 (AdiffProgress, 1);
  p->what = g_strdup (what);
  p->total = total;
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
draw (AdiffProgress *p, gint64 now)
{
  double elapsed = (now - p->start) / 1e6;
  double rate = elapsed > 0 ? p->done / elapsed : 0;
  char eta[32] = "?";
  if (p->total && rate > 0 && p->done <= p->total)
    format_duration (eta, sizeof eta, (p->total - p->done) / rate);
  fputc ('\r', stderr);  /* outside the messages: translators need not keep it */
  if (p->total)
    {
      const int width = 24;
      int fill = (int) (width * MIN (1.0, (double) p->done / p->total));
      char bar[32];
      memset (bar, '#', fill);
      memset (bar + fill, '-', width - fill);
      bar[width] = 0;
      /* TRANSLATORS: progress line: what, bar, done/total, rate, remaining time */
      fprintf (stderr, _("%s [%s] %" PRIu64 "/%" PRIu64
                         " items, %.0f items/s, ETA %s   "),
               p->what, bar, p->done, p->total, rate, eta);
    }
  else if (p->done == 0)
    fprintf (stderr, _("%s… %.1f s   "), p->what, elapsed);
  else
    fprintf (stderr, _("%s %" PRIu64 " items, %.0f items/s   "),
             p->what, p->done, rate);
  fflush (stderr);
  p->last_draw = now;
}

void
adiff_progress_update (AdiffProgress *p, guint64 done)
{
  if (!p)
    return;
  p->done = done;
  gint64 now = g_get_monotonic_time ();
  if (now - p->last_draw >= 200000)
    draw (p, now);
}

void
adiff_progress_finish (AdiffProgress *p)
{
  if (!p)
    return;
  draw (p, g_get_monotonic_time ());
  fputc ('\n', stderr);
  g_free (p->what);
  g_free (p);
}
