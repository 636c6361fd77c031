"""Wiener Denoise… through the PDB: pixels equal libadiff's, noise goes
down, bad input returns an error and changes nothing."""
import os
import shutil
from gimptest import (Gimp, Tap, TOLERANCE, clean_pixels, noisy, new_image,  # noqa: F401
                      get_pixels, set_pixels, run_procedure, reference_denoise,
                      max_abs_diff, mse, scratch)

PROC = 'plug-in-adiff-wiener'
W, H, SIGMA = 37, 29, 25.0


def noisy_layer(gray, precision='u8', seed=1, w=W, h=H):
    channels = 1 if gray else 3
    clean = clean_pixels(w, h, channels)
    image, layer = new_image(w, h, gray=gray, precision=precision)
    set_pixels(layer, noisy(clean, SIGMA, seed))
    return image, layer, clean, channels


def check_denoise(tap, bundles, gray, precision='u8'):
    kind = '%s %s' % ('gray' if gray else 'RGB', precision)
    image, layer, clean, channels = noisy_layer(gray, precision)
    before = get_pixels(layer)
    bundle = bundles['gray' if gray else 'rgb']
    status, msg = run_procedure(PROC, image, [layer], bundle=bundle, sigma=SIGMA)
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, 'wiener %s runs' % kind, msg):
        return
    after = get_pixels(layer)
    ref = reference_denoise(bundle, SIGMA, W, H, channels, before, method='wiener')
    diff = max_abs_diff(after, ref)
    tap.ok(diff <= TOLERANCE[precision],
           'wiener %s equals libadiff (max diff %.3g <= %.3g)' % (kind, diff, TOLERANCE[precision]))
    m0, m1 = mse(before, clean), mse(after, clean)
    tap.ok(m1 < 0.5 * m0, 'wiener %s halves the MSE to the clean image (%.5f -> %.5f)' % (kind, m0, m1))
    image.delete()


def check_refused(tap, what, gray, expect_in_msg, **args):
    image, layer, clean, channels = noisy_layer(gray)
    before = get_pixels(layer)
    status, msg = run_procedure(PROC, image, [layer], **args)
    tap.ok(status != Gimp.PDBStatusType.SUCCESS, '%s: error status (%s)' % (what, status.value_nick), msg)
    tap.ok(expect_in_msg in msg, '%s: message names %r' % (what, expect_in_msg), msg)
    tap.ok(max_abs_diff(get_pixels(layer), before) == 0.0, '%s: layer unchanged' % what)
    image.delete()


def run(tap, bundles):
    for gray in (True, False):
        check_denoise(tap, bundles, gray)
    missing = scratch('no-such-bundle.adstats')
    check_refused(tap, 'missing bundle', True, 'no-such-bundle.adstats', bundle=missing, sigma=SIGMA)
    corrupt = scratch('corrupt.adstats')
    with open(corrupt, 'wb') as f:
        f.write(b'this is not a bundle' * 10)
    check_refused(tap, 'corrupt bundle', False, 'corrupt.adstats', bundle=corrupt, sigma=SIGMA)
    check_refused(tap, 'sigma 0', False, 'σ', bundle=bundles['rgb'], sigma=0.0)
    check_refused(tap, 'RGB bundle on gray layer', True, 'channels', bundle=bundles['rgb'], sigma=SIGMA)
    check_indexed(tap, bundles)
    check_default_bundle(tap)


def check_default_bundle(tap):
    """No bundle chosen: the shipped photo bundle that suits the layer, the
    colour one on RGB (joint colour statistics), as `adiff denoise` without
    --bundle; for Wiener Denoise… and the paper's models of Analytical
    Diffusion Denoise… (Optimal, on a small layer: every window meets all
    50 000 exemplars).  The
    two are installed ($ADIFF_BUNDLE_DIR) for this check only, so the other
    tests see just the small test bundles."""
    data = os.path.join(os.environ['ADIFF_GIMP_TESTDIR'], '..', '..', 'data')
    names = {True: 'natural-gray-8x8.adstats', False: 'natural-rgb-8x8.adstats'}
    for name in names.values():
        shutil.copy(os.path.join(data, name), scratch(name))
    cases = [('wiener', PROC, {}, 'wiener', W, H),
             ('optimal', 'plug-in-adiff-analytic', {'model': 'optimal'}, 'optimal', 11, 9)]
    try:
        for what, proc, args, method, w, h in cases:
            for gray in (True, False):
                kind = '%s %s' % (what, 'gray' if gray else 'RGB')
                image, layer, clean, channels = noisy_layer(gray, w=w, h=h)
                before = get_pixels(layer)
                status, msg = run_procedure(proc, image, [layer], sigma=SIGMA, **args)
                if tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s, no bundle chosen, runs' % kind,
                          msg):
                    ref = reference_denoise(scratch(names[gray]), SIGMA, w, h, channels, before,
                                            method=method)
                    diff = max_abs_diff(get_pixels(layer), ref)
                    tap.ok(diff <= TOLERANCE['u8'], '%s, no bundle chosen, uses %s (max diff %.3g)'
                           % (kind, names[gray], diff))
                image.delete()
    finally:
        for name in names.values():
            os.remove(scratch(name))


def check_indexed(tap, bundles):
    image, layer, clean, channels = noisy_layer(False)
    image.convert_indexed(Gimp.ConvertDitherType.NONE, Gimp.ConvertPaletteType.GENERATE,
                          16, False, False, '')
    layer = image.get_layers()[0]
    buf = layer.get_buffer()
    from gimptest import Gegl
    rect = Gegl.Rectangle.new(0, 0, W, H)
    before = bytes(buf.get(rect, 1.0, None, Gegl.AbyssPolicy.NONE))
    status, msg = run_procedure(PROC, image, [layer], bundle=bundles['rgb'], sigma=SIGMA)
    tap.ok(status != Gimp.PDBStatusType.SUCCESS and 'ndexed' in msg,
           'indexed image: refused with a message', msg)
    after = bytes(layer.get_buffer().get(rect, 1.0, None, Gegl.AbyssPolicy.NONE))
    tap.ok(before == after, 'indexed image: unchanged')
    image.delete()
