/* schedule.h — the DDPM noise schedule, for the sampler (schedule.c;
 * private). */
#pragma once

#include <glib.h>

/* ᾱ_t of the DDPM schedule. */
double   adiff__ddpm_alpha_bar (guint t);
