/* half.h — IEEE 754 binary16 ("half", float16) conversion, private to libadiff.
 * Used for compact eigenvector and exemplar storage in bundle files. */
#pragma once

#include <glib.h>

/* Round to nearest, ties to even; overflow gives ±inf, NaN stays NaN. */
guint16 adiff__half_from_float (float value);
float   adiff__half_to_float   (guint16 half);
