/* pending.c — entry points not implemented yet.  Each helper removes its
 * functions from here as it lands the real implementation. */
#include "adiff-private.h"

static gboolean
not_yet (GError **error, const char *what)
{
  g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_INVALID_ARGUMENT,
               "%s is not implemented yet", what);
  return FALSE;
}

static gpointer pending_prepare (AdiffDenoiser *d, GError **e) { not_yet (e, "this method"); return NULL; }
static gboolean pending_apply (AdiffDenoiser *d, const float *i, gsize n, float *o, GError **e) { return not_yet (e, "this method"); }
static void pending_finalize (gpointer s) {}

const AdiffDenoiserClass adiff_patch_class = { pending_prepare, pending_apply, pending_finalize };

/* Sensitivity fields (helper `models`: sensitivity.c). */
ADIFF_EXPORT gboolean
adiff_sensitivity (AdiffDenoiser *denoiser, const float *z, gsize q, double *field,
                   GError **error)
{
  return not_yet (error, "the sensitivity field of this model");
}
