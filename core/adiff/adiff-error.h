/* adiff-error.h — the one error domain of libadiff. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ADIFF_ERROR (adiff_error_quark ())

/**
 * AdiffError:
 * Every fallible call of libadiff returns %FALSE or %NULL and fills a
 * GError in the %ADIFF_ERROR domain with one of these codes.  The message
 * always names the file (when there is one) and the problem.
 */
typedef enum
{
  ADIFF_ERROR_IO,               /* a file cannot be opened, read or written */
  ADIFF_ERROR_FORMAT,           /* bad magic, truncated, inconsistent layout */
  ADIFF_ERROR_VERSION,          /* a bundle of a version we do not read */
  ADIFF_ERROR_CHECKSUM,         /* a header or section checksum mismatch */
  ADIFF_ERROR_LIMIT,            /* sizes beyond caller or sanity limits */
  ADIFF_ERROR_INVALID_ARGUMENT, /* sigma <= 0, tau outside (0,1], ... */
  ADIFF_ERROR_MISMATCH,         /* channels or sizes do not fit */
  ADIFF_ERROR_NO_EXEMPLARS,     /* the method needs exemplars the bundle lacks */
  ADIFF_ERROR_NUMERIC,          /* NaN/Inf in data, LAPACK failure */
  ADIFF_ERROR_CANCELLED,        /* the progress callback asked to stop */
} AdiffError;

GQuark adiff_error_quark (void);

G_END_DECLS
