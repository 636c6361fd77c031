/* test-hook.h — what the GUI tests read back from our dialogs. */
#pragma once

#include <libgimp/gimpui.h>
#include "plugin.h"

/* When $ADIFF_PLUGIN_TEST_LOG names a file, append one line to it:
 * monotonic milliseconds, then the formatted text.  Any thread. */
void         plugin_test_log           (const char *format,
                                        ...) G_GNUC_PRINTF (1, 2);
/* Log the dialog's X window once it is shown, and every change of the
 * config's properties with its new value. */
void         plugin_test_watch_dialog  (GtkWidget           *dialog,
                                        GimpProcedureConfig *config);
