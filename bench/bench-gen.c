/* bench-gen.c — large synthetic inputs for the memory benchmarks, written
 * as a stream (the generator itself stays small).
 *
 *   bench-gen pgm W H PATH        8-bit gray PGM: smooth pattern + noise
 *   bench-gen png W H PATH        8-bit gray PNG of the same pattern (row by row)
 *   bench-gen npy N H W PATH      uint8 .npy (N,H,W) of noisy smooth patches
 */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

static guint8
pixel (guint64 x, guint64 y, guint64 seed)
{
  guint32 h = (guint32) (x * 2654435761u) ^ (guint32) (y * 40503u) ^ (guint32) seed;
  h ^= h >> 15; h *= 2246822519u; h ^= h >> 13;
  double v = 0.5 + 0.3 * sin (x * 0.01 + seed) * cos (y * 0.013) + ((h & 0xff) / 255.0 - 0.5) * 0.2;
  return (guint8) CLAMP (v * 255 + 0.5, 0, 255);
}

static int
write_pgm (guint w, guint h, const char *path)
{
  FILE *f = fopen (path, "wb");
  if (!f)
    return 1;
  fprintf (f, "P5\n%u %u\n255\n", w, h);
  guint8 *row = g_new (guint8, w);
  for (guint y = 0; y < h; y++)
    {
      for (guint x = 0; x < w; x++)
        row[x] = pixel (x, y, 0);
      fwrite (row, 1, w, f);
    }
  g_free (row);
  return fclose (f) != 0;
}

static int
write_png (guint w, guint h, const char *path)
{
  FILE *f = fopen (path, "wb");
  if (!f)
    return 1;
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct (png) : NULL;
  guint8 *row = g_new (guint8, w);
  if (!info || setjmp (png_jmpbuf (png)))
    {
      fclose (f);
      return 1;
    }
  png_init_io (png, f);
  png_set_IHDR (png, info, w, h, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (guint y = 0; y < h; y++)
    {
      for (guint x = 0; x < w; x++)
        row[x] = pixel (x, y, 0);
      png_write_row (png, row);
    }
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  g_free (row);
  return fclose (f) != 0;
}

static int
write_npy (guint64 n, guint h, guint w, const char *path)
{
  FILE *f = fopen (path, "wb");
  if (!f)
    return 1;
  char *dict = g_strdup_printf ("{'descr': '|u1', 'fortran_order': False, "
                                "'shape': (%" G_GUINT64_FORMAT ", %u, %u), }", n, h, w);
  gsize len = strlen (dict) + 1, pad = (64 - (10 + len) % 64) % 64;
  guint8 pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (len + pad) & 0xff, (len + pad) >> 8 };
  fwrite (pre, 1, 10, f);
  fputs (dict, f);
  for (gsize i = 0; i < pad; i++)
    fputc (' ', f);
  fputc ('\n', f);
  guint8 *item = g_new (guint8, (gsize) h * w);
  for (guint64 i = 0; i < n; i++)
    {
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          item[y * w + x] = pixel (x + (i % 97) * 13, y + (i / 97) % 89, i);
      fwrite (item, 1, (gsize) h * w, f);
    }
  g_free (item);
  g_free (dict);
  return fclose (f) != 0;
}

int
main (int argc, char **argv)
{
  if (argc == 5 && strcmp (argv[1], "pgm") == 0)
    return write_pgm (atoi (argv[2]), atoi (argv[3]), argv[4]);
  if (argc == 5 && strcmp (argv[1], "png") == 0)
    return write_png (atoi (argv[2]), atoi (argv[3]), argv[4]);
  if (argc == 6 && strcmp (argv[1], "npy") == 0)
    return write_npy (g_ascii_strtoull (argv[2], NULL, 10), atoi (argv[3]), atoi (argv[4]),
                      argv[5]);
  fprintf (stderr, "usage: bench-gen pgm|png W H PATH | bench-gen npy N H W PATH\n");
  return 2;
}
