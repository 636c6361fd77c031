/* timing.c — where a denoising run's time goes, for overhead hunting
 * (bench/gimp-overhead).  Off unless ADIFF_PLUGIN_TIMING is set in the
 * environment GIMP gives the plug-in; then the phases of each run and the
 * thread settings the plug-in sees are printed to stderr, one line each,
 * prefixed "adiff-timing:".  Costs one clock read per phase otherwise. */
#define _GNU_SOURCE           /* sched_getaffinity, CPU_COUNT */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <stdio.h>
#include "engine/timing.h"

#ifdef HAVE_OPENBLAS_GET_NUM_THREADS
int openblas_get_num_threads (void);
#endif

static const char * const phase_names[PLUGIN_N_PHASES] = {
  "prepare", "read", "denoise", "write", "progress", "merge"
};

gboolean
plugin_timing_enabled (void)
{
  static gint enabled = -1;
  if (enabled < 0)
    enabled = g_getenv ("ADIFF_PLUGIN_TIMING") != NULL;
  return enabled;
}

void
plugin_timing_begin (PluginTiming *t)
{
  memset (t, 0, sizeof *t);
  t->start = g_get_monotonic_time ();
}

gint64
plugin_timing_now (void)
{
  return plugin_timing_enabled () ? g_get_monotonic_time () : 0;
}

void
plugin_timing_add (PluginTiming *t, PluginPhase phase, gint64 since)
{
  if (t != NULL && plugin_timing_enabled ())
    t->us[phase] += g_get_monotonic_time () - since;
}

/* The threads the library and BLAS will use, as this process sees them:
 * GIMP starts plug-ins with its own environment and CPU affinity. */
static void
print_threads (void)
{
  cpu_set_t set;
  int affinity = sched_getaffinity (0, sizeof set, &set) == 0 ? CPU_COUNT (&set) : -1;
  int blas = -1;
#ifdef HAVE_OPENBLAS_GET_NUM_THREADS
  blas = openblas_get_num_threads ();
#endif
  errno = 0;
  int nice_value = getpriority (PRIO_PROCESS, 0);
  fprintf (stderr, "adiff-timing: threads processors=%u affinity=%d openblas=%d nice=%d "
           "policy=%d OPENBLAS_NUM_THREADS=%s OMP_NUM_THREADS=%s\n",
           g_get_num_processors (), affinity, blas, errno ? 99 : nice_value,
           sched_getscheduler (0),
           g_getenv ("OPENBLAS_NUM_THREADS") ? g_getenv ("OPENBLAS_NUM_THREADS") : "-",
           g_getenv ("OMP_NUM_THREADS") ? g_getenv ("OMP_NUM_THREADS") : "-");
}

double
plugin_timing_cpu_seconds (void)
{
  struct rusage ru;

  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return -1.0;
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void
plugin_timing_report (const PluginTiming *t, const char *what)
{
  gint64 total = g_get_monotonic_time () - t->start;

  if (! plugin_timing_enabled ())
    return;
  print_threads ();
  fprintf (stderr, "adiff-timing: %s total=%.3f process-cpu=%.3f", what, total / 1e6,
           plugin_timing_cpu_seconds ());
  for (guint p = 0; p < PLUGIN_N_PHASES; p++)
    fprintf (stderr, " %s=%.3f", phase_names[p], t->us[p] / 1e6);
  fprintf (stderr, "\n");
  fflush (stderr);
}
