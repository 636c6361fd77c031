"""gimp-overhead.py — run inside gimp-console-3.0 by bench/gimp-overhead:
time each denoising procedure on the prepared 1-megapixel photo (only the
procedure call: no GIMP start-up, no file loading) and print one line per
method: "gimp METHOD SECONDS"."""
import os
import time

import gi
gi.require_version('Gimp', '3.0')
from gi.repository import Gimp, Gio  # noqa: E402

env = os.environ
for method in env['ADIFF_BENCH_METHODS'].split():
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(env['ADIFF_BENCH_INPUT']))
    layer = image.get_layers()[0]
    name = 'plug-in-adiff-wiener' if method == 'wiener' else 'plug-in-adiff-analytic'
    proc = Gimp.get_pdb().lookup_procedure(name)
    config = proc.create_config()
    config.set_property('run-mode', Gimp.RunMode.NONINTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', [layer])
    config.set_property('bundle', Gio.File.new_for_path(env['ADIFF_BENCH_BUNDLE']))
    config.set_property('sigma', 25.0)
    if method != 'wiener':
        config.set_property('model', method)
    start = time.time()
    result = proc.run(config)
    seconds = time.time() - start
    ok = result.index(0) == Gimp.PDBStatusType.SUCCESS
    print('gimp %s %.3f %s' % (method, seconds, 'ok' if ok else 'FAILED'), flush=True)
    image.delete()
