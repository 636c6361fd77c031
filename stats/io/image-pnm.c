/* image-pnm.c — PGM/PPM (P2, P3, P5, P6) read and written here rather than
 * through gdk-pixbuf so that 16-bit files (maxval > 255) keep their
 * precision.  Layout: magic, width, height, maxval as ASCII decimals
 * separated by whitespace or '#' comments, one whitespace byte, then the
 * samples (binary: 1 byte, or 2 bytes big-endian when maxval > 255). */
#include <string.h>
#include "pnm-private.h"

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

gboolean
adiff_pnm_fail (const char *path, const char *why, GError **error)
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
        return adiff_pnm_fail (path, _("the file is truncated"), error);
      adiff_pnm_decode (s->p, n, maxval, out);
      return TRUE;
    }
  for (gsize i = 0; i < n; i++)
    {
      guint v;
      if (!scan_uint (s, maxval, &v))
        return adiff_pnm_fail (path, _("a sample is missing or out of range"), error);
      out[i] = v / max;
    }
  return TRUE;
}

void
adiff_pnm_decode (const guint8 *p, gsize n, guint maxval, float *out)
{
  float max = (float) maxval;
  if (maxval > 255)
    for (gsize i = 0; i < n; i++)
      out[i] = MIN (((guint) p[2 * i] << 8) | p[2 * i + 1], maxval) / max;
  else
    for (gsize i = 0; i < n; i++)
      out[i] = MIN ((guint) p[i], maxval) / max;
}

gboolean
adiff_pnm_parse_header (const guint8 *buf, gsize length, const char *path,
                        AdiffPnmHeader *h, GError **error)
{
  Scan s = { buf, buf + length };
  if (length < 2 || buf[0] != 'P' || !strchr ("2356", buf[1]))
    return adiff_pnm_fail (path, _("not a PGM or PPM file"), error);
  h->ascii = buf[1] == '2' || buf[1] == '3';
  h->channels = (buf[1] == '3' || buf[1] == '6') ? 3 : 1;
  s.p += 2;
  if (!scan_uint (&s, PNM_MAX_SIDE, &h->width) || !scan_uint (&s, PNM_MAX_SIDE, &h->height) ||
      !scan_uint (&s, 65535, &h->maxval) || h->width == 0 || h->height == 0 || h->maxval == 0)
    return adiff_pnm_fail (path, _("bad header (width, height or maxval)"), error);
  if (s.p >= s.end || !g_ascii_isspace (*s.p))
    return adiff_pnm_fail (path, _("bad header"), error);
  h->data_offset = (gsize) (s.p + 1 - buf);
  return TRUE;
}

gboolean
adiff_io_pnm_load (const char *path, AdiffIoImage *image, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr (GError) local = NULL;
  AdiffPnmHeader h;

  if (!g_file_get_contents (path, &contents, &length, &local))
    {
      g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_IO,
                   _("Cannot read “%s”: %s"), path, local->message);
      return FALSE;
    }
  if (!adiff_pnm_parse_header ((const guint8 *) contents, length, path, &h, error))
    return FALSE;
  Scan s = { (const guint8 *) contents + h.data_offset, (const guint8 *) contents + length };
  gsize n;
  if (!g_size_checked_mul (&n, (gsize) h.width * h.height, h.channels) ||
      (!h.ascii && n > length))  /* cheap bound before allocating */
    return adiff_pnm_fail (path, _("the file is truncated"), error);
  if (h.ascii && n > length / 2 + 1)
    return adiff_pnm_fail (path, _("the file is truncated"), error);

  float *data = g_new (float, n);
  if (!read_samples (&s, h.ascii, h.maxval, n, data, path, error))
    {
      g_free (data);
      return FALSE;
    }
  image->width = h.width;
  image->height = h.height;
  image->channels = h.channels;
  image->bit_depth = h.maxval > 255 ? 16 : 8;
  image->data = data;
  image->alpha = NULL;
  return TRUE;
}

char *
adiff_pnm_header_text (guint channels, guint width, guint height, guint max)
{
  return g_strdup_printf ("P%c\n%u %u\n%u\n", channels == 3 ? '6' : '5', width, height, max);
}

void
adiff_pnm_encode (const float *v, gsize n, guint max, guint8 *p)
{
  for (gsize i = 0; i < n; i++)
    {
      guint q = adiff_io_quantize (v[i], max);
      if (max > 255)
        {
          p[2 * i] = (guint8) (q >> 8);
          p[2 * i + 1] = (guint8) (q & 0xff);
        }
      else
        p[i] = (guint8) q;
    }
}

gboolean
adiff_io_pnm_save (const char *path, const AdiffIoImage *image, guint bit_depth,
                   GError **error)
{
  guint max = bit_depth == 16 ? 65535 : 255;
  guint bytes = bit_depth == 16 ? 2 : 1;
  gsize n = (gsize) image->width * image->height * image->channels;
  g_autofree char *header = adiff_pnm_header_text (image->channels, image->width,
                                                   image->height, max);
  gsize header_len = strlen (header);
  g_autofree guint8 *out = g_malloc (header_len + n * bytes);

  memcpy (out, header, header_len);
  adiff_pnm_encode (image->data, n, max, out + header_len);
  return adiff_io_atomic_save (path, out, header_len + n * bytes, error);
}
