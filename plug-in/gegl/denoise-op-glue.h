/* denoise-op-glue.h — the GEGL class functions both denoise operations
 * share, included by each operation's file after gegl-op.h and after its
 * own `settings (GeglOperation *)`, which maps its GeglProperties (a type
 * of its own file) to DenoiseSettings. */
#pragma once

#include "gegl/denoise-op.h"

static void
prepare (GeglOperation *operation)
{
  DenoiseSettings s = settings (operation);
  denoise_op_prepare (operation, &GEGL_PROPERTIES (operation)->user_data, &s);
}

static GeglRectangle
get_required_for_output (GeglOperation *operation, const gchar *input_pad,
                         const GeglRectangle *roi)
{
  DenoiseSettings s = settings (operation);
  return denoise_op_required (operation, &s, roi);
}

static gboolean
process (GeglOperation *operation, GeglBuffer *input, GeglBuffer *output,
         const GeglRectangle *roi, gint level)
{
  DenoiseSettings s = settings (operation);
  return denoise_op_process (operation, &GEGL_PROPERTIES (operation)->user_data, &s,
                             input, output, roi);
}

static void
finalize (GObject *object)
{
  GeglProperties *o = GEGL_PROPERTIES (object);
  g_clear_pointer (&o->user_data, denoise_op_cache_free);
  G_OBJECT_CLASS (gegl_op_parent_class)->finalize (object);
}

/* The class functions; the caller adds its keys. */
static void
denoise_op_install (GeglOpClass *klass)
{
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);
  GeglOperationFilterClass *filter_class = GEGL_OPERATION_FILTER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = finalize;
  operation_class->prepare = prepare;
  operation_class->get_bounding_box = denoise_op_bounding_box;
  operation_class->get_required_for_output = get_required_for_output;
  filter_class->process = process;
}
