/* adiff.h — libadiff, analytic diffusion denoisers.  Include this. */
#pragma once

#include "adiff-error.h"
#include "adiff-bundle.h"
#include "adiff-bundle-layout.h"
#include "adiff-denoiser.h"
#include "adiff-image.h"
#include "adiff-sensitivity.h"
#include "adiff-colormap.h"
#include "adiff-sample.h"
#include "adiff-photo.h"
#include "adiff-noise.h"
#include "adiff-version.h"
