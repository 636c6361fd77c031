/* timing.h — ADIFF_PLUGIN_TIMING: where a denoising run's time goes. */
#pragma once

#include "plugin.h"

typedef enum
{
  PLUGIN_PHASE_PREPARE,    /* open the bundle, build the denoiser */
  PLUGIN_PHASE_READ,       /* GEGL → floats */
  PLUGIN_PHASE_DENOISE,    /* inside libadiff */
  PLUGIN_PHASE_WRITE,      /* blend, floats → shadow buffer */
  PLUGIN_PHASE_PROGRESS,   /* gimp_progress_update round trips */
  PLUGIN_PHASE_MERGE,      /* flush + merge the shadow + update */
  PLUGIN_N_PHASES
} PluginPhase;

typedef struct
{
  gint64 start;
  gint64 us[PLUGIN_N_PHASES];
} PluginTiming;

/* TRUE when ADIFF_PLUGIN_TIMING is set. */
gboolean     plugin_timing_enabled     (void);
void         plugin_timing_begin       (PluginTiming *t);
/* A clock reading for plugin_timing_add (0 when timing is off). */
gint64       plugin_timing_now         (void);
/* Charge the time since `since` to phase; t may be NULL. */
void         plugin_timing_add         (PluginTiming *t, PluginPhase phase, gint64 since);
/* CPU seconds of the whole process so far (all threads): less noisy than
 * wall time on a loaded machine. */
double       plugin_timing_cpu_seconds (void);
/* One "adiff-timing:" line on stderr with the phases and thread settings,
 * when enabled. */
void         plugin_timing_report      (const PluginTiming *t, const char *what);
