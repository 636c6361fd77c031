/* adiff-cancel-probe — a GIMP 3 plug-in built only for the headless tests.
 *
 * Procedure test-adiff-cancel-probe (image, drawable, callee, bundle,
 * sigma) installs its own progress (gimp_progress_install_vtable), so that
 * the progress of the procedures it calls is routed to it, then runs
 * `callee` (a PDB name; 'procedure' would clash with the config's own
 * property) non-interactively on the drawable.  At the first progress
 * value above 0 it asks GIMP to cancel its progress (gimp_progress_cancel)
 * and notes the time.  It returns what it saw:
 *
 *   inner-status     the called procedure's GimpPDBStatusType
 *   inner-message    its error message ("" on success)
 *   n-values         progress values > 0 routed to the probe
 *   cancel-accepted  what gimp_progress_cancel() returned
 *   latency          seconds from the cancel request to the return of the
 *                    call (-1 when no cancel was requested)
 *   elapsed          seconds the whole call took
 *
 * The test (test_cancel.py) decides what these mean; the probe asserts
 * nothing itself. */
#include <libgimp/gimp.h>

#define PROBE_PROC "test-adiff-cancel-probe"

#define PROBE_TYPE_PLUG_IN (probe_plug_in_get_type ())
G_DECLARE_FINAL_TYPE (ProbePlugIn, probe_plug_in, PROBE, PLUG_IN, GimpPlugIn)

struct _ProbePlugIn
{
  GimpPlugIn parent_instance;
};

G_DEFINE_TYPE (ProbePlugIn, probe_plug_in, GIMP_TYPE_PLUG_IN)

typedef struct
{
  const gchar *callback;        /* our progress's PDB name */
  gint         n_values;
  gboolean     cancel_tried;
  gboolean     cancel_accepted;
  gint64       cancel_time;     /* g_get_monotonic_time() */
} Probe;

static void
probe_start (const gchar *message, gboolean cancelable, gpointer data)
{
}

static void
probe_end (gpointer data)
{
}

static void
probe_set_text (const gchar *message, gpointer data)
{
}

static void
probe_pulse (gpointer data)
{
}

/* The first real progress means the callee is at work: cancel now. */
static void
probe_set_value (gdouble value, gpointer data)
{
  Probe *probe = data;

  if (value <= 0.0)
    return;
  probe->n_values++;
  if (probe->cancel_tried || probe->callback == NULL)
    return;
  probe->cancel_tried = TRUE;
  probe->cancel_time = g_get_monotonic_time ();
  probe->cancel_accepted = gimp_progress_cancel (probe->callback);
}

/* Run name on drawable with bundle and σ, non-interactively. */
static GimpValueArray *
run_inner (const gchar *name, GimpImage *image, GimpDrawable *drawable,
           GFile *bundle, gdouble sigma)
{
  GimpProcedure *inner = gimp_pdb_lookup_procedure (gimp_get_pdb (), name);
  GimpProcedureConfig *config;
  GObject *drawables[1] = { G_OBJECT (drawable) };
  GimpValueArray *result;

  if (inner == NULL)
    return NULL;
  config = gimp_procedure_create_config (inner);
  g_object_set (config, "run-mode", GIMP_RUN_NONINTERACTIVE, "image", image,
                "bundle", bundle, "sigma", sigma, NULL);
  gimp_procedure_config_set_core_object_array (config, "drawables", drawables, 1);
  result = gimp_procedure_run_config (inner, config);
  g_object_unref (config);
  return result;
}

static GimpValueArray *
probe_run (GimpProcedure *procedure, GimpProcedureConfig *config, gpointer run_data)
{
  static const GimpProgressVtable vtable = {
    .start = probe_start, .end = probe_end, .set_text = probe_set_text,
    .set_value = probe_set_value, .pulse = probe_pulse,
  };
  Probe probe = { 0 };
  GimpImage *image = NULL;
  GimpDrawable *drawable = NULL;
  GFile *bundle = NULL;
  gchar *name = NULL;
  gdouble sigma = 0.0;
  GimpValueArray *inner, *values;
  GimpPDBStatusType status = GIMP_PDB_CALLING_ERROR;
  const gchar *message = "";
  gint64 start, end;

  g_object_get (config, "image", &image, "drawable", &drawable, "callee", &name,
                "bundle", &bundle, "sigma", &sigma, NULL);
  probe.callback = gimp_progress_install_vtable (&vtable, &probe, NULL);

  start = g_get_monotonic_time ();
  inner = run_inner (name, image, drawable, bundle, sigma);
  end = g_get_monotonic_time ();

  if (inner != NULL)
    {
      status = GIMP_VALUES_GET_ENUM (inner, 0);
      if (status != GIMP_PDB_SUCCESS)
        message = gimp_value_array_length (inner) > 1 &&
                  G_VALUE_HOLDS_STRING (gimp_value_array_index (inner, 1))
                  ? GIMP_VALUES_GET_STRING (inner, 1)
                  : gimp_pdb_get_last_error (gimp_get_pdb ());
    }
  else
    message = "no such procedure";

  values = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_INT (values, 1, status);
  GIMP_VALUES_SET_STRING (values, 2, message != NULL ? message : "");
  GIMP_VALUES_SET_INT (values, 3, probe.n_values);
  GIMP_VALUES_SET_BOOLEAN (values, 4, probe.cancel_accepted);
  GIMP_VALUES_SET_DOUBLE (values, 5, probe.cancel_tried ? (end - probe.cancel_time) / 1e6 : -1.0);
  GIMP_VALUES_SET_DOUBLE (values, 6, (end - start) / 1e6);

  if (probe.callback != NULL)
    gimp_progress_uninstall (probe.callback);
  if (inner != NULL)
    gimp_value_array_unref (inner);
  g_clear_object (&image);
  g_clear_object (&drawable);
  g_clear_object (&bundle);
  g_free (name);
  return values;
}

static GList *
probe_query_procedures (GimpPlugIn *plug_in)
{
  return g_list_append (NULL, g_strdup (PROBE_PROC));
}

static GimpProcedure *
probe_create_procedure (GimpPlugIn *plug_in, const gchar *name)
{
  GimpProcedure *procedure;

  if (g_strcmp0 (name, PROBE_PROC) != 0)
    return NULL;
  procedure = gimp_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN,
                                  probe_run, NULL, NULL);
  gimp_procedure_set_documentation (procedure, "Test probe: cancel a procedure's progress",
                                    "Runs a procedure under an installed progress and "
                                    "cancels that progress at its first value.", NULL);
  gimp_procedure_set_attribution (procedure, "analytic-diffusion tests",
                                  "GPL-3.0-or-later", "2026");
  gimp_procedure_add_image_argument (procedure, "image", "Image", "Image", FALSE,
                                     G_PARAM_READWRITE);
  gimp_procedure_add_drawable_argument (procedure, "drawable", "Drawable", "Drawable",
                                        FALSE, G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "callee", "Callee",
                                      "PDB name of the procedure to run", NULL,
                                      G_PARAM_READWRITE);
  gimp_procedure_add_file_argument (procedure, "bundle", "Bundle", "Bundle file",
                                    GIMP_FILE_CHOOSER_ACTION_OPEN, FALSE, NULL,
                                    G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "sigma", "Sigma", "σ, 0–255 scale",
                                      0.0, 1000.0, 25.0, G_PARAM_READWRITE);

  gimp_procedure_add_int_return_value (procedure, "inner-status", "Inner status",
                                       "GimpPDBStatusType of the call", 0, 100, 0,
                                       G_PARAM_READWRITE);
  gimp_procedure_add_string_return_value (procedure, "inner-message", "Inner message",
                                          "Error message of the call", NULL,
                                          G_PARAM_READWRITE);
  gimp_procedure_add_int_return_value (procedure, "n-values", "Progress values",
                                       "Progress values > 0 received", 0, G_MAXINT, 0,
                                       G_PARAM_READWRITE);
  gimp_procedure_add_boolean_return_value (procedure, "cancel-accepted", "Cancel accepted",
                                           "What gimp_progress_cancel returned", FALSE,
                                           G_PARAM_READWRITE);
  gimp_procedure_add_double_return_value (procedure, "latency", "Latency",
                                          "Seconds from cancel to return, -1: none",
                                          -1.0, G_MAXDOUBLE, -1.0, G_PARAM_READWRITE);
  gimp_procedure_add_double_return_value (procedure, "elapsed", "Elapsed",
                                          "Seconds the call took", 0.0, G_MAXDOUBLE, 0.0,
                                          G_PARAM_READWRITE);
  return procedure;
}

/* Nothing to translate. */
static gboolean
probe_set_i18n (GimpPlugIn *plug_in, const gchar *name, gchar **domain, gchar **dir)
{
  return FALSE;
}

static void
probe_plug_in_class_init (ProbePlugInClass *klass)
{
  GIMP_PLUG_IN_CLASS (klass)->set_i18n = probe_set_i18n;
  GIMP_PLUG_IN_CLASS (klass)->query_procedures = probe_query_procedures;
  GIMP_PLUG_IN_CLASS (klass)->create_procedure = probe_create_procedure;
}

static void
probe_plug_in_init (ProbePlugIn *plug_in)
{
}

GIMP_MAIN (PROBE_TYPE_PLUG_IN)
