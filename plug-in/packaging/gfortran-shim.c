/* gfortran-shim.c — the one routine of the GNU Fortran run-time that
 * OpenBLAS's LAPACK calls on our paths, for the static link of the
 * binaries GIMP loads (plug-in/packaging/meson.build).
 *
 * Debian's OpenBLAS compiles LAPACK with gfortran; routines such as
 * dormtr (called by LAPACKE_dsyevr) build option strings with Fortran's
 * `//`, which gfortran turns into _gfortran_concat_string.  libgfortran.a
 * is not position-independent (its thread-local variables use the
 * local-exec model), so it cannot go into the GEGL module, and
 * libgfortran.so is not something GIMP loads.  A symbol of the archive
 * that this file does not provide (the timers behind LAPACK's SECOND and
 * DSECND, which nothing of ours calls) fails the link instead of binding
 * to another library at run time. */
#include <stddef.h>
#include <string.h>

void _gfortran_concat_string (size_t destlen, char *dest,
                              size_t len1, const char *s1,
                              size_t len2, const char *s2);

/* dest = s1 // s2, cut or padded with blanks to destlen (Fortran
 * character assignment); lengths are size_t since GCC 8. */
void
_gfortran_concat_string (size_t destlen, char *dest,
                         size_t len1, const char *s1,
                         size_t len2, const char *s2)
{
  if (len1 >= destlen)
    {
      memcpy (dest, s1, destlen);
      return;
    }
  memcpy (dest, s1, len1);
  dest += len1;
  destlen -= len1;
  if (len2 >= destlen)
    {
      memcpy (dest, s2, destlen);
      return;
    }
  memcpy (dest, s2, len2);
  memset (dest + len2, ' ', destlen - len2);
}
