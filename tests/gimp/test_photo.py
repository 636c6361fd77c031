"""The photo model of Analytical Diffusion Denoise… (its default) through
the PDB: gray and RGB at every precision, a selection (the part inside
equals libadiff on the bounds and the context the plug-in reads; outside
unchanged), alpha kept, strength, the best quality with a gray bundle, and
bad input (σ 0 or out of range, the best quality with an RGB or corrupt
bundle) refused with the layer unchanged.  The reference is libadiff's
adiff_photo_denoise, what `adiff denoise --method photo` runs
(adiff-gimp-ref denoise - … method=photo)."""
from gimptest import (Gimp, TOLERANCE, clean_pixels, noisy, new_image, get_pixels,
                      set_pixels, run_procedure, reference_denoise, max_abs_diff, mse,
                      crop, color_format, scratch, set_alpha_ramp)

PROC = 'plug-in-adiff-analytic'
W, H, SIGMA = 37, 29, 25.0
# What the plug-in reads around a selection for the photo model
# (plug-in/engine/apply.c, PHOTO_CONTEXT).
CONTEXT = 64


def setup(gray, precision='u8', alpha=False, w=W, h=H, seed=5):
    channels = 1 if gray else 3
    clean = clean_pixels(w, h, channels)
    image, layer = new_image(w, h, gray=gray, precision=precision, alpha=alpha)
    set_pixels(layer, noisy(clean, SIGMA, seed))
    return image, layer, clean, channels


def photo_reference(before, w, h, channels, bundle='-', **opts):
    return reference_denoise(bundle, SIGMA, w, h, channels, before, tag='photo',
                             method='photo', **opts)


def check_model(tap, gray, precision):
    kind = 'photo %s %s' % ('gray' if gray else 'RGB', precision)
    image, layer, clean, channels = setup(gray, precision)
    before = get_pixels(layer)
    # No model and no bundle given: the photo model is the default.
    status, msg = run_procedure(PROC, image, [layer], sigma=SIGMA)
    if tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: runs as the default' % kind, msg):
        after = get_pixels(layer)
        diff = max_abs_diff(after, photo_reference(before, W, H, channels))
        tap.ok(diff <= TOLERANCE[precision], '%s: equals adiff_photo_denoise (max diff %.3g <= %.3g)'
               % (kind, diff, TOLERANCE[precision]))
        m0, m1 = mse(before, clean), mse(after, clean)
        tap.ok(m1 < 0.5 * m0, '%s: halves the MSE to the clean image (%.5f -> %.5f)'
               % (kind, m0, m1))
    image.delete()


def region_reference(before, w, h, channels, rect):
    """adiff_photo_denoise on the selection's bounds grown by the context
    the plug-in reads (clipped to the layer), cropped back to the bounds."""
    x, y, rw, rh = rect
    x0, y0 = max(0, x - CONTEXT), max(0, y - CONTEXT)
    x1, y1 = min(w, x + rw + CONTEXT), min(h, y + rh + CONTEXT)
    outer = crop(before, w, channels, (x0, y0, x1 - x0, y1 - y0))
    ref = photo_reference(outer, x1 - x0, y1 - y0, channels)
    return crop(ref, x1 - x0, channels, (x - x0, y - y0, rw, rh))


def check_selection(tap, gray, w, h, rect):
    what = 'photo selection %s %dx%d' % ('gray' if gray else 'RGB', w, h)
    image, layer, clean, channels = setup(gray, w=w, h=h)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, *rect)
    before = get_pixels(layer)
    status, msg = run_procedure(PROC, image, [layer], model='photo', sigma=SIGMA)
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: runs' % what, msg):
        image.delete()
        return
    after = get_pixels(layer)
    diff = max_abs_diff(crop(after, w, channels, rect),
                        region_reference(before, w, h, channels, rect))
    tap.ok(diff <= TOLERANCE['u8'], '%s: inside equals adiff_photo_denoise on the bounds and '
           'their context (max diff %.3g)' % (what, diff))
    x, y, rw, rh = rect
    changed = sum(1 for i in range(w * h)
                  if not (x <= i % w < x + rw and y <= i // w < y + rh)
                  for c in range(channels)
                  if after[i * channels + c] != before[i * channels + c])
    tap.ok(changed == 0, '%s: outside unchanged (%d values changed)' % (what, changed))
    image.delete()


def check_alpha(tap, gray):
    """Alpha varying across the layer stays as it was; the colour is the
    photo model's."""
    image, layer, clean, channels = setup(gray, alpha=True)
    alpha_before = set_alpha_ramp(layer)[channels::channels + 1]
    before = get_pixels(layer)
    kind = 'photo alpha %s' % ('gray' if gray else 'RGB')
    status, msg = run_procedure(PROC, image, [layer], model='photo', sigma=SIGMA)
    if tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: runs' % kind, msg):
        alpha_after = get_pixels(layer, color_format(layer, alpha=True))[channels::channels + 1]
        alpha_diff = max_abs_diff(alpha_after, alpha_before)
        tap.ok(alpha_diff == 0.0, '%s: alpha unchanged (max diff %.3g)' % (kind, alpha_diff))
        diff = max_abs_diff(get_pixels(layer), photo_reference(before, W, H, channels))
        tap.ok(diff <= TOLERANCE['u8'], '%s: colour equals adiff_photo_denoise (max diff %.3g)'
               % (kind, diff))
    image.delete()


def check_strength_and_best(tap, bundles):
    image, layer, clean, channels = setup(False, 'f32')
    before = get_pixels(layer)
    status, msg = run_procedure(PROC, image, [layer], model='photo', sigma=SIGMA, strength=0.4)
    if tap.ok(status == Gimp.PDBStatusType.SUCCESS, 'photo strength 0.4: runs', msg):
        diff = max_abs_diff(get_pixels(layer),
                            photo_reference(before, W, H, channels, strength=0.4))
        tap.ok(diff <= TOLERANCE['f32'], 'photo strength 0.4: blend equals libadiff (max diff %.3g)'
               % diff)
    image.delete()
    # The best quality with a gray 8×8 bundle of all 64 components, on RGB.
    image, layer, clean, channels = setup(False, 'f32')
    before = get_pixels(layer)
    status, msg = run_procedure(PROC, image, [layer], model='photo', quality='best',
                                bundle=bundles['gray'], sigma=SIGMA)
    if tap.ok(status == Gimp.PDBStatusType.SUCCESS, 'photo best quality: runs', msg):
        after = get_pixels(layer)
        best = photo_reference(before, W, H, channels, bundle=bundles['gray'], quality='best')
        diff = max_abs_diff(after, best)
        tap.ok(diff <= TOLERANCE['f32'], 'photo best quality: equals libadiff with the bundle\'s '
               'basis (max diff %.3g)' % diff)
        other = max_abs_diff(after, photo_reference(before, W, H, channels))
        tap.ok(other > 1e-3, 'photo best quality: differs from the default (max diff %.3g)' % other)
    image.delete()


def check_refused(tap, what, expect_in_msg, **args):
    image, layer, clean, channels = setup(False)
    before = get_pixels(layer)
    status, msg = run_procedure(PROC, image, [layer], model='photo', **args)
    tap.ok(status != Gimp.PDBStatusType.SUCCESS, 'photo %s: error status (%s)'
           % (what, status.value_nick), msg)
    tap.ok(expect_in_msg in msg, 'photo %s: message names %r' % (what, expect_in_msg), msg)
    tap.ok(max_abs_diff(get_pixels(layer), before) == 0.0, 'photo %s: layer unchanged' % what)
    image.delete()


def check_sigma_range(tap):
    """Non-finite and out-of-range σ never reach the plug-in: the
    argument's range is 0–255 (GIMP refuses the rest), and 0 is refused
    with a message (above)."""
    spec = Gimp.get_pdb().lookup_procedure(PROC).find_argument('sigma')
    tap.ok(spec.minimum == 0.0 and spec.maximum == 255.0,
           'photo σ: the argument\'s range is 0–255 (%g–%g)' % (spec.minimum, spec.maximum))


def run(tap, bundles):
    for gray in (True, False):
        for precision in ('u8', 'u16', 'f32'):
            check_model(tap, gray, precision)
    check_selection(tap, False, W, H, (9, 6, 17, 13))
    check_selection(tap, True, 200, 150, (120, 90, 30, 20))
    check_selection(tap, False, 200, 150, (5, 70, 40, 30))
    for gray in (True, False):
        check_alpha(tap, gray)
    check_strength_and_best(tap, bundles)
    check_refused(tap, 'sigma 0', 'σ', sigma=0.0)
    check_sigma_range(tap)
    check_refused(tap, 'best quality with an RGB bundle', 'gray 8×8', quality='best',
                  bundle=bundles['rgb'], sigma=SIGMA)
    corrupt = scratch('photo-corrupt.adstats')
    with open(corrupt, 'wb') as f:
        f.write(b'ADSTATS\0' + b'\xff' * 300)
    check_refused(tap, 'best quality with a corrupt bundle', 'photo-corrupt.adstats',
                  quality='best', bundle=corrupt, sigma=SIGMA)
    check_refused(tap, 'best quality with a missing bundle', 'no-such.adstats',
                  quality='best', bundle=scratch('no-such.adstats'), sigma=SIGMA)
