"""screenshot_effect.py — run inside a GUI gimp-3 under Xvfb (in a D-Bus
session, for AT-SPI) by tests/gimp/screenshots: a noisy photo in an image
window, one of the GEGL operations opened from Filters ▸ Enhance into
GIMP's own filter dialog, Split view on, and the screen photographed once
the on-canvas preview has been drawn.

Environment: ADIFF_SHOT_IMAGE (the photo), ADIFF_SHOT_SIGMA (σ of the
seeded Gaussian noise added, 0–255; 0: none), ADIFF_SHOT_LABEL (the operation's
menu label), ADIFF_SHOT_ZOOM (a View ▸ Zoom item, e.g. "2:1  (200%)"),
ADIFF_SHOT_OUT (the PNG written), ADIFF_SHOT_WAIT (seconds to wait for the
preview at most), ADIFF_SHOT_SIZE (the image window's size, WxH).
"""
import array
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.environ['ADIFF_GIMP_TESTDIR'])
import gi  # noqa: E402
gi.require_version('Gimp', '3.0')
gi.require_version('Gegl', '0.4')
from gi.repository import Gimp, Gegl, Gio  # noqa: E402
import a11y  # noqa: E402

env = os.environ
WAIT = float(env.get('ADIFF_SHOT_WAIT', '300'))


def add_noise(layer, sigma255, seed=1):
    """Seeded Gaussian noise of σ (0–255 scale) on an 8-bit RGB layer."""
    w, h = layer.get_width(), layer.get_height()
    rect = Gegl.Rectangle.new(0, 0, w, h)
    buf = layer.get_buffer()
    px = bytes(buf.get(rect, 1.0, "R'G'B' u8", Gegl.AbyssPolicy.CLAMP))
    rng = random.Random(seed)
    out = array.array('B', (min(255, max(0, round(v + rng.gauss(0.0, sigma255)))) for v in px))
    buf.set(rect, "R'G'B' u8", out.tobytes())
    buf.flush()
    layer.update(0, 0, w, h)


def xwindow(title):
    """The X window of a GIMP window, by its title (GTK names it a moment
    after the window appears on the accessibility bus)."""
    def find():
        return subprocess.run(['xdotool', 'search', '--name', '^%s$' % re.escape(title)],
                              capture_output=True, text=True).stdout.split()
    return a11y.wait_for('the X window %r' % title, find, 30)[-1]


def place_dialog(dialog):
    """The filter dialog (a window of its own, which no window manager
    places) beside the image window."""
    # GIMP answers the bus only between two chunks of its preview.
    ext = a11y.wait_for('the extents of %s' % a11y.describe(dialog),
                        lambda: dialog.get_component_iface().get_extents(
                            a11y.Atspi.CoordType.SCREEN), WAIT)
    print('dialog at %d,%d %dx%d' % (ext.x, ext.y, ext.width, ext.height), flush=True)
    w, h = (int(v) for v in env.get('ADIFF_SHOT_SIZE', '1000x700').split('x'))
    subprocess.run(['xdotool', 'windowmove', xwindow(dialog.get_name()), str(w), '0'])
    return w, h, ext.width, ext.height


def screen_digest(path):
    subprocess.run(['import', '-window', 'root', path], check=True)
    return subprocess.run(['identify', '-format', '%#', path], check=True,
                          capture_output=True, text=True).stdout


def wait_still(path, settle=3):
    """Photograph the screen until it stays the same for settle shots in a
    row (the preview is drawn chunk by chunk), at most WAIT seconds."""
    end = time.monotonic() + WAIT
    last, same = None, 0
    while time.monotonic() < end:
        d = screen_digest(path)
        same = same + 1 if d == last else 0
        if same >= settle:
            return True
        last = d
        time.sleep(4)
    return False


def main():
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(env['ADIFF_SHOT_IMAGE']))
    layer = image.get_layers()[0]
    sigma = float(env.get('ADIFF_SHOT_SIGMA', '25'))
    if sigma > 0:               # 0: the photo is noisy already
        add_noise(layer, sigma)
    # The window's title names the file: "noisy-NAME.xcf".
    name = 'noisy-' + os.path.splitext(os.path.basename(env['ADIFF_SHOT_IMAGE']))[0]
    image.set_file(Gio.File.new_for_path(os.path.join(os.path.dirname(env['ADIFF_SHOT_OUT']),
                                                      name + '.xcf')))
    image.clean_all()
    Gimp.Display.new(image)
    Gimp.displays_flush()
    app = a11y.gimp_app(60)
    window = a11y.image_window(app, name, 60)
    wid = xwindow(window.get_name())
    w, h = env.get('ADIFF_SHOT_SIZE', '1000x700').split('x')
    subprocess.run(['xdotool', 'windowmove', wid, '0', '0', 'windowsize', wid, w, h])
    time.sleep(2)
    zoom = a11y.find_all(a11y.menu_path(window, ['View', 'Zoom']),
                         a11y.role_named('menu item', env.get('ADIFF_SHOT_ZOOM', '1:1  (100%)')))
    a11y.click(zoom[0])
    center = a11y.find_all(a11y.menu_path(window, ['View']),
                           a11y.role_named('menu item', 'Center Image in Window'))
    a11y.click(center[0])
    menu = a11y.menu_path(window, ['Filters', 'Enhance'])
    before = [w.get_name() for w in a11y.windows(app)]
    a11y.click(a11y.find_all(menu, a11y.role_named('menu item', env['ADIFF_SHOT_LABEL']))[0])
    dialog = a11y.wait_for('the filter dialog', lambda: next(
        (w for w in a11y.windows(app) if w.get_name() not in before and
         '(adiff:' in (w.get_name() or '')), None), WAIT)
    # The dialog is complete once it shows GIMP's Split view toggle (GIMP
    # answers only between the chunks of its first preview).
    split = a11y.wait_for('Split view in %s' % a11y.describe(dialog),
                          lambda: a11y.find_all(dialog, a11y.role_named('check box', 'Split view')),
                          WAIT)[0]
    crop = place_dialog(dialog)
    # The pointer off every widget: no tooltip in the picture.
    subprocess.run(['xdotool', 'mousemove', '0', '2000'])
    if not a11y.is_checked(split):
        a11y.click(split, WAIT)
    still = wait_still(env['ADIFF_SHOT_OUT'])
    # The image window and the dialog beside it, nothing else of the
    # screen; below the dialog, GIMP's grey.
    w, h, dw, dh = crop
    subprocess.run(['convert', env['ADIFF_SHOT_OUT'], '-crop', '%dx%d+0+0' % (w + dw, max(h, dh)),
                    '+repage', '-fill', '#454545', '-draw',
                    'rectangle %d,%d %d,%d' % (w, dh, w + dw, max(h, dh)),
                    env['ADIFF_SHOT_OUT']], check=True)
    print('screenshot: %s (%s)' % (env['ADIFF_SHOT_OUT'],
                                   'drawn' if still else 'still drawing after %g s' % WAIT),
          flush=True)
    a11y.click(a11y.find_all(dialog, a11y.role_named('button', 'Cancel'))[0], WAIT)
    time.sleep(1)


main()
