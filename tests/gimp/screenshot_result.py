"""screenshot_result.py — run in headless gimp-console-3.0 by
tests/gimp/screenshots: make the pictures of results for docs/screenshots
and the help pages, as a user would see them in the image window:

  ADIFF_SHOT_KIND=overlay  the sample photo with a Sensitivity Field
                           Overlay (three σ, legend shown), flattened;
  ADIFF_SHOT_KIND=sample   a Sample with its defaults (256×256).

Environment: ADIFF_SHOT_KIND, ADIFF_SHOT_IMAGE, ADIFF_SHOT_BUNDLE,
ADIFF_SHOT_OUT.
"""
import os

import gi
gi.require_version('Gimp', '3.0')
from gi.repository import Gimp, Gio  # noqa: E402

env = os.environ


def run(name, **args):
    proc = Gimp.get_pdb().lookup_procedure(name)
    config = proc.create_config()
    config.set_property('run-mode', Gimp.RunMode.NONINTERACTIVE)
    for key, value in args.items():
        if key == 'drawables':
            config.set_core_object_array('drawables', value)
        else:
            config.set_property(key.replace('_', '-'), value)
    result = proc.run(config)
    if result.index(0) != Gimp.PDBStatusType.SUCCESS:
        raise SystemExit('screenshot_result: %s failed: %s' % (name, result.index(1)))
    return result.index(1)


bundle = Gio.File.new_for_path(env['ADIFF_SHOT_BUNDLE'])
if env['ADIFF_SHOT_KIND'] == 'overlay':
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(env['ADIFF_SHOT_IMAGE']))
    layer = image.get_layers()[0]
    run('plug-in-adiff-sensitivity', image=image, drawables=[layer], bundle=bundle,
        x=215, y=120, sigmas='10, 25, 50', model='wiener')
else:
    image = run('plug-in-adiff-sample', bundle=bundle)
image.flatten()
Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image, Gio.File.new_for_path(env['ADIFF_SHOT_OUT']),
               None)
