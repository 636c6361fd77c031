/* sensitivity-procedure.c — "Sensitivity Field Overlay…": show which
 * input pixels a denoiser uses for one output pixel, at one or several
 * noise levels, as layers over the image (like the paper's figures). */
#include "config.h"
#include <langinfo.h>
#include <locale.h>
#include "procedures/procedures.h"
#include "procedures/args.h"
#include "procedures/run.h"
#include "ui/dialog.h"
#include "engine/job.h"
#include "engine/overlay.h"
#include "engine/sample-point.h"

/* Is the user's decimal mark a comma (German, French, …)?  Asked of the
 * environment's locale, not of the process's LC_NUMERIC, which libraries
 * may have set to "C". */
static gboolean
decimal_comma (void)
{
  locale_t user = newlocale (LC_NUMERIC_MASK, "", (locale_t) 0);
  gboolean comma = FALSE;

  if (user != (locale_t) 0)
    {
      comma = strcmp (nl_langinfo_l (RADIXCHAR, user), ",") == 0;
      freelocale (user);
    }
  return comma;
}

/* One σ in (0, 255]; with a decimal comma, "12,5" is 12.5 (and "10," of
 * "10, 25" is 10). */
static gboolean
parse_sigma (const char *text, gboolean comma, double *v)
{
  g_autofree char *ascii = g_strdup (text);
  char *end;

  if (comma)
    g_strdelimit (ascii, ",", '.');
  *v = g_ascii_strtod (ascii, &end);
  return end != ascii && *end == '\0' && *v > 0.0 && *v <= 255.0;
}

/* A list of σ: "10; 12,5 50" where the decimal mark is a comma, "10, 12.5,
 * 50" elsewhere: ";" and spaces always separate, "," too unless it is the
 * decimal mark.  "." is a decimal point everywhere (scripts). */
static double *
parse_sigmas (const char *text, guint *n, GError **error)
{
  gboolean comma = decimal_comma ();
  g_auto (GStrv) parts = g_strsplit_set (text != NULL ? text : "",
                                         comma ? "; \t" : ",; \t", -1);
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      double v;

      if (*parts[i] == '\0')
        continue;
      if (! parse_sigma (parts[i], comma, &v))
        {
          g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                       _("Noise levels must be numbers in (0, 255], like “%s” (got “%s”)"),
                       comma ? "10; 12,5; 50" : "10, 12.5, 50", parts[i]);
          g_array_free (values, TRUE);
          return NULL;
        }
      g_array_append_val (values, v);
    }
  if (values->len == 0)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Give at least one noise level σ"));
      g_array_free (values, TRUE);
      return NULL;
    }
  *n = values->len;
  return (double *) g_array_free (values, FALSE);
}

typedef enum { PIXEL_COORDINATES, PIXEL_SAMPLE_POINT, PIXEL_SELECTION } PixelFrom;

/* x, y = -1 mean the centre of the selection (or of the layer). */
static void
default_pixel (GimpDrawable *drawable, gint *x, gint *y)
{
  gint ox, oy, bx, by, bw, bh;

  gimp_drawable_get_offsets (drawable, &ox, &oy);
  if (! gimp_drawable_mask_intersect (drawable, &bx, &by, &bw, &bh))
    {
      bx = by = 0;
      bw = gimp_drawable_get_width (drawable);
      bh = gimp_drawable_get_height (drawable);
    }
  if (*x == -1)
    *x = ox + bx + bw / 2;
  if (*y == -1)
    *y = oy + by + bh / 2;
}

static GimpLayer *
sensitivity (GimpImage *image, GimpDrawable *drawable, GimpProcedureConfig *config,
             GError **error)
{
  PluginOverlayOptions o = { 0 };
  g_autofree char *sigmas_text = NULL, *map_name = NULL;
  g_autofree double *sigmas = NULL;
  AdiffBundle *bundle;
  GimpLayer *layer;

  PixelFrom from;

  g_object_get (config, "x", &o.x, "y", &o.y, "sigmas", &sigmas_text, "tau", &o.tau,
                "opacity", &o.opacity, "colormap", &map_name, "legend", &o.legend, NULL);
  o.method = gimp_procedure_config_get_choice_id (config, "model");
  o.scale = gimp_procedure_config_get_choice_id (config, "scale");
  from = gimp_procedure_config_get_choice_id (config, "pixel-from");
  adiff_colormap_from_string (map_name, &o.colormap);
  sigmas = parse_sigmas (sigmas_text, &o.n_sigmas, error);
  if (sigmas == NULL)
    return NULL;
  o.sigmas = sigmas;
  if (from == PIXEL_SELECTION)
    o.x = o.y = -1;
  if (from == PIXEL_SAMPLE_POINT && ! plugin_sample_point_first (image, &o.x, &o.y))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("The image has no sample point to take the pixel from"));
      return NULL;
    }
  default_pixel (drawable, &o.x, &o.y);

  bundle = plugin_job_open_bundle (config, NULL, error);
  if (bundle == NULL)
    return NULL;
  layer = plugin_overlay_add (image, drawable, bundle, &o, error);
  adiff_bundle_unref (bundle);
  return layer;
}

static GimpValueArray *
sensitivity_run (GimpProcedure *procedure, GimpRunMode run_mode, GimpImage *image,
                 GimpDrawable **drawables, GimpProcedureConfig *config, gpointer run_data)
{
  static const char * const properties[] = {
    "pixel-from", "x", "y", "sigmas", "model", "tau", "colormap", "scale", "legend",
    "opacity", NULL
  };
  GError *error = NULL;
  GimpDrawable *drawable = NULL;
  GimpLayer *layer;
  GimpValueArray *values;

  if (! plugin_check_drawables (image, drawables, &drawable, &error))
    return gimp_procedure_new_return_values (procedure, plugin_status_for_error (error), error);
  if (run_mode == GIMP_RUN_INTERACTIVE &&
      ! plugin_dialog_run (procedure, config, drawable, _("Sensitivity Field Overlay"),
                           NULL, properties))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);

  layer = sensitivity (image, drawable, config, &error);
  if (layer == NULL)
    return gimp_procedure_new_return_values (procedure, plugin_status_for_error (error), error);
  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  values = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_LAYER (values, 1, layer);
  return values;
}

static void
add_arguments (GimpProcedure *procedure)
{
  GimpChoice *maps = gimp_choice_new_with_values (
    "inferno", ADIFF_COLORMAP_INFERNO, _("Inferno"), _("Magnitude, dark to bright"),
    "viridis", ADIFF_COLORMAP_VIRIDIS, _("Viridis"), _("Magnitude, blue to yellow"),
    "coolwarm", ADIFF_COLORMAP_COOLWARM, _("Cool–warm (signed)"),
    _("Sign and size: blue negative, red positive"),
    NULL);
  GimpChoice *scales = gimp_choice_new_with_values (
    "linear", PLUGIN_SCALE_LINEAR, _("Linear"), _("Colour proportional to the value"),
    "sqrt", PLUGIN_SCALE_SQRT, _("Square root"), _("Lifts weak values: more of the field shows"),
    "log", PLUGIN_SCALE_LOG, _("Logarithmic"),
    _("Three decades: even values a thousandth of the largest show"),
    NULL);
  GimpChoice *pixel_from = gimp_choice_new_with_values (
    "coordinates", PIXEL_COORDINATES, _("Coordinates"),
    _("X and Y below (click in the preview to set them)"),
    "sample-point", PIXEL_SAMPLE_POINT, _("Sample point"), _("The image's first sample point"),
    "selection", PIXEL_SELECTION, _("Selection centre"),
    _("The centre of the selection, or of the layer"),
    NULL);

  plugin_args_add_bundle (procedure);
  gimp_procedure_add_choice_argument (procedure, "pixel-from", _("_Pixel from"),
                                      _("Where the pixel comes from"), pixel_from,
                                      "coordinates", G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "x", _("Pixel _X"),
                                   _("Image x of the pixel whose field to show "
                                     "(-1 = centre of the selection or layer)"),
                                   -1, 1000000, -1, G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "y", _("Pixel _Y"),
                                   _("Image y of the pixel (-1 = centre)"),
                                   -1, 1000000, -1, G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "sigmas", _("_Noise levels σ"),
                                      _("One or several noise levels (0–255), separated by "
                                        "spaces or “;” (or commas where the decimal mark is a "
                                        "point); several make a layer group"),
                                      "25", G_PARAM_READWRITE);
  plugin_args_add_model (procedure,
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_WIENER) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_ANALYTIC) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_OPTIMAL) |
                         PLUGIN_MODEL_BIT (ADIFF_METHOD_PATCH), "wiener");
  plugin_args_add_tau (procedure);
  gimp_procedure_add_choice_argument (procedure, "colormap", _("Colo_ur map"),
                                      _("How field values become colours (gray images: "
                                        "brightness)"), maps, "inferno", G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "scale", _("Sc_ale"),
                                      _("How values map to colours: a square-root or log scale "
                                        "shows the faint parts of the field"),
                                      scales, "sqrt", G_PARAM_READWRITE);
  gimp_procedure_add_boolean_argument (procedure, "legend", _("Le_gend"),
                                       _("Add a legend layer: each field enlarged, σ, the pixel "
                                         "and the colour bar"), TRUE, G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "opacity", _("Opac_ity"),
                                      _("Opacity of the overlay layers, in percent"),
                                      0.0, 100.0, 75.0, G_PARAM_READWRITE);
  gimp_procedure_add_layer_return_value (procedure, "overlay", _("Overlay"),
                                         _("The new layer, or the layer group for several "
                                           "noise levels"), FALSE, G_PARAM_READWRITE);
}

GimpProcedure *
plugin_sensitivity_procedure_new (GimpPlugIn *plug_in)
{
  GimpProcedure *procedure =
    gimp_image_procedure_new (plug_in, PROC_SENSITIVITY, GIMP_PDB_PROC_TYPE_PLUGIN,
                              sensitivity_run, NULL, NULL);

  gimp_procedure_set_image_types (procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  gimp_procedure_set_menu_label (procedure, _("_Sensitivity Field Overlay…"));
  plugin_add_own_menu_path (procedure);
  plugin_set_documentation
    (procedure,
     _("Show which pixels a denoiser looks at to decide one pixel"),
     _("Adds the sensitivity field of one output pixel as a new layer above the current "
       "one: for every input pixel, how much a small change there moves the denoised value "
       "of the chosen pixel (∂x̂_q/∂z_p).  Bright = strong influence.  The layer covers the "
       "bundle's window that holds the pixel, aligned with it, one value per image pixel; "
       "a legend layer beside it shows the field enlarged, with σ, the pixel (outlined) and "
       "the colour bar.  The pixel is marked with one sample point, reused by the next run.\n\n"
       "Pixel: image coordinates (-1 = centre of the selection or layer).\n"
       "Noise levels: one or several σ (0–255); several give one layer each in a group, the "
       "first visible, the others hidden — fields shrink as the noise gets lower, the paper's "
       "main observation.\n"
       "Scale: linear, square root or log; the latter two show the faint parts of "
       "low-σ fields.\n"
       "Model: 'Wiener' shows the field the data statistics alone imply (the same for any "
       "image); 'Analytic' and 'Optimal' show the Jacobian at the current layer content.\n"
       "Colour map: magnitude maps, or cool–warm for the signed field."),
     PROC_SENSITIVITY);
  gimp_procedure_set_attribution (procedure, PLUGIN_AUTHORS, PLUGIN_COPYRIGHT, PLUGIN_DATE);
  add_arguments (procedure);
  return procedure;
}
