/* exit-codes.h — the one table of exit codes of adiff and adiff-stats,
 * documented in docs/exit-codes.md and in every --help
 * (cli_exit_status_help). */
#pragma once

/* Exit status of both tools. */
typedef enum
{
  CLI_EXIT_OK = 0,
  CLI_EXIT_ERROR = 1,        /* unreadable or unsuitable input, or a processing error */
  CLI_EXIT_USAGE = 2,        /* unknown command or option, bad option value */
  CLI_EXIT_OUTPUT = 3,       /* the output could not be written */
  CLI_EXIT_INVALID = 3,      /* verify: the bundle failed a check (shares code 3) */
  CLI_EXIT_INTERRUPTED = 4,  /* SIGINT, SIGTERM or SIGHUP; no output left behind */
} CliExit;
