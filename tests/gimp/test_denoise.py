"""Both denoising procedures at every precision, gray and RGB, with
selections (hard and feathered), alpha, strength and the σ estimate:
pixels must equal libadiff's for the same input (tolerance per precision,
see gimptest.TOLERANCE)."""
from gimptest import (Gimp, TOLERANCE, clean_pixels, noisy, new_image, get_pixels,
                      set_pixels, run_procedure, run_procedure_values, reference_denoise,
                      max_abs_diff, mse, crop, color_format, set_alpha_ramp)

W, H, SIGMA, WIN = 37, 29, 25.0, 8
WIENER, ANALYTIC = 'plug-in-adiff-wiener', 'plug-in-adiff-analytic'

# (procedure, its extra arguments, the reference's options)
MODELS = [
    ('wiener', WIENER, {}, {'method': 'wiener'}),
    ('analytic', ANALYTIC, {'model': 'analytic'}, {'method': 'analytic', 'tau': 0.02, 'exact': False}),
    ('analytic exact', ANALYTIC, {'model': 'analytic', 'exact': True},
     {'method': 'analytic', 'tau': 0.02, 'exact': True}),
    ('optimal', ANALYTIC, {'model': 'optimal'}, {'method': 'optimal', 'tau': 0.02, 'exact': False}),
    ('analytic overlap 4', ANALYTIC, {'model': 'analytic', 'overlap': 4},
     {'method': 'analytic', 'tau': 0.02, 'exact': False, 'overlap': 4}),
]


def setup(gray, precision='u8', alpha=False, seed=3):
    channels = 1 if gray else 3
    clean = clean_pixels(W, H, channels)
    image, layer = new_image(W, H, gray=gray, precision=precision, alpha=alpha)
    set_pixels(layer, noisy(clean, SIGMA, seed))
    return image, layer, clean, channels


def check_model(tap, bundles, name, proc, args, ref_opts, gray, precision):
    kind = '%s %s %s' % (name, 'gray' if gray else 'RGB', precision)
    image, layer, clean, channels = setup(gray, precision)
    before = get_pixels(layer)
    bundle = bundles['gray' if gray else 'rgb']
    status, msg = run_procedure(proc, image, [layer], bundle=bundle, sigma=SIGMA, **args)
    if tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s runs' % kind, msg):
        after = get_pixels(layer)
        ref = reference_denoise(bundle, SIGMA, W, H, channels, before, **ref_opts)
        diff = max_abs_diff(after, ref)
        tap.ok(diff <= TOLERANCE[precision], '%s equals libadiff (max diff %.3g <= %.3g)'
               % (kind, diff, TOLERANCE[precision]))
        if 'overlap' in ref_opts:
            # The argument reaches the library: the default overlap's result differs.
            plain = dict(ref_opts, overlap=2)
            other = max_abs_diff(after, reference_denoise(bundle, SIGMA, W, H, channels, before,
                                                          **plain))
            tap.ok(other > 4 * TOLERANCE[precision], '%s differs from overlap 2 (max diff %.3g)'
                   % (kind, other))
        if name == 'wiener':
            # Exemplar models are only as good as the 200 synthetic exemplars
            # are close to this image, so only Wiener must improve it.
            m0, m1 = mse(before, clean), mse(after, clean)
            tap.ok(m1 < 0.5 * m0, '%s halves the MSE to the clean image (%.5f -> %.5f)'
                   % (kind, m0, m1))
    image.delete()


def region_reference(bundle, before, channels, rect, **opts):
    """libadiff on the selection's bounds grown by one window (what the
    plug-in reads for context), cropped back to the bounds."""
    x, y, w, h = rect
    x0, y0 = max(0, x - WIN), max(0, y - WIN)
    x1, y1 = min(W, x + w + WIN), min(H, y + h + WIN)
    outer = crop(before, W, channels, (x0, y0, x1 - x0, y1 - y0))
    ref = reference_denoise(bundle, SIGMA, x1 - x0, y1 - y0, channels, outer, **opts)
    return crop(ref, x1 - x0, channels, (x - x0, y - y0, w, h))


def check_selection(tap, bundles, feather):
    what = 'feathered selection' if feather else 'selection'
    image, layer, clean, channels = setup(False)
    rect = (9, 6, 17, 13)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, *rect)
    if feather:
        Gimp.Selection.feather(image, 6.0)
    before = get_pixels(layer)
    status, msg = run_procedure(WIENER, image, [layer], bundle=bundles['rgb'], sigma=SIGMA)
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: runs' % what, msg):
        return
    after = get_pixels(layer)
    if not feather:
        ref = region_reference(bundles['rgb'], before, channels, rect, method='wiener')
        diff = max_abs_diff(crop(after, W, channels, rect), ref)
        tap.ok(diff <= TOLERANCE['u8'], '%s: inside equals libadiff (max diff %.3g)' % (what, diff))
        outside = [i for i in range(W * H)
                   if not (rect[0] <= i % W < rect[0] + rect[2] and rect[1] <= i // W < rect[1] + rect[3])]
        changed = sum(1 for i in outside for c in range(3)
                      if after[i * 3 + c] != before[i * 3 + c])
        tap.ok(changed == 0, '%s: outside unchanged (%d values changed)' % (what, changed))
    else:
        # The feather blends: the centre is fully denoised, far outside is
        # untouched, and in between every value lies between the two.
        bounds = Gimp.Selection.bounds(image)
        bx, by, bx2, by2 = bounds[2], bounds[3], bounds[4], bounds[5]
        ref = region_reference(bundles['rgb'], before, channels, (bx, by, bx2 - bx, by2 - by),
                               method='wiener')
        bw = bx2 - bx
        worst = 0.0
        for yy in range(by, by2):
            for xx in range(bx, bx2):
                for c in range(3):
                    i = (yy * W + xx) * 3 + c
                    r = ref[((yy - by) * bw + (xx - bx)) * 3 + c]
                    lo, hi = min(before[i], r), max(before[i], r)
                    worst = max(worst, lo - after[i], after[i] - hi)
        tap.ok(worst <= TOLERANCE['u8'],
               '%s: every value between original and denoised (worst excess %.3g)' % (what, worst))
        cx, cy = rect[0] + rect[2] // 2, rect[1] + rect[3] // 2
        i = (cy * W + cx) * 3
        j = ((cy - by) * bw + (cx - bx)) * 3
        tap.ok(abs(after[i] - ref[j]) <= TOLERANCE['u8'] + 0.02,
               '%s: centre close to the full result (%.4f vs %.4f)' % (what, after[i], ref[j]))
        tap.ok(max_abs_diff(after[:W * 3], before[:W * 3]) == 0.0,
               '%s: far outside (row 0) unchanged' % what)
    image.delete()


def check_alpha(tap, bundles, gray):
    kind = 'alpha %s' % ('gray' if gray else 'RGB')
    image, layer, clean, channels = setup(gray, alpha=True)
    full = color_format(layer, alpha=True)
    n = channels + 1
    before_full = set_alpha_ramp(layer)
    before = get_pixels(layer)
    bundle = bundles['gray' if gray else 'rgb']
    status, msg = run_procedure(WIENER, image, [layer], bundle=bundle, sigma=SIGMA)
    if tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: runs' % kind, msg):
        after_full = get_pixels(layer, full)
        alpha_diff = max(abs(after_full[i * n + channels] - before_full[i * n + channels])
                         for i in range(W * H))
        tap.ok(alpha_diff == 0.0, '%s: alpha unchanged (max diff %.3g)' % (kind, alpha_diff))
        ref = reference_denoise(bundle, SIGMA, W, H, channels, before, method='wiener')
        diff = max_abs_diff(get_pixels(layer), ref)
        tap.ok(diff <= TOLERANCE['u8'], '%s: colour equals libadiff (max diff %.3g)' % (kind, diff))
    image.delete()


def check_strength(tap, bundles):
    image, layer, clean, channels = setup(False, 'f32')
    before = get_pixels(layer)
    status, msg = run_procedure(WIENER, image, [layer], bundle=bundles['rgb'], sigma=SIGMA,
                                strength=0.4)
    if tap.ok(status == Gimp.PDBStatusType.SUCCESS, 'strength 0.4: runs', msg):
        ref = reference_denoise(bundles['rgb'], SIGMA, W, H, channels, before, method='wiener',
                                strength=0.4)
        diff = max_abs_diff(get_pixels(layer), ref)
        tap.ok(diff <= TOLERANCE['f32'], 'strength 0.4: blend equals libadiff (max diff %.3g)' % diff)
    image.delete()


def check_estimate(tap, bundles):
    image, layer, clean, channels = setup(False, 'f32')
    before = get_pixels(layer)
    status, msg, values = run_procedure_values(WIENER, image, [layer], bundle=bundles['rgb'],
                                               sigma=1.0, estimate_sigma=True)
    if tap.ok(status == Gimp.PDBStatusType.SUCCESS, 'estimate σ: runs', msg):
        used = values[0]
        tap.ok(15.0 < used < 35.0, 'estimate σ: %.2f is near the true %.0f' % (used, SIGMA))
        ref = reference_denoise(bundles['rgb'], used, W, H, channels, before, method='wiener')
        diff = max_abs_diff(get_pixels(layer), ref)
        tap.ok(diff <= 1e-4, 'estimate σ: result equals libadiff at that σ (max diff %.3g)' % diff)
    image.delete()


def run(tap, bundles):
    precisions = {'wiener': ('u8', 'u16', 'f32', 'f32-linear'),
                  'analytic': ('u8', 'u16', 'f32'), 'analytic exact': ('u8',), 'optimal': ('u8',),
                  'analytic overlap 4': ('u8',)}
    for name, proc, args, ref_opts in MODELS:
        for gray in (True, False):
            for precision in precisions[name]:
                check_model(tap, bundles, name, proc, args, ref_opts, gray, precision)
    check_selection(tap, bundles, feather=False)
    check_selection(tap, bundles, feather=True)
    for gray in (True, False):
        check_alpha(tap, bundles, gray)
    check_strength(tap, bundles)
    check_estimate(tap, bundles)
