/* canvas.h — a small RGB float canvas for the figures of `adiff`. */
#pragma once

#include <glib.h>

typedef struct
{
  guint  width, height;
  float *rgb;            /* width·height·3, values in [0,1] */
} CliCanvas;

void  cli_canvas_init  (CliCanvas *c, guint width, guint height, const float bg[3]);
void  cli_canvas_clear (CliCanvas *c);
/* Copy sw×sh pixels (1 or 3 channels, clipped to [0,1]) to (x, y), each
 * pixel drawn as a scale×scale square (nearest neighbour). */
void  cli_canvas_blit  (CliCanvas *c, gint x, gint y, const float *src, guint sw,
                        guint sh, guint channels, guint scale);
/* Outline of thickness pixels drawn outside the w×h box at (x, y). */
void  cli_canvas_rect  (CliCanvas *c, gint x, gint y, guint w, guint h,
                        guint thickness, const float rgb[3]);
/* Text in the built-in 5×7 font (digits, σ, a few letters and signs);
 * 7·scale pixels high; unknown characters are blank. */
void  cli_canvas_text  (CliCanvas *c, gint x, gint y, const char *text, guint scale,
                        const float rgb[3]);
guint cli_canvas_text_width (const char *text, guint scale);
