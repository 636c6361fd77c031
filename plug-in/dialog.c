/* dialog.c — the procedures' dialogs, built from the config's properties
 * so the arguments, ranges and defaults are declared only once. */
#include "config.h"
#include <libgimp/gimpui.h>
#include "plugin.h"

gboolean
adiff_dialog_run (GimpProcedure *procedure, GimpProcedureConfig *config,
                  GimpDrawable *drawable, const char *title)
{
  GtkWidget *dialog;
  gboolean run;

  gimp_ui_init (PLUG_IN_BINARY);
  dialog = gimp_procedure_dialog_new (procedure, config, title);
  gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog), NULL);
  run = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));
  gtk_widget_destroy (dialog);
  return run;
}
