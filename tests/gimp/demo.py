"""demo.py — the README's main job, run inside gimp-console-3.0
(python-fu-eval) by tests/gimp/demo: load a photo, optionally add seeded
Gaussian noise, apply one of our procedures through the PDB exactly as a
script would, and export PNGs.

Environment: ADIFF_DEMO_INPUT, ADIFF_DEMO_BUNDLE, ADIFF_DEMO_SIGMA (0–255),
ADIFF_DEMO_OUTPUT (denoised PNG), ADIFF_DEMO_NOISY (PNG of the noisy input,
optional), ADIFF_DEMO_ADD_NOISE (σ of noise to add first, 0 = none),
ADIFF_DEMO_PROCEDURE (default plug-in-adiff-wiener), ADIFF_DEMO_SEED.
"""
import array
import math
import os
import random
import sys
import time

import gi
gi.require_version('Gimp', '3.0')
gi.require_version('Gegl', '0.4')
from gi.repository import Gimp, Gegl, Gio  # noqa: E402

env = os.environ


def pixels(layer, fmt):
    buf = layer.get_buffer()
    rect = Gegl.Rectangle.new(0, 0, layer.get_width(), layer.get_height())
    return array.array('f', bytes(buf.get(rect, 1.0, fmt, Gegl.AbyssPolicy.NONE)))


def set_pixels(layer, fmt, values):
    buf = layer.get_buffer()
    buf.set(Gegl.Rectangle.new(0, 0, layer.get_width(), layer.get_height()), fmt,
            values.tobytes())
    buf.flush()
    layer.update(0, 0, layer.get_width(), layer.get_height())


def psnr(a, b):
    err = sum((min(max(x, 0.0), 1.0) - min(max(y, 0.0), 1.0)) ** 2
              for x, y in zip(a, b)) / len(a)
    return 10 * math.log10(1.0 / err) if err > 0 else float('inf')


def export(image, path):
    Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image, Gio.File.new_for_path(path), None)


def main():
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(env['ADIFF_DEMO_INPUT']))
    if image.get_base_type() == Gimp.ImageBaseType.INDEXED:
        image.convert_rgb()
    layer = image.flatten()
    fmt = "Y' float" if layer.is_gray() else "R'G'B' float"
    clean = pixels(layer, fmt)

    add = float(env.get('ADIFF_DEMO_ADD_NOISE', '0'))
    if add > 0:
        rng = random.Random(int(env.get('ADIFF_DEMO_SEED', '1')))
        s = add / 255.0
        set_pixels(layer, fmt, array.array('f', [v + rng.gauss(0.0, s) for v in clean]))
    noisy = pixels(layer, fmt)
    if env.get('ADIFF_DEMO_NOISY'):
        export(image, env['ADIFF_DEMO_NOISY'])

    name = env.get('ADIFF_DEMO_PROCEDURE', 'plug-in-adiff-wiener')
    proc = Gimp.get_pdb().lookup_procedure(name)
    config = proc.create_config()
    config.set_property('run-mode', Gimp.RunMode.NONINTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', [layer])
    config.set_property('bundle', Gio.File.new_for_path(env['ADIFF_DEMO_BUNDLE']))
    config.set_property('sigma', float(env.get('ADIFF_DEMO_SIGMA', '25')))
    start = time.time()
    result = proc.run(config)
    seconds = time.time() - start
    if result.index(0) != Gimp.PDBStatusType.SUCCESS:
        message = result.index(1) if result.length() > 1 else ''
        print('demo: %s failed: %s' % (name, message), flush=True)
        sys.exit(1)
    export(image, env['ADIFF_DEMO_OUTPUT'])
    out = pixels(layer, fmt)
    if add > 0:
        print('demo: PSNR noisy %.2f dB -> denoised %.2f dB (%s, %.1f s in GIMP)'
              % (psnr(noisy, clean), psnr(out, clean), name, seconds), flush=True)
    print('demo: wrote %s' % env['ADIFF_DEMO_OUTPUT'], flush=True)


main()
