"""The GEGL operations adiff:wiener-denoise and adiff:analytic-denoise as
non-destructive layer effects (plug-in/gegl): appended through the PDB
(gimp_drawable_filter_new, its config, append) and through the denoise
procedures' layer-effect argument.  The rendered pixels (read by merging
the effect on a copy of the image) equal libadiff's; the layer's own
pixels stay; the effect and its settings survive .xcf save and load;
merging gives the same pixels; every precision, gray and RGB, alpha, a
selection, an image larger than GEGL's tiles.  The photo model under
camera noise: the procedure's effect carries the a and b the run used
(measured from the whole layer when none are given) and renders the
destructive run's pixels, gray and RGB, with a selection too; an effect
left to measure them itself equals libadiff measuring the whole image.
Bad settings leave the layer as it was and GIMP running.  The analytic operation's models are set
by name (its default is the photo model, which needs no bundle and has no
procedure of its own here)."""
import math
import os

from gi.repository import GObject

from gimptest import (Gimp, Gio, Tap, TOLERANCE, clean_pixels, noisy, new_image,  # noqa: F401
                      get_pixels, set_pixels, run_procedure, run_procedure_values,
                      reference_denoise, max_abs_diff, mse, scratch, crop,
                      NOISE_A, NOISE_B, camera_setup, camera_reference)

OPS = {'wiener': 'adiff:wiener-denoise', 'analytic': 'adiff:analytic-denoise',
       'photo': 'adiff:analytic-denoise'}
PROCS = {'wiener': 'plug-in-adiff-wiener', 'analytic': 'plug-in-adiff-analytic'}
SIGMA = 25.0


def noisy_layer(w, h, gray, precision, alpha=False, seed=3):
    channels = 1 if gray else 3
    clean = clean_pixels(w, h, channels)
    image, layer = new_image(w, h, gray=gray, precision=precision, alpha=alpha)
    set_pixels(layer, noisy(clean, SIGMA, seed))
    return image, layer, channels


def set_choice(config, name, nick):
    """An enum property of a filter's config by its nick: GIMP passes a
    GEGL enum as a choice (a string) or as the enum, by version."""
    if config.find_property(name).value_type == GObject.TYPE_STRING:
        config.set_property(name, nick)
        return
    kind = type(config.get_property(name))
    for v in range(32):
        if kind(v).value_nick == nick:
            config.set_property(name, kind(v))
            return
    raise ValueError('%s has no value %s' % (name, nick))


def nick(value):
    """An enum's nick, or a GimpChoice's string as it is."""
    return getattr(value, 'value_nick', value)


def add_effect(layer, model, bundle, sigma=SIGMA, **props):
    """props: other properties; a string value of an enum (noise_model)
    is its nick."""
    f = Gimp.DrawableFilter.new(layer, OPS[model], 'adiff test')
    config = f.get_config()
    if OPS[model] == OPS['analytic']:
        set_choice(config, 'model', model)
    config.set_property('bundle', bundle)
    config.set_property('sigma', sigma)
    for k, v in props.items():
        if isinstance(v, str):
            set_choice(config, k.replace('_', '-'), v)
        else:
            config.set_property(k.replace('_', '-'), v)
    f.update()
    layer.append_filter(f)
    return f


def rendered(image):
    """The layer's pixels with its effects merged, on a copy of the image."""
    copy = image.duplicate()
    layer = copy.get_layers()[0]
    layer.merge_filters()
    pixels = get_pixels(layer)
    copy.delete()
    return pixels


def check_effect(tap, bundles, model, gray, precision, alpha=False, w=37, h=29):
    kind = '%s %s %s%s %dx%d' % (model, 'gray' if gray else 'RGB', precision,
                                 ' alpha' if alpha else '', w, h)
    image, layer, channels = noisy_layer(w, h, gray, precision, alpha)
    before = get_pixels(layer)
    bundle = bundles['gray' if gray else 'rgb']
    add_effect(layer, model, bundle)
    tap.ok(len(layer.get_filters()) == 1, '%s: one effect on the layer' % kind)
    tap.ok(max_abs_diff(get_pixels(layer), before) == 0.0,
           '%s: the layer\'s own pixels are unchanged' % kind)
    ref = reference_denoise(bundle, SIGMA, w, h, channels, before, method=model)
    out = rendered(image)
    d = max_abs_diff(out, ref)
    tap.ok(d <= TOLERANCE[precision], '%s: rendered effect equals libadiff (max diff %.3g)' % (kind, d))
    if alpha:
        a_before = get_pixels(layer, fmt=("Y'A" if gray else "R'G'B'A") + ' float')
        copy = image.duplicate()
        copy.get_layers()[0].merge_filters()
        a_after = get_pixels(copy.get_layers()[0], fmt=("Y'A" if gray else "R'G'B'A") + ' float')
        copy.delete()
        n = channels + 1
        tap.ok(max_abs_diff(a_before[n - 1::n], a_after[n - 1::n]) == 0.0,
               '%s: alpha unchanged' % kind)
    image.delete()


def check_xcf(tap, bundles):
    """(GIMP keeps an effect's doubles in the .xcf as single floats.)"""
    image, layer, channels = noisy_layer(37, 29, False, 'u16')
    before = get_pixels(layer)
    bundle = bundles['rgb']
    # (camera noise is the photo model's: the analytic model keeps it unused)
    add_effect(layer, 'analytic', bundle, sigma=30.0, tau=0.05, overlap=4, strength=0.75,
               noise_model='camera', noise_a=2e-4, noise_b=0.02)
    path = scratch('effect.xcf')
    Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image, Gio.File.new_for_path(path), None)
    image.delete()
    loaded = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(path))
    layer = loaded.get_layers()[0]
    filters = layer.get_filters()
    ok = tap.ok(len(filters) == 1 and filters[0].get_operation_name() == OPS['analytic'],
                'xcf: the effect survives save and load',
                [f.get_operation_name() for f in filters])
    if ok:
        c = filters[0].get_config()
        got = (c.get_property('bundle'), c.get_property('sigma'), c.get_property('tau'),
               c.get_property('overlap'), c.get_property('strength'),
               nick(c.get_property('noise-model')), c.get_property('noise-a'),
               c.get_property('noise-b'))
        tap.ok(got[0] == bundle and abs(got[1] - 30.0) < 1e-9 and abs(got[2] - 0.05) < 1e-9
               and got[3] == 4 and abs(got[4] - 0.75) < 1e-9 and got[5] == 'camera'
               and abs(got[6] / 2e-4 - 1) < 1e-6 and abs(got[7] / 0.02 - 1) < 1e-6,
               'xcf: its settings survive', repr(got))
    tap.ok(max_abs_diff(get_pixels(layer), before) == 0.0, 'xcf: the layer\'s own pixels survive')
    ref = reference_denoise(bundle, 30.0, 37, 29, 3, before, method='analytic', tau=0.05,
                            overlap=4, strength=0.75)
    layer.merge_filters()
    tap.ok(len(layer.get_filters()) == 0, 'xcf: merging removes the effect')
    d = max_abs_diff(get_pixels(layer), ref)
    tap.ok(d <= TOLERANCE['u16'], 'xcf: merged pixels equal libadiff (max diff %.3g)' % d)
    loaded.delete()


def check_selection(tap, bundles):
    w, h = 37, 29
    image, layer, channels = noisy_layer(w, h, True, 'f32')
    before = get_pixels(layer)
    rect = (5, 7, 20, 13)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, *rect)
    add_effect(layer, 'wiener', bundles['gray'])
    out = rendered(image)
    ref = reference_denoise(bundles['gray'], SIGMA, w, h, 1, before, method='wiener')
    inside = max_abs_diff(crop(out, w, 1, rect), crop(ref, w, 1, rect))
    tap.ok(inside <= TOLERANCE['f32'], 'selection: inside equals libadiff on the layer (%.3g)' % inside)
    mask = [rect[0] <= x < rect[0] + rect[2] and rect[1] <= y < rect[1] + rect[3]
            for y in range(h) for x in range(w)]
    outside = max((abs(a - b) for a, b, m in zip(out, before, mask) if not m), default=0.0)
    # (float round-off of GIMP's colour conversions, as for any filter)
    tap.ok(outside <= TOLERANCE['f32'], 'selection: outside unchanged (max diff %.3g)' % outside)
    layer.merge_filters()
    merged = get_pixels(layer)
    outside = max((abs(a - b) for a, b, m in zip(merged, before, mask) if not m), default=0.0)
    tap.ok(outside <= TOLERANCE['f32'],
           'selection: merged in place, outside unchanged (max diff %.3g)' % outside)
    image.delete()


def check_procedure(tap, bundles, model):
    w, h = 37, 29
    image, layer, channels = noisy_layer(w, h, False, 'u8')
    before = get_pixels(layer)
    args = dict(bundle=bundles['rgb'], sigma=SIGMA, layer_effect=True)
    if model == 'analytic':
        args.update(model='analytic', overlap=4)
    status, msg = run_procedure(PROCS[model], image, [layer], **args)
    tap.ok(status == Gimp.PDBStatusType.SUCCESS, 'procedure %s layer-effect=TRUE runs' % model, msg)
    filters = layer.get_filters()
    tap.ok(len(filters) == 1 and filters[0].get_operation_name() == OPS[model],
           'procedure %s appends %s' % (model, OPS[model]))
    tap.ok(max_abs_diff(get_pixels(layer), before) == 0.0,
           'procedure %s leaves the layer\'s pixels' % model)
    ref = reference_denoise(bundles['rgb'], SIGMA, w, h, 3, before, method=model,
                            overlap=args.get('overlap', 2))
    d = max_abs_diff(rendered(image), ref)
    tap.ok(d <= TOLERANCE['u8'], 'procedure %s effect equals libadiff (max diff %.3g)' % (model, d))
    image.delete()


def check_procedure_photo(tap, bundles):
    """The procedure's default, the photo model, as an effect: the
    operation's model "photo" and quality set by nick, or, with a module
    that has no photo model, a clear error and nothing added."""
    image, layer, channels = noisy_layer(37, 29, False, 'u8')
    before = get_pixels(layer)
    probe = Gimp.DrawableFilter.new(layer, OPS['analytic'], 'probe')
    has_photo = probe.get_config().find_property('quality') is not None
    probe.delete()
    status, msg = run_procedure(PROCS['analytic'], image, [layer], sigma=SIGMA,
                                layer_effect=True, quality='best', bundle=bundles['gray'])
    filters = layer.get_filters()
    if has_photo:
        config = filters[0].get_config() if len(filters) == 1 else None
        good = (status == Gimp.PDBStatusType.SUCCESS and config is not None and
                nick(config.get_property('model')) == 'photo' and
                nick(config.get_property('quality')) == 'best')
        tap.ok(good, 'procedure photo layer-effect=TRUE appends the effect with model photo, '
               'quality best', msg)
    else:
        tap.ok(status != Gimp.PDBStatusType.SUCCESS and len(filters) == 0 and
               'adiff-denoise' in msg and 'photo' in msg,
               'procedure photo layer-effect=TRUE: the module has no photo model yet: '
               'refused with a message, no effect added', msg)
    tap.ok(max_abs_diff(get_pixels(layer), before) == 0.0,
           'procedure photo layer-effect=TRUE leaves the layer\'s pixels')
    image.delete()


def check_bad(tap, bundles, what, gray, bundle, sigma, models=PROCS, **props):
    image, layer, channels = noisy_layer(23, 17, gray, 'u8')
    before = get_pixels(layer)
    for model in models:
        add_effect(layer, model, bundle, sigma=sigma, **props)
        out = rendered(image)
        tap.ok(max_abs_diff(out, before) == 0.0, '%s, %s effect: layer unchanged' % (what, model))
        for f in layer.get_filters():
            f.delete()
        if model not in PROCS:
            continue
        extra = {'model': 'analytic'} if model == 'analytic' else {}
        status, msg = run_procedure(PROCS[model], image, [layer], bundle=bundle, sigma=sigma,
                                    layer_effect=True, **extra)
        tap.ok(status != Gimp.PDBStatusType.SUCCESS and len(layer.get_filters()) == 0,
               '%s, %s procedure: error, no effect added' % (what, model), msg)
        tap.ok(msg != '', '%s, %s procedure: a message' % (what, model), msg)
    image.delete()


def outside_changed(after, before, w, channels, rect):
    """How many values outside rect differ."""
    x, y, rw, rh = rect
    return sum(1 for i in range(len(before) // channels)
               if not (x <= i % w < x + rw and y <= i // w < y + rh)
               for c in range(channels)
               if abs(after[i * channels + c] - before[i * channels + c]) > TOLERANCE['f32'])


def check_camera_procedure(tap, gray, precision, given=False, rect=None, w=160, h=120):
    """The procedure with camera noise and layer-effect: an effect whose
    noise-model is camera and whose a and b are those the run used (given,
    or measured from the whole layer: √(a + b/2)·255 is sigma-used), and
    whose pixels are the destructive run's on a copy (with rect selected:
    inside, outside unchanged)."""
    kind = 'camera effect %s %s%s%s' % ('gray' if gray else 'RGB', precision,
                                        ' (a, b given)' if given else ' (measured)',
                                        ' selection' if rect else '')
    image, layer, clean, channels = camera_setup(gray, precision, w, h)
    if rect:
        image.select_rectangle(Gimp.ChannelOps.REPLACE, *rect)
    before = get_pixels(layer)
    args = dict(noise_model='camera')
    if given:
        args.update(noise_a=NOISE_A, noise_b=NOISE_B)
    copy = image.duplicate()
    status, msg = run_procedure(PROCS['analytic'], copy, [copy.get_layers()[0]], **args)
    tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: the destructive run runs' % kind, msg)
    destructive = get_pixels(copy.get_layers()[0])
    copy.delete()
    status, msg, values = run_procedure_values(PROCS['analytic'], image, [layer],
                                               layer_effect=True, **args)
    filters = layer.get_filters()
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS and len(filters) == 1,
                  '%s: the procedure appends one effect' % kind, msg):
        image.delete()
        return
    c = filters[0].get_config()
    a, b = c.get_property('noise-a'), c.get_property('noise-b')
    if given:
        good = a == NOISE_A and b == NOISE_B
    else:
        good = (abs(math.sqrt(a + b / 2) * 255 - values[0]) < 1e-6 * values[0] and
                abs(b - NOISE_B) < 0.25 * NOISE_B)
    tap.ok(nick(c.get_property('noise-model')) == 'camera' and good,
           '%s: the effect has camera noise with the run\'s a and b (%g, %g; sigma-used %.3f)'
           % (kind, a, b, values[0]))
    tap.ok(max_abs_diff(get_pixels(layer), before) == 0.0,
           '%s: the layer\'s own pixels are unchanged' % kind)
    out = rendered(image)
    d = max_abs_diff(out, destructive)
    tap.ok(d <= TOLERANCE[precision], '%s: rendered effect equals the destructive run (max diff '
           '%.3g <= %.3g)' % (kind, d, TOLERANCE[precision]))
    if rect:
        n = outside_changed(out, before, w, channels, rect)
        tap.ok(n == 0, '%s: outside unchanged (%d values changed)' % (kind, n))
    image.delete()


def check_camera_measured_by_effect(tap, gray, w=160, h=120):
    """An effect with camera noise and a = b = 0 measures a and b itself
    from the whole layer: adiff_noise_denoise with a and b measured on the
    whole image (several GEGL tiles: 160 > 128)."""
    kind = 'camera effect %s measured by the effect' % ('gray' if gray else 'RGB')
    image, layer, clean, channels = camera_setup(gray, 'f32', w, h)
    before = get_pixels(layer)
    add_effect(layer, 'photo', '', noise_model='camera', noise_a=0.0, noise_b=0.0)
    d = max_abs_diff(rendered(image), camera_reference(before, w, h, channels))
    tap.ok(d <= TOLERANCE['f32'], '%s: equals libadiff (max diff %.3g)' % (kind, d))
    image.delete()


def run(tap, bundles):
    for model in OPS:
        check_effect(tap, bundles, model, True, 'u8')
        check_effect(tap, bundles, model, False, 'u16', alpha=True)
        check_effect(tap, bundles, model, False, 'f32')
        check_effect(tap, bundles, model, True, 'f32-linear')
        if model in PROCS:
            check_procedure(tap, bundles, model)
    check_procedure_photo(tap, bundles)
    # Larger than GEGL's 128-pixel tiles: several tiles, several threads
    # (the photo model reads 73 pixels beyond a tile).
    check_effect(tap, bundles, 'analytic', True, 'f32', w=301, h=203)
    check_effect(tap, bundles, 'photo', False, 'f32', w=301, h=203)
    check_xcf(tap, bundles)
    check_selection(tap, bundles)
    missing = scratch('no-such-bundle.adstats')
    corrupt = scratch('corrupt-effect.adstats')
    with open(corrupt, 'wb') as f:
        f.write(b'this is not a bundle' * 10)
    check_bad(tap, bundles, 'missing bundle', True, missing, SIGMA)
    check_bad(tap, bundles, 'corrupt bundle', False, corrupt, SIGMA)
    check_bad(tap, bundles, 'RGB bundle on gray', True, bundles['rgb'], SIGMA)
    check_bad(tap, bundles, 'sigma 0', False, bundles['rgb'], 0.0, models=OPS)
    # u8 and float only, as test_photo.py's camera noise (babl's u16 → float)
    check_camera_procedure(tap, True, 'u8')
    check_camera_procedure(tap, False, 'f32')
    check_camera_procedure(tap, False, 'u8', given=True)
    check_camera_procedure(tap, True, 'f32', given=True)
    check_camera_procedure(tap, False, 'f32', rect=(130, 100, 30, 20), w=300, h=240)
    check_camera_measured_by_effect(tap, True)
    check_camera_measured_by_effect(tap, False)
    check_bad(tap, bundles, 'camera noise a = b = 1', False, '', SIGMA, models=['photo'],
              noise_model='camera', noise_a=1.0, noise_b=1.0)
