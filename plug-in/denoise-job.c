/* denoise-job.c — what the denoising procedures share once their
 * arguments are known: open the bundle, turn σ from the 0–255 scale into
 * the library's [0,1] units, build the denoiser and run it over the
 * drawable.  Every check happens before the first pixel is written. */
#include "config.h"
#include "plugin.h"

/* σ as the user gave it; 0 or less is an error, not "no denoising". */
static gboolean
config_sigma (GimpProcedureConfig *config, double *sigma, GError **error)
{
  double value;

  g_object_get (config, "sigma", &value, NULL);
  if (! (value > 0.0) || ! isfinite (value))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("Noise σ must be greater than 0 (got %g)"), value);
      return FALSE;
    }
  *sigma = value / 255.0;
  return TRUE;
}

gboolean
adiff_denoise_drawable (GimpDrawable        *drawable,
                        GimpProcedureConfig *config,
                        const AdiffParams   *base,
                        gboolean             interactive,
                        GError             **error)
{
  AdiffParams params = *base;
  AdiffApplyOptions options = { 1.0, interactive };
  AdiffBundle *bundle;
  AdiffDenoiser *denoiser;
  gboolean ok;

  if (! config_sigma (config, &params.sigma, error))
    return FALSE;
  bundle = adiff_args_open_bundle (config, error);
  if (bundle == NULL)
    return FALSE;
  g_object_get (config, "strength", &options.strength, NULL);

  denoiser = adiff_denoiser_new (bundle, &params, error);
  adiff_bundle_unref (bundle);  /* the denoiser holds its own reference */
  if (denoiser == NULL)
    return FALSE;
  if (interactive)
    gimp_progress_init_printf (_("%s (σ = %.1f)"), adiff_method_to_string (params.method),
                               params.sigma * 255.0);
  ok = adiff_apply_denoiser (drawable, denoiser, &options, error);
  if (interactive)
    gimp_progress_end ();
  adiff_denoiser_free (denoiser);
  return ok;
}
