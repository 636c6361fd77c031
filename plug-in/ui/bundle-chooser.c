/* bundle-chooser.c — the bundle argument's widget: the bundles installed
 * with the plug-in, by name, plus "Other…" for any file, and a line that
 * says what the chosen bundle holds — or, for a bad file, what is wrong
 * with it, so the dialog reports it instead of failing later. */
#include "config.h"
#include "ui/bundle-chooser.h"
#include "engine/bundles.h"

#define OTHER_ID "other"
/* No bundle given: the installed one that suits the layer and model. */
#define AUTO_ID  "auto"

typedef struct
{
  GimpProcedureConfig *config;
  GtkWidget           *combo;
  GtkWidget           *info;
  GtkWidget           *warning;     /* why the bundle does not suit the layer */
  GtkWidget           *unused;      /* "the photo model uses no bundle" */
  GtkWidget           *body;        /* what goes insensitive then */
  char                *last_path;   /* to go back to when "Other…" is cancelled */
  gint                 width, height;   /* of the layer; 0 = no layer */
  gboolean             colour;
} Chooser;

static void
chooser_free (Chooser *c)
{
  g_free (c->last_path);
  g_free (c);
}

static void
set_markup (GtkWidget *label, const char *colour, const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_autofree char *markup = g_strdup_printf ("<span foreground=\"%s\">%s</span>", colour, escaped);

  gtk_label_set_markup (GTK_LABEL (label), markup);
}

/* A warning under the description when the bundle does not suit the layer. */
static void
show_fit (Chooser *c, const char *path)
{
  g_autofree char *warning = NULL;

  if (path != NULL && c->width > 0)
    warning = plugin_bundle_fit_warning (path, c->width, c->height, c->colour);
  gtk_widget_set_visible (c->warning, warning != NULL);
  if (warning != NULL)
    set_markup (c->warning, "#9c6e03", warning);
}

/* Is the photo model chosen, and at which quality? */
static gboolean
photo_chosen (Chooser *c, gboolean *best)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (c->config);
  g_autofree char *model = NULL;
  g_autofree char *quality = NULL;

  *best = FALSE;
  if (g_object_class_find_property (klass, "quality") == NULL)
    return FALSE;
  g_object_get (c->config, "model", &model, "quality", &quality, NULL);
  *best = g_strcmp0 (quality, "best") == 0;
  return g_strcmp0 (model, "photo") == 0;
}

/* With no bundle chosen: the one the denoiser will take. */
static char *
automatic_path (Chooser *c)
{
  gboolean best, photo = photo_chosen (c, &best);
  g_autoptr (GFile) file = plugin_bundle_for_layer (c->colour, photo);

  return file != NULL ? g_file_get_path (file) : NULL;
}

static void
show_info (Chooser *c, const char *chosen)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *automatic = chosen == NULL ? automatic_path (c) : NULL;
  const char *path = chosen != NULL ? chosen : automatic;

  show_fit (c, path);
  if (path == NULL)
    {
      gtk_label_set_text (GTK_LABEL (c->info), _("No bundle chosen"));
      return;
    }
  text = plugin_bundle_describe (path, &error);
  if (text == NULL)
    {
      set_markup (c->info, "#c01c28", error->message);
      return;
    }
  if (automatic != NULL)
    {
      g_autofree char *name = plugin_bundle_display_name (automatic);
      g_autofree char *full = g_strdup_printf (_("Automatic, for this layer: %s. %s"), name, text);
      gtk_label_set_text (GTK_LABEL (c->info), full);
      return;
    }
  gtk_label_set_text (GTK_LABEL (c->info), text);
}

/* The photo model at its default quality uses no bundle: say so, and grey
 * the chooser out. */
static void
show_use (Chooser *c)
{
  gboolean best, unused = photo_chosen (c, &best) && ! best;

  gtk_widget_set_sensitive (c->body, ! unused);
  gtk_widget_set_visible (c->unused, unused);
  if (c->last_path == NULL)
    show_info (c, NULL);   /* the automatic choice depends on the model */
}

static void
model_changed (GObject *config, GParamSpec *pspec, GtkWidget *box)
{
  Chooser *c = g_object_get_data (G_OBJECT (box), "adiff-chooser");

  if (g_strcmp0 (pspec->name, "model") == 0 || g_strcmp0 (pspec->name, "quality") == 0)
    show_use (c);
}

/* path NULL: automatic. */
static void
set_path (Chooser *c, const char *path)
{
  g_autoptr (GFile) file = path != NULL ? g_file_new_for_path (path) : NULL;

  g_object_set (c->config, "bundle", file, NULL);
  g_free (c->last_path);
  c->last_path = g_strdup (path);
  show_info (c, path);
}

/* Select path in the combo, adding it when it is not one of the installed. */
static void
select_path (Chooser *c, const char *path)
{
  if (! gtk_combo_box_set_active_id (GTK_COMBO_BOX (c->combo), path))
    {
      g_autofree char *name = plugin_bundle_display_name (path);
      gtk_combo_box_text_prepend (GTK_COMBO_BOX_TEXT (c->combo), path, name);
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (c->combo), path);
    }
}

static char *
ask_for_file (GtkWidget *parent)
{
  GtkWidget *dialog = gtk_file_chooser_dialog_new (_("Choose a statistics bundle"),
                                                   GTK_WINDOW (gtk_widget_get_toplevel (parent)),
                                                   GTK_FILE_CHOOSER_ACTION_OPEN,
                                                   _("_Cancel"), GTK_RESPONSE_CANCEL,
                                                   _("_Open"), GTK_RESPONSE_ACCEPT, NULL);
  GtkFileFilter *filter = gtk_file_filter_new ();
  char *path = NULL;

  gtk_file_filter_set_name (filter, _("Statistics bundles (*.adstats)"));
  gtk_file_filter_add_pattern (filter, "*.adstats");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  if (gtk_dialog_run (GTK_DIALOG (dialog)) == GTK_RESPONSE_ACCEPT)
    path = gtk_file_chooser_get_filename (GTK_FILE_CHOOSER (dialog));
  gtk_widget_destroy (dialog);
  return path;
}

static void
combo_changed (GtkComboBox *combo, Chooser *c)
{
  const char *id = gtk_combo_box_get_active_id (combo);
  g_autofree char *path = NULL;

  if (id == NULL || g_strcmp0 (id, c->last_path) == 0)
    return;
  if (g_strcmp0 (id, AUTO_ID) == 0)
    {
      if (c->last_path != NULL)
        set_path (c, NULL);
      return;
    }
  if (g_strcmp0 (id, OTHER_ID) != 0)
    {
      set_path (c, id);
      return;
    }
  path = ask_for_file (c->combo);
  if (path == NULL)
    {
      /* Cancelled: back to the previous choice. */
      gtk_combo_box_set_active_id (combo, c->last_path != NULL ? c->last_path : AUTO_ID);
      return;
    }
  set_path (c, path);
  select_path (c, path);
}

/* A label that wraps under the combo. */
static GtkWidget *
info_label_new (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
  return label;
}

GtkWidget *
plugin_bundle_chooser_new (GimpProcedureConfig *config, GimpDrawable *drawable)
{
  Chooser *c = g_new0 (Chooser, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (_("Statistics (_bundle):"));
  GList *installed = plugin_bundles_installed ();
  g_autoptr (GFile) current = NULL;
  g_autofree char *current_path = NULL;
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (config), "bundle");
  gboolean automatic = pspec != NULL && gimp_param_spec_object_get_default (pspec) == NULL;

  c->config = config;
  c->combo = gtk_combo_box_text_new ();
  c->info = info_label_new ();
  c->warning = info_label_new ();
  c->unused = info_label_new ();
  c->body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_label_set_text (GTK_LABEL (c->unused),
                      _("The photo model uses no bundle at its default quality."));
  gtk_widget_set_no_show_all (c->warning, TRUE);
  gtk_widget_set_no_show_all (c->unused, TRUE);
  if (drawable != NULL)
    {
      c->width = gimp_drawable_get_width (drawable);
      c->height = gimp_drawable_get_height (drawable);
      c->colour = ! gimp_drawable_is_gray (drawable);
    }
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), c->combo);
  gtk_widget_set_tooltip_text (c->combo, _("What the filter knows about images: statistics "
                                           "made from pictures like the ones to work on.  The "
                                           "bundles installed with the plug-in are listed by "
                                           "name; “Other…” opens any .adstats file"));

  if (automatic)
    gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (c->combo), AUTO_ID,
                               _("Automatic (suits the layer)"));
  for (GList *l = installed; l != NULL; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);
      g_autofree char *name = plugin_bundle_display_name (path);
      gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (c->combo), path, name);
    }
  g_list_free_full (installed, g_object_unref);
  gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (c->combo), OTHER_ID, _("Other…"));

  g_object_get (config, "bundle", &current, NULL);
  current_path = current != NULL ? g_file_get_path (current) : NULL;
  if (current_path != NULL)
    {
      c->last_path = g_strdup (current_path);
      select_path (c, current_path);
    }
  else if (automatic)
    gtk_combo_box_set_active_id (GTK_COMBO_BOX (c->combo), AUTO_ID);
  show_info (c, current_path);
  g_signal_connect (c->combo, "changed", G_CALLBACK (combo_changed), c);
  g_object_set_data_full (G_OBJECT (box), "adiff-chooser", c, (GDestroyNotify) chooser_free);
  /* Tied to the chooser's life: the config outlives the dialog. */
  g_signal_connect_object (config, "notify", G_CALLBACK (model_changed), box, 0);

  gtk_box_pack_start (GTK_BOX (row), label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (row), c->combo, TRUE, TRUE, 0);
  gtk_box_pack_start (GTK_BOX (c->body), row, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (c->body), c->info, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (c->body), c->warning, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), c->body, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), c->unused, FALSE, FALSE, 0);
  gtk_widget_show_all (box);
  show_use (c);
  return box;
}
