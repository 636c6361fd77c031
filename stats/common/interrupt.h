/* interrupt.h — the one handler of SIGINT, SIGTERM and SIGHUP of both tools.
 *
 * By default an interrupt only sets a flag: long work polls it (through
 * the progress callback, cli_progress_func) and cancels cleanly, removing
 * its temporary output, and the tool exits 4.  Where nothing can poll
 * (loaders without a cancel hook, LAPACK, all of adiff-stats), code runs
 * between cli_exit_on_interrupt_begin and _end: an interrupt there ends the
 * process at once with "PROGRAM: interrupted" and exit 4, after removing
 * the temporary files of the outputs named to cli_remove_on_interrupt. */
#pragma once

#include <glib.h>

/* Install the handler (cli_main does), unblocking the signals. */
void     cli_catch_interrupts (void);
gboolean cli_interrupted      (void);

/* Calls nest.  An interrupt that arrived earlier exits at the begin. */
void     cli_exit_on_interrupt_begin (void);
void     cli_exit_on_interrupt_end   (void);

/* The atomic writers' temporaries of output_path (".NAME.XXXXXX" beside
 * it) are removed when an interrupt ends the process at once. */
void     cli_remove_on_interrupt (const char *output_path);
