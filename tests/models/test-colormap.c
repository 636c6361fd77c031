/* test-colormap.c — colour maps and field rendering. */
#include "adiff-private.h"

typedef struct { const char *name; double t; float rgb[3]; } Probe;

/* Values of the published tables (matplotlib's CC0 listings for inferno
 * and viridis, Moreland 2009 for coolwarm) at exact knots and between. */
static const Probe probes[] = {
  { "inferno",  0.0,  { 0.001462f, 0.000466f, 0.013866f } },
  { "inferno",  1.0,  { 0.988362f, 0.998364f, 0.644924f } },
  { "viridis",  0.0,  { 0.267004f, 0.004874f, 0.329415f } },
  { "viridis",  1.0,  { 0.993248f, 0.906157f, 0.143936f } },
  { "viridis",  0.5,  { 0.128f,    0.565f,    0.551f    } },
  { "coolwarm", 0.0,  { 0.229806f, 0.298718f, 0.753683f } },
  { "coolwarm", 0.5,  { 0.865395f, 0.865410f, 0.865396f } },
  { "coolwarm", 1.0,  { 0.705673f, 0.015556f, 0.150233f } },
};

static void
test_probe (gconstpointer data)
{
  const Probe *p = data;
  AdiffColormap map;
  g_assert_true (adiff_colormap_from_string (p->name, &map));
  float rgb[3];
  adiff_colormap_lookup (map, p->t, rgb);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat (fabs (rgb[c] - p->rgb[c]), <, 2e-3);
}

/* Perceptual maps: inferno and viridis brighten monotonically. */
static void
test_monotone_luminance (void)
{
  for (AdiffColormap m = ADIFF_COLORMAP_INFERNO; m <= ADIFF_COLORMAP_VIRIDIS; m++)
    {
      double prev = -1;
      for (int i = 0; i <= 200; i++)
        {
          float rgb[3];
          adiff_colormap_lookup (m, i / 200.0, rgb);
          double y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
          g_assert_cmpfloat (y, >, prev);
          prev = y;
        }
    }
  AdiffColormap m;
  g_assert_false (adiff_colormap_from_string ("jet", &m));
  g_assert_false (adiff_colormap_from_string (NULL, &m));
}

static void
test_render (void)
{
  double field[4] = { -2, 0, 1, 2 };
  float rgb[12], ref[3];
  adiff_render_field (field, 2, 2, TRUE, ADIFF_COLORMAP_COOLWARM, rgb);
  adiff_colormap_lookup (ADIFF_COLORMAP_COOLWARM, 0.0, ref);
  g_assert_cmpmem (rgb, sizeof ref, ref, sizeof ref);
  adiff_colormap_lookup (ADIFF_COLORMAP_COOLWARM, 0.5, ref);
  g_assert_cmpmem (rgb + 3, sizeof ref, ref, sizeof ref);
  adiff_colormap_lookup (ADIFF_COLORMAP_COOLWARM, 0.75, ref);
  g_assert_cmpmem (rgb + 6, sizeof ref, ref, sizeof ref);
  adiff_render_field (field, 2, 2, FALSE, ADIFF_COLORMAP_INFERNO, rgb);
  adiff_colormap_lookup (ADIFF_COLORMAP_INFERNO, 1.0, ref);
  g_assert_cmpmem (rgb, sizeof ref, ref, sizeof ref);
  adiff_colormap_lookup (ADIFF_COLORMAP_INFERNO, 0.5, ref);
  g_assert_cmpmem (rgb + 6, sizeof ref, ref, sizeof ref);
  /* All zero: no division by zero, the map's zero colour. */
  double zero[4] = { 0, 0, 0, 0 };
  adiff_render_field (zero, 2, 2, FALSE, ADIFF_COLORMAP_VIRIDIS, rgb);
  adiff_colormap_lookup (ADIFF_COLORMAP_VIRIDIS, 0.0, ref);
  g_assert_cmpmem (rgb + 9, sizeof ref, ref, sizeof ref);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      char *path = g_strdup_printf ("/colormap/%s-%u", probes[i].name, i);
      g_test_add_data_func (path, &probes[i], test_probe);
      g_free (path);
    }
  g_test_add_func ("/colormap/monotone-luminance", test_monotone_luminance);
  g_test_add_func ("/colormap/render", test_render);
  return g_test_run ();
}
