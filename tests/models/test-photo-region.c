/* test-photo-region.c — the photo model in parts: any region of the image
 * (adiff_photo_denoise_region) equals the same pixels of the whole image
 * bit for bit (corners, borders, single pixels, odd sizes; gray and RGB;
 * default and best quality, with and without a bundle; σ on both sides of
 * the large-patch switch); the streamed bands give the same bits for any
 * thread count and look-ahead, and hold a bounded number of rows however
 * tall the image; bad regions and input rectangles are refused. */
#include "synth.h"
#include "photo/photo-private.h"

/* A noisy test image in [0,1]: waves, edges and a ramp, noise σ. */
static float *
test_image (int w, int h, int ch, double sigma, guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  float *img = g_new (float, (gsize) w * h * ch);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < ch; c++)
        {
          double v = 0.4 + 0.2 * sin (0.21 * x + c) * cos (0.13 * y) + (x + 2 * y > w ? 0.2 : 0)
                     + ((x / 9 + y / 7) % 3 == 0 ? 0.1 : 0) + 0.1 * c * x / w;
          double u1 = g_rand_double_range (r, 1e-12, 1), u2 = g_rand_double (r);
          img[((gsize) y * w + x) * ch + c] = v + sigma * sqrt (-2 * log (u1)) * cos (2 * G_PI * u2);
        }
  g_rand_free (r);
  return img;
}

static float *
whole (const AdiffPhotoParams *p, AdiffBundle *b, const float *in, int w, int h, int ch)
{
  GError *error = NULL;
  float *out = g_new (float, (gsize) w * h * ch);
  g_assert_true (adiff_photo_denoise (p, b, in, w, h, ch, out, NULL, NULL, &error));
  g_assert_no_error (error);
  return out;
}

/* The region through the region call, from the input rectangle it asks
 * for (or the whole image), against the whole image's pixels. */
static void
check_region (const AdiffPhotoParams *p, AdiffBundle *b, const float *in, const float *ref,
              int w, int h, int ch, AdiffRect region, gboolean whole_input)
{
  AdiffRect input;
  GError *error = NULL;
  adiff_photo_region_input (p, w, h, &region, &input);
  g_assert_true (input.x <= region.x && input.y <= region.y);
  g_assert_true (input.x + input.width >= region.x + region.width);
  g_assert_true (input.y + input.height >= region.y + region.height);
  if (whole_input)
    input = (AdiffRect) { 0, 0, w, h };
  float *cut = g_new (float, (gsize) input.width * input.height * ch);
  float *out = g_new (float, (gsize) region.width * region.height * ch);
  for (guint y = 0; y < input.height; y++)
    memcpy (cut + (gsize) y * input.width * ch,
            in + ((gsize) (input.y + y) * w + input.x) * ch, sizeof (float) * input.width * ch);
  g_assert_true (adiff_photo_denoise_region (p, b, w, h, ch, cut, &input, out, &region,
                                             NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint y = 0; y < region.height; y++)
    {
      const float *a = out + (gsize) y * region.width * ch;
      const float *e = ref + ((gsize) (region.y + y) * w + region.x) * ch;
      if (memcmp (a, e, sizeof (float) * region.width * ch) != 0)
        g_error ("region %u×%u+%u+%u (input %u×%u+%u+%u), row %u differs: max %.3g",
                 region.width, region.height, region.x, region.y, input.width,
                 input.height, input.x, input.y, y,
                 max_abs_diff_f (a, e, (gsize) region.width * ch));
    }
  g_free (cut);
  g_free (out);
}

typedef struct
{
  const char       *name;
  int               channels;
  AdiffPhotoQuality quality;
  gboolean          bundle;
  double            sigma;   /* 0–255 */
} RegionCase;

static const RegionCase region_cases[] = {
  { "gray-default-25", 1, ADIFF_PHOTO_QUALITY_DEFAULT, FALSE, 25 },
  { "rgb-default-25",  3, ADIFF_PHOTO_QUALITY_DEFAULT, FALSE, 25 },
  { "gray-default-50", 1, ADIFF_PHOTO_QUALITY_DEFAULT, FALSE, 50 },
  { "gray-best-25",    1, ADIFF_PHOTO_QUALITY_BEST,    TRUE,  25 },
  { "rgb-best-15",     3, ADIFF_PHOTO_QUALITY_BEST,    FALSE, 15 },
  { "gray-best-50",    1, ADIFF_PHOTO_QUALITY_BEST,    TRUE,  50 },
};

static void
test_region (gconstpointer data)
{
  const RegionCase *k = data;
  const int w = 197, h = 193, ch = k->channels;
  AdiffPhotoParams p;
  AdiffBundle *b = k->bundle ? synth_bundle (8, 8, 1, 50, 0, 21) : NULL;
  float *in = test_image (w, h, ch, k->sigma / 255, 3);
  adiff_photo_params_init (&p, k->quality, k->sigma / 255);
  p.n_threads = 2;
  float *ref = whole (&p, b, in, w, h, ch);
  const AdiffRect regions[] = {
    { 0, 0, 1, 1 }, { w - 1, h - 1, 1, 1 }, { w - 1, 0, 1, 1 }, { 0, h - 1, 1, 1 },
    { 98, 96, 1, 1 }, { 0, 0, 17, 9 }, { w - 13, h - 21, 13, 21 }, { 0, 40, 5, 31 },
    { 101, 0, 29, 3 }, { 57, 61, 83, 47 }, { 0, 90, w, 1 }, { 120, 0, 1, h },
    { 3, 5, 64, 64 }, { 0, 0, w, h },
  };
  /* the best quality costs 3.6 times as much: every other region */
  guint stride = k->quality == ADIFF_PHOTO_QUALITY_BEST ? 2 : 1;
  for (guint i = 0; i < G_N_ELEMENTS (regions); i += stride)
    check_region (&p, b, in, ref, w, h, ch, regions[i], FALSE);
  check_region (&p, b, in, ref, w, h, ch, regions[9], TRUE);
  /* a 1-pixel region far from the borders reads the margin, not the image */
  AdiffRect input;
  adiff_photo_region_input (&p, w, h, &regions[4], &input);
  g_assert_cmpuint (input.width, <, w);
  g_assert_cmpuint (input.height, <, h);
  g_free (ref);
  g_free (in);
  if (b)
    adiff_bundle_unref (b);
}

/* What a region reads is the same for gray and RGB (adiff_photo_region_input
 * takes no channel count): their defaults differ in thresholds, and gray's
 * final pass has a companion whose patches stay inside the final pass's
 * (the same references, a smaller patch, no wider search), so it reads
 * nothing more. */
static void
assert_same_geometry (const AdiffPhotoPass *a, const AdiffPhotoPass *b)
{
  g_assert_cmpint (a->patch, ==, b->patch);
  g_assert_cmpint (a->step, ==, b->step);
  g_assert_cmpint (a->radius, ==, b->radius);
}

static void
test_channels_geometry (void)
{
  const float sigmas[] = { 5, 15, 25, 40, 41, 50, 100 };
  for (guint i = 0; i < G_N_ELEMENTS (sigmas); i++)
    for (int best = 0; best < 2; best++)
      {
        AdiffPhotoConfig gray, rgb;
        if (best)
          {
            adiff__photo_config_init_best (&gray, sigmas[i], 1);
            adiff__photo_config_init_best (&rgb, sigmas[i], 3);
          }
        else
          {
            adiff__photo_config_init (&gray, sigmas[i], 1);
            adiff__photo_config_init (&rgb, sigmas[i], 3);
          }
        assert_same_geometry (&gray.pass1, &rgb.pass1);
        assert_same_geometry (&gray.pass2, &rgb.pass2);
        g_assert_cmpint (gray.companion[0].patch, >, 0);
        g_assert_cmpint (gray.companion[0].patch, <=, gray.pass2.patch);
        g_assert_cmpint (gray.companion[0].radius, <=, gray.pass2.radius);
        g_assert_cmpint (rgb.companion[0].patch, ==, 0);
        g_assert_true (adiff__photo_config_check (&gray, 64, 64, sigmas[i], NULL));
        g_assert_cmpint (gray.n_final, ==, rgb.n_final);
        g_assert_cmpint (gray.n_ensemble, ==, rgb.n_ensemble);
      }
}

/* The margin: at most 2(R₁ + R₂) + P₁ + P₂ − 2 on each side (the grid's
 * step keeps it a little below). */
static void
test_margin (void)
{
  const struct { AdiffPhotoQuality q; double sigma; guint margin; } cases[] = {
    { ADIFF_PHOTO_QUALITY_DEFAULT, 15, 90 }, { ADIFF_PHOTO_QUALITY_DEFAULT, 25, 90 },
    { ADIFF_PHOTO_QUALITY_DEFAULT, 50, 93 }, { ADIFF_PHOTO_QUALITY_BEST, 15, 90 },
    { ADIFF_PHOTO_QUALITY_BEST, 25, 90 },    { ADIFF_PHOTO_QUALITY_BEST, 50, 93 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      AdiffPhotoParams p;
      guint most = 0;
      adiff_photo_params_init (&p, cases[i].q, cases[i].sigma / 255);
      for (guint x = 500; x < 524; x++)
        {
          AdiffRect r = { x, x + 3, 1, 1 }, in;
          adiff_photo_region_input (&p, 1000, 1000, &r, &in);
          most = MAX (most, MAX (r.x - in.x, in.x + in.width - r.x - 1));
          most = MAX (most, MAX (r.y - in.y, in.y + in.height - r.y - 1));
        }
      g_test_message ("quality %d, σ %g: margin %u", cases[i].q, cases[i].sigma, most);
      g_assert_cmpuint (most, <=, cases[i].margin);
      g_assert_cmpuint (most, >=, cases[i].margin - 8);
    }
}

/* Regions through all eight elements of the self-ensemble (transposes
 * too) and two final passes, on a non-square RGB image. */
static void
test_region_ensemble (void)
{
  const int w = 113, h = 97, ch = 3;
  float *in = test_image (w, h, ch, 20.0 / 255, 4), *ref = g_new (float, (gsize) w * h * ch);
  AdiffPhotoConfig c;
  GError *error = NULL;
  adiff__photo_config_init (&c, 20, ch);
  c.n_ensemble = 8;
  c.n_final = 2;
  c.n_threads = 2;
  g_assert_true (adiff__photo_run (&c, in, w, h, ch, 255, 20, ref, NULL, &error));
  const AdiffPhotoBox boxes[] = { { 0, 0, 1, 1 }, { 70, 9, 71, 90 }, { 100, 80, 113, 97 } };
  for (guint i = 0; i < G_N_ELEMENTS (boxes); i++)
    {
      const AdiffPhotoBox *b = &boxes[i];
      AdiffPhotoBox in_box;
      int rw = b->x1 - b->x0, rh = b->y1 - b->y0;
      adiff__photo_region_box (&c, w, h, b, &in_box);
      int iw = in_box.x1 - in_box.x0, ih = in_box.y1 - in_box.y0;
      float *cut = g_new (float, (gsize) iw * ih * ch), *out = g_new (float, (gsize) rw * rh * ch);
      for (int y = 0; y < ih; y++)
        memcpy (cut + (gsize) y * iw * ch, in + ((gsize) (in_box.y0 + y) * w + in_box.x0) * ch,
                sizeof (float) * iw * ch);
      g_assert_true (adiff__photo_run_box (&c, w, h, ch, 255, 20, cut, &in_box, out, b, NULL,
                                           &error));
      g_assert_no_error (error);
      for (int y = 0; y < rh; y++)
        g_assert_cmpmem (out + (gsize) y * rw * ch, sizeof (float) * rw * ch,
                         ref + ((gsize) (b->y0 + y) * w + b->x0) * ch, sizeof (float) * rw * ch);
      g_free (cut);
      g_free (out);
    }
  g_free (in);
  g_free (ref);
}

/* ---- bands ------------------------------------------------------------------ */

static float *
run_config (const AdiffPhotoConfig *c, const float *in, int w, int h, int ch)
{
  GError *error = NULL;
  float *out = g_new (float, (gsize) w * h * ch);
  g_assert_true (adiff__photo_run (c, in, w, h, ch, 255, 25, out, NULL, &error));
  g_assert_no_error (error);
  return out;
}

/* The same bits for any thread count and look-ahead (one band in flight
 * after another, or many), with one or two final passes and the ensemble;
 * in place too. */
static void
test_bands (void)
{
  const int w = 53, h = 301;
  for (int ch = 1; ch <= 3; ch += 2)
    for (int variant = 0; variant < (ch == 1 ? 3 : 1); variant++)
      {
        float *in = test_image (w, h, ch, 25.0 / 255, 7 + variant);
        AdiffPhotoConfig c;
        adiff__photo_config_init (&c, 25, ch);
        c.n_final = variant == 1 ? 2 : 1;
        c.n_ensemble = variant == 2 ? 4 : 1;
        c.n_threads = 1;
        c.lookahead = 1;
        float *ref = run_config (&c, in, w, h, ch);
        const guint threads[] = { 2, 3, 2 };
        const int lookahead[] = { 0, 2, 40 };
        for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
          {
            c.n_threads = threads[i];
            c.lookahead = lookahead[i];
            float *out = run_config (&c, in, w, h, ch);
            g_assert_cmpmem (out, sizeof (float) * w * h * ch, ref, sizeof (float) * w * h * ch);
            g_free (out);
          }
        float *copy = g_memdup2 (in, sizeof (float) * w * h * ch);
        GError *error = NULL;
        g_assert_true (adiff__photo_run (&c, copy, w, h, ch, 255, 25, copy, NULL, &error));
        g_assert_cmpmem (copy, sizeof (float) * w * h * ch, ref, sizeof (float) * w * h * ch);
        g_free (copy);
        g_free (ref);
        g_free (in);
      }
}

/* Rows held at once do not grow with the height. */
static void
test_memory (void)
{
  const int w = 40;
  int peak[2];
  for (int i = 0; i < 2; i++)
    {
      int h = i ? 3000 : 1500;
      float *in = test_image (w, h, 1, 25.0 / 255, 1);
      AdiffPhotoConfig c;
      adiff__photo_config_init (&c, 25, 1);
      c.n_threads = 2;
      peak[i] = 0;
      c.peak_rows = &peak[i];
      g_free (run_config (&c, in, w, h, 1));
      g_free (in);
      g_test_message ("height %d: at most %d input rows held", h, peak[i]);
    }
  g_assert_cmpint (peak[0], <, 500);
  g_assert_cmpint (peak[1], ==, peak[0]);
}

/* ---- bad input ------------------------------------------------------------------ */

static void
expect_region_error (const AdiffPhotoParams *p, int w, int h, AdiffRect region,
                     AdiffRect input, int code)
{
  float *in = g_new0 (float, (gsize) w * h);
  float *out = g_new0 (float, (gsize) w * h);
  GError *error = NULL;
  g_assert_false (adiff_photo_denoise_region (p, NULL, w, h, 1, in, &input, out, &region,
                                              NULL, NULL, &error));
  g_assert_error (error, ADIFF_ERROR, code);
  g_test_message ("%s", error->message);
  g_error_free (error);
  g_free (in);
  g_free (out);
}

static void
test_bad_region (void)
{
  const int w = 200, h = 180;
  AdiffPhotoParams p;
  adiff_photo_params_init (&p, ADIFF_PHOTO_QUALITY_DEFAULT, 0.1);
  AdiffRect all = { 0, 0, w, h };
  expect_region_error (&p, w, h, (AdiffRect) { 0, 0, 0, 5 }, all, ADIFF_ERROR_INVALID_ARGUMENT);
  expect_region_error (&p, w, h, (AdiffRect) { 190, 0, 11, 5 }, all,
                       ADIFF_ERROR_INVALID_ARGUMENT);
  expect_region_error (&p, w, h, (AdiffRect) { 0, 180, 1, 1 }, all,
                       ADIFF_ERROR_INVALID_ARGUMENT);
  expect_region_error (&p, w, h, (AdiffRect) { G_MAXUINT, 0, 2, 1 }, all,
                       ADIFF_ERROR_INVALID_ARGUMENT);
  /* an input that misses part of what the region reads, or leaves the image */
  AdiffRect region = { 100, 90, 10, 10 }, need;
  adiff_photo_region_input (&p, w, h, &region, &need);
  AdiffRect short_input = { need.x + 1, need.y, need.width - 1, need.height };
  expect_region_error (&p, w, h, region, short_input, ADIFF_ERROR_INVALID_ARGUMENT);
  AdiffRect low_input = { need.x, need.y, need.width, need.height - 1 };
  expect_region_error (&p, w, h, region, low_input, ADIFF_ERROR_INVALID_ARGUMENT);
  AdiffRect outside = { 0, 0, w + 1, h };
  expect_region_error (&p, w, h, region, outside, ADIFF_ERROR_INVALID_ARGUMENT);
  /* the checks of the whole-image call */
  p.sigma = NAN;
  expect_region_error (&p, w, h, region, all, ADIFF_ERROR_INVALID_ARGUMENT);
  adiff_photo_params_init (&p, ADIFF_PHOTO_QUALITY_DEFAULT, 0.1);
  expect_region_error (&p, 7, 30, (AdiffRect) { 0, 0, 1, 1 }, (AdiffRect) { 0, 0, 7, 30 },
                       ADIFF_ERROR_MISMATCH);
  /* a region outside the image reads nothing */
  AdiffRect none;
  adiff_photo_region_input (&p, w, h, &(AdiffRect) { w, 0, 4, 4 }, &none);
  g_assert_cmpuint (none.width, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (region_cases); i++)
    {
      char *path = g_strdup_printf ("/photo-region/region/%s", region_cases[i].name);
      g_test_add_data_func (path, &region_cases[i], test_region);
      g_free (path);
    }
  g_test_add_func ("/photo-region/ensemble", test_region_ensemble);
  g_test_add_func ("/photo-region/margin", test_margin);
  g_test_add_func ("/photo-region/channels-geometry", test_channels_geometry);
  g_test_add_func ("/photo-region/bands", test_bands);
  g_test_add_func ("/photo-region/memory", test_memory);
  g_test_add_func ("/photo-region/bad-input", test_bad_region);
  return g_test_run ();
}
