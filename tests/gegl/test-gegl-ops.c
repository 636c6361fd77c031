/* test-gegl-ops.c — adiff:wiener-denoise and adiff:analytic-denoise in
 * GEGL, without GIMP.
 *
 * - Any cut gives libadiff's pixels: the image is rendered through the
 *   operation in rectangles of several sizes, with several GEGL tile sizes
 *   and thread counts, and compared with adiff_denoise_image (the photo
 *   model: adiff_photo_denoise, as `adiff denoise` runs it) on the same
 *   floats (1e-5).  The photo model needs no bundle at its default quality
 *   (none is installed here) and is the analytic operation's default.
 *   Under camera noise (a and b given, or measured from the whole input)
 *   the reference is adiff_noise_denoise, with a and b measured there by
 *   adiff_noise_model_estimate, as `adiff denoise --noise-model auto`.
 * - Errors change nothing: a missing or corrupt bundle, an RGB bundle on a
 *   gray image, σ = 0, camera noise that cannot be measured, is too strong
 *   or not finite give output = input and one message (not one per tile), never a WARNING or CRITICAL (G_DEBUG=fatal-criticals; warnings
 *   are made fatal here too).
 *
 * Bundles are synthetic 4×4 windows: an orthonormal basis with decreasing
 * variances and random exemplars, written with adiff_bundle_write. */
#include <math.h>
#include <string.h>
#include <gegl.h>
#include <adiff/adiff.h>

static char *scratch;

static char *
write_bundle_sized (const char *name, guint size, guint channels, guint n_exemplars)
{
  guint w = size, h = size;
  gsize d = (gsize) w * h * channels;
  double *mean = g_new (double, d), *vals = g_new (double, d), *vecs = g_new0 (double, d * d);
  float *ex = g_new (float, (gsize) n_exemplars * d);
  GRand *r = g_rand_new_with_seed (5);
  for (gsize i = 0; i < d; i++)
    {
      mean[i] = 0.5;
      vals[i] = 0.05 / (1.0 + i);
      vecs[i * d + i] = 1.0;
    }
  for (gsize i = 0; i < (gsize) n_exemplars * d; i++)
    ex[i] = (float) g_rand_double (r);
  AdiffBundleData data = { w, h, channels, 1000, mean, (guint) d, vals, vecs, 0.0,
                           n_exemplars, ex, NULL, NULL, NULL };
  char *path = g_build_filename (scratch, name, NULL);
  GError *error = NULL;
  g_assert_true (adiff_bundle_write (path, &data, NULL, &error));
  g_assert_no_error (error);
  g_free (mean); g_free (vals); g_free (vecs); g_free (ex);
  g_rand_free (r);
  return path;
}

static char *
write_bundle (const char *name, guint channels, guint n_exemplars)
{
  return write_bundle_sized (name, 4, channels, n_exemplars);
}

/* A noisy test image, [0,1] floats, colour and alpha interleaved. */
static float *
make_image (guint w, guint h, guint channels)
{
  float *px = g_new (float, (gsize) w * h * (channels + 1));
  GRand *r = g_rand_new_with_seed (3);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        float *p = px + ((gsize) y * w + x) * (channels + 1);
        for (guint c = 0; c < channels; c++)
          p[c] = (float) CLAMP (0.5 + 0.3 * sin (x * 0.2 + c) * cos (y * 0.15) +
                                g_rand_double_range (r, -0.15, 0.15), 0.0, 1.0);
        p[channels] = (float) ((x + y) % 5) / 4.0f;
      }
  g_rand_free (r);
  return px;
}

/* A test image for camera noise: a ramp across the brightness range with
 * flat boxes on it (smooth places at many levels, where the noise can be
 * measured), noise of variance a + b·x, alpha as make_image's. */
static float *
make_camera_image (guint w, guint h, guint channels, double a, double b)
{
  float *px = g_new (float, (gsize) w * h * (channels + 1));
  GRand *r = g_rand_new_with_seed (9);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        float *p = px + ((gsize) y * w + x) * (channels + 1);
        gboolean box = (x / 16 + y / 16) % 3 == 0;
        for (guint c = 0; c < channels; c++)
          {
            double clean = box ? 0.2 + 0.6 * ((x / 16) % 2) + 0.05 * c
                               : 0.08 + 0.84 * (x + y) / (w + h - 2.0) - 0.03 * c;
            /* Box–Muller: a Gaussian of unit variance */
            double g = sqrt (-2 * log (1 - g_rand_double (r))) *
                       cos (2 * G_PI * g_rand_double (r));
            p[c] = (float) (clean + sqrt (a + b * clean) * g);
          }
        p[channels] = (float) ((x + y) % 5) / 4.0f;
      }
  g_rand_free (r);
  return px;
}

static const Babl *
format_for (guint channels)
{
  return babl_format (channels == 1 ? "Y'A float" : "R'G'B'A float");
}

/* Render the operation over the image, blitting it in cw × ch pieces. */
static float *
render (GeglNode *op, const float *in, guint w, guint h, guint channels, guint cw, guint ch)
{
  const Babl *fmt = format_for (channels);
  GeglRectangle all = { 0, 0, w, h };
  GeglBuffer *src = gegl_buffer_new (&all, fmt);
  gegl_buffer_set (src, &all, 0, fmt, in, GEGL_AUTO_ROWSTRIDE);
  GeglNode *graph = gegl_node_new ();
  GeglNode *source = gegl_node_new_child (graph, "operation", "gegl:buffer-source",
                                          "buffer", src, NULL);
  gegl_node_add_child (graph, op);
  gegl_node_link (source, op);
  float *out = g_new (float, (gsize) w * h * (channels + 1));
  for (guint y = 0; y < h; y += ch)
    for (guint x = 0; x < w; x += cw)
      {
        GeglRectangle r = { x, y, MIN (cw, w - x), MIN (ch, h - y) };
        gegl_node_blit (op, 1.0, &r, fmt, out + ((gsize) y * w + x) * (channels + 1),
                        w * (channels + 1) * sizeof (float), GEGL_BLIT_DEFAULT);
      }
  gegl_node_remove_child (graph, op);
  g_object_unref (graph);
  g_object_unref (src);
  return out;
}

/* libadiff alone on the same floats, alpha kept: the bundle's denoiser,
 * or (photo) the photo model at that quality as `adiff denoise` runs it,
 * under camera noise when noise is not NULL (a = b = 0: measured from the
 * whole image). */
static float *
reference (const char *bundle_path, const AdiffParams *params, const char *photo,
           const AdiffNoiseModel *noise, const float *in, guint w, guint h, guint channels)
{
  GError *error = NULL;
  AdiffBundle *b = NULL;
  if (bundle_path != NULL)
    {
      b = adiff_bundle_open (bundle_path, NULL, &error);
      g_assert_no_error (error);
    }
  gsize n = (gsize) w * h;
  float *colour = g_new (float, n * channels), *out = g_memdup2 (in, n * (channels + 1) * sizeof (float));
  for (gsize i = 0; i < n; i++)
    memcpy (colour + i * channels, in + i * (channels + 1), channels * sizeof (float));
  if (photo != NULL)
    {
      AdiffPhotoParams pp;
      adiff_photo_params_init (&pp, g_str_equal (photo, "best") ? ADIFF_PHOTO_QUALITY_BEST
                                    : ADIFF_PHOTO_QUALITY_DEFAULT, params->sigma);
      AdiffNoiseModel model = noise != NULL ? *noise : (AdiffNoiseModel) { 0, 0 };
      if (noise != NULL && model.a == 0 && model.b == 0)
        g_assert_true (adiff_noise_model_estimate (colour, w, h, channels, &model, &error));
      g_assert_no_error (error);
      if (noise != NULL)
        g_test_message ("camera noise a = %g, b = %g", model.a, model.b);
      g_assert_true (noise != NULL
                     ? adiff_noise_denoise (&pp, &model, b, colour, w, h, channels, colour,
                                            NULL, NULL, &error)
                     : adiff_photo_denoise (&pp, b, colour, w, h, channels, colour, NULL, NULL,
                                            &error));
    }
  else
    {
      AdiffDenoiser *den = adiff_denoiser_new (b, params, &error);
      g_assert_no_error (error);
      g_assert_true (adiff_denoise_image (den, colour, colour, w, h, channels, NULL, NULL,
                                          &error));
      adiff_denoiser_free (den);
    }
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    memcpy (out + i * (channels + 1), colour + i * channels, channels * sizeof (float));
  g_free (colour);
  if (b)
    adiff_bundle_unref (b);
  return out;
}

static double
max_diff (const float *a, const float *b, gsize n)
{
  double m = 0;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs ((double) a[i] - b[i]));
  return m;
}

/* The camera noise of the test images: σ 2.55 in black, 25.5 in white. */
#define CAMERA_A 1e-4
#define CAMERA_B 0.01

typedef struct
{
  const char *op;
  guint       channels;
  guint       bundle_channels;   /* 0: no bundle */
  guint       overlap;
  const char *model;
  const char *quality;           /* photo model */
  gboolean    camera;            /* photo model under camera noise a + b·x */
  double      noise_a, noise_b;  /* both 0: measured from the whole input */
} Case;

static const Case cases[] = {
  { "adiff:wiener-denoise", 1, 1, 2, NULL, NULL },
  { "adiff:wiener-denoise", 3, 3, 4, NULL, NULL },
  { "adiff:analytic-denoise", 1, 1, 2, "analytic", NULL },
  { "adiff:analytic-denoise", 3, 1, 2, "analytic", NULL },
  { "adiff:analytic-denoise", 3, 3, 4, "optimal", NULL },
  { "adiff:analytic-denoise", 1, 0, 2, "photo", "default" },
  { "adiff:analytic-denoise", 3, 0, 2, "photo", "default" },
  { "adiff:analytic-denoise", 1, 1, 2, "photo", "best" },
  { "adiff:analytic-denoise", 1, 0, 2, "photo", "default", TRUE, 0.0, 0.0 },
  { "adiff:analytic-denoise", 3, 0, 2, "photo", "default", TRUE, 0.0, 0.0 },
  { "adiff:analytic-denoise", 3, 0, 2, "photo", "default", TRUE, CAMERA_A, CAMERA_B },
};

/* Set an enum property by its nick. */
static void
set_enum (GeglNode *op, const char *op_name, const char *property, const char *nick)
{
  GParamSpec *ps = gegl_operation_find_property (op_name, property);
  GEnumValue *v = g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (ps)->enum_class, nick);
  g_assert_nonnull (v);
  gegl_node_set (op, property, v->value, NULL);
}

/* Tiles × threads × blit pieces. */
static const struct { gint tile_w, tile_h, threads; guint cw, ch; } cuts[] = {
  { 128, 128, 1, 1000, 1000 },
  { 64, 64, 2, 33, 17 },
  { 32, 16, 4, 8, 64 },
  { 17, 23, 3, 61, 5 },
};

static void
test_cuts (gconstpointer data)
{
  const Case *t = data;
  gboolean photo = t->quality != NULL;
  /* the photo model reads up to 81 pixels around a pixel: an image longer
   * than a tile and twice that on one side, so tiles read different parts
   * (the RGB case: along y) */
  guint w = 61, h = 47;
  if (photo)
    {
      w = t->channels == 3 ? 44 : 206;
      h = t->channels == 3 ? 206 : 44;
    }
  g_autofree char *bundle =
    t->bundle_channels == 0 ? NULL
    : photo ? write_bundle_sized ("gray8.adstats", 8, 1, 100)
    : write_bundle (t->bundle_channels == 1 ? "gray.adstats" : "rgb.adstats",
                    t->bundle_channels, 300);
  float *in = t->camera ? make_camera_image (w, h, t->channels, CAMERA_A, CAMERA_B)
                        : make_image (w, h, t->channels);
  AdiffParams p;
  adiff_params_init (&p);
  p.sigma = 30 / 255.0;
  p.overlap = t->overlap;
  if (t->model && !photo)
    adiff_method_from_string (t->model, &p.method);
  AdiffNoiseModel noise = { t->noise_a, t->noise_b };
  float *ref = reference (bundle, &p, t->quality, t->camera ? &noise : NULL, in, w, h,
                          t->channels);
  for (guint k = 0; k < G_N_ELEMENTS (cuts); k++)
    {
      g_object_set (gegl_config (), "tile-width", cuts[k].tile_w, "tile-height", cuts[k].tile_h,
                    "threads", cuts[k].threads, NULL);
      GeglNode *op = gegl_node_new ();
      g_object_unref (op);
      op = g_object_new (GEGL_TYPE_NODE, "operation", t->op, NULL);
      gegl_node_set (op, "bundle", bundle ? bundle : "", "sigma", 30.0,
                     "overlap", (gint) t->overlap, NULL);
      /* the photo model is the default: it is not set */
      if (t->model && !photo)
        set_enum (op, t->op, "model", t->model);
      if (photo)
        set_enum (op, t->op, "quality", t->quality);
      if (t->camera)
        {
          set_enum (op, t->op, "noise-model", "camera");
          gegl_node_set (op, "noise-a", t->noise_a, "noise-b", t->noise_b, NULL);
        }
      float *out = render (op, in, w, h, t->channels, cuts[k].cw, cuts[k].ch);
      double d = max_diff (out, ref, (gsize) w * h * (t->channels + 1));
      g_test_message ("%s, %u channel(s), tiles %d×%d, %d threads, pieces %u×%u: max |Δ| %g",
                      t->op, t->channels, cuts[k].tile_w, cuts[k].tile_h, cuts[k].threads,
                      cuts[k].cw, cuts[k].ch, d);
      g_assert_cmpfloat (d, <=, 1e-5);
      g_assert_cmpfloat (max_diff (out, in, (gsize) w * h * (t->channels + 1)), >, 0.01);
      g_free (out);
      g_object_unref (op);
    }
  g_free (in); g_free (ref);
}

static guint messages;
static char *last_message;

static void
count_message (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
  g_test_message ("message: %s", message);
  messages++;
  g_free (last_message);
  last_message = g_strdup (message);
}

/* Output = input, one message per problem however many tiles; quality
 * NULL: the window models (the analytic operation's analytic model), else
 * the photo model at that quality, under camera noise when noise is not
 * NULL (a = b = 0: to be measured on a flat image, which shows none). */
static void
expect_unchanged_noise (const char *op_name, const char *bundle, double sigma, guint channels,
                        const char *quality, const AdiffNoiseModel *noise)
{
  guint w = 40, h = 30;
  float *in = make_image (w, h, channels);
  if (noise != NULL && noise->a == 0 && noise->b == 0)
    for (gsize i = 0; i < (gsize) w * h * (channels + 1); i++)
      if (i % (channels + 1) != channels)
        in[i] = 0.5f;
  GeglNode *op = g_object_new (GEGL_TYPE_NODE, "operation", op_name, NULL);
  gegl_node_set (op, "bundle", bundle, "sigma", sigma, NULL);
  if (g_str_equal (op_name, "adiff:analytic-denoise"))
    set_enum (op, op_name, "model", quality ? "photo" : "analytic");
  if (quality)
    set_enum (op, op_name, "quality", quality);
  if (noise)
    {
      set_enum (op, op_name, "noise-model", "camera");
      gegl_node_set (op, "noise-a", noise->a, "noise-b", noise->b, NULL);
    }
  messages = 0;
  float *out = render (op, in, w, h, channels, 7, 9);
  g_assert_cmpmem (out, (gsize) w * h * (channels + 1) * sizeof (float),
                   in, (gsize) w * h * (channels + 1) * sizeof (float));
  g_assert_cmpuint (messages, ==, 1);
  g_object_unref (op);
  g_free (in); g_free (out);
}

static void
expect_unchanged (const char *op_name, const char *bundle, double sigma, guint channels,
                  const char *quality)
{
  expect_unchanged_noise (op_name, bundle, sigma, channels, quality, NULL);
}

static void
test_errors (void)
{
  g_autofree char *rgb = write_bundle ("rgb.adstats", 3, 50);
  g_autofree char *gray = write_bundle ("gray.adstats", 1, 50);
  g_autofree char *missing = g_build_filename (scratch, "missing.adstats", NULL);
  g_autofree char *corrupt = g_build_filename (scratch, "corrupt.adstats", NULL);
  gchar *bytes;
  gsize len;
  /* A real bundle cut in half: header fine, data missing. */
  g_assert_true (g_file_get_contents (rgb, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (corrupt, bytes, len / 2, NULL));
  g_free (bytes);
  g_log_set_handler ("adiff", G_LOG_LEVEL_MESSAGE, count_message, NULL);
  for (guint i = 0; i < 2; i++)
    {
      const char *op = i ? "adiff:analytic-denoise" : "adiff:wiener-denoise";
      expect_unchanged (op, missing, 25, 3, NULL);
      expect_unchanged (op, corrupt, 25, 1, NULL);
      expect_unchanged (op, rgb, 25, 1, NULL);
      expect_unchanged (op, gray, 0, 3, NULL);
    }
  /* the photo model: σ = 0, and a best quality without a gray 8×8 bundle */
  const char *op = "adiff:analytic-denoise";
  expect_unchanged (op, "", 0, 3, "default");
  expect_unchanged (op, missing, 25, 1, "best");
  expect_unchanged (op, corrupt, 25, 1, "best");
  expect_unchanged (op, gray, 25, 1, "best");   /* 4×4 */
  expect_unchanged (op, "", 25, 3, "best");     /* the first found: corrupt */
  /* camera noise: too small and busy to measure (told once, not per
   * tile), too strong for the photo model (a and b outside [0, 1] or not
   * finite never get here: GObject refuses them, a WARNING) */
  const AdiffNoiseModel measured = { 0, 0 }, strong = { 1, 1 };
  expect_unchanged_noise (op, "", 25, 3, "default", &measured);
  g_assert_nonnull (strstr (last_message, "cannot measure the camera noise"));
  expect_unchanged_noise (op, "", 25, 1, "default", &strong);
  g_assert_nonnull (strstr (last_message, "a = 1, b = 1"));
  g_clear_pointer (&last_message, g_free);
}

/* The analytic operation's default model is the photo model, at the
 * default quality. */
static void
test_defaults (void)
{
  const char *op = "adiff:analytic-denoise";
  GParamSpec *model = gegl_operation_find_property (op, "model");
  GParamSpec *quality = gegl_operation_find_property (op, "quality");
  g_assert_nonnull (model);
  g_assert_nonnull (quality);
  GEnumValue *m = g_enum_get_value (G_PARAM_SPEC_ENUM (model)->enum_class,
                                    G_PARAM_SPEC_ENUM (model)->default_value);
  GEnumValue *q = g_enum_get_value (G_PARAM_SPEC_ENUM (quality)->enum_class,
                                    G_PARAM_SPEC_ENUM (quality)->default_value);
  g_assert_cmpstr (m->value_nick, ==, "photo");
  g_assert_cmpstr (q->value_nick, ==, "default");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
  gegl_init (&argc, &argv);
  const char *dir = g_getenv ("ADIFF_GEGL_MODULE_DIR");
  g_assert_nonnull (dir);
  gegl_load_module_directory (dir);
  g_assert_true (gegl_has_operation ("adiff:wiener-denoise"));
  g_assert_true (gegl_has_operation ("adiff:analytic-denoise"));
  scratch = g_dir_make_tmp ("adiff-gegl-XXXXXX", NULL);
  /* No installed bundle may stand in for a missing one. */
  g_setenv ("ADIFF_BUNDLE_DIR", scratch, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *t = &cases[i];
      char *name = g_strdup_printf ("/gegl/cuts/%s/%u-on-%u/overlap-%u%s%s%s%s%s", t->op + 6,
                                    t->bundle_channels, t->channels, t->overlap,
                                    t->model ? "/" : "", t->model ? t->model : "",
                                    t->quality ? "-" : "", t->quality ? t->quality : "",
                                    !t->camera ? ""
                                    : t->noise_a == 0 && t->noise_b == 0 ? "-camera-measured"
                                    : "-camera-given");
      g_test_add_data_func (name, t, test_cuts);
      g_free (name);
    }
  g_test_add_func ("/gegl/errors", test_errors);
  g_test_add_func ("/gegl/defaults", test_defaults);
  int status = g_test_run ();
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", scratch);
  (void) !system (cmd);
  gegl_exit ();
  return status;
}
