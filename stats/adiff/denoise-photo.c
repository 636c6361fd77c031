/* denoise-photo.c — `adiff denoise` with the photo model (the default):
 * the image is loaded whole (adiff_photo_denoise takes it in memory; the
 * model's own working memory is a few bands, docs/limits.md), each item
 * denoised in place by adiff_photo_denoise, alpha passed through.  The bundle is optional: the default quality uses none,
 * the best quality the gray 8×8 bundle (--bundle, else the installed
 * natural-gray-8x8.adstats). */
#include "adiff-commands.h"

#define PHOTO_BUNDLE CLI_GRAY_BUNDLE

gboolean
cli_method_is_photo (const char *method)
{
  return method == NULL || g_str_equal (method, "photo");
}

static gboolean
parse_quality (const char *name, AdiffPhotoQuality *quality, GError **error)
{
  if (name == NULL || g_str_equal (name, "default"))
    *quality = ADIFF_PHOTO_QUALITY_DEFAULT;
  else if (g_str_equal (name, "best"))
    *quality = ADIFF_PHOTO_QUALITY_BEST;
  else
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("--quality “%s” is not one of default, best"), name);
      return FALSE;
    }
  return TRUE;
}

/* The bundle given, or for the best quality the installed one; *bundle
 * stays NULL when none is needed.  Returns an exit code. */
static int
photo_bundle (const CliModelOptions *model, AdiffPhotoQuality quality, AdiffBundle **bundle,
              GError **error)
{
  *bundle = NULL;
  if (model->bundle)
    {
      *bundle = cli_open_bundle (model->bundle, error);
      return *bundle ? CLI_EXIT_OK : cli_input_code (*error);
    }
  if (!adiff_photo_quality_uses_bundle (quality))
    return CLI_EXIT_OK;
  char *path = cli_find_installed_bundle (PHOTO_BUNDLE);
  if (!path)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("--quality best needs the gray 8×8 bundle %s, which is not "
                     "installed (looked in $ADIFF_BUNDLE_DIR and %s): give it with "
                     "--bundle FILE"), PHOTO_BUNDLE, ADIFF_DATADIR);
      return CLI_EXIT_USAGE;
    }
  *bundle = cli_open_bundle (path, error);
  g_free (path);
  return *bundle ? CLI_EXIT_OK : cli_input_code (*error);
}

/* Denoise every item of img in place.  Returns an exit code. */
static int
photo_items (const char *in, const AdiffPhotoParams *base, AdiffBundle *bundle,
             const CliNoise *noise, gboolean estimate, double given_sigma, CliImages *img,
             GError **error)
{
  gsize len = (gsize) img->width * img->height * img->channels;
  CliProgress *progress = cli_progress_new (_("denoising"), img->n, FALSE);
  int code = CLI_EXIT_OK;
  for (guint i = 0; i < img->n && code == CLI_EXIT_OK; i++)
    {
      AdiffPhotoParams params = *base;
      float *item = img->data + i * len;
      cli_progress_set_item (progress, i);
      if (noise->kind != CLI_NOISE_CONSTANT)
        code = cli_noise_denoise_item (noise, &params, bundle, in, img, i, progress, error);
      else if (!cli_item_sigma (estimate, in, img, i, given_sigma, &params.sigma, error))
        code = CLI_EXIT_ERROR;
      else if (!adiff_photo_denoise (&params, bundle, item, img->width, img->height,
                                     img->channels, item, cli_progress_func, progress, error))
        code = cli_input_code (*error);   /* 4 when interrupted */
    }
  cli_progress_free (progress);
  return code;
}

int
cli_denoise_photo (const char *in, const char *out, const CliModelOptions *model,
                   const char *quality, const CliNoise *noise, gboolean estimate, double sigma)
{
  GError *error = NULL;
  AdiffPhotoParams params;
  AdiffPhotoQuality q;
  guint threads;
  if (!parse_quality (quality, &q, &error) || !cli_model_threads (model, &threads, &error))
    return cli_fail_error (&error, CLI_EXIT_USAGE);
  /* the model's worker threads each call BLAS for small products */
  cli_blas_single_thread ();
  adiff_photo_params_init (&params, q, sigma);
  params.n_threads = threads;

  AdiffBundle *bundle = NULL;
  CliImages img = { 0 };
  int code = photo_bundle (model, q, &bundle, &error);
  if (code != CLI_EXIT_OK)
    ;
  else if (!cli_images_load (in, NULL, &img, &error) ||
           (bundle && !cli_check_bundle_channels (in, img.channels, bundle, &error)))
    code = cli_input_code (error);
  else if (!cli_check_batch_output (in, &img, out, &error))
    code = CLI_EXIT_USAGE;
  else
    {
      code = photo_items (in, &params, adiff_photo_quality_uses_bundle (q) ? bundle : NULL,
                          noise, estimate, sigma, &img, &error);
      if (code == CLI_EXIT_OK && !cli_images_save (out, &img, &error))
        code = CLI_EXIT_OUTPUT;
    }
  if (error)
    code = cli_fail_error (&error, code);
  cli_images_clear (&img);
  if (bundle)
    adiff_bundle_unref (bundle);
  return code;
}
