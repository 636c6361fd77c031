"""Reliability of the plug-in in one GIMP session (issue 6): a failing
procedure leaves the image and its undo history as they were; the same
filter run twice gives identical pixels (no state leaks between runs, even
with another run in between).

Undo history: the PDB of GIMP 3 does not expose the undo stack, so an
image is marked clean (Gimp.Image.clean_all) before the run: pushing any
undo step makes it dirty again.  A successful run is checked to make it
dirty, so the check can fail.

Cancelling a 10-megapixel run is tested in test_cancel.py."""
from gimptest import (Gimp, clean_pixels, noisy, new_image, get_pixels,  # noqa: F401
                      set_pixels, run_procedure, max_abs_diff, scratch)

PROCS = ['plug-in-adiff-wiener']
W, H, SIGMA = 41, 23, 25.0


def noisy_image(gray, seed=3):
    channels = 1 if gray else 3
    image, layer = new_image(W, H, gray=gray)
    set_pixels(layer, noisy(clean_pixels(W, H, channels), SIGMA, seed))
    image.clean_all()
    return image, layer


def registered(name):
    return Gimp.get_pdb().lookup_procedure(name) is not None


def check_failure_changes_nothing(tap, proc, what, gray, **args):
    image, layer = noisy_image(gray)
    before = get_pixels(layer)
    n_layers = len(image.get_layers())
    status, msg = run_procedure(proc, image, [layer], **args)
    tap.ok(status != Gimp.PDBStatusType.SUCCESS, '%s %s: fails' % (proc, what), msg)
    tap.ok(max_abs_diff(get_pixels(layer), before) == 0.0, '%s %s: pixels unchanged' % (proc, what))
    tap.ok(not image.is_dirty(), '%s %s: no undo step pushed (image still clean)' % (proc, what))
    tap.ok(len(image.get_layers()) == n_layers, '%s %s: no layer added' % (proc, what))
    image.delete()


def check_success_is_one_undo_step(tap, proc, bundle, gray):
    image, layer = noisy_image(gray)
    status, msg = run_procedure(proc, image, [layer], bundle=bundle, sigma=SIGMA)
    tap.ok(status == Gimp.PDBStatusType.SUCCESS and image.is_dirty(),
           '%s: a successful run dirties the image (the clean check can fail)' % proc, msg)
    image.delete()


def check_repeatable(tap, proc, bundle, gray):
    kind = 'gray' if gray else 'RGB'
    results = []
    for sigma in (SIGMA, 50.0, SIGMA):
        image, layer = noisy_image(gray)
        status, msg = run_procedure(proc, image, [layer], bundle=bundle, sigma=sigma)
        if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s %s σ=%g runs' % (proc, kind, sigma), msg):
            image.delete()
            return
        results.append(get_pixels(layer))
        image.delete()
    tap.ok(results[0].tobytes() == results[2].tobytes(),
           '%s %s: same input, same σ, twice in one session (another run between) '
           'gives bit-identical pixels' % (proc, kind))
    tap.ok(max_abs_diff(results[0], results[1]) > 0.0,
           '%s %s: a different σ gives different pixels (the comparison can fail)' % (proc, kind))


def run(tap, bundles):
    for proc in PROCS:
        if not registered(proc):
            tap.ok(False, '%s is registered' % proc)
            continue
        missing = scratch('reliability-missing.adstats')
        corrupt = scratch('reliability-corrupt.adstats')
        with open(corrupt, 'wb') as f:
            f.write(b'ADSTATS\0' + b'\xff' * 300)
        check_failure_changes_nothing(tap, proc, 'missing bundle', False, bundle=missing, sigma=SIGMA)
        check_failure_changes_nothing(tap, proc, 'corrupt bundle', True, bundle=corrupt, sigma=SIGMA)
        check_failure_changes_nothing(tap, proc, 'sigma 0', True, bundle=bundles['gray'], sigma=0.0)
        check_failure_changes_nothing(tap, proc, 'RGB bundle on gray', True, bundle=bundles['rgb'],
                                      sigma=SIGMA)
        check_success_is_one_undo_step(tap, proc, bundles['gray'], True)
        for gray in (True, False):
            check_repeatable(tap, proc, bundles['gray' if gray else 'rgb'], gray)
