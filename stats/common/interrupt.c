/* interrupt.c — what the tools do when they are interrupted (interrupt.h).
 *
 * Outputs are written atomically (a temporary ".NAME.XXXXXX" beside NAME,
 * renamed at the end, by adiff_bundle_write and the io savers alike), so an
 * interrupted tool never leaves a partial NAME; but ended while writing, it
 * would leave the temporary file.  So the handler, when it ends the
 * process, first removes such files.
 *
 * A handler may only call async-signal-safe functions, and the temporary
 * name is random: so the output's folder is opened in advance and the
 * handler lists it with the getdents64 system call into a static buffer,
 * unlinking every entry named "." NAME "." plus six characters.  The
 * message is made in advance too.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include "exit-codes.h"
#include "interrupt.h"

#define MAX_OUTPUTS 8
#define PREFIX_MAX 512

typedef struct
{
  int    dir_fd;
  char   prefix[PREFIX_MAX];     /* "." NAME "." */
  size_t prefix_len;
} Output;

static Output outputs[MAX_OUTPUTS];
static volatile sig_atomic_t n_outputs;
static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t exit_at_once;   /* depth of cli_exit_on_interrupt_begin */
static char   exit_message[256];             /* "adiff denoise: interrupted\n" */
static size_t exit_message_len;

#ifdef __linux__
static void
remove_temporaries (const Output *o)
{
  static char buffer[8192] __attribute__ ((aligned (8)));
  if (lseek (o->dir_fd, 0, SEEK_SET) < 0)
    return;
  for (;;)
    {
      ssize_t n = getdents64 (o->dir_fd, buffer, sizeof buffer);
      if (n <= 0)
        return;
      for (ssize_t off = 0; off < n;)
        {
          struct dirent64 *d = (struct dirent64 *) (buffer + off);
          if (strncmp (d->d_name, o->prefix, o->prefix_len) == 0 &&
              strlen (d->d_name) == o->prefix_len + 6)
            unlinkat (o->dir_fd, d->d_name, 0);
          off += d->d_reclen;
        }
    }
}
#else
static void remove_temporaries (const Output *o) { }
#endif

/* Only async-signal-safe calls here (getdents64, unlinkat, write, _exit). */
static void
exit_interrupted (void)
{
  for (sig_atomic_t i = 0; i < n_outputs; i++)
    remove_temporaries (&outputs[i]);
  if (exit_message_len > 0 && write (STDERR_FILENO, exit_message, exit_message_len) < 0)
    { /* nothing more can be done */ }
  _exit (CLI_EXIT_INTERRUPTED);
}

static void
on_signal (int sig)
{
  interrupted = 1;
  if (exit_at_once > 0)
    exit_interrupted ();
}

void
cli_catch_interrupts (void)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset (&sa.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaddset (&sa.sa_mask, signals[i]);
  /* SIGHUP too, a closed terminal: the streaming denoise has its temporary
   * output open for the whole run, and a cooperative stop removes it. */
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &sa, NULL);
  /* A parent may have blocked them (the mask survives exec); a signal
   * already pending is then delivered here, to the handler. */
  sigprocmask (SIG_UNBLOCK, &sa.sa_mask, NULL);
}

gboolean
cli_interrupted (void)
{
  return interrupted != 0;
}

void
cli_exit_on_interrupt_begin (void)
{
  if (exit_message_len == 0)
    {
      int n = g_snprintf (exit_message, sizeof exit_message, "%s: %s\n",
                          g_get_prgname () ? g_get_prgname () : "adiff", _("interrupted"));
      exit_message_len = n > 0 ? MIN ((size_t) n, sizeof exit_message - 1) : 0;
    }
  exit_at_once++;
  if (interrupted)               /* before, or between the two lines above */
    exit_interrupted ();
}

void
cli_exit_on_interrupt_end (void)
{
  if (exit_at_once > 0)
    exit_at_once--;
}

void
cli_remove_on_interrupt (const char *output_path)
{
  g_return_if_fail (output_path != NULL);
  if (n_outputs == MAX_OUTPUTS)
    return;
  g_autofree char *dir = g_path_get_dirname (output_path);
  g_autofree char *base = g_path_get_basename (output_path);
  Output *o = &outputs[n_outputs];
  int len = g_snprintf (o->prefix, sizeof o->prefix, ".%s.", base);
  if (len <= 0 || (size_t) len >= sizeof o->prefix)
    return;
  o->prefix_len = (size_t) len;
  o->dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (o->dir_fd < 0)
    return;                     /* the write will fail and say why */
  n_outputs++;
}
