/* denoise-op.c — the GEGL side of the denoisers: an area filter whose
 * margin is the bundle's window (or, for the photo model, what
 * adiff_photo_region_input says a pixel reads), so GEGL may cut the image
 * into any tiles and hand them to any thread; adiff_denoise_region and
 * adiff_photo_denoise_region keep the window grid or the reference grid
 * anchored to the image, so every cut gives the pixels of `adiff denoise`.
 *
 * Cost: the bundle (per path) and the denoiser (per bundle, σ, model, τ,
 * overlap, mode — W_σ, the masks, the fast-mode indexes) are built once per
 * operation instance and shared by every tile; GEGL's threads only run
 * adiff_denoise_region, which only reads the denoiser (libadiff's
 * denoisers are reentrant; the lazy fast-mode indexes are built under the
 * denoiser's own lock, and the fast-mode indexes themselves on as many
 * threads as GEGL has, adiff_region_prepare: the other tiles wait for them
 * anyway, under the cache's lock).  The photo model has nothing to build: each tile
 * runs it on the tile and its margin (the best quality with a reference
 * to the bundle, whose principal components it reads); under camera noise
 * through adiff_noise_denoise_region, whose transform and inverse work
 * pixel by pixel, so a tile again equals the whole image.  Parallelism comes
 * from GEGL's threads alone: the denoisers get one thread (n_threads = 1)
 * and module.c sets OpenBLAS to one thread, so GIMP's process never runs
 * more threads than GEGL's.
 *
 * Crash safety: the module runs inside GIMP.  Every failure — a missing or
 * corrupt bundle, a colour bundle on a gray layer, σ ≤ 0, camera noise
 * that cannot be measured or that libadiff refuses, non-finite pixels, no
 * memory — leaves the output equal to the input and is told
 * once per instance and problem with g_message (not g_warning: a filter
 * the user can fix is no programming error, and GIMP's tests fail on any
 * WARNING).  Nothing here aborts. */
#define _GNU_SOURCE
#include "config.h"
#include <dlfcn.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include "gegl/denoise-op.h"
#include "common/bundle-find.h"

/* A denoiser shared by the tiles in flight; the cache may replace it (the
 * user moved a slider) while a tile still uses the old one. */
typedef struct
{
  AdiffDenoiser *denoiser;
} SharedDenoiser;

static void
shared_clear (gpointer data)
{
  adiff_denoiser_free (((SharedDenoiser *) data)->denoiser);
}

static void
shared_unref (SharedDenoiser *shared)
{
  g_atomic_rc_box_release_full (shared, shared_clear);
}

typedef struct
{
  GMutex          lock;
  char           *path;          /* resolved bundle path of `bundle` */
  AdiffBundle    *bundle;
  GError         *bundle_error;
  char           *key;           /* everything the denoiser depends on */
  SharedDenoiser *shared;
  GError         *error;         /* why there is no denoiser for key */
  GeglRectangle   estimated_for; /* the input extent σ was estimated on */
  double          estimate;      /* [0,1] units, 0 = none */
  GeglRectangle   measured_for;  /* the input extent the camera noise was measured
                                    on (or failed to be) */
  AdiffNoiseModel measured;      /* a = b = 0: none */
  GError         *measure_error; /* why it could not be measured there */
  char           *told;          /* the last message shown */
} Cache;

static Cache *
cache_get (gpointer *slot)
{
  /* prepare() runs before any process(), on one thread. */
  if (*slot == NULL)
    {
      Cache *c = g_new0 (Cache, 1);
      g_mutex_init (&c->lock);
      *slot = c;
    }
  return *slot;
}

void
denoise_op_cache_free (gpointer data)
{
  Cache *c = data;
  if (c == NULL)
    return;
  g_free (c->path);
  g_clear_pointer (&c->bundle, adiff_bundle_unref);
  g_clear_error (&c->bundle_error);
  g_free (c->key);
  g_clear_pointer (&c->shared, shared_unref);
  g_clear_error (&c->error);
  g_clear_error (&c->measure_error);
  g_free (c->told);
  g_mutex_clear (&c->lock);
  g_free (c);
}

/* The folder of this module: data/ beside it may hold bundles. */
static const char *
module_dir (void)
{
  static char *dir;
  static gsize once;
  if (g_once_init_enter (&once))
    {
      Dl_info info;
      dir = dladdr ((void *) module_dir, &info) && info.dli_fname
            ? g_path_get_dirname (info.dli_fname) : g_strdup (".");
      g_once_init_leave (&once, 1);
    }
  return dir;
}

/* The plug-in's folder in the profile of the GIMP this module runs in
 * (PROFILE/plug-ins/analytic-diffusion, whose data/ holds the bundles a
 * package installs), or NULL outside GIMP.  gimp_directory() is
 * libgimpbase's, which GIMP's process has loaded: the profile GIMP itself
 * reads (GIMP3_DIRECTORY, else its version's folder; Flatpak's inside its
 * sandbox). */
static const char *
plugin_dir (void)
{
  static char *dir;
  static gsize once;
  if (g_once_init_enter (&once))
    {
      const char *(*gimp_directory) (void) = (const char *(*) (void))
        dlsym (RTLD_DEFAULT, "gimp_directory");
      const char *profile = gimp_directory != NULL ? gimp_directory () : NULL;
      dir = profile != NULL ? g_build_filename (profile, "plug-ins", "analytic-diffusion", NULL)
                            : NULL;
      g_once_init_leave (&once, 1);
    }
  return dir;
}

/* The path the settings name, or the default installed bundle: in
 * $ADIFF_BUNDLE_DIR, data/ beside this module, the package's data folder,
 * then data/ beside the plug-in in GIMP's profile (where ./install puts
 * the bundles, once for both binaries). */
static char *
resolve_bundle (const DenoiseSettings *s, GError **error)
{
  if (s->bundle != NULL && *s->bundle != '\0')
    return g_strdup (s->bundle);
  GList *all = plugin_bundle_find_all (module_dir ());
  if (plugin_dir () != NULL)
    {
      g_autofree char *data = g_build_filename (plugin_dir (), "data", NULL);
      all = g_list_concat (all, plugin_bundle_list_dir (data));
    }
  GFile *pick = plugin_bundle_pick_default (all);
  char *path = pick != NULL ? g_file_get_path (pick) : NULL;
  g_list_free_full (all, g_object_unref);
  if (path == NULL)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                 _("no bundle given and none installed (looked in $ADIFF_BUNDLE_DIR, %s/data, %s/data, %s)"),
                 module_dir (), plugin_dir () != NULL ? plugin_dir () : "PROFILE/plug-ins/analytic-diffusion",
                 ADIFF_DATADIR);
  return path;
}

/* The cache's bundle for the settings (caller holds the lock). */
static void
cache_open_bundle (Cache *c, const DenoiseSettings *s)
{
  GError *error = NULL;
  g_autofree char *path = resolve_bundle (s, &error);
  if (path != NULL && c->path != NULL && strcmp (path, c->path) == 0)
    return;
  if (path == NULL && c->path == NULL && c->bundle_error != NULL)
    {
      g_clear_error (&error);
      return;
    }
  g_clear_pointer (&c->path, g_free);
  g_clear_pointer (&c->bundle, adiff_bundle_unref);
  g_clear_error (&c->bundle_error);
  if (path != NULL)
    c->bundle = adiff_bundle_open (path, NULL, &error);
  c->bundle_error = error;
  c->path = g_steal_pointer (&path);
}

static gboolean
is_gray (const Babl *format)
{
  return format != NULL &&
         (babl_get_model_flags (babl_format_get_model (format)) & BABL_MODEL_FLAG_GRAY);
}

/* Float, perceptual (bundles describe perceptual values in [0,1]), with
 * alpha, in the input's own colour space. */
static const Babl *
work_format (GeglOperation *operation, gboolean with_alpha)
{
  const Babl *in = gegl_operation_get_source_format (operation, "input");
  const Babl *space = in != NULL ? babl_format_get_space (in) : NULL;
  if (is_gray (in))
    return babl_format_with_space (with_alpha ? "Y'A float" : "Y' float", space);
  return babl_format_with_space (with_alpha ? "R'G'B'A float" : "R'G'B' float", space);
}

/* The most the photo model reads beyond a pixel on each side, whatever
 * the pixel's place on the reference grids (their steps divide 12) and σ:
 * unknown here when it is estimated or camera noise is measured, and under
 * camera noise the σ the transform leaves may be any value in (0, 1].  The
 * model has one profile up to 40/255 and one above (larger patches), so
 * 25/255 and 50/255 stand for every σ. */
static void
photo_margin (AdiffPhotoQuality quality, GeglOperationAreaFilter *area)
{
  const double sigmas[] = { 25 / 255.0, 50 / 255.0 };
  area->left = area->right = area->top = area->bottom = 0;
  for (guint i = 0; i < G_N_ELEMENTS (sigmas); i++)
    for (guint k = 0; k < 12; k++)
      {
        AdiffPhotoParams p;
        AdiffRect r = { 2048 + k, 2048 + k, 1, 1 }, in;
        adiff_photo_params_init (&p, quality, sigmas[i]);
        adiff_photo_region_input (&p, 4096, 4096, &r, &in);
        area->left = MAX (area->left, (gint) (r.x - in.x));
        area->top = MAX (area->top, (gint) (r.y - in.y));
        area->right = MAX (area->right, (gint) (in.x + in.width - r.x - 1));
        area->bottom = MAX (area->bottom, (gint) (in.y + in.height - r.y - 1));
      }
}

void
denoise_op_prepare (GeglOperation *operation, gpointer *slot, const DenoiseSettings *s)
{
  GeglOperationAreaFilter *area = GEGL_OPERATION_AREA_FILTER (operation);
  Cache *c = cache_get (slot);
  const Babl *format = work_format (operation, TRUE);

  gegl_operation_set_format (operation, "input", format);
  gegl_operation_set_format (operation, "output", format);
  g_mutex_lock (&c->lock);
  cache_open_bundle (c, s);
  if (s->photo)
    photo_margin (s->quality, area);
  else
    {
      /* Windows that reach a pixel read at most a window minus one beyond it. */
      guint w = c->bundle ? adiff_bundle_get_width (c->bundle) : 0;
      guint h = c->bundle ? adiff_bundle_get_height (c->bundle) : 0;
      area->left = area->right = (gint) w;
      area->top = area->bottom = (gint) h;
    }
  g_mutex_unlock (&c->lock);
}

GeglRectangle
denoise_op_bounding_box (GeglOperation *operation)
{
  const GeglRectangle *in = gegl_operation_source_get_bounding_box (operation, "input");
  return in != NULL ? *in : (GeglRectangle) { 0, 0, 0, 0 };
}

/* Does a tile need every pixel of the input: for the σ estimate, or to
 * measure the camera noise (a = b = 0)? */
static gboolean
reads_whole_input (const DenoiseSettings *s)
{
  if (s->camera)
    return s->noise.a == 0.0 && s->noise.b == 0.0;
  return s->estimate;
}

GeglRectangle
denoise_op_required (GeglOperation *operation, const DenoiseSettings *s,
                     const GeglRectangle *roi)
{
  GeglOperationAreaFilter *area = GEGL_OPERATION_AREA_FILTER (operation);
  const GeglRectangle *in = gegl_operation_source_get_bounding_box (operation, "input");
  if (reads_whole_input (s) && in != NULL && !gegl_rectangle_is_infinite_plane (in))
    return *in;
  return (GeglRectangle) { roi->x - area->left, roi->y - area->top,
                           roi->width + area->left + area->right,
                           roi->height + area->top + area->bottom };
}

/* Every colour pixel of the input, or NULL when there is no memory for
 * them. */
static float *
read_whole_input (GeglOperation *operation, GeglBuffer *input, const GeglRectangle *image,
                  guint channels)
{
  gsize n;
  float *px = NULL;
  if (g_size_checked_mul (&n, (gsize) image->width * image->height, channels) &&
      n <= G_MAXSIZE / sizeof (float))
    px = g_try_new (float, n);
  if (px != NULL)
    gegl_buffer_get (input, image, 1.0, work_format (operation, FALSE), px,
                     GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  return px;
}

/* σ in [0,1] units from every colour pixel of the input (caller holds the
 * lock; the estimate is kept for this extent). */
static gboolean
estimate_sigma (GeglOperation *operation, Cache *c, GeglBuffer *input,
                const GeglRectangle *image, guint channels, double *sigma, GError **error)
{
  if (c->estimate > 0.0 && gegl_rectangle_equal (&c->estimated_for, image))
    {
      *sigma = c->estimate;
      return TRUE;
    }
  float *px = read_whole_input (operation, input, image, channels);
  if (px == NULL)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                   _("not enough memory to estimate σ on %d×%d pixels"),
                   image->width, image->height);
      return FALSE;
    }
  *sigma = adiff_estimate_sigma (px, image->width, image->height, channels);
  g_free (px);
  if (!(*sigma > 0.0) || !isfinite (*sigma))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("cannot estimate σ: the image shows no noise (or is too small); set σ by hand"));
      return FALSE;
    }
  c->estimate = *sigma;
  c->estimated_for = *image;
  return TRUE;
}

/* GEGL's worker threads (GIMP sets them from its preferences). */
static guint
gegl_threads (void)
{
  gint n = 1;
  g_object_get (gegl_config (), "threads", &n, NULL);
  return (guint) MAX (n, 1);
}

/* A new denoiser for the settings, ready for the image (caller holds the
 * lock). */
static SharedDenoiser *
build_denoiser (Cache *c, const DenoiseSettings *s, double sigma, const GeglRectangle *image,
                guint channels, GError **error)
{
  if (c->bundle == NULL)
    {
      *error = g_error_copy (c->bundle_error);
      return NULL;
    }
  guint bc = adiff_bundle_get_channels (c->bundle);
  if (bc != 1 && bc != channels)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_MISMATCH,
                   _("%s has %u channels and the layer %u: use a gray bundle, or one "
                     "with the layer's channels"), c->path, bc, channels);
      return NULL;
    }
  AdiffParams params;
  adiff_params_init (&params);
  params.method = s->method;
  params.sigma = sigma;
  params.tau = s->tau;
  params.exact = s->exact;
  params.overlap = s->overlap;
  params.n_threads = 1;         /* GEGL's threads are the parallelism */
  AdiffDenoiser *den = adiff_denoiser_new (c->bundle, &params, error);
  if (den == NULL)
    return NULL;
  adiff_region_prepare (den, (guint) image->width, (guint) image->height, channels,
                        gegl_threads ());
  SharedDenoiser *shared = g_atomic_rc_box_new0 (SharedDenoiser);
  shared->denoiser = den;
  return shared;
}

/* σ in [0,1] units: the settings' or the estimate (caller holds the lock). */
static gboolean
cache_sigma (GeglOperation *operation, Cache *c, const DenoiseSettings *s, GeglBuffer *input,
             const GeglRectangle *image, guint channels, double *sigma, GError **error)
{
  *sigma = s->sigma / 255.0;
  if (s->estimate)
    return estimate_sigma (operation, c, input, image, channels, sigma, error);
  if (!(*sigma > 0.0 && isfinite (*sigma)))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                   _("noise σ must be greater than 0 (got %g)"), s->sigma);
      return FALSE;
    }
  return TRUE;
}

/* Camera noise measured from every colour pixel of the input, as the
 * procedure measures the whole layer (caller holds the lock).  The model,
 * or why there is none, is kept for this extent: measuring reads the whole
 * input, and every tile would repeat it. */
static gboolean
measure_noise (GeglOperation *operation, Cache *c, GeglBuffer *input,
               const GeglRectangle *image, guint channels, AdiffNoiseModel *model,
               GError **error)
{
  if (!gegl_rectangle_equal (&c->measured_for, image))
    {
      GError *why = NULL;
      float *px = read_whole_input (operation, input, image, channels);
      g_clear_error (&c->measure_error);
      c->measured = (AdiffNoiseModel) { 0.0, 0.0 };
      if (px == NULL)
        g_set_error (&c->measure_error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                     _("not enough memory to measure the camera noise on %d×%d pixels"),
                     image->width, image->height);
      else if (!adiff_noise_model_estimate (px, image->width, image->height, channels,
                                            &c->measured, &why))
        {
          g_set_error (&c->measure_error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
                       _("cannot measure the camera noise (%s): choose Constant σ, or set "
                         "a and b"), why->message);
          g_error_free (why);
        }
      g_free (px);
      c->measured_for = *image;
    }
  if (c->measure_error != NULL)
    {
      *error = g_error_copy (c->measure_error);
      return FALSE;
    }
  *model = c->measured;
  return TRUE;
}

/* The camera noise of the settings (given, or measured when a = b = 0)
 * and the σ its transform leaves for the photo model (caller holds the
 * lock); FALSE when libadiff refuses the model (a or b not finite or out
 * of [0, 1], noise too strong). */
static gboolean
cache_camera_sigma (GeglOperation *operation, Cache *c, const DenoiseSettings *s,
                    GeglBuffer *input, const GeglRectangle *image, guint channels,
                    AdiffNoiseModel *model, double *sigma, GError **error)
{
  *model = s->noise;
  if (reads_whole_input (s) &&
      !measure_noise (operation, c, input, image, channels, model, error))
    return FALSE;
  return adiff_noise_model_photo_sigma (model, sigma, error);
}

/* The denoiser for the settings, built at the first tile that needs it and
 * kept while they stay the same (caller holds the lock); NULL with the
 * error otherwise. */
static SharedDenoiser *
cache_denoiser (Cache *c, const DenoiseSettings *s, double sigma,
                const GeglRectangle *image, guint channels, GError **error)
{
  g_autofree char *key = g_strdup_printf ("%s|%u|%.17g|%d|%.17g|%d|%u",
                                          c->path ? c->path : "", channels, sigma,
                                          (int) s->method, s->tau, s->exact, s->overlap);
  if (g_strcmp0 (key, c->key) != 0)
    {
      g_clear_pointer (&c->shared, shared_unref);
      g_clear_error (&c->error);
      g_free (c->key);
      c->key = g_steal_pointer (&key);
      c->shared = build_denoiser (c, s, sigma, image, channels, &c->error);
    }
  if (c->shared != NULL)
    return g_atomic_rc_box_acquire (c->shared);
  *error = g_error_copy (c->error);
  return NULL;
}

/* What a tile is denoised with: a bundle's denoiser, or the photo model
 * (with the bundle for the best quality's basis), under camera noise at
 * the σ its transform leaves. */
typedef struct
{
  SharedDenoiser  *shared;
  AdiffPhotoParams photo;
  AdiffBundle     *bundle;
  gboolean         camera;
  AdiffNoiseModel  noise;
} Model;

/* The photo model for the settings (caller holds the lock). */
static gboolean
cache_photo (Cache *c, const DenoiseSettings *s, double sigma, Model *m, GError **error)
{
  adiff_photo_params_init (&m->photo, s->quality, sigma);
  m->photo.n_threads = 1;         /* GEGL's threads are the parallelism */
  if (!adiff_photo_quality_uses_bundle (s->quality))
    return TRUE;
  if (c->bundle == NULL)
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("the best quality of the photo model needs a gray 8×8 bundle: %s"),
                   c->bundle_error ? c->bundle_error->message : "");
      return FALSE;
    }
  m->bundle = adiff_bundle_ref (c->bundle);
  return TRUE;
}

/* The model for the settings; FALSE with the error otherwise. */
static gboolean
cache_model (GeglOperation *operation, Cache *c, const DenoiseSettings *s, GeglBuffer *input,
             const GeglRectangle *image, guint channels, Model *m, GError **error)
{
  double sigma;
  gboolean ok;
  memset (m, 0, sizeof *m);
  m->camera = s->camera;
  g_mutex_lock (&c->lock);
  ok = s->camera
       ? cache_camera_sigma (operation, c, s, input, image, channels, &m->noise, &sigma, error)
       : cache_sigma (operation, c, s, input, image, channels, &sigma, error);
  if (ok)
    cache_open_bundle (c, s);
  if (ok && s->photo)
    ok = cache_photo (c, s, sigma, m, error);
  else if (ok)
    ok = (m->shared = cache_denoiser (c, s, sigma, image, channels, error)) != NULL;
  g_mutex_unlock (&c->lock);
  return ok;
}

static void
model_release (Model *m)
{
  g_clear_pointer (&m->shared, shared_unref);
  g_clear_pointer (&m->bundle, adiff_bundle_unref);
}

static void
model_input (const Model *m, const GeglRectangle *image, const AdiffRect *region,
             AdiffRect *need)
{
  if (m->shared != NULL)
    adiff_region_input (m->shared->denoiser, image->width, image->height, region, need);
  else
    adiff_photo_region_input (&m->photo, image->width, image->height, region, need);
}

static gboolean
model_denoise (const Model *m, const GeglRectangle *image, guint channels, const float *in,
               const AdiffRect *input, float *out, const AdiffRect *region, GError **error)
{
  if (m->shared != NULL)
    return adiff_denoise_region (m->shared->denoiser, image->width, image->height, channels,
                                 in, input, out, region, error);
  if (m->camera)
    return adiff_noise_denoise_region (&m->photo, &m->noise, m->bundle, image->width,
                                       image->height, channels, in, input, out, region, NULL,
                                       NULL, error);
  return adiff_photo_denoise_region (&m->photo, m->bundle, image->width, image->height,
                                     channels, in, input, out, region, NULL, NULL, error);
}

/* Tell the user once per problem, not once per tile. */
static void
tell (Cache *c, const DenoiseSettings *s, const GError *error)
{
  g_mutex_lock (&c->lock);
  if (g_strcmp0 (c->told, error->message) != 0)
    {
      g_free (c->told);
      c->told = g_strdup (error->message);
      g_message (_("%s: %s; the layer is left unchanged"), s->title, error->message);
    }
  g_mutex_unlock (&c->lock);
}

/* Denoise the colour of pixels (n_px RGBA or YA floats) inside roi. */
static gboolean
denoise_rect (const Model *m, GeglBuffer *input, const Babl *format,
              const GeglRectangle *image, const GeglRectangle *roi, guint channels,
              double strength, float *out, GError **error)
{
  guint nf = channels + 1;
  AdiffRect region = { roi->x - image->x, roi->y - image->y, roi->width, roi->height };
  AdiffRect need;
  model_input (m, image, &region, &need);
  GeglRectangle in_rect = { image->x + (gint) need.x, image->y + (gint) need.y,
                            (gint) need.width, (gint) need.height };
  gsize n_in = (gsize) need.width * need.height, n_out = (gsize) roi->width * roi->height;
  float *px = g_try_new (float, n_in * nf);
  float *colour = g_try_new (float, n_in * channels);
  float *est = g_try_new (float, n_out * channels);
  gboolean ok = px != NULL && colour != NULL && est != NULL;
  if (!ok)
    g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                 _("not enough memory for a %d×%d tile"), roi->width, roi->height);
  if (ok)
    {
      gegl_buffer_get (input, &in_rect, 1.0, format, px, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
      for (gsize i = 0; i < n_in; i++)
        memcpy (colour + i * channels, px + i * nf, channels * sizeof (float));
      ok = model_denoise (m, image, channels, colour, &need, est, &region, error);
    }
  if (ok)
    {
      /* The source pixels of roi, blended by strength, alpha kept. */
      gint dx = roi->x - in_rect.x, dy = roi->y - in_rect.y;
      for (gint y = 0; y < roi->height; y++)
        for (gint x = 0; x < roi->width; x++)
          {
            const float *src = px + ((gsize) (y + dy) * need.width + x + dx) * nf;
            const float *e = est + ((gsize) y * roi->width + x) * channels;
            float *dst = out + ((gsize) y * roi->width + x) * nf;
            for (guint k = 0; k < channels; k++)
              dst[k] = src[k] + (float) (strength * (e[k] - src[k]));
            dst[channels] = src[channels];
          }
    }
  g_free (px);
  g_free (colour);
  g_free (est);
  return ok;
}

gboolean
denoise_op_process (GeglOperation *operation, gpointer *slot, const DenoiseSettings *s,
                    GeglBuffer *input, GeglBuffer *output, const GeglRectangle *roi)
{
  Cache *c = cache_get (slot);
  const Babl *format = gegl_operation_get_format (operation, "output");
  GeglRectangle image = denoise_op_bounding_box (operation), part;
  guint channels = is_gray (format) ? 1 : 3;
  GError *error = NULL;

  /* Pixels outside the image (abyss) and strength 0 pass through. */
  gegl_buffer_copy (input, roi, GEGL_ABYSS_NONE, output, roi);
  if (s->strength <= 0.0 || gegl_rectangle_is_infinite_plane (&image) ||
      !gegl_rectangle_intersect (&part, roi, &image))
    return TRUE;

  Model model;
  float *out = NULL;
  gboolean ok = cache_model (operation, c, s, input, &image, channels, &model, &error);
  if (ok)
    {
      out = g_try_new (float, (gsize) part.width * part.height * (channels + 1));
      if (out == NULL)
        g_set_error (error == NULL ? &error : NULL, ADIFF_ERROR, ADIFF_ERROR_LIMIT,
                     _("not enough memory for a %d×%d tile"), part.width, part.height);
      ok = out != NULL &&
           denoise_rect (&model, input, format, &image, &part, channels,
                         MIN (s->strength, 1.0), out, &error);
    }
  if (ok)
    gegl_buffer_set (output, &part, 0, format, out, GEGL_AUTO_ROWSTRIDE);
  else
    tell (c, s, error);
  g_clear_error (&error);
  g_free (out);
  model_release (&model);
  return TRUE;
}
