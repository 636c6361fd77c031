/* test-hook.c — a log for the GUI tests (tests/gimp/dialogs_gui.py), off
 * unless $ADIFF_PLUGIN_TEST_LOG names a file.  Reading a GTK widget's
 * state from another process is impractical, so the dialog writes what the
 * test needs: its X window (to send keys to), each value a widget gives
 * the config (read back after a key press), and the preview's requests,
 * starts and results.  Lines: "<monotonic ms> <text>". */
#include "config.h"
#include "ui/test-hook.h"
#ifdef GDK_WINDOWING_X11
#include <gdk/gdkx.h>
#endif

static GMutex log_lock;

void
plugin_test_log (const char *format, ...)
{
  const char *path = g_getenv ("ADIFF_PLUGIN_TEST_LOG");
  g_autofree char *text = NULL;
  va_list args;
  FILE *f;

  if (path == NULL || *path == '\0')
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_mutex_lock (&log_lock);
  f = fopen (path, "a");
  if (f != NULL)
    {
      fprintf (f, "%" G_GINT64_FORMAT " %s\n", g_get_monotonic_time () / 1000, text);
      fclose (f);
    }
  g_mutex_unlock (&log_lock);
}

static void
log_property (GObject *config, GParamSpec *pspec)
{
  GValue value = G_VALUE_INIT;
  g_autofree char *text = NULL;
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_value_init (&value, pspec->value_type);
  g_object_get_property (config, pspec->name, &value);
  if (G_VALUE_HOLDS_DOUBLE (&value))
    text = g_strdup (g_ascii_formatd (number, sizeof number, "%.6g",
                                      g_value_get_double (&value)));
  else
    text = g_strdup_value_contents (&value);
  g_value_unset (&value);
  plugin_test_log ("set %s %s", pspec->name, text);
}

static void
log_window (GtkWidget *dialog)
{
#ifdef GDK_WINDOWING_X11
  GdkWindow *window = gtk_widget_get_window (dialog);

  if (window != NULL && GDK_IS_X11_WINDOW (window))
    plugin_test_log ("dialog window %lu", (gulong) gdk_x11_window_get_xid (window));
#endif
}

void
plugin_test_watch_dialog (GtkWidget *dialog, GimpProcedureConfig *config)
{
  const char *path = g_getenv ("ADIFF_PLUGIN_TEST_LOG");

  if (path == NULL || *path == '\0')
    return;
  g_signal_connect (dialog, "map", G_CALLBACK (log_window), NULL);
  g_signal_connect_object (config, "notify", G_CALLBACK (log_property), dialog, 0);
}
