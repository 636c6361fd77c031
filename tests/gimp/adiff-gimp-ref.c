/* adiff-gimp-ref — the libadiff side of the headless GIMP tests.
 *
 *   adiff-gimp-ref bundle OUT CHANNELS [N_EXEMPLARS]
 *       write a tiny synthetic bundle: an 8×8 window of a Gaussian with
 *       spatial correlation (so the Wiener filter really denoises smooth
 *       images), mean 0.5, all eigenpairs kept, plus exemplars drawn from
 *       it (seeded, clamped to [0,1]).
 *   adiff-gimp-ref denoise BUNDLE SIGMA255 WIDTH HEIGHT CHANNELS IN OUT
 *                  [method=M] [strength=S] [tau=T] [exact=0|1] [overlap=N]
 *                  [quality=default|best] [noise=auto|A,B]
 *       read WIDTH·HEIGHT·CHANNELS native floats from IN, denoise them with
 *       adiff_denoise_image (method=photo: adiff_photo_denoise, as `adiff
 *       denoise --method photo`, all cores; BUNDLE "-" for none; with
 *       noise=, adiff_noise_denoise with a and b given or, auto, measured
 *       from the whole image, as `adiff denoise --noise-model`), blend with
 *       strength, write floats to OUT.
 *   adiff-gimp-ref sample BUNDLE OUT [size=WxH] [method=M] [steps=N] [seed=S]
 *                  [eta=E] [tau=T] [exact=0|1]
 *       one adiff_sample window as floats; with size=, adiff_sample_image.
 *
 * The GIMP test exports layer pixels as floats, calls this, and compares. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <lapacke.h>
#include <adiff/adiff.h>

#define WIN 8

static int
fail (GError *error)
{
  fprintf (stderr, "adiff-gimp-ref: %s\n", error->message);
  g_error_free (error);
  return 1;
}

/* Squared-exponential covariance over positions, fixed correlation between
 * channels, a small nugget so every eigenvalue is positive. */
static double *
model_covariance (guint channels, gsize d)
{
  const double var = 0.04, len = 1.5, rho = 0.8, nugget = 1e-4;
  double *cov = g_new (double, d * d);

  for (gsize i = 0; i < d; i++)
    for (gsize j = 0; j < d; j++)
      {
        guint pi = i / channels, pj = j / channels;
        double dx = (double) (pi % WIN) - (pj % WIN), dy = (double) (pi / WIN) - (pj / WIN);
        double k = var * exp (-(dx * dx + dy * dy) / (2 * len * len));
        cov[i * d + j] = k * (i % channels == j % channels ? 1.0 : rho) + (i == j ? nugget : 0.0);
      }
  return cov;
}

static int
cmd_bundle (const char *out, guint channels, guint n_exemplars)
{
  gsize d = (gsize) WIN * WIN * channels;
  double *cov = model_covariance (channels, d);
  double *w = g_new (double, d), *vals = g_new (double, d), *vecs = g_new (double, d * d);
  double *mean = g_new (double, d);
  float *ex = g_new (float, (gsize) n_exemplars * d + 1);
  GRand *rand = g_rand_new_with_seed (1234);
  GError *error = NULL;

  if (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'V', 'U', (int) d, cov, (int) d, w) != 0)
    {
      fprintf (stderr, "adiff-gimp-ref: dsyev failed\n");
      return 1;
    }
  /* LAPACK sorts ascending with eigenvectors in columns; bundles want
   * descending order with eigenvectors in rows. */
  for (gsize i = 0; i < d; i++)
    {
      vals[i] = w[d - 1 - i];
      for (gsize p = 0; p < d; p++)
        vecs[i * d + p] = cov[p * d + (d - 1 - i)];
      mean[i] = 0.5;
    }
  for (guint n = 0; n < n_exemplars; n++)
    {
      double *g = g_new (double, d);
      for (gsize i = 0; i < d; i++)
        g[i] = g_rand_double (rand) - 0.5 + g_rand_double (rand) - 0.5 +
               g_rand_double (rand) - 0.5 + g_rand_double (rand) - 0.5;  /* ≈ N(0, 1/3) */
      for (gsize p = 0; p < d; p++)
        {
          double v = mean[p];
          for (gsize i = 0; i < d; i++)
            v += vecs[i * d + p] * sqrt (vals[i] * 3.0) * g[i];
          ex[(gsize) n * d + p] = (float) CLAMP (v, 0.0, 1.0);
        }
      g_free (g);
    }

  AdiffBundleData data = {
    .width = WIN, .height = WIN, .channels = channels, .n_items = 1000,
    .mean = mean, .n_components = (guint) d, .eigenvalues = vals,
    .eigenvectors = vecs, .residual_variance = 0.0,
    .n_exemplars = n_exemplars, .exemplars = n_exemplars ? ex : NULL,
    .metadata = "[bundle]\nsource=synthetic Gaussian for the GIMP tests\n",
  };
  gboolean ok = adiff_bundle_write (out, &data, NULL, &error);
  g_rand_free (rand);
  g_free (cov); g_free (w); g_free (vals); g_free (vecs); g_free (mean); g_free (ex);
  return ok ? 0 : fail (error);
}

static float *
read_floats (const char *path, gsize n, GError **error)
{
  gchar *bytes;
  gsize len;

  if (! g_file_get_contents (path, &bytes, &len, error))
    return NULL;
  if (len != n * sizeof (float))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
                   "%s: %zu bytes, expected %zu", path, len, n * sizeof (float));
      g_free (bytes);
      return NULL;
    }
  return (float *) bytes;
}

/* The photo model's options (denoise only). */
typedef struct
{
  gboolean          on;
  AdiffPhotoQuality quality;
  const char       *noise;    /* NULL: constant σ; "auto" or "A,B" */
} PhotoOpts;

/* key=value options after the positional arguments. */
static gboolean
parse_model (char **opts, int n, AdiffParams *params, double *strength,
             AdiffSampleParams *sp, PhotoOpts *photo)
{
  for (int i = 0; i < n; i++)
    {
      const char *v = strchr (opts[i], '=');
      if (v == NULL)
        return FALSE;
      v++;
      if (g_str_has_prefix (opts[i], "method=") && photo != NULL && strcmp (v, "photo") == 0)
        photo->on = TRUE;
      else if (g_str_has_prefix (opts[i], "quality=") && photo != NULL)
        {
          if (strcmp (v, "best") != 0 && strcmp (v, "default") != 0)
            return FALSE;
          photo->quality = strcmp (v, "best") == 0 ? ADIFF_PHOTO_QUALITY_BEST
                                                   : ADIFF_PHOTO_QUALITY_DEFAULT;
        }
      else if (g_str_has_prefix (opts[i], "noise=") && photo != NULL)
        photo->noise = v;
      else if (g_str_has_prefix (opts[i], "method="))
        {
          if (! adiff_method_from_string (v, &params->method))
            return FALSE;
        }
      else if (g_str_has_prefix (opts[i], "strength=") && strength != NULL)
        *strength = g_ascii_strtod (v, NULL);
      else if (g_str_has_prefix (opts[i], "tau="))
        params->tau = g_ascii_strtod (v, NULL);
      else if (g_str_has_prefix (opts[i], "exact="))
        params->exact = atoi (v) != 0;
      else if (g_str_has_prefix (opts[i], "overlap="))
        params->overlap = (guint) atoi (v);
      else if (g_str_has_prefix (opts[i], "steps=") && sp != NULL)
        sp->steps = atoi (v);
      else if (g_str_has_prefix (opts[i], "seed=") && sp != NULL)
        sp->seed = g_ascii_strtoull (v, NULL, 10);
      else if (g_str_has_prefix (opts[i], "eta=") && sp != NULL)
        sp->eta = g_ascii_strtod (v, NULL);
      else
        return FALSE;
    }
  return TRUE;
}

/* The photo model as adiff denoise runs it: at one σ, or under the camera
 * noise given (noise=A,B) or measured from the whole image (noise=auto). */
static gboolean
photo_denoise (const AdiffPhotoParams *pp, const PhotoOpts *photo, AdiffBundle *bundle,
               const float *in, guint width, guint height, guint channels, float *out,
               GError **error)
{
  AdiffNoiseModel model;

  if (photo->noise == NULL)
    return adiff_photo_denoise (pp, bundle, in, width, height, channels, out, NULL, NULL,
                                error);
  if (strcmp (photo->noise, "auto") == 0)
    {
      if (! adiff_noise_model_estimate (in, width, height, channels, &model, error))
        return FALSE;
    }
  else if (sscanf (photo->noise, "%lf,%lf", &model.a, &model.b) != 2)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT, "bad noise=%s",
                   photo->noise);
      return FALSE;
    }
  return adiff_noise_denoise (pp, &model, bundle, in, width, height, channels, out, NULL, NULL,
                              error);
}

/* denoise BUNDLE SIGMA255 W H C IN OUT [key=value...] */
static int
cmd_denoise (int argc, char **argv)
{
  guint width = atoi (argv[2]), height = atoi (argv[3]), channels = atoi (argv[4]);
  gsize n = (gsize) width * height * channels;
  double strength = 1.0;
  GError *error = NULL;
  AdiffParams params;
  PhotoOpts photo = { FALSE, ADIFF_PHOTO_QUALITY_DEFAULT, NULL };
  AdiffBundle *bundle = NULL;
  AdiffDenoiser *den = NULL;
  float *in, *out;

  adiff_params_init (&params);
  params.sigma = g_ascii_strtod (argv[1], NULL) / 255.0;
  if (! parse_model (argv + 7, argc - 7, &params, &strength, NULL, &photo))
    {
      fprintf (stderr, "adiff-gimp-ref: bad option\n");
      return 2;
    }
  if ((strcmp (argv[0], "-") != 0 &&
       (bundle = adiff_bundle_open (argv[0], NULL, &error)) == NULL) ||
      (! photo.on && (den = adiff_denoiser_new (bundle, &params, &error)) == NULL) ||
      (in = read_floats (argv[5], n, &error)) == NULL)
    return fail (error);
  out = g_new (float, n);
  if (photo.on)
    {
      AdiffPhotoParams pp;
      adiff_photo_params_init (&pp, photo.quality, params.sigma);
      /* as adiff denoise: its worker threads call BLAS themselves */
      if (! photo_denoise (&pp, &photo, adiff_photo_quality_uses_bundle (photo.quality) ? bundle : NULL,
                           in, width, height, channels, out, &error))
        return fail (error);
    }
  else if (! adiff_denoise_image (den, in, out, width, height, channels, NULL, NULL, &error))
    return fail (error);
  for (gsize i = 0; i < n; i++)
    out[i] = (float) (in[i] + strength * (out[i] - in[i]));
  if (! g_file_set_contents (argv[6], (const char *) out, n * sizeof (float), &error))
    return fail (error);
  g_clear_pointer (&den, adiff_denoiser_free);
  g_clear_pointer (&bundle, adiff_bundle_unref);
  g_free (in);
  g_free (out);
  return 0;
}

/* sample BUNDLE OUT [size=WxH] [key=value...] */
static int
cmd_sample (int argc, char **argv)
{
  GError *error = NULL;
  AdiffParams params;
  AdiffSampleParams sp;
  AdiffBundle *bundle;
  float *out;
  guint width = 0, height = 0, first = 2;
  gboolean ok;

  adiff_params_init (&params);
  adiff_sample_params_init (&sp);
  if (argc > 2 && sscanf (argv[2], "size=%ux%u", &width, &height) == 2)
    first = 3;
  if (! parse_model (argv + first, argc - first, &params, NULL, &sp, NULL))
    {
      fprintf (stderr, "adiff-gimp-ref: bad option\n");
      return 2;
    }
  if ((bundle = adiff_bundle_open (argv[0], NULL, &error)) == NULL)
    return fail (error);
  if (width == 0)
    {
      gsize n = adiff_bundle_get_dim (bundle);
      out = g_new (float, n);
      ok = adiff_sample (bundle, &params, &sp, out, NULL, NULL, &error) &&
           g_file_set_contents (argv[1], (const char *) out, n * sizeof (float), &error);
    }
  else
    {
      gsize n = (gsize) width * height * adiff_bundle_get_channels (bundle);
      out = g_new (float, n);
      ok = adiff_sample_image (bundle, &params, &sp, width, height, out, NULL, NULL, &error) &&
           g_file_set_contents (argv[1], (const char *) out, n * sizeof (float), &error);
    }
  if (! ok)
    return fail (error);
  g_free (out);
  adiff_bundle_unref (bundle);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc >= 4 && strcmp (argv[1], "bundle") == 0)
    return cmd_bundle (argv[2], atoi (argv[3]), argc > 4 ? atoi (argv[4]) : 0);
  if (argc >= 9 && strcmp (argv[1], "denoise") == 0)
    return cmd_denoise (argc - 2, argv + 2);
  if (argc >= 4 && strcmp (argv[1], "sample") == 0)
    return cmd_sample (argc - 2, argv + 2);
  fprintf (stderr, "usage: adiff-gimp-ref bundle OUT CHANNELS [N_EXEMPLARS]\n"
                   "       adiff-gimp-ref denoise BUNDLE SIGMA255 W H C IN OUT [key=value...]\n"
                   "       adiff-gimp-ref sample BUNDLE OUT [key=value...]\n"
                   "keys: method (photo too), quality, noise (auto or A,B), strength, tau, exact, overlap, steps, "
                   "seed, eta\n");
  return 2;
}
