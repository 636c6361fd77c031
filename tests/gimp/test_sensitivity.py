"""Sensitivity Field Overlay…: layers named after pixel and σ, window-sized,
placed over the window that holds the pixel (layer offsets respected), a
group for several σ (only the first visible) or with the legend, the
legend beside the window, the Wiener field peaking at the pixel at low
noise, linear / square-root / log scales, the pixel from a sample point or
the selection, one sample point reused from run to run; bad input adds
nothing."""
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
        sigmas=sigma, model=model, legend=False)
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
                                               opacity=60.0, legend=False)
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
    visible = [c.get_visible() for c in children]
    tap.ok(visible == [True, False, False],
           'overlay group: only the first σ visible, the others hidden (%s)' % visible)
    image.delete()


def big_image(gray=False):
    """A 400×300 layer: room for the legend beside the window."""
    channels = 1 if gray else 3
    image, layer = new_image(400, 300, gray=gray)
    set_pixels(layer, noisy(clean_pixels(400, 300, channels), 25.0, 9))
    return image, layer


def rect(item):
    ok, x, y = item.get_offsets()
    return x, y, item.get_width(), item.get_height()


def inside(px, r):
    return r[0] <= px[0] < r[0] + r[2] and r[1] <= px[1] < r[1] + r[3]


def overlaps(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def check_legend(tap, bundles, gray):
    kind = 'legend %s' % ('gray' if gray else 'RGB')
    image, layer = big_image(gray)
    x, y = 100, 100
    status, msg, values = run_procedure_values(
        PROC, image, [layer], bundle=bundles['gray' if gray else 'rgb'], x=x, y=y,
        sigmas='10, 25')
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: runs' % kind, msg):
        return
    group = values[0]
    children = group.get_children()
    names = [c.get_name() for c in children]
    want = ['Legend (%d,%d)' % (x, y)] + ['Sensitivity (%d,%d) σ=%s' % (x, y, s)
                                          for s in ('10', '25')]
    tap.ok(group.is_group() and names == want,
           '%s: group of legend and fields (%s)' % (kind, names))
    legend, field = children[0], children[1]
    tap.ok([c.get_visible() for c in children] == [True, True, False],
           '%s: legend and first σ visible, second hidden' % kind)
    lr, fr = rect(legend), rect(field)
    tap.ok(legend.get_width() >= 8 * WIN and legend.get_height() >= 8 * WIN,
           '%s: legend large enough to read (%d×%d)' % (kind, lr[2], lr[3]))
    tap.ok(not inside((x, y), lr) and not overlaps(lr, fr) and
           lr[0] >= 0 and lr[1] >= 0 and lr[0] + lr[2] <= 400 and lr[1] + lr[3] <= 300,
           '%s: beside the window %s, inside the image, off the pixel (%s)' % (kind, fr, lr))
    tap.ok(legend.has_alpha() and legend.is_gray() == gray,
           '%s: a %s layer with alpha' % (kind, 'gray' if gray else 'RGB'))
    px = get_pixels(legend)
    tap.ok(max(px) - min(px) > 0.5, '%s: has content (values %.2f..%.2f)'
           % (kind, min(px), max(px)))
    image.delete()


def field_values(bundles, scale):
    image, layer = big_image(True)
    status, msg, values = run_procedure_values(
        PROC, image, [layer], bundle=bundles['gray'], x=100, y=100, sigmas='5',
        legend=False, scale=scale)
    px = get_pixels(values[0]) if status == Gimp.PDBStatusType.SUCCESS else None
    image.delete()
    return px, msg


def check_scales(tap, bundles):
    fields = {}
    for scale in ('linear', 'sqrt', 'log'):
        fields[scale], msg = field_values(bundles, scale)
        tap.ok(fields[scale] is not None, 'scale %s: runs' % scale, msg)
    if None in fields.values():
        return
    lin, sq, lg = fields['linear'], fields['sqrt'], fields['log']
    tol = 1.5 / 255
    tap.ok(all(a <= b + tol for a, b in zip(lin, sq)) and
           all(a <= b + tol for a, b in zip(sq, lg)),
           'scales: linear ≤ square root ≤ log at every pixel (faint values lifted)')
    tap.ok(sum(sq) > sum(lin) + 0.5 and sum(lg) > sum(sq) + 0.5 and
           abs(max(lin) - max(lg)) <= tol,
           'scales: brighter overall, same maximum (sums %.1f, %.1f, %.1f)'
           % (sum(lin), sum(sq), sum(lg)))


def sample_points(image):
    points, p = [], image.find_next_sample_point(0)
    while p:
        points.append(tuple(image.get_sample_point_position(p)))
        p = image.find_next_sample_point(p)
    return points


def check_sample_point(tap, bundles):
    image, layer = big_image()
    own = image.add_sample_point(10, 10)
    n_layers = len(image.get_layers())
    args = dict(bundle=bundles['rgb'], sigmas='25', legend=False)
    run_procedure_values(PROC, image, [layer], x=50, y=60, **args)
    run_procedure_values(PROC, image, [layer], x=70, y=80, **args)
    tap.ok(sorted(sample_points(image)) == [(10, 10), (70, 80)],
           'sample point: one for the overlay, moved by the next run; the user\'s kept (%s)'
           % sample_points(image))
    run_procedure_values(PROC, image, [layer], x=70, y=80, **args)
    tap.ok(sorted(sample_points(image)) == [(10, 10), (70, 80)],
           'sample point: a run at the same pixel adds none')
    image.delete()
    image, layer = big_image()
    image.add_sample_point(123, 45)
    status, msg, values = run_procedure_values(PROC, image, [layer], pixel_from='sample-point',
                                               **args)
    tap.ok(status == Gimp.PDBStatusType.SUCCESS and
           values[0].get_name() == 'Sensitivity (123,45) σ=25' and
           sample_points(image) == [(123, 45)],
           'pixel from the sample point, none added (%s)' % (values[0].get_name() if values
                                                             else msg))
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 100, 40, 60, 20)
    status, msg, values = run_procedure_values(PROC, image, [layer], pixel_from='selection',
                                               x=5, y=5, **args)
    tap.ok(status == Gimp.PDBStatusType.SUCCESS and
           values[0].get_name() == 'Sensitivity (130,50) σ=25',
           'pixel from the selection centre, x and y ignored (%s)'
           % (values[0].get_name() if values else msg))
    image.delete()
    image, layer = big_image()
    status, msg, values = run_procedure_values(PROC, image, [layer], pixel_from='sample-point',
                                               **args)
    tap.ok(status != Gimp.PDBStatusType.SUCCESS and 'sample point' in msg and
           len(image.get_layers()) == 1, 'pixel from a sample point when there is none: '
           'error, nothing added', msg)
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
    check_legend(tap, bundles, False)
    check_legend(tap, bundles, True)
    check_scales(tap, bundles)
    check_sample_point(tap, bundles)
    check_refused(tap, bundles, 'pixel outside the layer', 'outside',
                  bundle=bundles['rgb'], x=2, y=2)
    check_refused(tap, bundles, 'bad noise levels', 'abc', bundle=bundles['rgb'], sigmas='10, abc')
    check_refused(tap, bundles, 'σ = 0', '0', bundle=bundles['rgb'], sigmas='0')
    check_refused(tap, bundles, 'missing bundle', 'nope.adstats', bundle='/nonexistent/nope.adstats')
