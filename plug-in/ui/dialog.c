/* dialog.c — the procedures' dialogs.  Arguments, ranges and defaults are
 * declared once, in each procedure's create function; the dialog is built
 * from the config's property names, with our bundle chooser on top and,
 * for the denoisers, a live preview of the visible region (preview.c). */
#include "config.h"
#include <libgimp/gimpui.h>
#include "ui/dialog.h"
#include "ui/bundle-chooser.h"
#include "ui/preview.h"
#include "ui/test-hook.h"
#include "ui/pixel-picker.h"

/* With a "quality" (the photo model's): it and the "noise-model" count only
 * for the photo model, and the paper models' options only for them. */
static void
photo_sensitivity (GimpProcedureDialog *dialog, GimpProcedureConfig *config)
{
  static const char * const paper_only[] = { "tau", "exact", "overlap" };
  GimpValueArray *photo = gimp_value_array_new (1);
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_static_string (&value, "photo");
  gimp_value_array_append (photo, &value);
  g_value_unset (&value);
  /* Each call takes a reference of the array (transfer full). */
  gimp_procedure_dialog_set_sensitive_if_in (dialog, "quality", G_OBJECT (config), "model",
                                             gimp_value_array_ref (photo), TRUE);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (config), "noise-model") != NULL)
    gimp_procedure_dialog_set_sensitive_if_in (dialog, "noise-model", G_OBJECT (config),
                                               "model", gimp_value_array_ref (photo), TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (paper_only); i++)
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (config), paper_only[i]) != NULL)
      gimp_procedure_dialog_set_sensitive_if_in (dialog, paper_only[i], G_OBJECT (config),
                                                 "model", gimp_value_array_ref (photo), FALSE);
  gimp_value_array_unref (photo);
}

gboolean
plugin_dialog_run (GimpProcedure *procedure, GimpProcedureConfig *config,
                   GimpDrawable *drawable, const char *title, PluginParamsFunc params_func,
                   const char * const *properties)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (config);
  GtkWidget *dialog, *content, *chooser;
  GList *fill = NULL;
  gboolean run;

  gimp_ui_init (PLUG_IN_BINARY);
  dialog = gimp_procedure_dialog_new (procedure, config, title);
  for (guint i = 0; properties[i] != NULL; i++)
    {
      GParamSpec *pspec = g_object_class_find_property (klass, properties[i]);

      if (pspec == NULL)
        continue;
      /* GIMP 3.0.4's GimpLabelSpin (the default widget) asserts in
       * gimp_label_spin_set_increments while it is built for a double
       * range narrower than 1 (τ): a spin scale has no such step. */
      if (G_IS_PARAM_SPEC_DOUBLE (pspec) &&
          G_PARAM_SPEC_DOUBLE (pspec)->maximum - G_PARAM_SPEC_DOUBLE (pspec)->minimum < 1.0)
        gimp_procedure_dialog_get_widget (GIMP_PROCEDURE_DIALOG (dialog), properties[i],
                                          GIMP_TYPE_SPIN_SCALE);
      fill = g_list_append (fill, (gpointer) properties[i]);
    }
  gimp_procedure_dialog_fill_list (GIMP_PROCEDURE_DIALOG (dialog), fill);
  g_list_free (fill);
  if (g_object_class_find_property (klass, "estimate-sigma") != NULL)
    gimp_procedure_dialog_set_sensitive (GIMP_PROCEDURE_DIALOG (dialog), "sigma", TRUE,
                                         G_OBJECT (config), "estimate-sigma", TRUE);
  if (g_object_class_find_property (klass, "quality") != NULL)
    photo_sensitivity (GIMP_PROCEDURE_DIALOG (dialog), config);

  content = gtk_dialog_get_content_area (GTK_DIALOG (dialog));
  chooser = plugin_bundle_chooser_new (config, drawable);
  gtk_box_pack_start (GTK_BOX (content), chooser, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (content), chooser, 0);
  if (params_func != NULL && drawable != NULL)
    plugin_preview_add (config, drawable, params_func, content);
  else if (drawable != NULL && g_object_class_find_property (klass, "pixel-from") != NULL)
    gtk_box_pack_start (GTK_BOX (content), plugin_pixel_picker_new (config, drawable),
                        FALSE, FALSE, 0);

  plugin_test_watch_dialog (dialog, config);
  run = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));
  gtk_widget_destroy (dialog);
  return run;
}
