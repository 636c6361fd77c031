/* progress.h — the one progress line of the tools and the statistics
 * library: a self-rewriting status line on stderr. */
#pragma once

#include <glib.h>

typedef struct _CliProgress CliProgress;

/* Progress over total items (0 when unknown).  The line is drawn only when
 * stderr is a terminal, !quiet and ADIFF_NO_PROGRESS is unset (logs and
 * pipes stay clean); the object exists either way.  Free with
 * cli_progress_free, which ends the line. */
CliProgress *cli_progress_new    (const char *what, guint64 total, gboolean quiet);
/* Items done so far (a fraction for an item under way).  NULL is allowed. */
void         cli_progress_update (CliProgress *p, double done);
/* The item that an AdiffProgressFunc's fractions refer to. */
void         cli_progress_set_item (CliProgress *p, guint64 item);
/* An AdiffProgressFunc (data: a CliProgress): shows item + fraction and
 * returns FALSE once the tool is interrupted, which cancels the call. */
gboolean     cli_progress_func   (double fraction, gpointer data);
void         cli_progress_free   (CliProgress *p);
