/* wiener-denoise.c — the GEGL operation adiff:wiener-denoise: the Wiener
 * filter of a bundle (paper eq. 6), as a filter GIMP can preview on the
 * canvas and keep on a layer as a non-destructive effect.  The work is in
 * denoise-op.c; this file declares the properties. */
#include "config.h"
#include <glib/gi18n-lib.h>

#ifdef GEGL_PROPERTIES

/* A string, not property_file_path: libgimp 3.0.4 cannot pass a
 * GeglParamFilePath to plug-ins, and its filter config would lose every
 * property. */
property_string (bundle, _("Bundle"), "")
  description (_("Path of a statistics bundle (.adstats); empty = the installed natural-gray-8x8"))

property_double (sigma, _("Noise σ"), 25.0)
  description (_("Standard deviation of the noise on the 0–255 scale (must be > 0)"))
  value_range (0.0, 255.0)
  ui_range (1.0, 100.0)

property_boolean (estimate_sigma, _("Estimate σ from the image"), FALSE)
  description (_("Ignore σ and estimate the noise level from the whole layer"))

property_int (overlap, _("Overlap"), 2)
  description (_("Windows that estimate each pixel, along each axis (4: smoother, slower)"))
  value_range (2, 8)
  ui_range (2, 4)

property_double (strength, _("Strength"), 1.0)
  description (_("0 = original, 1 = fully denoised"))
  value_range (0.0, 1.0)

#else

#define GEGL_OP_AREA_FILTER
#define GEGL_OP_NAME     wiener_denoise
#define GEGL_OP_C_SOURCE wiener-denoise.c

#include "gegl-op.h"
#include "gegl/denoise-op.h"

static DenoiseSettings
settings (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  return (DenoiseSettings) {
    _("Wiener Denoise"), o->bundle, o->sigma, o->estimate_sigma, ADIFF_METHOD_WIENER,
    0.02, FALSE, (guint) o->overlap, o->strength
  };
}

#include "gegl/denoise-op-glue.h"

static void
gegl_op_class_init (GeglOpClass *klass)
{
  denoise_op_install (klass);
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);

  gegl_operation_class_set_keys (operation_class,
    "name",            "adiff:wiener-denoise",
    "title",           _("Wiener Denoise"),
    "categories",      "enhance:noise-reduction",
    "gimp:menu-path",  "<Image>/Filters/Enhance",
    "gimp:menu-label", _("Wiener Denoise (layer effect)…"),
    "description",     _("Removes noise with the Wiener filter of a bundle's statistics "
                         "(analytic diffusion, paper eq. 6)"),
    NULL);
}

#endif
