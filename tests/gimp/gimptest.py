"""gimptest — helpers for the headless GIMP 3 tests (run inside
gimp-console-3's python-fu-eval interpreter by run_all.py).

Pixels cross between GIMP and the libadiff reference program as native
float32 files; images are built from known clean pixels plus seeded noise.
"""
import array
import math
import os
import random
import subprocess
import time

import gi
gi.require_version('Gimp', '3.0')
gi.require_version('Gegl', '0.4')
from gi.repository import Gimp, Gegl, Gio  # noqa: E402

SCRATCH = os.environ['ADIFF_GIMP_SCRATCH']
REF = os.environ['ADIFF_GIMP_REF']


class Tap:
    """TAP producer; a test body that raises counts as a failure."""

    def __init__(self):
        self.n = 0
        self.failed = 0
        self.last = time.time()

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        now = time.time()
        print(('ok' if cond else 'not ok') + ' %d - %s [%.2fs]' % (self.n, desc, now - self.last),
              flush=True)
        self.last = now
        if diag is not None:
            for line in str(diag).splitlines():
                print('#   ' + line, flush=True)
        return cond

    def diag(self, msg):
        print('# ' + msg, flush=True)


PRECISIONS = {
    'u8': Gimp.Precision.U8_NON_LINEAR,
    'u16': Gimp.Precision.U16_NON_LINEAR,
    'f32': Gimp.Precision.FLOAT_NON_LINEAR,
    'f32-linear': Gimp.Precision.FLOAT_LINEAR,
}

# Largest |GIMP − reference| accepted per precision: the reference sees the
# very pixels GIMP stored, so the only difference is rounding the result to
# the layer's precision (½ step; one step allowed for float noise right at a
# rounding boundary) or float round-off in the colour conversions.
TOLERANCE = {
    'u8': 1.0 / 255 + 1e-6,
    'u16': 1.0 / 65535 + 1e-6,
    'f32': 1e-5,
    'f32-linear': 1e-4,
}


def clean_value(x, y, c):
    """A smooth test image (values in [0.2, 0.8])."""
    return 0.5 + 0.15 * math.sin(0.31 * x + 1.7 * c) * math.cos(0.23 * y - 0.4 * c) \
        + 0.15 * math.sin(0.11 * (x + y) + c)


def clean_pixels(width, height, channels):
    return array.array('f', [clean_value(x, y, c)
                             for y in range(height) for x in range(width)
                             for c in range(channels)])


def noisy(pixels, sigma255, seed):
    rng = random.Random(seed)
    s = sigma255 / 255.0
    return array.array('f', [v + rng.gauss(0.0, s) for v in pixels])


def color_format(drawable, alpha=False):
    base = "Y'" if drawable.is_gray() else "R'G'B'"
    return base + ('A' if alpha else '') + ' float'


def new_image(width, height, gray=False, precision='u8', alpha=False):
    base = Gimp.ImageBaseType.GRAY if gray else Gimp.ImageBaseType.RGB
    image = Gimp.Image.new_with_precision(width, height, base, PRECISIONS[precision])
    if gray:
        kind = Gimp.ImageType.GRAYA_IMAGE if alpha else Gimp.ImageType.GRAY_IMAGE
    else:
        kind = Gimp.ImageType.RGBA_IMAGE if alpha else Gimp.ImageType.RGB_IMAGE
    layer = Gimp.Layer.new(image, 'test', width, height, kind, 100.0,
                           Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    return image, layer


def get_pixels(drawable, fmt=None, rect=None):
    """Float pixels, colour only unless fmt says otherwise.  8-bit layers
    are fetched as u8 and scaled (exact): babl plans some u8 -> float
    conversions for seconds in every new process."""
    if rect is None:
        rect = (0, 0, drawable.get_width(), drawable.get_height())
    buf = drawable.get_buffer()
    want = fmt or color_format(drawable)
    with_alpha = want.split()[0].endswith('A')
    u8 = drawable.get_image().get_precision() == Gimp.Precision.U8_NON_LINEAR
    if u8:
        full = ("Y'A" if drawable.is_gray() else "R'G'B'A") + ' u8'
        data = [b / 255.0 for b in bytes(buf.get(Gegl.Rectangle.new(*rect), 1.0, full,
                                                 Gegl.AbyssPolicy.NONE))]
    else:
        full = color_format(drawable, alpha=True)
        data = array.array('f', bytes(buf.get(Gegl.Rectangle.new(*rect), 1.0, full,
                                              Gegl.AbyssPolicy.NONE)))
    if fmt is not None and not fmt.startswith(("Y'", "R'G'B'")):
        raise ValueError('get_pixels only reads perceptual formats')
    n = 2 if drawable.is_gray() else 4
    if with_alpha:
        return array.array('f', data)
    return array.array('f', [v for i, v in enumerate(data) if i % n != n - 1])


def set_pixels(drawable, pixels, fmt=None):
    fmt = fmt or color_format(drawable)
    w, h = drawable.get_width(), drawable.get_height()
    buf = drawable.get_buffer()
    buf.set(Gegl.Rectangle.new(0, 0, w, h), fmt, pixels.tobytes())
    buf.flush()
    drawable.update(0, 0, w, h)


def set_alpha_ramp(layer):
    """Make the layer's alpha vary across it (0.2 at the left … 1 at the
    right); return its pixels with alpha."""
    w, h = layer.get_width(), layer.get_height()
    channels = 1 if layer.is_gray() else 3
    full = color_format(layer, alpha=True)
    px = get_pixels(layer, full)
    n = channels + 1
    for i in range(w * h):
        px[i * n + channels] = 0.2 + 0.8 * ((i % w) / (w - 1))
    set_pixels(layer, px, full)
    return get_pixels(layer, full)


def run_procedure(name, image, drawables, **args):
    """Run a PDB procedure non-interactively; return (status, message)."""
    status, message, _ = run_procedure_values(name, image, drawables, **args)
    return status, message


def run_procedure_values(name, image, drawables, **args):
    """Like run_procedure, plus the return values after the status."""
    proc = Gimp.get_pdb().lookup_procedure(name)
    if proc is None:
        raise RuntimeError('procedure %s is not registered' % name)
    config = proc.create_config()
    config.set_property('run-mode', Gimp.RunMode.NONINTERACTIVE)
    if image is not None:
        config.set_property('image', image)
        config.set_core_object_array('drawables', drawables)
    for key, value in args.items():
        key = key.replace('_', '-')
        if isinstance(value, str) and key == 'bundle':
            value = Gio.File.new_for_path(value)
        config.set_property(key, value)
    result = proc.run(config)
    status = result.index(0)
    message = ''
    values = []
    if status != Gimp.PDBStatusType.SUCCESS:
        if result.length() > 1 and isinstance(result.index(1), str):
            message = result.index(1)
        else:
            message = Gimp.get_pdb().get_last_error() or ''
    else:
        values = [result.index(i) for i in range(1, result.length())]
    return status, message, values


def scratch(name):
    return os.path.join(SCRATCH, name)


def reference_denoise(bundle, sigma255, width, height, channels, pixels,
                      tag='ref', **options):
    """What libadiff alone computes for these pixels (options: method,
    strength, tau, exact)."""
    src, dst = scratch(tag + '-in.f32'), scratch(tag + '-out.f32')
    with open(src, 'wb') as f:
        f.write(pixels.tobytes())
    opts = ['%s=%s' % (k, int(v) if isinstance(v, bool) else v) for k, v in options.items()]
    subprocess.run([REF, 'denoise', bundle, repr(float(sigma255)), str(width),
                    str(height), str(channels), src, dst] + opts, check=True)
    with open(dst, 'rb') as f:
        return array.array('f', f.read())


# Camera noise of the tests: variance A + B·x (σ 2.55 in black, 25.5 in white).
NOISE_A, NOISE_B = 1e-4, 0.01


def camera_clean(w, h, channels):
    """A ramp across the brightness range with flat boxes on it: smooth
    places at many levels, where the noise can be measured."""
    def value(x, y, c):
        for i, (bx, by) in enumerate(((0.1, 0.2), (0.55, 0.6), (0.3, 0.65))):
            if bx * w <= x < (bx + 0.25) * w and by * h <= y < (by + 0.25) * h:
                return 0.15 + 0.3 * i + 0.05 * c
        return 0.08 + 0.84 * x / (w - 1) - 0.03 * c
    return array.array('f', [value(x, y, c) for y in range(h) for x in range(w)
                             for c in range(channels)])


def camera_noisy(clean, a, b, seed):
    """Noise of variance a + b·x (Gaussian, as camera noise is at these
    levels)."""
    rng = random.Random(seed)
    return array.array('f', [v + math.sqrt(a + b * v) * rng.gauss(0.0, 1.0) for v in clean])


def camera_setup(gray, precision, w, h):
    """A new image whose layer has camera noise NOISE_A + NOISE_B·x."""
    channels = 1 if gray else 3
    clean = camera_clean(w, h, channels)
    image, layer = new_image(w, h, gray=gray, precision=precision)
    set_pixels(layer, camera_noisy(clean, NOISE_A, NOISE_B, 9))
    return image, layer, clean, channels


def camera_reference(before, w, h, channels, noise='auto'):
    """adiff_noise_denoise on the whole image, a and b measured there
    ('auto', as `adiff denoise --noise-model auto`) or given ('A,B'); σ is
    not used."""
    return reference_denoise('-', 25.0, w, h, channels, before, tag='camera',
                             method='photo', noise=noise)


def reference_sample(bundle, tag='sample', **options):
    dst = scratch(tag + '.f32')
    opts = ['%s=%s' % (k, int(v) if isinstance(v, bool) else v) for k, v in options.items()]
    subprocess.run([REF, 'sample', bundle, dst] + opts, check=True)
    with open(dst, 'rb') as f:
        return array.array('f', f.read())


def make_bundle(path, channels, exemplars):
    subprocess.run([REF, 'bundle', path, str(channels), str(exemplars)], check=True)
    return path


def crop(pixels, width, channels, rect):
    """rect = (x, y, w, h) out of a width-wide interleaved image."""
    x, y, w, h = rect
    out = array.array('f')
    for row in range(y, y + h):
        start = (row * width + x) * channels
        out.extend(pixels[start:start + w * channels])
    return out


def max_abs_diff(a, b):
    if len(a) != len(b):
        return float('inf')
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


def mse(a, b):
    return sum((x - y) ** 2 for x, y in zip(a, b)) / max(1, len(a))
