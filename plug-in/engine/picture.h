/* picture.h — a Sample as a picture of a chosen size. */
#pragma once

#include "plugin.h"

typedef enum
{
  PLUGIN_LAYOUT_AUTO,    /* tiled for local bundles and the patch model, else a grid */
  PLUGIN_LAYOUT_GRID,    /* one sample per window, in a grid scaled to the size */
  PLUGIN_LAYOUT_TILED,   /* one sample of the whole size through the tiler */
} PluginLayout;

/* Windows at most this size (both sides) are local: photo windows. */
#define PLUGIN_LOCAL_WINDOW 16

/* The layout AUTO stands for with this bundle and model. */
PluginLayout plugin_picture_layout    (AdiffBundle *bundle,
                                       AdiffMethod  method,
                                       PluginLayout layout);
/* Columns and rows of a grid of windows that fills width×height, each
 * window shown about a third of the shorter side large (at least 1×). */
void         plugin_picture_grid      (guint        window_width,
                                       guint        window_height,
                                       guint        width,
                                       guint        height,
                                       guint       *columns,
                                       guint       *rows);
/* A new image of width×height made by sampling (progress may be NULL). */
GimpImage   *plugin_picture_sample    (AdiffBundle             *bundle,
                                       const AdiffParams       *model,
                                       const AdiffSampleParams *params,
                                       guint                    width,
                                       guint                    height,
                                       PluginLayout             layout,
                                       AdiffProgressFunc        progress,
                                       GError                 **error);
