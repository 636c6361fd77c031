/* main.c — the analytic-diffusion GIMP 3 plug-in: a GimpPlugIn subclass
 * that names its procedures and hands each one to the file that builds it.
 * All work happens in the per-procedure files; this one only registers. */
#include "config.h"
#include "procedures/procedures.h"

#define ADIFF_TYPE_PLUG_IN (adiff_plug_in_get_type ())
G_DECLARE_FINAL_TYPE (AdiffPlugIn, adiff_plug_in, ADIFF, PLUG_IN, GimpPlugIn)

struct _AdiffPlugIn
{
  GimpPlugIn parent_instance;
};

G_DEFINE_TYPE (AdiffPlugIn, adiff_plug_in, GIMP_TYPE_PLUG_IN)

typedef GimpProcedure *(*ProcedureNew) (GimpPlugIn *plug_in);

/* The registry: PDB name → constructor, in menu order. */
static const struct
{
  const char  *name;
  ProcedureNew create;
} procedures[] = {
  { PROC_WIENER, plugin_wiener_procedure_new },
  { PROC_ANALYTIC, plugin_analytic_procedure_new },
  { PROC_SENSITIVITY, plugin_sensitivity_procedure_new },
  { PROC_SAMPLE, plugin_sample_procedure_new },
};

/* Our help pages: help/ beside the executable (a per-user install), else
 * in the package data folder; each language in its own folder with a
 * gimp-help.xml that maps the procedures' help IDs to pages. */
static void
adiff_plug_in_add_help (GimpPlugIn *plug_in)
{
  g_autofree char *dir = g_path_get_dirname (gimp_get_progname ());
  g_autofree char *local = g_build_filename (dir, "help", NULL);
  g_autofree char *shared = g_build_filename (ADIFF_DATADIR, "help", NULL);
  const char *where = g_file_test (local, G_FILE_TEST_IS_DIR) ? local : shared;
  g_autoptr (GFile) root = g_file_new_for_path (where);

  gimp_plug_in_set_help_domain (plug_in, PLUGIN_HELP_DOMAIN, root);
}

static GList *
adiff_plug_in_query_procedures (GimpPlugIn *plug_in)
{
  GList *list = NULL;

  adiff_plug_in_add_help (plug_in);
  for (gsize i = 0; i < G_N_ELEMENTS (procedures); i++)
    list = g_list_append (list, g_strdup (procedures[i].name));
  return list;
}

static GimpProcedure *
adiff_plug_in_create_procedure (GimpPlugIn *plug_in, const gchar *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (procedures); i++)
    if (g_strcmp0 (name, procedures[i].name) == 0)
      return procedures[i].create (plug_in);
  return NULL;
}

/* Our catalogs live in the system locale folder (meson's i18n module puts
 * them there), or in locale/ beside the executable for a per-user install;
 * GIMP's default only knows the latter, so bind the domain ourselves. */
static gboolean
adiff_plug_in_set_i18n (GimpPlugIn *plug_in, const gchar *name,
                        gchar **gettext_domain, gchar **catalog_dir)
{
  g_autofree char *dir = g_path_get_dirname (gimp_get_progname ());
  g_autofree char *local = g_build_filename (dir, "locale", NULL);
  const char *where = g_file_test (local, G_FILE_TEST_IS_DIR) ? local : LOCALEDIR;

  bindtextdomain (GETTEXT_PACKAGE, where);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  return FALSE;  /* we translate our strings ourselves */
}

/* GIMP's core closes a plug-in's pipes as soon as it has read the
 * procedure's return values (gimp_plug_in_handle_proc_return in
 * app/plug-in/gimpplugin-message.c, GIMP 3.0), so the quit message libgimp
 * sends afterwards (_gimp_plug_in_quit) often meets a closed pipe and warns
 * "gimp_flush(): error: Broken pipe" (the system's words for EPIPE, in the
 * user's language).  Nothing is lost then: drop exactly that warning, and
 * only from here on, when the run is over. */
static void
drop_broken_pipe (const gchar *domain, GLogLevelFlags level, const gchar *message,
                  gpointer data)
{
  if (strstr (message, "gimp_flush(): error:") == NULL)
    g_log_default_handler (domain, level, message, data);
}

static void
adiff_plug_in_quit (GimpPlugIn *plug_in)
{
  g_log_set_handler ("LibGimp", G_LOG_LEVEL_WARNING, drop_broken_pipe, NULL);
}

static void
adiff_plug_in_class_init (AdiffPlugInClass *klass)
{
  GimpPlugInClass *plug_in_class = GIMP_PLUG_IN_CLASS (klass);

  plug_in_class->query_procedures = adiff_plug_in_query_procedures;
  plug_in_class->create_procedure = adiff_plug_in_create_procedure;
  plug_in_class->set_i18n = adiff_plug_in_set_i18n;
  plug_in_class->quit = adiff_plug_in_quit;
}

static void
adiff_plug_in_init (AdiffPlugIn *plug_in)
{
}

GIMP_MAIN (ADIFF_TYPE_PLUG_IN)
