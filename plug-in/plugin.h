/* plugin.h — what every file of the analytic-diffusion GIMP 3 plug-in
 * shares: the libraries it builds on, its PDB names, menus and credits.
 *
 * The plug-in is layered; each file calls only files of the layers below
 * it (one header per file, so its #includes show what it calls):
 *
 *   main.c               registers the procedures
 *   procedures/          the PDB face: one procedure per file (wiener,
 *                        analytic, sensitivity, sample), the arguments they
 *                        share (args.c) and their shared run() (run.c)
 *   ui/                  dialogs: dialog.c → preview.c, bundle-chooser.c,
 *                        pixel-picker.c
 *   engine/              the work on the image, GUI-free:
 *                        job.c      bundle + σ + model → a denoiser, run
 *                        apply.c    a denoiser over a drawable, in strips
 *                        pixel-io.c a drawable's pixels ↔ floats (bottom)
 *                        overlay.c  sensitivity fields → layers
 *                                   (→ legend.c, sample-point.c)
 *                        picture.c  Sample's picture of a chosen size
 *                        bundles.c  the bundles installed with the plug-in
 *                        timing.c   ADIFF_PLUGIN_TIMING: where time goes
 *
 * Functions, types and macros of the plug-in itself are prefixed plugin_,
 * Plugin and PLUGIN_; adiff_ is libadiff's public API. */
#pragma once

#include <math.h>
#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>
#include <adiff/adiff.h>

#define PLUG_IN_BINARY        "analytic-diffusion"
#define PROC_WIENER           "plug-in-adiff-wiener"
#define PROC_ANALYTIC         "plug-in-adiff-analytic"
#define PROC_SENSITIVITY      "plug-in-adiff-sensitivity"
#define PROC_SAMPLE           "plug-in-adiff-sample"

#define PLUGIN_MENU_ENHANCE   "<Image>/Filters/Enhance"
#define PLUGIN_MENU_FILTERS   "<Image>/Filters"
/* Our submenu of Filters, translated (procedures/args.c). */
#define PLUGIN_SUBMENU        N_("Analytic Diffusion")
#define PLUGIN_MENU_CREATE    "<Image>/File/Create"
/* The help domain: our pages, help/<language>/gimp-help.xml (see main.c). */
#define PLUGIN_HELP_DOMAIN    "org.analytic-diffusion.help"
#define PLUGIN_PAPER_URL      "https://arxiv.org/abs/2509.09672"
#define PLUGIN_PAPER          "Lukoianov, Yuan, Solomon, Sitzmann, \"Locality in Image " \
                              "Diffusion Models Emerges from Data Statistics\" (2025), " \
                              PLUGIN_PAPER_URL
#define PLUGIN_AUTHORS        "analytic-diffusion contributors"
#define PLUGIN_COPYRIGHT      "GPL-3.0-or-later"
#define PLUGIN_DATE           "2026"
