/* canvas.c — a small RGB float canvas for the figures of `adiff`
 * (sensitivity montages, sample grids): nearest-neighbour blits, outlines
 * and labels in a built-in 5×7 pixel font, so no font library is needed. */
#include <string.h>
#include "canvas.h"

void
cli_canvas_init (CliCanvas *c, guint width, guint height, const float bg[3])
{
  c->width = width;
  c->height = height;
  c->rgb = g_new (float, (gsize) width * height * 3);
  for (gsize i = 0; i < (gsize) width * height; i++)
    memcpy (c->rgb + 3 * i, bg, 3 * sizeof (float));
}

void
cli_canvas_clear (CliCanvas *c)
{
  g_clear_pointer (&c->rgb, g_free);
}

static void
put (CliCanvas *c, gint64 x, gint64 y, const float rgb[3])
{
  if (x < 0 || y < 0 || x >= c->width || y >= c->height)
    return;
  memcpy (c->rgb + ((gsize) y * c->width + x) * 3, rgb, 3 * sizeof (float));
}

void
cli_canvas_blit (CliCanvas *c, gint x, gint y, const float *src, guint sw, guint sh,
                 guint channels, guint scale)
{
  for (guint sy = 0; sy < sh; sy++)
    for (guint sx = 0; sx < sw; sx++)
      {
        const float *p = src + ((gsize) sy * sw + sx) * channels;
        float rgb[3] = { p[0], p[channels == 3 ? 1 : 0], p[channels == 3 ? 2 : 0] };
        for (guint k = 0; k < 3; k++)
          rgb[k] = CLAMP (rgb[k], 0.0f, 1.0f);
        for (guint dy = 0; dy < scale; dy++)
          for (guint dx = 0; dx < scale; dx++)
            put (c, x + (gint64) sx * scale + dx, y + (gint64) sy * scale + dy, rgb);
      }
}

void
cli_canvas_rect (CliCanvas *c, gint x, gint y, guint w, guint h, guint thickness,
                 const float rgb[3])
{
  for (guint t = 0; t < thickness; t++)
    for (guint i = 0; i < w + 2 * t; i++)
      {
        put (c, x - (gint) t + i, y - (gint) t, rgb);
        put (c, x - (gint) t + i, y + (gint) h - 1 + t, rgb);
      }
  for (guint t = 0; t < thickness; t++)
    for (guint i = 0; i < h + 2 * t; i++)
      {
        put (c, x - (gint) t, y - (gint) t + i, rgb);
        put (c, x + (gint) w - 1 + t, y - (gint) t + i, rgb);
      }
}

/* 5×7 glyphs: seven rows, bit 4 = leftmost column. */
typedef struct { gunichar ch; guint8 rows[7]; } Glyph;

static const Glyph font[] = {
  { '0', { 0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E } },
  { '1', { 0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E } },
  { '2', { 0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F } },
  { '3', { 0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E } },
  { '4', { 0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02 } },
  { '5', { 0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E } },
  { '6', { 0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E } },
  { '7', { 0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 } },
  { '8', { 0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E } },
  { '9', { 0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C } },
  { '.', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C } },
  { ',', { 0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08 } },
  { '-', { 0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00 } },
  { 0x2212, { 0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00 } },   /* minus sign */
  { '+', { 0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00 } },
  { '=', { 0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00 } },
  { '|', { 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 } },
  { 0x03C3, { 0x00, 0x00, 0x0F, 0x12, 0x11, 0x11, 0x0E } },  /* σ */
  { 'a', { 0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F } },
  { 'e', { 0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E } },
  { 'i', { 0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E } },
  { 'm', { 0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11 } },
  { 'n', { 0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11 } },
  { 'p', { 0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10 } },
  { 't', { 0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06 } },
  { 'u', { 0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D } },
  { 'x', { 0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11 } },
};

static const Glyph *
glyph (gunichar ch)
{
  for (guint i = 0; i < G_N_ELEMENTS (font); i++)
    if (font[i].ch == ch)
      return &font[i];
  return NULL;   /* drawn as a blank */
}

guint
cli_canvas_text_width (const char *text, guint scale)
{
  return (guint) g_utf8_strlen (text, -1) * 6 * scale;
}

void
cli_canvas_text (CliCanvas *c, gint x, gint y, const char *text, guint scale,
                 const float rgb[3])
{
  for (const char *p = text; *p; p = g_utf8_next_char (p), x += 6 * scale)
    {
      const Glyph *g = glyph (g_utf8_get_char (p));
      if (!g)
        continue;
      for (guint row = 0; row < 7; row++)
        for (guint col = 0; col < 5; col++)
          if (g->rows[row] & (0x10 >> col))
            for (guint dy = 0; dy < scale; dy++)
              for (guint dx = 0; dx < scale; dx++)
                put (c, x + col * scale + dx, y + row * scale + dy, rgb);
    }
}
