"""Analytical Diffusion Sample…: a new image equal to what adiff_sample
computes, reproducible by seed; a picture of the size asked for (256×256
by default): a grid of windows scaled up, or one sample of the whole size
through the tiler (adiff_sample_image); bad input creates no image."""
from gimptest import (Gimp, TOLERANCE, get_pixels, run_procedure_values, reference_sample,
                      max_abs_diff, make_bundle, scratch)

PROC = 'plug-in-adiff-sample'


def sample(bundle, **args):
    status, msg, values = run_procedure_values(PROC, None, None, bundle=bundle, **args)
    return status, msg, (values[0] if values else None)


def check_model(tap, bundles, model, kind):
    bundle = bundles[kind]
    args = dict(model=model, steps=5, seed=7, layout='grid', width=8, height=8)
    status, msg, image = sample(bundle, **args)
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS and image is not None,
                  'sample %s %s: runs' % (model, kind), msg):
        return
    layer = image.get_layers()[0]
    tap.ok((image.get_width(), image.get_height()) == (8, 8) and
           layer.is_gray() == (kind == 'gray'),
           'sample %s %s: 8×8 %s image' % (model, kind, kind))
    px = get_pixels(layer)
    ref = reference_sample(bundle, method=model, steps=5, seed=7, tau=0.02, exact=False, eta=0.0)
    clipped = [min(max(v, 0.0), 1.0) for v in ref]
    diff = max_abs_diff(px, clipped)
    tap.ok(diff <= TOLERANCE['u8'], 'sample %s %s: equals adiff_sample (max diff %.3g)'
           % (model, kind, diff))
    status, msg, again = sample(bundle, **args)
    same = status == Gimp.PDBStatusType.SUCCESS and \
        max_abs_diff(get_pixels(again.get_layers()[0]), px) == 0.0
    tap.ok(same, 'sample %s %s: same seed, same image' % (model, kind), msg)
    status, msg, other = sample(bundle, model=model, steps=5, seed=8, layout='grid',
                                width=8, height=8)
    differs = status == Gimp.PDBStatusType.SUCCESS and \
        max_abs_diff(get_pixels(other.get_layers()[0]), px) > 0.01
    tap.ok(differs, 'sample %s %s: another seed, another image' % (model, kind), msg)
    for im in (image, again, other):
        if im is not None:
            im.delete()


def check_default_grid(tap, bundles):
    """Default size 256×256, filled by the grid's layer; at 240×240 a 3×3
    grid of 8×8 windows, each shown 10× by nearest neighbour; cell 0 is
    adiff_sample's window for the seed."""
    bundle = bundles['rgb']
    status, msg, image = sample(bundle, model='wiener', steps=3, seed=5, layout='grid')
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, 'sample grid: runs', msg):
        return
    layer = image.get_layers()[0]
    tap.ok((image.get_width(), image.get_height()) == (256, 256) and
           (layer.get_width(), layer.get_height()) == (256, 256) and
           tuple(layer.get_offsets())[1:] == (0, 0),
           'sample grid: default size 256×256, the layer fills the canvas (%d×%d)'
           % (image.get_width(), image.get_height()))
    image.delete()
    status, msg, image = sample(bundle, model='wiener', steps=3, seed=5, layout='grid',
                                width=240, height=240)
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, 'sample grid 240×240: runs', msg):
        return
    layer = image.get_layers()[0]
    ref = [min(max(v, 0.0), 1.0) for v in
           reference_sample(bundle, method='wiener', steps=3, seed=5, eta=0.0)]
    px = get_pixels(layer, rect=(0, 0, 80, 80))
    diff = 0.0
    for y in range(80):
        for x in range(80):
            for c in range(3):
                want = ref[((y // 10) * 8 + x // 10) * 3 + c]
                diff = max(diff, abs(px[(y * 80 + x) * 3 + c] - want))
    tap.ok(diff <= TOLERANCE['u8'], 'sample grid: cell 0 is adiff_sample scaled 10× '
           '(max diff %.3g)' % diff)
    cell = get_pixels(layer, rect=(80, 0, 80, 80))
    tap.ok(max_abs_diff(cell, px) > 0.01, 'sample grid: the next cell is another sample')
    image.delete()


def check_tiled(tap, bundles, layout, kind):
    """One sample of the whole size through the tiler: adiff_sample_image."""
    bundle = bundles[kind]
    what = 'sample %s %s 24×16' % (layout, kind)
    status, msg, image = sample(bundle, model='wiener', steps=3, seed=2, layout=layout,
                                width=24, height=16)
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: runs' % what, msg):
        return
    layer = image.get_layers()[0]
    tap.ok((image.get_width(), image.get_height(), layer.get_width()) == (24, 16, 24),
           '%s: 24×16 image and layer' % what)
    ref = [min(max(v, 0.0), 1.0) for v in
           reference_sample(bundle, size='24x16', method='wiener', steps=3, seed=2, eta=0.0)]
    diff = max_abs_diff(get_pixels(layer), ref)
    tap.ok(diff <= TOLERANCE['u8'], '%s: equals adiff_sample_image (max diff %.3g)'
           % (what, diff))
    image.delete()


def check_refused(tap, what, expect, **args):
    before = len(Gimp.get_images())
    status, msg, image = sample(**args)
    tap.ok(status != Gimp.PDBStatusType.SUCCESS, '%s: error status' % what, msg)
    tap.ok(expect in msg, '%s: message names %r' % (what, expect), msg)
    tap.ok(len(Gimp.get_images()) == before, '%s: no image created' % what)


def run(tap, bundles):
    for model in ('wiener', 'analytic', 'optimal'):
        check_model(tap, bundles, model, 'rgb')
    check_model(tap, bundles, 'analytic', 'gray')
    check_default_grid(tap, bundles)
    check_tiled(tap, bundles, 'tiled', 'rgb')
    check_tiled(tap, bundles, 'auto', 'gray')    # 8×8 windows are local: tiled
    noex = make_bundle(scratch('noex.adstats'), 3, 0)
    check_refused(tap, 'analytic without exemplars', 'noex.adstats', bundle=noex, model='analytic')
    check_refused(tap, 'missing bundle', 'missing.adstats', bundle=scratch('missing.adstats'))
