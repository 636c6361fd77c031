/* args.h — the arguments several procedures share, declared once. */
#pragma once

#include "plugin.h"

void         plugin_args_add_bundle    (GimpProcedure *procedure);
/* The same with no default: the denoiser then takes the installed bundle
 * that suits the layer and model (engine/bundles.c). */
void         plugin_args_add_bundle_auto (GimpProcedure *procedure);
/* The same with another default bundle (a file name of the installed ones). */
void         plugin_args_add_bundle_default (GimpProcedure *procedure,
                                             const char    *default_name);
void         plugin_args_add_sigma     (GimpProcedure *procedure);
void         plugin_args_add_estimate  (GimpProcedure *procedure);
void         plugin_args_add_strength  (GimpProcedure *procedure);
/* "model" choice among the methods whose PLUGIN_MODEL_BIT is in methods;
 * its ids are AdiffMethod values, and PLUGIN_MODEL_PHOTO for the photo
 * model (adiff_photo_denoise, not a denoiser of a bundle). */
#define PLUGIN_MODEL_BIT(method) (1u << (method))
#define PLUGIN_MODEL_PHOTO       16
void         plugin_args_add_model     (GimpProcedure *procedure,
                                        guint          methods,
                                        const char    *default_model);
/* "quality" of the photo model: default, best (AdiffPhotoQuality). */
void         plugin_args_add_quality   (GimpProcedure *procedure);
/* The photo model's "noise-model" (constant σ, or camera noise a + b·x)
 * and the camera noise's "noise-a" and "noise-b" (0, 0: measured). */
void         plugin_args_add_noise_model (GimpProcedure *procedure);
void         plugin_args_add_tau       (GimpProcedure *procedure);
void         plugin_args_add_exact     (GimpProcedure *procedure);
/* "overlap": windows over each pixel along each axis (AdiffParams.overlap). */
void         plugin_args_add_overlap   (GimpProcedure *procedure);
/* The "sigma-used" return value of the denoising procedures. */
void         plugin_args_add_layer_effect (GimpProcedure *procedure);
void         plugin_args_add_sigma_used (GimpProcedure *procedure);
/* Filters ▸ Analytic Diffusion, the submenu's name in the user's language
 * (GIMP translates only the menus it knows). */
void         plugin_add_own_menu_path  (GimpProcedure *procedure);
/* gimp_procedure_set_documentation() with the paper reference appended to
 * the help text. */
void         plugin_set_documentation  (GimpProcedure *procedure,
                                        const char    *blurb,
                                        const char    *help,
                                        const char    *help_id);

/* The method, τ and exact/fast of a config with "model", "tau", "exact". */
void         plugin_args_model_params  (GimpProcedureConfig *config,
                                        AdiffParams         *params);
/* The same and the overlap, for a config that also has "overlap". */
void         plugin_args_denoise_params (GimpProcedureConfig *config,
                                         AdiffParams         *params);
