/* colour.c — the orthonormal opponent transform of the photo model's colour
 * path: Y = (R+G+B)/√3, U = (R−B)/√2, V = (R−2G+B)/√6.  Orthonormal, so
 * white noise of σ in RGB stays white with the same σ in each of Y, U, V;
 * groups are matched on Y and filter all three (CBM3D). */
#include "photo/photo-private.h"

void
adiff__photo_rgb_to_opp (const float rgb[3], float opp[3])
{
  const float a = 0.57735026919f, b = 0.70710678119f, c = 0.40824829046f;
  opp[0] = a * (rgb[0] + rgb[1] + rgb[2]);
  opp[1] = b * (rgb[0] - rgb[2]);
  opp[2] = c * (rgb[0] - 2.0f * rgb[1] + rgb[2]);
}

void
adiff__photo_opp_to_rgb (const float opp[3], float rgb[3])
{
  const float a = 0.57735026919f, b = 0.70710678119f, c = 0.40824829046f;
  rgb[0] = a * opp[0] + b * opp[1] + c * opp[2];
  rgb[1] = a * opp[0] - 2.0f * c * opp[2];
  rgb[2] = a * opp[0] - b * opp[1] + c * opp[2];
}
