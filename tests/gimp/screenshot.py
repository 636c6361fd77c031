"""screenshot.py — run inside a GUI gimp-3 under Xvfb by
tests/gimp/screenshots: open the sample image in a display and start one
of our procedures interactively, so its dialog shows (the shell script
photographs it and ends the session).

Environment: ADIFF_SHOT_IMAGE, ADIFF_SHOT_PROCEDURE, ADIFF_SHOT_BUNDLE.
"""
import os

import gi
gi.require_version('Gimp', '3.0')
from gi.repository import Gimp, Gio  # noqa: E402

env = os.environ
proc = Gimp.get_pdb().lookup_procedure(env['ADIFF_SHOT_PROCEDURE'])
config = proc.create_config()
config.set_property('run-mode', Gimp.RunMode.INTERACTIVE)
if env.get('ADIFF_SHOT_IMAGE'):
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(env['ADIFF_SHOT_IMAGE']))
    Gimp.Display.new(image)
    Gimp.displays_flush()
    config.set_property('image', image)
    config.set_core_object_array('drawables', image.get_layers()[:1])
if env.get('ADIFF_SHOT_BUNDLE'):    # else the procedure's default
    config.set_property('bundle', Gio.File.new_for_path(env['ADIFF_SHOT_BUNDLE']))
proc.run(config)
