"""Sensitivity Field Overlay…: layers named after pixel and σ, window-sized,
placed over the window that holds the pixel (layer offsets respected), a
group for several σ, the Wiener field peaking at the pixel at low noise,
the pixel marked; bad input adds nothing."""
from gimptest import (Gimp, clean_pixels, noisy, new_image, get_pixels, set_pixels,
                      run_procedure_values)

PROC = 'plug-in-adiff-sensitivity'
W, H, OX, OY, WIN = 37, 29, 5, 7, 8


def setup(gray):
    channels = 1 if gray else 3
    image, layer = new_image(60, 50, gray=gray)
    layer.resize(W, H, 0, 0)
    layer.set_offsets(OX, OY)
    set_pixels(layer, noisy(clean_pixels(W, H, channels), 25.0, 5))
    return image, layer


def brightest(layer):
    """(x, y) of the brightest pixel of an overlay layer."""
    px = get_pixels(layer)
    n = 1 if layer.is_gray() else 3
    w = layer.get_width()
    values = [sum(px[i * n:(i + 1) * n]) for i in range(len(px) // n)]
    i = max(range(len(values)), key=values.__getitem__)
    return i % w, i // w


def check_single(tap, bundles, gray, model='wiener', sigma='1', at=(20, 10)):
    kind = '%s %s σ=%s at %s' % ('gray' if gray else 'RGB', model, sigma, at)
    image, layer = setup(gray)
    x, y = OX + at[0], OY + at[1]
    n_layers = len(image.get_layers())
    status, msg, values = run_procedure_values(
        PROC, image, [layer], bundle=bundles['gray' if gray else 'rgb'], x=x, y=y,
        sigmas=sigma, model=model)
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, 'overlay %s: runs' % kind, msg):
        return
    overlay = values[0]
    layers = image.get_layers()
    tap.ok(len(layers) == n_layers + 1 and layers[0].get_id() == overlay.get_id(),
           'overlay %s: one new layer above the current one' % kind)
    name = 'Sensitivity (%d,%d) σ=%s' % (x, y, sigma)
    tap.ok(overlay.get_name() == name, 'overlay %s: named %r' % (kind, overlay.get_name()))
    ok, lx, ly = overlay.get_offsets()
    size = (overlay.get_width(), overlay.get_height())
    inside_layer = OX <= lx and OY <= ly and lx + WIN <= OX + W and ly + WIN <= OY + H
    tap.ok(size == (WIN, WIN) and inside_layer and lx <= x < lx + WIN and ly <= y < ly + WIN,
           'overlay %s: %dx%d at (%d,%d), inside the layer, over the pixel'
           % (kind, size[0], size[1], lx, ly))
    tap.ok(abs(overlay.get_opacity() - 75.0) < 1e-6, 'overlay %s: default opacity 75' % kind)
    if model == 'wiener' and sigma == '1':
        peak = brightest(overlay)
        tap.ok(peak == (x - lx, y - ly), 'overlay %s: field peaks at the pixel (%s vs %s)'
               % (kind, peak, (x - lx, y - ly)))
    point = image.find_next_sample_point(0)
    pos = image.get_sample_point_position(point) if point else None
    tap.ok(point != 0 and tuple(pos) == (x, y),
           'overlay %s: pixel marked by a sample point at %s' % (kind, pos))
    image.delete()


def check_group(tap, bundles):
    image, layer = setup(False)
    status, msg, values = run_procedure_values(PROC, image, [layer], bundle=bundles['rgb'],
                                               sigmas='10, 25, 50', colormap='coolwarm',
                                               opacity=60.0)
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, 'overlay group: runs', msg):
        return
    group = values[0]
    x, y = OX + W // 2, OY + H // 2        # default: centre of the layer
    tap.ok(group.is_group() and group.get_name() == 'Sensitivity (%d,%d)' % (x, y),
           'overlay group: a layer group named after the centre (%s)' % group.get_name())
    children = group.get_children()
    names = [c.get_name() for c in children]
    want = ['Sensitivity (%d,%d) σ=%s' % (x, y, s) for s in ('10', '25', '50')]
    tap.ok(names == want, 'overlay group: one layer per σ, in order (%s)' % names)
    offsets = set(tuple(c.get_offsets())[1:] for c in children)
    tap.ok(len(offsets) == 1 and all(c.get_width() == WIN for c in children) and
           all(abs(c.get_opacity() - 60.0) < 1e-6 for c in children),
           'overlay group: same window, size and opacity for every σ')
    image.delete()


def check_refused(tap, bundles, what, expect, **args):
    image, layer = setup(False)
    n_layers = len(image.get_layers())
    before = get_pixels(layer)
    status, msg, values = run_procedure_values(PROC, image, [layer], **args)
    tap.ok(status != Gimp.PDBStatusType.SUCCESS, '%s: error status' % what, msg)
    tap.ok(expect in msg, '%s: message names %r' % (what, expect), msg)
    tap.ok(len(image.get_layers()) == n_layers and image.find_next_sample_point(0) == 0 and
           get_pixels(layer) == before, '%s: nothing added or changed' % what)
    image.delete()


def run(tap, bundles):
    for gray in (True, False):
        check_single(tap, bundles, gray)
    # Near a corner the window is clamped: the pixel is off the window's centre.
    check_single(tap, bundles, False, at=(1, H - 2))
    check_single(tap, bundles, False, 'analytic', '25')
    check_single(tap, bundles, True, 'optimal', '25')
    check_single(tap, bundles, False, 'patch', '25')
    check_group(tap, bundles)
    check_refused(tap, bundles, 'pixel outside the layer', 'outside',
                  bundle=bundles['rgb'], x=2, y=2)
    check_refused(tap, bundles, 'bad noise levels', 'abc', bundle=bundles['rgb'], sigmas='10, abc')
    check_refused(tap, bundles, 'σ = 0', '0', bundle=bundles['rgb'], sigmas='0')
    check_refused(tap, bundles, 'missing bundle', 'nope.adstats', bundle='/nonexistent/nope.adstats')
