"""Run inside gimp-console-3 (python-fu-eval) with the profile an install
made (tests/package/test-package): the plug-in is registered and denoises
with the bundle installed beside it, no ADIFF_BUNDLE_DIR; so does the
layer effect of the installed GEGL module, with no bundle given (it finds
the plug-in's, in GIMP's profile).  Prints TAP and, last, "N passed, N
failed"."""
import array
import os
import random
import sys

sys.path.insert(0, os.environ['ADIFF_GIMP_TESTDIR'])
import gimptest  # noqa: E402
from gimptest import Gimp  # noqa: E402

PROCEDURES = ('plug-in-adiff-wiener', 'plug-in-adiff-analytic',
              'plug-in-adiff-sensitivity', 'plug-in-adiff-sample')

tap = gimptest.Tap()
where = os.environ.get('ADIFF_PACKAGE_WHERE', 'the installed profile')
pdb = Gimp.get_pdb()
for name in PROCEDURES:
    tap.ok(pdb.procedure_exists(name), '%s is registered from %s' % (name, where))

try:
    image, layer = gimptest.new_image(32, 32, gray=True)
    rng = random.Random(16)
    before = array.array('f', [min(1.0, max(0.0, 0.5 + rng.gauss(0, 0.1)))
                               for _ in range(32 * 32)])
    gimptest.set_pixels(layer, before)
    before = gimptest.get_pixels(layer)
    status, message = gimptest.run_procedure('plug-in-adiff-wiener', image, [layer], sigma=25.0)
    after = gimptest.get_pixels(layer)
    tap.ok(status == Gimp.PDBStatusType.SUCCESS and after != before,
           'Wiener Denoise runs with the bundle installed beside the plug-in',
           None if status == Gimp.PDBStatusType.SUCCESS else message)
except Exception as e:  # a broken install must not end the session unreported
    tap.ok(False, 'Wiener Denoise runs with the bundle installed beside the plug-in', repr(e))
try:
    image, layer = gimptest.new_image(32, 32, gray=True)
    gimptest.set_pixels(layer, before)
    effect = Gimp.DrawableFilter.new(layer, 'adiff:wiener-denoise', 'installed')
    effect.get_config().set_property('sigma', 25.0)
    effect.update()
    layer.append_filter(effect)
    layer.merge_filters()
    tap.ok(gimptest.get_pixels(layer) != before,
           'the layer effect adiff:wiener-denoise denoises with no bundle given (the plug-in\'s)')
except Exception as e:
    tap.ok(False, 'the layer effect adiff:wiener-denoise denoises with no bundle given', repr(e))
print('1..%d' % tap.n)
print('%d passed, %d failed' % (tap.n - tap.failed, tap.failed), flush=True)
