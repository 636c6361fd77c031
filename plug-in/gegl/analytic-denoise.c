/* analytic-denoise.c — the GEGL operation adiff:analytic-denoise: the
 * exemplar denoisers of a bundle — the analytic model (paper eq. 8), the
 * optimal one (eq. 3), the patch baseline — as a filter GIMP can preview on
 * the canvas and keep on a layer as a non-destructive effect.  The work is
 * in denoise-op.c; this file declares the properties.
 *
 * The model's values are libadiff's method names (adiff_method_from_string):
 * a new method of libadiff is one enum_value line here. */
#include "config.h"
#include <glib/gi18n-lib.h>

#ifdef GEGL_PROPERTIES

#include "gegl/denoise-op-props.h"

enum_start (adiff_model)
  enum_value (ADIFF_MODEL_ANALYTIC, "analytic", N_("Analytic (eq. 8)"))
  enum_value (ADIFF_MODEL_OPTIMAL,  "optimal",  N_("Optimal (eq. 3)"))
  enum_value (ADIFF_MODEL_PATCH,    "patch",    N_("Patch baseline"))
enum_end (AdiffModel)

property_enum (model, _("Model"), AdiffModel, adiff_model, ADIFF_MODEL_ANALYTIC)
  description (_("Which denoiser: analytic (paper eq. 8), optimal (eq. 3) or the patch baseline"))

property_double (tau, _("Mask threshold τ"), 0.02)
  description (_("Analytic model: a pixel takes part in the comparison for output pixel q "
                 "when its Wiener weight is at least τ times the largest one"))
  value_range (0.001, 1.0)
  ui_range (0.005, 0.2)

property_boolean (exact, _("Exact (slow)"), FALSE)
  description (_("Compare with every exemplar; off = fast mode (a shortlist per window)"))

#else

#define GEGL_OP_AREA_FILTER
#define GEGL_OP_NAME     analytic_denoise
#define GEGL_OP_C_SOURCE analytic-denoise.c

#include "gegl-op.h"
#include "gegl/denoise-op.h"

static DenoiseSettings
settings (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  GEnumValue *model = g_enum_get_value (g_type_class_peek (adiff_model_get_type ()), o->model);
  AdiffMethod method = ADIFF_METHOD_ANALYTIC;
  if (model != NULL)
    adiff_method_from_string (model->value_nick, &method);
  return (DenoiseSettings) {
    _("Analytical Diffusion Denoise"), o->bundle, o->sigma, o->estimate_sigma, method,
    o->tau, o->exact, (guint) o->overlap, o->strength
  };
}

#include "gegl/denoise-op-glue.h"

static void
gegl_op_class_init (GeglOpClass *klass)
{
  denoise_op_install (klass);
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);

  gegl_operation_class_set_keys (operation_class,
    "name",            "adiff:analytic-denoise",
    "title",           _("Analytical Diffusion Denoise"),
    "categories",      "enhance:noise-reduction",
    "gimp:menu-path",  "<Image>/Filters/Enhance",
    "gimp:menu-label", _("Analytical Diffusion Denoise (layer effect)…"),
    "description",     _("Removes noise with the analytic denoiser of a diffusion model "
                         "built from a bundle's statistics and exemplars (paper eq. 8)"),
    NULL);
}

#endif
