/* error.c — the ADIFF_ERROR domain and the version string. */
#include "adiff-private.h"
#include <glib/gi18n-lib.h>

ADIFF_EXPORT G_DEFINE_QUARK (adiff-error-quark, adiff_error)

ADIFF_EXPORT const char *
adiff_version (void)
{
  return ADIFF_VERSION;
}

gboolean
adiff__check_finite (const float *v, gsize n, const char *what, GError **error)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i]))
      {
        g_set_error (error, ADIFF_ERROR, ADIFF_ERROR_NUMERIC,
                     _("%s contains a non-finite value at index %zu"),
                     what, i);
        return FALSE;
      }
  return TRUE;
}
