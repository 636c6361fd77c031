/* wiener-denoise.c — the GEGL operation adiff:wiener-denoise: the Wiener
 * filter of a bundle (paper eq. 6), as a filter GIMP can preview on the
 * canvas and keep on a layer as a non-destructive effect.  The work is in
 * denoise-op.c; this file declares the properties. */
#include "config.h"
#include <glib/gi18n-lib.h>

#ifdef GEGL_PROPERTIES

#define DENOISE_OP_BUNDLE_HELP \
  _("Path of a statistics bundle (.adstats); empty = the installed natural-gray-8x8")
#define DENOISE_OP_OVERLAP_HELP \
  _("Windows that estimate each pixel, along each axis (4: smoother, slower)")
#include "gegl/denoise-op-props.h"

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
    _("Wiener Denoise"), o->bundle, o->sigma, o->estimate_sigma, FALSE,
    ADIFF_PHOTO_QUALITY_DEFAULT, ADIFF_METHOD_WIENER, 0.02, FALSE, (guint) o->overlap,
    o->strength, FALSE, { 0.0, 0.0 }
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
