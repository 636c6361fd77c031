/* image-pnm.c — PGM/PPM (P2, P3, P5, P6) read and written here rather than
 * through gdk-pixbuf so that 16-bit files (maxval > 255) keep their
 * precision.  Layout: magic, width, height, maxval as ASCII decimals
 * separated by whitespace or '#' comments, one whitespace byte, then the
 * samples (binary: 1 byte, or 2 bytes big-endian when maxval > 255). */
#include <string.h>
#include "io-private.h"

#define PNM_MAX_SIDE (1u << 24)

typedef struct
{
  const guint8 *p, *end;
} Scan;

static void
skip_space_and_comments (Scan *s)
{
  while (s->p < s->end)
    {
      if (*s->p == '#')
        while (s->p < s->end && *s->p != '\n')
          s->p++;
      else if (g_ascii_isspace (*s->p))
        s->p++;
      else
        break;
    }
}

static gboolean
scan_uint (Scan *s, guint limit, guint *value)
{
  guint64 v = 0;
  const guint8 *start;

  skip_space_and_comments (s);
  start = s->p;
  while (s->p < s->end && g_ascii_isdigit (*s->p) && v <= limit)
    v = v * 10 + (guint) (*s->p++ - '0');
  if (s->p == start || v > limit)
    return FALSE;
  *value = (guint) v;
  return TRUE;
}

static gboolean
pnm_fail (const char *path, const char *why, GError **error)
{
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_FORMAT,
               _("Cannot read the PNM file “%s”: %s"), path, why);
  return FALSE;
}

static gboolean
read_samples (Scan *s, gboolean ascii, guint maxval, gsize n, float *out,
              const char *path, GError **error)
{
  float max = (float) maxval;
  guint bytes = maxval > 255 ? 2 : 1;

  if (!ascii)
    {
      if ((gsize) (s->end - s->p) / bytes < n)
        return pnm_fail (path, _("the file is truncated"), error);
      for (gsize i = 0; i < n; i++)
        {
          guint v = bytes == 2 ? ((guint) s->p[2 * i] << 8) | s->p[2 * i + 1] : s->p[i];
          out[i] = MIN (v, maxval) / max;
        }
      return TRUE;
    }
  for (gsize i = 0; i < n; i++)
    {
      guint v;
      if (!scan_uint (s, maxval, &v))
        return pnm_fail (path, _("a sample is missing or out of range"), error);
      out[i] = v / max;
    }
  return TRUE;
}

gboolean
adiff_io_pnm_load (const char *path, AdiffIoImage *image, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr (GError) local = NULL;

  if (!g_file_get_contents (path, &contents, &length, &local))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("Cannot read “%s”: %s"), path, local->message);
      return FALSE;
    }
  Scan s = { (const guint8 *) contents, (const guint8 *) contents + length };
  if (length < 2 || contents[0] != 'P' || !strchr ("2356", contents[1]))
    return pnm_fail (path, _("not a PGM or PPM file"), error);
  gboolean ascii = contents[1] == '2' || contents[1] == '3';
  guint channels = (contents[1] == '3' || contents[1] == '6') ? 3 : 1;
  guint width, height, maxval;
  s.p += 2;
  if (!scan_uint (&s, PNM_MAX_SIDE, &width) || !scan_uint (&s, PNM_MAX_SIDE, &height) ||
      !scan_uint (&s, 65535, &maxval) || width == 0 || height == 0 || maxval == 0)
    return pnm_fail (path, _("bad header (width, height or maxval)"), error);
  if (s.p >= s.end || !g_ascii_isspace (*s.p))
    return pnm_fail (path, _("bad header"), error);
  s.p++;
  gsize n;
  if (!g_size_checked_mul (&n, (gsize) width * height, channels) ||
      (!ascii && n > length))  /* cheap bound before allocating */
    return pnm_fail (path, _("the file is truncated"), error);
  if (ascii && n > length / 2 + 1)
    return pnm_fail (path, _("the file is truncated"), error);

  float *data = g_new (float, n);
  if (!read_samples (&s, ascii, maxval, n, data, path, error))
    {
      g_free (data);
      return FALSE;
    }
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->bit_depth = maxval > 255 ? 16 : 8;
  image->data = data;
  image->alpha = NULL;
  return TRUE;
}

gboolean
adiff_io_pnm_save (const char *path, const AdiffIoImage *image, guint bit_depth,
                   GError **error)
{
  guint max = bit_depth == 16 ? 65535 : 255;
  guint bytes = bit_depth == 16 ? 2 : 1;
  gsize n = (gsize) image->width * image->height * image->channels;
  g_autoptr (GString) out = g_string_new (NULL);

  g_string_printf (out, "P%c\n%u %u\n%u\n", image->channels == 3 ? '6' : '5',
                   image->width, image->height, max);
  gsize header = out->len;
  g_string_set_size (out, header + n * bytes);
  guint8 *p = (guint8 *) out->str + header;
  for (gsize i = 0; i < n; i++)
    {
      guint q = adiff_io_quantize (image->data[i], max);
      if (bytes == 2)
        {
          p[2 * i] = (guint8) (q >> 8);
          p[2 * i + 1] = (guint8) (q & 0xff);
        }
      else
        p[i] = (guint8) q;
    }
  return adiff_io_atomic_save (path, out->str, out->len, error);
}
