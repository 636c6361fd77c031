"""Analytical Diffusion Sample…: a new image equal to what adiff_sample
computes, reproducible by seed; bad input creates no image."""
from gimptest import (Gimp, TOLERANCE, get_pixels, run_procedure_values, reference_sample,
                      max_abs_diff, make_bundle, scratch)

PROC = 'plug-in-adiff-sample'


def sample(bundle, **args):
    status, msg, values = run_procedure_values(PROC, None, None, bundle=bundle, **args)
    return status, msg, (values[0] if values else None)


def check_model(tap, bundles, model, kind):
    bundle = bundles[kind]
    args = dict(model=model, steps=5, seed=7)
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
    status, msg, other = sample(bundle, model=model, steps=5, seed=8)
    differs = status == Gimp.PDBStatusType.SUCCESS and \
        max_abs_diff(get_pixels(other.get_layers()[0]), px) > 0.01
    tap.ok(differs, 'sample %s %s: another seed, another image' % (model, kind), msg)
    for im in (image, again, other):
        if im is not None:
            im.delete()


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
    noex = make_bundle(scratch('noex.adstats'), 3, 0)
    check_refused(tap, 'analytic without exemplars', 'noex.adstats', bundle=noex, model='analytic')
    check_refused(tap, 'missing bundle', 'missing.adstats', bundle=scratch('missing.adstats'))
