/* make-corpus.c — writes the seed corpus of the fuzz targets with the
 * project's own writers (adiff_bundle_write, adiff_io_npy_save,
 * adiff_io_image_save) and, for the formats we only read (IDX, CIFAR),
 * with minimal writers of their published layouts.
 *
 *   make-corpus OUTDIR     writes OUTDIR/<target>/seed-*
 *
 * The committed corpus (tests/fuzz/corpus) was made with it; run it again
 * when a format changes.  Seeds are tiny on purpose: the fuzzer mutates
 * them and small inputs mean more executions per second.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>
#include "adiff/adiff.h"
#include "adiff-io.h"

static void
die (GError *error)
{
  g_printerr ("make-corpus: %s\n", error->message);
  exit (1);
}

static char *
out_path (const char *dir, const char *target, const char *name)
{
  char *folder = g_build_filename (dir, target, NULL);
  g_mkdir_with_parents (folder, 0755);
  char *path = g_build_filename (folder, name, NULL);
  g_free (folder);
  return path;
}

static void
save_raw (const char *path, const void *data, gsize size)
{
  GError *error = NULL;
  if (!g_file_set_contents (path, data, size, &error))
    die (error);
}

/* An orthonormal basis of R^d: the DCT-II rows, eigenvalues 1/(i+1). */
static void
bundle_seed (const char *dir, const char *name, guint w, guint h, guint c, guint k,
             guint n_ex, gboolean labels, gboolean partial, AdiffStorage evec,
             AdiffStorage exem)
{
  gsize d = (gsize) w * h * c;
  double *mean = g_new (double, d), *eval = g_new (double, k ? k : 1);
  double *evec_d = g_new (double, (k ? k : 1) * d), *scatter = NULL;
  float *ex = g_new (float, (n_ex ? n_ex : 1) * d);
  gint32 *lab = g_new (gint32, n_ex ? n_ex : 1);
  for (gsize p = 0; p < d; p++)
    mean[p] = 0.25 + 0.5 * p / d;
  for (guint i = 0; i < k; i++)
    {
      eval[i] = 1.0 / (i + 1);
      for (gsize p = 0; p < d; p++)
        evec_d[i * d + p] = (i == 0 ? sqrt (1.0 / d) : sqrt (2.0 / d)) *
                            cos (M_PI * i * (p + 0.5) / d);
    }
  for (gsize j = 0; j < n_ex * d; j++)
    ex[j] = (float) ((j * 37 % 256) / 255.0);
  for (guint j = 0; j < n_ex; j++)
    lab[j] = j % 10;
  if (partial)
    {
      scatter = g_new0 (double, d * d);
      for (gsize p = 0; p < d; p++)
        scatter[p * d + p] = 1.0 + p;
    }
  AdiffBundleData data = {
    .width = w, .height = h, .channels = c, .n_items = 100,
    .mean = mean, .n_components = k, .eigenvalues = eval, .eigenvectors = evec_d,
    .residual_variance = k < d ? 0.001 : 0.0,
    .n_exemplars = n_ex, .exemplars = n_ex ? ex : NULL, .labels = labels ? lab : NULL,
    .scatter = scatter,
    .metadata = "[bundle]\nsource=make-corpus\nsize=tiny\n",
  };
  AdiffWriteOptions options = { .eigenvectors = evec, .exemplars = exem };
  char *path = out_path (dir, "bundle", name);
  GError *error = NULL;
  if (!adiff_bundle_write (path, &data, &options, &error))
    die (error);
  g_free (path);
  g_free (mean); g_free (eval); g_free (evec_d); g_free (scatter); g_free (ex); g_free (lab);
}

static void
npy_seed (const char *dir, const char *target, const char *name, guint ndim,
          const guint64 *shape)
{
  gsize n = 1;
  for (guint i = 0; i < ndim; i++)
    n *= shape[i];
  float *v = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    v[i] = (float) ((i * 29 % 101) / 100.0);
  char *path = out_path (dir, target, name);
  GError *error = NULL;
  if (!adiff_io_npy_save (path, v, ndim, shape, &error))
    die (error);
  g_free (path);
  g_free (v);
}

/* A .npy (version 1.0) in a dtype or order our writer never produces: the
 * header dict, padded as numpy pads it, then the values' bytes. */
static void
npy_raw_seed (const char *dir, const char *name, const char *descr, gboolean fortran,
              const char *shape, const GString *values)
{
  GString *s = g_string_new ("\x93NUMPY\x01");
  g_string_append_c (s, '\0');
  char *dict = g_strdup_printf ("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                                descr, fortran ? "True" : "False", shape);
  gsize hlen = 10 + strlen (dict) + 1;
  gsize pad = (64 - hlen % 64) % 64;
  guint16 len = strlen (dict) + pad + 1;
  g_string_append_c (s, len & 0xff);
  g_string_append_c (s, len >> 8);
  g_string_append (s, dict);
  for (gsize i = 0; i < pad; i++)
    g_string_append_c (s, ' ');
  g_string_append_c (s, '\n');
  g_string_append_len (s, values->str, (gssize) values->len);
  char *path = out_path (dir, "npy", name);
  save_raw (path, s->str, s->len);
  g_free (path);
  g_free (dict);
  g_string_free (s, TRUE);
}

/* uint8 values i·53. */
static void
npy_u8_seed (const char *dir, const char *name, const char *shape, gsize n)
{
  GString *v = g_string_new (NULL);
  for (gsize i = 0; i < n; i++)
    g_string_append_c (v, (char) (i * 53));
  npy_raw_seed (dir, name, "|u1", FALSE, shape, v);
  g_string_free (v, TRUE);
}

static void
put_bits (GString *s, guint64 bits, guint size, gboolean big)
{
  for (guint i = 0; i < size; i++)
    g_string_append_c (s, (char) (bits >> (8 * (big ? size - 1 - i : i))));
}

/* n values of descr ('<f8', '>f2', '>u2', '<f4', …), all finite. */
static void
npy_dtype_seed (const char *dir, const char *name, const char *descr, gboolean fortran,
                const char *shape, gsize n)
{
  GString *v = g_string_new (NULL);
  gboolean big = descr[0] == '>';
  guint size = (guint) (descr[2] - '0');
  for (gsize i = 0; i < n; i++)
    {
      float f = (float) ((i * 29 % 101) / 100.0);
      double d = f;
      guint32 f_bits;
      guint64 bits;
      memcpy (&f_bits, &f, 4);
      memcpy (&bits, &d, 8);
      if (descr[1] == 'u')
        bits = i * 3000 % 65536;
      else if (size == 2)
        bits = 0x3000 + i * 37;      /* normal halves in [0.125, 1) */
      else if (size == 4)
        bits = f_bits;
      put_bits (v, bits, size, big);
    }
  npy_raw_seed (dir, name, descr, fortran, shape, v);
  g_string_free (v, TRUE);
}

static void
put_be32 (GString *s, guint32 v)
{
  for (int i = 3; i >= 0; i--)
    g_string_append_c (s, (char) (v >> (8 * i)));
}

static void
idx_seed (const char *dir, guint n, guint h, guint w)
{
  GString *s = g_string_new (NULL);
  put_be32 (s, 0x00000803);
  put_be32 (s, n);
  put_be32 (s, h);
  put_be32 (s, w);
  for (gsize i = 0; i < (gsize) n * h * w; i++)
    g_string_append_c (s, (char) (i * 7));
  char *path = out_path (dir, "idx", "seed-plain");
  save_raw (path, s->str, s->len);
  g_free (path);
  /* The same, gzip-compressed, as MNIST is distributed. */
  path = out_path (dir, "idx", "seed-gzip");
  gzFile gz = gzopen (path, "wb9");
  if (!gz || gzwrite (gz, s->str, s->len) != (int) s->len || gzclose (gz) != Z_OK)
    {
      g_printerr ("make-corpus: cannot write %s\n", path);
      exit (1);
    }
  g_free (path);
  g_string_free (s, TRUE);
}

static void
cifar_seed (const char *dir, guint rows)
{
  GString *s = g_string_new (NULL);
  for (guint r = 0; r < rows; r++)
    {
      g_string_append_c (s, (char) (r % 10));
      for (guint i = 0; i < 3072; i++)
        g_string_append_c (s, (char) (i * 3 + r));
    }
  char *path = out_path (dir, "cifar", "seed-2rows");
  save_raw (path, s->str, s->len);
  g_free (path);
  g_string_free (s, TRUE);
}

static void
image_seed (const char *dir, const char *name, guint w, guint h, guint c,
            gboolean alpha, guint depth)
{
  AdiffIoImage im = { .width = w, .height = h, .channels = c, .bit_depth = depth };
  im.data = g_new (float, (gsize) w * h * c);
  for (gsize i = 0; i < (gsize) w * h * c; i++)
    im.data[i] = (float) ((i * 13 % 256) / 255.0);
  if (alpha)
    {
      im.alpha = g_new (float, (gsize) w * h);
      for (gsize i = 0; i < (gsize) w * h; i++)
        im.alpha[i] = (float) (i % 2);
    }
  char *path = out_path (dir, "image", name);
  GError *error = NULL;
  if (!adiff_io_image_save (path, &im, depth == 32 ? 0 : depth, &error))
    die (error);
  g_free (path);
  adiff_io_image_clear (&im);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      g_printerr ("usage: make-corpus OUTDIR\n");
      return 2;
    }
  const char *dir = argv[1];

  bundle_seed (dir, "seed-gray-u8", 2, 2, 1, 2, 3, TRUE, FALSE, ADIFF_STORE_F32, ADIFF_STORE_U8);
  bundle_seed (dir, "seed-rgb-f16", 2, 2, 3, 4, 2, FALSE, FALSE, ADIFF_STORE_F16, ADIFF_STORE_F16);
  bundle_seed (dir, "seed-full-f32", 3, 2, 1, 6, 2, TRUE, FALSE, ADIFF_STORE_F32, ADIFF_STORE_F32);
  bundle_seed (dir, "seed-partial", 2, 2, 1, 4, 0, FALSE, TRUE, ADIFF_STORE_F32, ADIFF_STORE_F32);
  bundle_seed (dir, "seed-no-components", 2, 1, 1, 0, 0, FALSE, FALSE, ADIFF_STORE_F32, ADIFF_STORE_F32);

  npy_seed (dir, "npy", "seed-f32-hw.npy", 2, (guint64[]) { 3, 4 });
  npy_seed (dir, "npy", "seed-f32-hwc.npy", 3, (guint64[]) { 2, 3, 3 });
  npy_seed (dir, "npy", "seed-f32-nhwc.npy", 4, (guint64[]) { 2, 2, 2, 3 });
  npy_u8_seed (dir, "seed-u8-hw.npy", "(4, 5)", 20);
  npy_u8_seed (dir, "seed-u8-nhw.npy", "(2, 3, 3)", 18);
  npy_dtype_seed (dir, "seed-f64-hw.npy", "<f8", FALSE, "(3, 4)", 12);
  npy_dtype_seed (dir, "seed-f16be-nhw.npy", ">f2", FALSE, "(2, 3, 3)", 18);
  npy_dtype_seed (dir, "seed-u16be-hwc.npy", ">u2", FALSE, "(2, 3, 3)", 18);
  npy_dtype_seed (dir, "seed-f32-fortran-nhwc.npy", "<f4", TRUE, "(2, 2, 2, 3)", 24);
  npy_dtype_seed (dir, "seed-f64be-fortran-nhw.npy", ">f8", TRUE, "(2, 3, 3)", 18);

  idx_seed (dir, 3, 4, 5);
  cifar_seed (dir, 2);

  image_seed (dir, "seed-gray8.png", 5, 4, 1, FALSE, 8);
  image_seed (dir, "seed-rgb16.png", 3, 3, 3, FALSE, 16);
  image_seed (dir, "seed-rgba8.png", 4, 2, 3, TRUE, 8);
  image_seed (dir, "seed-gray16a.png", 2, 3, 1, TRUE, 16);
  image_seed (dir, "seed-rgb.ppm", 3, 2, 3, FALSE, 8);
  image_seed (dir, "seed-gray.pgm", 3, 2, 1, FALSE, 8);
  image_seed (dir, "seed-rgb.bmp", 2, 2, 3, FALSE, 8);
  image_seed (dir, "seed-gray.jpg", 8, 8, 1, FALSE, 8);
  image_seed (dir, "seed-rgb.npy", 2, 3, 3, FALSE, 32);
  return 0;
}
