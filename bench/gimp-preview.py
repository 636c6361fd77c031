"""gimp-preview.py — run inside a GUI gimp-3 under Xvfb (in a D-Bus
session, for AT-SPI) by bench/gimp-preview: how long GIMP takes to draw a
layer effect's on-canvas preview of the visible part of a large photo at
100 %.

The photo is shown at 1:1 in an image window sized so that its canvas
shows about ADIFF_BENCH_VIEW pixels (the canvas's size is printed, as
GIMP's accessibility tree gives it).  Each operation is opened from
Filters ▸ Enhance into GIMP's filter dialog (the first preview: the
denoiser is built, the fast-mode indexes too), then its σ is changed from
25 to 30 in the dialog (an update: a new denoiser, the preview drawn
again).  The visible part is drawn when the canvas on the screen has
stayed the same for SETTLE_S seconds: the time reported runs to its last
change, with the CPU seconds GIMP used by then (its GEGL threads; GIMP
goes on with the rest of the image afterwards, in the background).
Prints

    preview OPERATION first|update WALL_S cpu=CPU_S

Environment: ADIFF_BENCH_INPUT (the photo), ADIFF_BENCH_OPS (menu labels,
"|"-separated), ADIFF_BENCH_WINDOW (the image window's size, WxH).
"""
import hashlib
import os
import subprocess
import sys
import time

sys.path.insert(0, os.environ['ADIFF_GIMP_TESTDIR'])
import gi  # noqa: E402
gi.require_version('Gimp', '3.0')
from gi.repository import Gimp, Gio  # noqa: E402
import a11y  # noqa: E402

env = os.environ
SETTLE_S = 60       # seconds the canvas stays the same: the preview is drawn
TIMEOUT = 7200


def gimp_cpu():
    with open('/proc/%d/stat' % os.getppid()) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def canvas_digest(rect):
    """A digest of the canvas's pixels on the screen."""
    x, y, w, h = rect
    shot = subprocess.run(['import', '-window', 'root', '-crop', '%dx%d+%d+%d' % (w, h, x, y),
                           'rgb:-'], capture_output=True, check=True).stdout
    return hashlib.sha1(shot).hexdigest()


def wait_drawn(start, cpu0, rect):
    """Seconds from start to the last change of the canvas on the screen,
    and GIMP's CPU seconds by then, once the canvas has stayed the same for
    SETTLE_S seconds.  GIMP draws the visible part of a preview first and
    goes on with the rest of the image in the background: its CPU use does
    not say when the visible part is done, the screen does."""
    last = canvas_digest(rect)
    changed, cpu_then = time.time(), gimp_cpu()
    while time.time() - changed < SETTLE_S and time.time() - start < TIMEOUT:
        time.sleep(1)
        d = canvas_digest(rect)
        if d != last:
            last, changed, cpu_then = d, time.time(), gimp_cpu()
    return changed - start, cpu_then - cpu0


def canvas_rect(window):
    """The image window's canvas on the screen (x, y, w, h): the largest
    widget inside it that holds no others."""
    def extents(n):
        try:
            e = n.get_component_iface().get_extents(a11y.Atspi.CoordType.SCREEN)
            return e.x, e.y, e.width, e.height
        except Exception:
            return 0, 0, 0, 0
    leaves = a11y.find_all(window, lambda n: n.get_child_count() == 0)
    rects = sorted((r[2] * r[3], r) for r in map(extents, leaves))
    return rects[-1][1]


def set_sigma(dialog, value):
    """The dialog's σ (its first spin button), as typing a value would."""
    def set_value():
        spins = a11y.find_all(dialog, lambda n: n.get_role_name() == 'spin button')
        return spins and spins[0].get_value_iface().set_current_value(value)
    # GIMP answers the bus only between two chunks of the preview it draws.
    a11y.wait_for('σ set', set_value, TIMEOUT)


def main():
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(env['ADIFF_BENCH_INPUT']))
    image.set_file(Gio.File.new_for_path(os.path.join(env['ADIFF_GIMP_SCRATCH'], 'adiff-bench.xcf')))
    image.clean_all()
    Gimp.Display.new(image)
    Gimp.displays_flush()
    app = a11y.gimp_app(120)
    window = a11y.image_window(app, 'adiff-bench', 120)
    wid = subprocess.run(['xdotool', 'search', '--name', 'adiff-bench'], capture_output=True,
                         text=True).stdout.split()[-1]
    w, h = env.get('ADIFF_BENCH_WINDOW', '1450x1130').split('x')
    subprocess.run(['xdotool', 'windowmove', wid, '0', '0', 'windowsize', wid, w, h])
    time.sleep(3)
    a11y.click(a11y.find_all(a11y.menu_path(window, ['View', 'Zoom']),
                             a11y.role_named('menu item', '1:1  (100%)'))[0])
    time.sleep(3)
    rect = canvas_rect(window)
    print('canvas %dx%d = %.2f MP at 100 %%, image %dx%d' % (rect[2], rect[3],
                                                         rect[2] * rect[3] / 1e6,
                                                         image.get_width(), image.get_height()),
          flush=True)
    # The pointer off the canvas: no cursor in the shots.
    subprocess.run(['xdotool', 'mousemove', '0', '5000'])
    menu = a11y.menu_path(window, ['Filters', 'Enhance'])
    for label in env['ADIFF_BENCH_OPS'].split('|'):
        before = [x.get_name() for x in a11y.windows(app)]
        cpu0, start = gimp_cpu(), time.time()
        a11y.click(a11y.find_all(menu, a11y.role_named('menu item', label))[0], TIMEOUT)
        dialog = a11y.new_window(app, before, TIMEOUT)
        name = a11y.wait_for('the dialog\'s title', dialog.get_name, TIMEOUT)
        wall, cpu = wait_drawn(start, cpu0, rect)
        print('preview %s first %.1f cpu=%.1f' % (name, wall, cpu), flush=True)
        cpu0, start = gimp_cpu(), time.time()
        set_sigma(dialog, 30.0)
        wall, cpu = wait_drawn(start, cpu0, rect)
        print('preview %s update %.1f cpu=%.1f' % (name, wall, cpu), flush=True)
        cancel = a11y.wait_for('Cancel', lambda: a11y.find_all(
            dialog, a11y.role_named('button', 'Cancel')), TIMEOUT)[0]
        a11y.click(cancel, TIMEOUT)
        time.sleep(2)


main()
