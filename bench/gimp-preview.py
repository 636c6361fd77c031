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
again).  The preview is drawn when GIMP's process has been idle for
IDLE_S seconds: the time reported runs to the last second it was busy,
with the CPU seconds GIMP used meanwhile (its GEGL threads).  Prints

    preview OPERATION first|update WALL_S cpu=CPU_S

Environment: ADIFF_BENCH_INPUT (the photo), ADIFF_BENCH_OPS (menu labels,
"|"-separated), ADIFF_BENCH_WINDOW (the image window's size, WxH).
"""
import os
import sys
import time

sys.path.insert(0, os.environ['ADIFF_GIMP_TESTDIR'])
import gi  # noqa: E402
gi.require_version('Gimp', '3.0')
from gi.repository import Gimp, Gio  # noqa: E402
import a11y  # noqa: E402

env = os.environ
IDLE_S = 4          # seconds without CPU use: the preview is drawn
TIMEOUT = 3600


def gimp_cpu():
    with open('/proc/%d/stat' % os.getppid()) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def wait_idle(start, cpu0):
    """Seconds from start to the last busy second, and GIMP's CPU seconds
    since cpu0, once GIMP has been idle for IDLE_S seconds."""
    last_busy, last_cpu, idle = time.time(), gimp_cpu(), 0
    while time.time() - start < TIMEOUT:
        time.sleep(1)
        cpu = gimp_cpu()
        if cpu - last_cpu > 0.05:
            last_busy, idle = time.time(), 0
        else:
            idle += 1
            if idle >= IDLE_S:
                break
        last_cpu = cpu
    return last_busy - start, last_cpu - cpu0


def canvas_size(window):
    """The image window's canvas: the largest widget inside it that is
    not a container of others."""
    def extents(n):
        try:
            e = n.get_component_iface().get_extents(a11y.Atspi.CoordType.SCREEN)
            return e.width, e.height
        except Exception:
            return 0, 0
    leaves = a11y.find_all(window, lambda n: n.get_child_count() == 0)
    sizes = sorted((w * h, w, h, n.get_role_name()) for n in leaves for w, h in [extents(n)])
    print('largest widgets: %s' % sizes[-4:], flush=True)
    return sizes[-1][1:3] if sizes else (0, 0)


def set_sigma(dialog, value):
    """The dialog's σ (its first spin button), as typing a value would."""
    spins = a11y.find_all(dialog, lambda n: n.get_role_name() == 'spin button')
    a11y.wait_for('σ set', lambda: spins[0].get_value_iface().set_current_value(value), 600)


def main():
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(env['ADIFF_BENCH_INPUT']))
    image.set_file(Gio.File.new_for_path(os.path.join(env['ADIFF_GIMP_SCRATCH'], 'adiff-bench.xcf')))
    image.clean_all()
    Gimp.Display.new(image)
    Gimp.displays_flush()
    app = a11y.gimp_app(120)
    window = a11y.image_window(app, 'adiff-bench', 120)
    import subprocess
    wid = subprocess.run(['xdotool', 'search', '--name', 'adiff-bench'], capture_output=True,
                         text=True).stdout.split()[-1]
    w, h = env.get('ADIFF_BENCH_WINDOW', '1450x1130').split('x')
    subprocess.run(['xdotool', 'windowmove', wid, '0', '0', 'windowsize', wid, w, h])
    time.sleep(3)
    a11y.click(a11y.find_all(a11y.menu_path(window, ['View', 'Zoom']),
                             a11y.role_named('menu item', '1:1  (100%)'))[0])
    time.sleep(3)
    cw, ch = canvas_size(window)
    print('canvas %dx%d = %.2f MP at 100 %%, image %dx%d' % (cw, ch, cw * ch / 1e6,
                                                         image.get_width(), image.get_height()),
          flush=True)
    menu = a11y.menu_path(window, ['Filters', 'Enhance'])
    for label in env['ADIFF_BENCH_OPS'].split('|'):
        before = [x.get_name() for x in a11y.windows(app)]
        cpu0, start = gimp_cpu(), time.time()
        a11y.click(a11y.find_all(menu, a11y.role_named('menu item', label))[0], TIMEOUT)
        dialog = a11y.new_window(app, before, TIMEOUT)
        wall, cpu = wait_idle(start, cpu0)
        name = dialog.get_name()
        print('preview %s first %.1f cpu=%.1f' % (name, wall, cpu), flush=True)
        cpu0, start = gimp_cpu(), time.time()
        set_sigma(dialog, 30.0)
        wall, cpu = wait_idle(start, cpu0)
        print('preview %s update %.1f cpu=%.1f' % (name, wall, cpu), flush=True)
        a11y.click(a11y.find_all(dialog, a11y.role_named('button', 'Cancel'))[0], TIMEOUT)
        time.sleep(2)


main()
