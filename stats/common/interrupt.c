/* signal-cleanup.c — what the tools do when they are interrupted.
 *
 * Outputs are written atomically (a temporary ".NAME.XXXXXX" beside NAME,
 * renamed at the end, by adiff_bundle_write and the io savers alike), so an
 * interrupted tool never leaves a partial NAME; but killed while writing,
 * it would leave the temporary file.  adiff_io_cleanup_on_signal() installs
 * handlers for SIGINT, SIGTERM and SIGHUP that remove such files and then
 * let the signal kill the process as it would have (exit status 128+sig).
 *
 * A handler may only call async-signal-safe functions, and the temporary
 * name is random: so the output's folder is opened in advance and the
 * handler lists it with the getdents64 system call into a static buffer,
 * unlinking every entry named "." NAME "." plus six characters.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include "io-private.h"

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

static void
on_signal (int sig)
{
  for (sig_atomic_t i = 0; i < n_outputs; i++)
    remove_temporaries (&outputs[i]);
  signal (sig, SIG_DFL);
  raise (sig);
}

void
adiff_io_cleanup_on_signal (const char *output_path)
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
  if (n_outputs == 1)
    {
      struct sigaction sa;
      memset (&sa, 0, sizeof sa);
      sa.sa_handler = on_signal;
      sigemptyset (&sa.sa_mask);
      sigaddset (&sa.sa_mask, SIGINT);
      sigaddset (&sa.sa_mask, SIGTERM);
      sigaddset (&sa.sa_mask, SIGHUP);
      sigaction (SIGINT, &sa, NULL);
      sigaction (SIGTERM, &sa, NULL);
      sigaction (SIGHUP, &sa, NULL);
    }
}

gboolean
adiff_io_same_file (const char *a, const char *b)
{
  GStatBuf sa, sb;
  if (g_stat (a, &sa) != 0 || g_stat (b, &sb) != 0)
    return FALSE;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
