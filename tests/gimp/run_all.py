"""Driver run inside gimp-console-3 (python-fu-eval): runs the test
modules named in $ADIFF_GIMP_TESTS against one GIMP session and prints TAP
plus a last line "N passed, N failed"."""
import importlib
import os
import sys
import traceback

sys.path.insert(0, os.environ['ADIFF_GIMP_TESTDIR'])
import gimptest  # noqa: E402

tap = gimptest.Tap()
bundles = {'gray': os.environ['ADIFF_GIMP_BUNDLE_GRAY'],
           'rgb': os.environ['ADIFF_GIMP_BUNDLE_RGB']}
for name in os.environ['ADIFF_GIMP_TESTS'].split():
    module = name[:-3] if name.endswith('.py') else name
    try:
        importlib.import_module(module).run(tap, bundles)
    except Exception:
        tap.ok(False, '%s raised' % module, traceback.format_exc())
print('1..%d' % tap.n)
print('%d passed, %d failed' % (tap.n - tap.failed, tap.failed), flush=True)
