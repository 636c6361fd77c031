"""demo.py — the README's main job, run inside gimp-console-3
(python-fu-eval) by tests/gimp/demo: load a photo, optionally add seeded
Gaussian noise, apply one of our procedures through the PDB exactly as a
script would, and export PNGs.

Then the sensitivity overlay example: the Wiener sensitivity fields of the
photo's centre pixel at σ = 10, 25, 50 (Sensitivity Field Overlay…, a layer
group), exported as a strip — the photo's window, then one field per σ —
enlarged so the window's pixels are visible.

With Analytical Diffusion Denoise (the default procedure) the layer is
denoised with the procedure's defaults, the photo model, and then a copy of
the same noisy input with the paper's analytic model (eq. 8) and the
bundle: PSNR and time of both are printed.

Last, the same denoising as a non-destructive layer effect (the GEGL
operation of plug-in/gegl, GIMP's own filter machinery): appended to the
noisy photo's layer, kept in an .xcf, merged and exported, with its PSNR
(effect_demo; needs the GEGL module, which tests/gimp/demo installs).

Environment: ADIFF_DEMO_INPUT, ADIFF_DEMO_BUNDLE, ADIFF_DEMO_SIGMA (0–255),
ADIFF_DEMO_OUTPUT (denoised PNG), ADIFF_DEMO_PAPER_OUTPUT (the paper model's
PNG, optional), ADIFF_DEMO_NOISY (PNG of the noisy input, optional), ADIFF_DEMO_ADD_NOISE (σ of noise to add first, 0 = none),
ADIFF_DEMO_PROCEDURE (default plug-in-adiff-wiener), ADIFF_DEMO_SEED,
ADIFF_DEMO_SENSITIVITY (PNG of the overlay example, optional);
for the layer effect ADIFF_DEMO_EFFECT_OP (default adiff:analytic-denoise),
ADIFF_DEMO_EFFECT_XCF (the noisy photo with the effect on its layer) and
ADIFF_DEMO_EFFECT_OUTPUT (the effect merged, PNG), both needed.
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
ANALYTIC = 'plug-in-adiff-analytic'


def pixels(layer, fmt, rect=None):
    """Float pixels; 8-bit layers are read as u8 and scaled (babl plans
    some u8 -> float conversions for seconds in every new process)."""
    buf = layer.get_buffer()
    rect = Gegl.Rectangle.new(*(rect or (0, 0, layer.get_width(), layer.get_height())))
    if layer.get_image().get_precision() == Gimp.Precision.U8_NON_LINEAR:
        u8 = fmt.replace('float', 'u8')
        return array.array('f', [b / 255.0 for b in bytes(buf.get(rect, 1.0, u8, Gegl.AbyssPolicy.CLAMP))])
    return array.array('f', bytes(buf.get(rect, 1.0, fmt, Gegl.AbyssPolicy.CLAMP)))


def set_pixels(layer, fmt, values):
    buf = layer.get_buffer()
    buf.set(Gegl.Rectangle.new(0, 0, layer.get_width(), layer.get_height()), fmt,
            values.tobytes())
    buf.flush()
    layer.update(0, 0, layer.get_width(), layer.get_height())


def run(name, image, layer, **args):
    proc = Gimp.get_pdb().lookup_procedure(name)
    config = proc.create_config()
    config.set_property('run-mode', Gimp.RunMode.NONINTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', [layer])
    for key, value in args.items():
        config.set_property(key, value)
    result = proc.run(config)
    if result.index(0) != Gimp.PDBStatusType.SUCCESS:
        message = result.index(1) if result.length() > 1 else ''
        print('demo: %s failed: %s' % (name, message), flush=True)
        sys.exit(1)
    return [result.index(i) for i in range(1, result.length())]


def sensitivity_strip(path, bundle, out, scale=16, gap=4):
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(path))
    if image.get_base_type() == Gimp.ImageBaseType.INDEXED:
        image.convert_rgb()
    layer = image.flatten()
    x, y = layer.get_width() // 2, layer.get_height() // 2
    group = run('plug-in-adiff-sensitivity', image, layer, bundle=Gio.File.new_for_path(bundle),
                x=x, y=y, sigmas='10, 25, 50', model='wiener', opacity=100.0,
                scale='linear', legend=False)[0]
    fields = group.get_children()
    ok, lx, ly = fields[0].get_offsets()
    w, h = fields[0].get_width(), fields[0].get_height()
    fmt = "Y' float" if layer.is_gray() else "R'G'B' float"
    n = 1 if layer.is_gray() else 3
    tiles = [pixels(layer, fmt, (lx, ly, w, h))] + [pixels(f, fmt) for f in fields]
    tw, th = w * scale, h * scale
    width = len(tiles) * tw + (len(tiles) - 1) * gap
    strip = array.array('f', [1.0] * (width * th * n))
    for t, tile in enumerate(tiles):
        x0 = t * (tw + gap)
        for yy in range(th):
            for xx in range(tw):
                src = ((yy // scale) * w + xx // scale) * n
                dst = (yy * width + x0 + xx) * n
                strip[dst:dst + n] = tile[src:src + n]
    base = Gimp.ImageBaseType.GRAY if n == 1 else Gimp.ImageBaseType.RGB
    kind = Gimp.ImageType.GRAY_IMAGE if n == 1 else Gimp.ImageType.RGB_IMAGE
    result = Gimp.Image.new(width, th, base)
    out_layer = Gimp.Layer.new(result, 'strip', width, th, kind, 100.0, Gimp.LayerMode.NORMAL)
    result.insert_layer(out_layer, None, 0)
    set_pixels(out_layer, fmt, strip)
    export(result, out)
    print('demo: sensitivity of pixel (%d,%d) at σ = 10, 25, 50 (window at %d,%d): %s'
          % (x, y, lx, ly, out), flush=True)


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
    sigma = float(env.get('ADIFF_DEMO_SIGMA', '25'))
    bundle = Gio.File.new_for_path(env['ADIFF_DEMO_BUNDLE'])
    # The paper's model on the same noisy input, for comparison (on a copy,
    # before the default model changes the layer).
    paper = image.duplicate() if name == ANALYTIC else None
    start = time.time()
    # Analytical Diffusion Denoise with its defaults: the photo model, which
    # uses no bundle.
    args = {'sigma': sigma} if name == ANALYTIC else {'bundle': bundle, 'sigma': sigma}
    values = run(name, image, layer, **args)
    seconds = time.time() - start
    export(image, env['ADIFF_DEMO_OUTPUT'])
    out = pixels(layer, fmt)
    what = 'photo model' if name == ANALYTIC else name
    if add > 0:
        print('demo: PSNR noisy %.2f dB -> denoised %.2f dB (%s, σ = %.1f, %.1f s in GIMP)'
              % (psnr(noisy, clean), psnr(out, clean), what, values[0], seconds), flush=True)
    print('demo: wrote %s' % env['ADIFF_DEMO_OUTPUT'], flush=True)
    if paper is not None:
        paper_layer = paper.get_layers()[0]
        start = time.time()
        run(name, paper, paper_layer, model='analytic', bundle=bundle, sigma=sigma)
        paper_seconds = time.time() - start
        if add > 0:
            print('demo: PSNR noisy %.2f dB -> denoised %.2f dB (the paper\'s analytic model, '
                  'eq. 8, %s, %.1f s in GIMP)'
                  % (psnr(noisy, clean), psnr(pixels(paper_layer, fmt), clean),
                     os.path.basename(env['ADIFF_DEMO_BUNDLE']), paper_seconds), flush=True)
        if env.get('ADIFF_DEMO_PAPER_OUTPUT'):
            export(paper, env['ADIFF_DEMO_PAPER_OUTPUT'])
            print('demo: wrote %s' % env['ADIFF_DEMO_PAPER_OUTPUT'], flush=True)
        paper.delete()
    if env.get('ADIFF_DEMO_SENSITIVITY'):
        sensitivity_strip(env['ADIFF_DEMO_INPUT'], env['ADIFF_DEMO_BUNDLE'],
                          env['ADIFF_DEMO_SENSITIVITY'])


def effect_demo():
    """The noisy photo with the denoiser as a layer effect: kept on the
    layer in an .xcf (editable later), then merged and exported."""
    if not (env.get('ADIFF_DEMO_NOISY') and env.get('ADIFF_DEMO_EFFECT_XCF') and
            env.get('ADIFF_DEMO_EFFECT_OUTPUT')):
        return
    op = env.get('ADIFF_DEMO_EFFECT_OP', 'adiff:analytic-denoise')
    clean_image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE,
                                 Gio.File.new_for_path(env['ADIFF_DEMO_INPUT']))
    if clean_image.get_base_type() == Gimp.ImageBaseType.INDEXED:
        clean_image.convert_rgb()
    clean_layer = clean_image.flatten()
    fmt = "Y' float" if clean_layer.is_gray() else "R'G'B' float"
    clean = pixels(clean_layer, fmt)
    clean_image.delete()
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(env['ADIFF_DEMO_NOISY']))
    layer = image.flatten()
    noisy = pixels(layer, fmt)
    try:
        effect = Gimp.DrawableFilter.new(layer, op, 'demo')
    except Exception as e:      # GIMP knows no such operation
        effect, why = None, e
    if effect is None or effect.get_operation_name() != op:
        print('demo: no layer effect: GIMP has no GEGL operation %s (is the module '
              'adiff-denoise.so installed?)%s' % (op, '' if effect else ': %s' % why), flush=True)
        image.delete()
        return
    config = effect.get_config()
    config.set_property('bundle', env['ADIFF_DEMO_BUNDLE'])
    config.set_property('sigma', float(env.get('ADIFF_DEMO_SIGMA', '25')))
    effect.update()
    layer.append_filter(effect)
    Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image,
                   Gio.File.new_for_path(env['ADIFF_DEMO_EFFECT_XCF']), None)
    print('demo: layer effect %s on the noisy photo\'s layer, kept (editable) in %s: '
          'the layer\'s effects are %s' % (op, env['ADIFF_DEMO_EFFECT_XCF'],
                                            [f.get_operation_name() for f in layer.get_filters()]),
          flush=True)
    start = time.time()
    layer.merge_filters()
    seconds = time.time() - start
    export(image, env['ADIFF_DEMO_EFFECT_OUTPUT'])
    print('demo: PSNR noisy %.2f dB -> layer effect %.2f dB (%s, merged in %.1f s): %s'
          % (psnr(noisy, clean), psnr(pixels(layer, fmt), clean), op, seconds,
             env['ADIFF_DEMO_EFFECT_OUTPUT']), flush=True)
    image.delete()


main()
effect_demo()
