/* noise-options.c — `adiff denoise --noise-model`: constant (one σ, from
 * --sigma, --t or --estimate-sigma: the photo model as it always was), auto
 * (the variance a + b·x estimated from each image) or A,B given; the
 * latter two denoise through adiff_noise_denoise (core/noise). */
#include <math.h>
#include "adiff-commands.h"

static gboolean
bad_spec (const char *spec, GError **error)
{
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
               _("--noise-model “%s” is not constant, auto or A,B (two numbers: the "
                 "variance a + b·x of a pixel of brightness x, on the 0–1 scale)"), spec);
  return FALSE;
}

static gboolean
parse_number (const char *text, double *value)
{
  char *copy = g_strstrip (g_strdup (text)), *end;
  *value = g_ascii_strtod (copy, &end);
  gboolean ok = end != copy && *end == 0;
  g_free (copy);
  return ok;
}

gboolean
cli_noise_parse (const char *spec, CliNoise *noise, GError **error)
{
  memset (noise, 0, sizeof *noise);
  noise->kind = CLI_NOISE_CONSTANT;
  if (spec == NULL || g_str_equal (spec, "constant"))
    return TRUE;
  if (g_str_equal (spec, "auto"))
    {
      noise->kind = CLI_NOISE_AUTO;
      return TRUE;
    }
  char **parts = g_strsplit (spec, ",", -1);
  gboolean ok = g_strv_length (parts) == 2 && parse_number (parts[0], &noise->model.a) &&
                parse_number (parts[1], &noise->model.b);
  g_strfreev (parts);
  if (!ok)
    return bad_spec (spec, error);
  noise->kind = CLI_NOISE_GIVEN;
  double sigma;
  if (adiff_noise_model_photo_sigma (&noise->model, &sigma, error))
    return TRUE;
  g_prefix_error (error, _("--noise-model “%s”: "), spec);
  return FALSE;
}

/* The model of item i: given, or estimated from the item (printed). */
static gboolean
item_model (const CliNoise *noise, const char *in, const CliImages *img, guint i,
            AdiffNoiseModel *m, GError **error)
{
  if (noise->kind == CLI_NOISE_GIVEN)
    {
      *m = noise->model;
      return TRUE;
    }
  gsize len = (gsize) img->width * img->height * img->channels;
  GError *why = NULL;
  double sigma;
  if (!adiff_noise_model_estimate (img->data + i * len, img->width, img->height,
                                   img->channels, m, &why) ||
      !adiff_noise_model_photo_sigma (m, &sigma, &why))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("“%s”: %s; give --noise-model A,B or constant"), in, why->message);
      g_error_free (why);
      return FALSE;
    }
  double black = sqrt (m->a) * 255, white = sqrt (m->a + m->b) * 255;
  if (img->n > 1)
    g_printerr (_("%s [%u]: estimated noise model a = %.3g, b = %.3g (σ %.2f at black, "
                  "%.2f at white, 0–255 scale)\n"), in, i, m->a, m->b, black, white);
  else
    g_printerr (_("%s: estimated noise model a = %.3g, b = %.3g (σ %.2f at black, %.2f at "
                  "white, 0–255 scale)\n"), in, m->a, m->b, black, white);
  return TRUE;
}

int
cli_noise_denoise_item (const CliNoise *noise, const AdiffPhotoParams *params,
                        AdiffBundle *bundle, const char *in, CliImages *img, guint i,
                        CliProgress *progress, GError **error)
{
  AdiffNoiseModel m;
  gsize len = (gsize) img->width * img->height * img->channels;
  float *item = img->data + i * len;
  if (!item_model (noise, in, img, i, &m, error))
    return CLI_EXIT_ERROR;
  if (!adiff_noise_denoise (params, &m, bundle, item, img->width, img->height, img->channels,
                            item, cli_progress_func, progress, error))
    return cli_input_code (*error);      /* 4 when interrupted */
  return CLI_EXIT_OK;
}
