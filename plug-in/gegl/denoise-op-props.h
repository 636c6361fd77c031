/* denoise-op-props.h — the properties both denoise operations have, in
 * GEGL's property syntax: included inside each operation's
 * `#ifdef GEGL_PROPERTIES` block, which gegl-op.h expands several times
 * (hence no include guard).  The analytic operation adds its own after
 * these.  Each operation defines DENOISE_OP_BUNDLE_HELP and
 * DENOISE_OP_OVERLAP_HELP, the descriptions that depend on its models. */

/* A string, not property_file_path: libgimp 3.0.4 cannot pass a
 * GeglParamFilePath to plug-ins, and its filter config would lose every
 * property. */
property_string (bundle, _("Bundle"), "")
  description (DENOISE_OP_BUNDLE_HELP)

property_double (sigma, _("Noise σ"), 25.0)
  description (_("Standard deviation of the noise on the 0–255 scale (must be > 0)"))
  value_range (0.0, 255.0)
  ui_range (1.0, 100.0)

property_boolean (estimate_sigma, _("Estimate σ from the image"), FALSE)
  description (_("Ignore σ and estimate the noise level from the whole layer"))

property_int (overlap, _("Overlap"), 2)
  description (DENOISE_OP_OVERLAP_HELP)
  value_range (2, 8)
  ui_range (2, 4)

property_double (strength, _("Strength"), 1.0)
  description (_("0 = original, 1 = fully denoised"))
  value_range (0.0, 1.0)
