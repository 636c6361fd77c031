"""undo_gui — run inside a GUI gimp-3 on a virtual X screen by
tests/gimp/test-undo: GIMP's own Undo and Redo, reached the way a user
reaches them, by a ctrl+z / ctrl+y key press (xdotool, XTEST) into the
image window.

The PDB of GIMP 3.0 has no undo call, so headless tests can only check
that a run pushes something.  Here each case shows its image in a display,
pushes a marker step (a guide, or the selection), runs a procedure
NONINTERACTIVE, then sends ONE ctrl+z: the image must be exactly as
before the run (pixels bit for bit, layers, sample points) with the
marker still there — so the run was one undo step, no more (a second step
would leave part of the result) and no less (an empty or missing step
would undo the marker).  One ctrl+y must then give the result back
exactly.  A control case (two fills, one ctrl+z) shows that one key press
undoes one step and that the comparison can fail.

This plug-in process sleeps while GIMP's core handles the key press in
its own main loop.  Every wait has a timeout: a missing window or an
ignored key is a "not ok" with the reason, never a hang.

Prints TAP and, last, "N passed, N failed".
"""
import hashlib
import os
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.environ['ADIFF_GIMP_TESTDIR'])
from gimptest import (Gimp, Gegl, Gio, Tap, clean_pixels, noisy, new_image,  # noqa: E402
                      set_pixels, run_procedure, run_procedure_values)

W, H, SIGMA = 37, 29, 25.0
WAIT = float(os.environ.get('ADIFF_UNDO_WAIT', '10'))   # seconds, per wait
BUNDLES = {'gray': os.environ['ADIFF_GIMP_BUNDLE_GRAY'],
           'rgb': os.environ['ADIFF_GIMP_BUNDLE_RGB']}


class Failed(Exception):
    """A step that cannot go on (no window, key not taken)."""


def digest(drawable):
    """SHA-256 of the drawable's pixels in its own format (exact)."""
    rect = Gegl.Rectangle.new(0, 0, drawable.get_width(), drawable.get_height())
    data = drawable.get_buffer().get(rect, 1.0, None, Gegl.AbyssPolicy.NONE)
    return hashlib.sha256(bytes(data)).hexdigest()


def state(image, layer):
    """Everything a case can change or undo, comparable with ==."""
    guides, g = [], image.find_next_guide(0)
    while g:
        guides.append(image.get_guide_position(g))
        g = image.find_next_guide(g)
    _, nonempty, x1, y1, x2, y2 = Gimp.Selection.bounds(image)
    return {'pixels': digest(layer)[:16],
            'layers': tuple(item.get_name() for item in image.get_layers()),
            'guides': tuple(guides),
            'sample point': image.find_next_sample_point(0) != 0,
            'selection': (nonempty, x1, y1, x2, y2) if nonempty else None}


def xdotool(*args):
    try:
        r = subprocess.run(['xdotool'] + list(args), capture_output=True, text=True,
                           timeout=WAIT)
    except subprocess.TimeoutExpired:
        raise Failed('xdotool %s: no answer in %g s' % (' '.join(args), WAIT))
    if r.returncode != 0:
        raise Failed('xdotool %s failed (%d): %s' % (' '.join(args), r.returncode,
                                                    r.stderr.strip()))
    return r.stdout


def windows():
    """The names of the windows on the screen, for diagnostics."""
    try:
        ids = xdotool('search', '--onlyvisible', '--name', '.').split()
        return '\n'.join(i + ' ' + xdotool('getwindowname', i).strip() for i in ids)
    except Failed as e:
        return str(e)


class Case:
    """One image in its own display, named so its window can be found."""
    count = 0

    def __init__(self, kind, gray=False, precision='u8', alpha=False):
        Case.count += 1
        self.tag = 'adiff-undo-%d-' % Case.count
        self.image, self.layer = new_image(W, H, gray=gray, precision=precision, alpha=alpha)
        set_pixels(self.layer, noisy(clean_pixels(W, H, 1 if gray else 3), SIGMA, Case.count))
        self.image.set_file(Gio.File.new_for_path(os.path.join(
            os.environ['ADIFF_GIMP_SCRATCH'], self.tag + kind.replace(' ', '-') + '.xcf')))
        self.display = Gimp.Display.new(self.image)
        Gimp.displays_flush()
        # --sync: wait until GTK has mapped the window (its title names the file).
        try:
            self.window = xdotool('search', '--sync', '--onlyvisible', '--limit', '1',
                                  '--name', self.tag).split()[0]
        except (Failed, IndexError) as e:
            raise Failed('no image window %r: %s\n%s' % (self.tag, e, windows()))

    def state(self):
        return state(self.image, self.layer)

    def press(self, key):
        """One key press into the image window; return the state once it
        changed (GIMP's main loop ran the action), or after WAIT s with a
        note: the key was not taken, or it undid a step that changed
        nothing this test sees (either way the case fails)."""
        before = now = self.state()
        xdotool('windowfocus', '--sync', self.window, 'key', key)
        end = time.time() + WAIT
        while time.time() < end:
            time.sleep(0.1)
            now = self.state()
            if now != before:
                # The action ran within one turn of GIMP's main loop, but
                # that turn may have come between two of state()'s PDB
                # calls: read everything again, after it.
                return self.state(), None
        return now, ('%s changed nothing within %g s; windows on the screen:\n%s'
                     % (key, WAIT, windows()))

    def close(self):
        # Deleting the image's last display deletes the image too.
        self.display.delete()
        if self.image.is_valid():
            self.image.delete()


def same(tap, pressed, want, desc):
    """pressed: what Case.press returned."""
    got, note = pressed
    diff = ['%s: want %r, got %r' % (k, want[k], got[k]) for k in want if got[k] != want[k]]
    if note and diff:
        diff.append(note)
    return tap.ok(not diff, desc, '\n'.join(diff) if diff else None)


def check_control(tap):
    """Two fills are two steps: one ctrl+z leaves the first fill."""
    case = Case('control')
    try:
        original = case.state()
        Gimp.context_set_foreground(Gegl.Color.new('red'))
        case.layer.edit_fill(Gimp.FillType.FOREGROUND)
        first = case.state()
        Gimp.context_set_foreground(Gegl.Color.new('blue'))
        case.layer.edit_fill(Gimp.FillType.FOREGROUND)
        Gimp.displays_flush()
        after = case.press('ctrl+z')
        same(tap, after, first, 'control: two fills, one ctrl+z undoes only the second')
        tap.ok(after[0] != original,
               'control: ... so the image is not the original (the check can fail)')
    finally:
        case.close()


def check_filter(tap, proc, method, gray, selection, precision='u8', alpha=False):
    kind = '%s %s %s%s%s' % (method, 'gray' if gray else 'RGB', precision,
                             ' with alpha' if alpha else '',
                             ' with a selection' if selection else '')
    case = Case(kind, gray, precision, alpha)
    try:
        # The marker step, just before the run: it must survive the undo.
        if selection:
            case.image.select_rectangle(Gimp.ChannelOps.REPLACE, 5, 4, 20, 15)
        else:
            case.image.add_hguide(10)
        original = case.state()
        model = {} if method == 'wiener' else {'model': method}
        status, msg = run_procedure(proc, case.image, [case.layer],
                                    bundle=BUNDLES['gray' if gray else 'rgb'], sigma=SIGMA,
                                    **model)
        Gimp.displays_flush()
        if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: runs' % kind, msg):
            return
        result = case.state()
        if not tap.ok(result['pixels'] != original['pixels'], '%s: changes the pixels' % kind):
            return
        if same(tap, case.press('ctrl+z'), original,
                '%s: one ctrl+z gives the original back, bit for bit, %s kept'
                % (kind, 'the selection' if selection else 'the guide pushed before')):
            same(tap, case.press('ctrl+y'), result, '%s: one ctrl+y gives the result back' % kind)
    finally:
        case.close()


def check_overlay(tap):
    kind = 'sensitivity overlay, 3 σ'
    case = Case('overlay')
    try:
        case.image.add_hguide(10)
        original = case.state()
        status, msg, values = run_procedure_values(
            'plug-in-adiff-sensitivity', case.image, [case.layer], bundle=BUNDLES['rgb'],
            sigmas='10, 25, 50')
        Gimp.displays_flush()
        if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: runs' % kind, msg):
            return
        result = case.state()
        tap.ok(len(result['layers']) == len(original['layers']) + 1 and values[0].is_group() and
               len(values[0].get_children()) == 4 and result['sample point'],
               '%s: adds a group of legend and 3 layers, and a sample point (%s)'
               % (kind, result['layers']))
        children = values[0].get_children()
        tap.ok(children[0].get_name().startswith('Legend (') and
               [c.get_visible() for c in children] == [True, True, False, False],
               '%s: legend on top, legend and first σ shown, the other σ hidden (%s)'
               % (kind, [(c.get_name(), c.get_visible()) for c in children]))
        if not same(tap, case.press('ctrl+z'), original,
                    '%s: one ctrl+z removes the group and the sample point, the guide kept' % kind):
            return
        same(tap, case.press('ctrl+y'), result, '%s: one ctrl+y brings them back' % kind)
        group = case.image.get_layers()[0]
        tap.ok(group.is_group() and len(group.get_children()) == 4,
               '%s: ... with its 4 layers' % kind)
    finally:
        case.close()


def check_sample(tap):
    """Sample's size in the GUI: a 120×90 picture (a grid of windows scaled
    to fill it) shown in its own image window."""
    kind = 'sample 120×90'
    status, msg, values = run_procedure_values(
        'plug-in-adiff-sample', None, None, bundle=Gio.File.new_for_path(BUNDLES['rgb']),
        model='wiener', steps=2, width=120, height=90, layout='grid')
    if not tap.ok(status == Gimp.PDBStatusType.SUCCESS, '%s: runs' % kind, msg):
        return
    image = values[0]
    layer = image.get_layers()[0]
    tap.ok((image.get_width(), image.get_height(), layer.get_width(), layer.get_height()) ==
           (120, 90, 120, 90), '%s: image and layer 120×90' % kind)
    tag = 'adiff-sample-gui'
    image.set_file(Gio.File.new_for_path(os.path.join(os.environ['ADIFF_GIMP_SCRATCH'],
                                                      tag + '.xcf')))
    display = Gimp.Display.new(image)
    Gimp.displays_flush()
    try:
        window = xdotool('search', '--sync', '--onlyvisible', '--limit', '1', '--name', tag)
        tap.ok(window.strip() != '', '%s: shown in an image window' % kind)
    finally:
        display.delete()


def magenta_box(path):
    """Bounding box (x, y, w, h) of the pure magenta pixels of a screen grab."""
    subprocess.run(['import', '-window', 'root', '-depth', '8', 'rgb:' + path], check=True,
                   timeout=WAIT, capture_output=True)
    width = int(subprocess.run(['xdotool', 'getdisplaygeometry'], capture_output=True,
                               text=True, timeout=WAIT).stdout.split()[0])
    data = open(path, 'rb').read()
    xs, ys = [], []
    for i in range(0, len(data) - 2, 3):
        if data[i] > 240 and data[i + 1] < 16 and data[i + 2] > 240:
            xs.append((i // 3) % width)
            ys.append((i // 3) // width)
    if not xs:
        return None
    return min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1


class Log(list):
    """Diagnostics of the clicking thread, also to stderr as they happen."""

    def append(self, line):
        print('# picker: ' + line, file=sys.stderr, flush=True)
        super().append(line)


def click_pixel(log, px, py, layer_w):
    """In the Sensitivity dialog: find its preview (the magenta layer) on a
    screen grab, click layer pixel (px, py) in it, then OK."""
    path = os.path.join(os.environ['ADIFF_GIMP_SCRATCH'], 'screen.rgb')
    end = time.time() + 6 * WAIT
    box = None
    try:
        while time.time() < end and not (box and box[2] > 100):
            time.sleep(1)
            box = magenta_box(path)
        log.append('preview at %s' % (box,))
        if not (box and box[2] > 100):
            return
        scale = box[2] / layer_w
        x, y = int(box[0] + (px + 0.5) * scale), int(box[1] + (py + 0.5) * scale)
        xdotool('mousemove', '--sync', str(x), str(y), 'click', '1')
        log.append('clicked (%d, %d)' % (x, y))
        # No window manager gives the dialog the keyboard focus, so OK is
        # clicked where GIMP 3.0.4 puts it: right of the preview, below it.
        time.sleep(2)
        ok_x, ok_y = box[0] + box[2] + 15, box[1] + box[3] + 75
        xdotool('mousemove', '--sync', str(ok_x), str(ok_y), 'click', '1')
        log.append('clicked OK at (%d, %d)' % (ok_x, ok_y))
    except Exception as e:      # reported through the case's diagnostics
        log.append('error: %s' % e)


def check_picker(tap):
    """The pixel chosen by a click in the Sensitivity dialog's preview."""
    kind = 'pixel picker'
    image, layer = new_image(60, 40)
    Gimp.context_set_foreground(Gegl.Color.new('#ff00ff'))
    layer.edit_fill(Gimp.FillType.FOREGROUND)
    log = Log()
    clicker = threading.Thread(target=click_pixel, args=(log, 45, 10, 60), daemon=True)
    clicker.start()
    proc = Gimp.get_pdb().lookup_procedure('plug-in-adiff-sensitivity')
    config = proc.create_config()
    config.set_property('run-mode', Gimp.RunMode.INTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', [layer])
    config.set_property('bundle', Gio.File.new_for_path(BUNDLES['rgb']))
    config.set_property('pixel-from', 'coordinates')
    config.set_property('legend', False)
    config.set_property('sigmas', '25')
    result = proc.run(config)
    clicker.join(WAIT)
    status = result.index(0)
    name = result.index(1).get_name() if status == Gimp.PDBStatusType.SUCCESS else None
    # INTERACTIVE runs may start from the last values used (σ list, legend):
    # the pixel is what counts.
    tap.ok(name is not None and name.startswith('Sensitivity (45,10)'),
           '%s: a click on pixel (45, 10) of the preview chooses it (%s)' % (kind, name),
           '\n'.join(log + ['status %s' % status]))
    image.delete()


def main():
    tap = Tap()
    cases = [
        check_control,
        lambda t: check_filter(t, 'plug-in-adiff-wiener', 'wiener', False, False),
        lambda t: check_filter(t, 'plug-in-adiff-wiener', 'wiener', True, True),
        lambda t: check_filter(t, 'plug-in-adiff-analytic', 'analytic', False, True),
        lambda t: check_filter(t, 'plug-in-adiff-analytic', 'analytic', True, False),
        # Other precisions: the undo step holds the layer's own format.
        lambda t: check_filter(t, 'plug-in-adiff-wiener', 'wiener', False, False, 'u16', True),
        lambda t: check_filter(t, 'plug-in-adiff-analytic', 'analytic', True, True, 'f32'),
        lambda t: check_filter(t, 'plug-in-adiff-analytic', 'photo', False, True),
        lambda t: check_filter(t, 'plug-in-adiff-analytic', 'photo', True, False, 'u16', True),
        check_overlay,
        check_sample,
        check_picker,
    ]
    for case in cases:
        try:
            case(tap)
        except Failed as e:
            tap.ok(False, 'undo case stopped', str(e))
        except Exception:
            tap.ok(False, 'undo case raised', traceback.format_exc())
    # A g_message or a PDB error during the cases would have opened one.
    shown = windows()
    quiet = 'GIMP Message' not in shown
    tap.ok(quiet, 'no GIMP message dialog opened', None if quiet else shown)
    print('1..%d' % tap.n)
    print('%d passed, %d failed' % (tap.n - tap.failed, tap.failed), flush=True)


main()
