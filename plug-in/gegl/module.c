/* module.c — the GEGL plug-in module: registers adiff:wiener-denoise and
 * adiff:analytic-denoise.  GEGL loads it from its plug-in folders (e.g.
 * ~/.local/share/gegl-0.4/plug-ins), GIMP lists the operations by their
 * gimp:menu-path keys. */
#include "gegl-module-config.h"
#include <gegl.h>
#include <gegl-plugin.h>

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads (int n);
#endif

void gegl_op_wiener_denoise_register_type   (GTypeModule *module);
void gegl_op_analytic_denoise_register_type (GTypeModule *module);

static const GeglModuleInfo modinfo = {
  GEGL_MODULE_ABI_VERSION
};

G_MODULE_EXPORT const GeglModuleInfo *
gegl_module_query (GTypeModule *module)
{
  return &modinfo;
}

G_MODULE_EXPORT gboolean
gegl_module_register (GTypeModule *module)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  /* GEGL's worker threads are the parallelism inside GIMP; OpenBLAS
   * threads of its own under each of them would oversubscribe the cores. */
  openblas_set_num_threads (1);
#endif
  gegl_op_wiener_denoise_register_type (module);
  gegl_op_analytic_denoise_register_type (module);
  return TRUE;
}
