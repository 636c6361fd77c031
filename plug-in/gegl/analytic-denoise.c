/* analytic-denoise.c — the GEGL operation adiff:analytic-denoise: the
 * photo model (grouped Wiener filters of the image's own patches, the
 * default; no bundle needed) and the exemplar denoisers of a bundle — the
 * analytic model (paper eq. 8), the optimal one (eq. 3), the patch
 * baseline — as a filter GIMP can preview on the canvas and keep on a
 * layer as a non-destructive effect.  The work is in denoise-op.c; this
 * file declares the properties.
 *
 * The model's values are libadiff's method names (adiff_method_from_string),
 * and "photo": a new method of libadiff is one enum_value line here.  New
 * values go last: a saved effect keeps the number.  New properties go last
 * too (the camera noise's came after exact). */
#include "config.h"
#include <glib/gi18n-lib.h>

#ifdef GEGL_PROPERTIES

#define DENOISE_OP_BUNDLE_HELP \
  _("Path of a statistics bundle (.adstats); empty = the installed natural-gray-8x8. " \
    "The photo model uses none at the default quality, and at the best quality the " \
    "principal components of a gray 8×8 bundle")
#define DENOISE_OP_OVERLAP_HELP \
  _("Windows that estimate each pixel, along each axis (4: smoother, slower); " \
    "the photo model ignores it")
#include "gegl/denoise-op-props.h"

enum_start (adiff_model)
  enum_value (ADIFF_MODEL_ANALYTIC, "analytic", N_("Analytic (eq. 8)"))
  enum_value (ADIFF_MODEL_OPTIMAL,  "optimal",  N_("Optimal (eq. 3)"))
  enum_value (ADIFF_MODEL_PATCH,    "patch",    N_("Patch baseline"))
  enum_value (ADIFF_MODEL_PHOTO,    "photo",    N_("Photo (grouped Wiener)"))
enum_end (AdiffModel)

property_enum (model, _("Model"), AdiffModel, adiff_model, ADIFF_MODEL_PHOTO)
  description (_("Which denoiser: photo (Wiener filters of groups of the image's own "
                 "similar patches; best for photos, needs no bundle), analytic (paper eq. 8), "
                 "optimal (eq. 3) or the patch baseline"))

enum_start (adiff_photo_quality_choice)
  enum_value (ADIFF_PHOTO_QUALITY_CHOICE_DEFAULT, "default", N_("Default"))
  enum_value (ADIFF_PHOTO_QUALITY_CHOICE_BEST,    "best",    N_("Best (slower)"))
enum_end (AdiffPhotoQualityChoice)

property_enum (quality, _("Quality"), AdiffPhotoQualityChoice, adiff_photo_quality_choice,
               ADIFF_PHOTO_QUALITY_CHOICE_DEFAULT)
  description (_("Photo model: default, or best (4 to 7 times the time, a little better; "
                 "uses a gray 8×8 bundle)"))

property_double (tau, _("Mask threshold τ"), 0.02)
  description (_("Analytic model: a pixel takes part in the comparison for output pixel q "
                 "when its Wiener weight is at least τ times the largest one; the photo "
                 "model ignores it"))
  value_range (0.001, 1.0)
  ui_range (0.005, 0.2)

property_boolean (exact, _("Exact (slow)"), FALSE)
  description (_("Compare with every exemplar; off = fast mode (a shortlist per window); "
                 "the photo model ignores it"))

/* Camera noise, the procedure's "noise-model", "noise-a" and "noise-b"
 * (same nicks, units and range): the photo model's only, as there. */
enum_start (adiff_noise_kind)
  enum_value (ADIFF_NOISE_KIND_CONSTANT, "constant", N_("Constant σ (the same everywhere)"))
  enum_value (ADIFF_NOISE_KIND_CAMERA,   "camera",
              N_("Camera noise (measured, stronger where brighter)"))
enum_end (AdiffNoiseKind)

property_enum (noise_model, _("Noise kind"), AdiffNoiseKind, adiff_noise_kind,
               ADIFF_NOISE_KIND_CONSTANT)
  description (_("Photo model: one noise level everywhere (σ), or camera noise of variance "
                 "a + b·x, stronger in bright parts (σ and its estimate are then not used); "
                 "the paper's models ignore it"))

property_double (noise_a, _("Camera noise a"), 0.0)
  description (_("Camera noise: a of the variance a + b·x of a pixel of brightness "
                 "x, on the 0–1 scale; the read noise (0.0001 is σ 2.55 in black).  "
                 "a = b = 0: measure both from the layer"))
  value_range (0.0, 1.0)
  ui_range (0.0, 0.01)

property_double (noise_b, _("Camera noise b"), 0.0)
  description (_("Camera noise: b of the variance a + b·x; the photon noise added "
                 "per unit of brightness (0.01 is σ 25.5 in white).  a = b = 0: "
                 "measure both from the layer"))
  value_range (0.0, 1.0)
  ui_range (0.0, 0.05)

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
  gboolean photo = model != NULL && g_str_equal (model->value_nick, "photo");
  if (model != NULL && !photo)
    adiff_method_from_string (model->value_nick, &method);
  AdiffPhotoQuality quality = o->quality == ADIFF_PHOTO_QUALITY_CHOICE_BEST
                              ? ADIFF_PHOTO_QUALITY_BEST : ADIFF_PHOTO_QUALITY_DEFAULT;
  return (DenoiseSettings) {
    _("Analytical Diffusion Denoise"), o->bundle, o->sigma, o->estimate_sigma, photo,
    quality, method, o->tau, o->exact, (guint) o->overlap, o->strength,
    photo && o->noise_model == ADIFF_NOISE_KIND_CAMERA, { o->noise_a, o->noise_b }
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
    "description",     _("Removes noise with the photo model (Wiener filters of groups of "
                         "similar patches) or the analytic denoiser of a diffusion model "
                         "built from a bundle's statistics and exemplars (paper eq. 8)"),
    NULL);
}

#endif
