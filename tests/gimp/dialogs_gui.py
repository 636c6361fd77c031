"""dialogs_gui — run inside a GUI gimp-3 on a virtual X screen by
tests/gimp/test-dialogs: our dialogs as a user meets them.

Each case opens a dialog (the procedure run INTERACTIVE, which blocks this
script's main thread until the dialog closes) while a driver thread
presses keys into it with xdotool (XTEST: through X and GTK, as a user's
keys).  What the dialog did is read back from the log the plug-in writes
when $ADIFF_PLUGIN_TEST_LOG is set (plug-in/ui/test-hook.c): its X window,
each value a widget gives the config, the preview's requests, starts,
stops and results, with CLOCK_MONOTONIC milliseconds that this process
reads too (time.monotonic).

Cases ($ADIFF_DIALOG_CASES, default "responsive"):
  responsive  the analytic dialog on a 700×500 RGB layer in exact mode
              with overlap 8, so its preview computes for seconds: while
              it computes, one key press (Up in the Overlap spin button)
              must change the value within 200 ms; the computation under
              way must stop soon after, and the newest one be shown.
  locale      (run in German) the sensitivity dialog: "12,5; 25" typed
              into the σ list must give two layers, σ 12.5 and 25.
  photo-preview  Analytical Diffusion Denoise with its default, the photo
              model, on a 12-megapixel RGB photo (4000×3000), the dialog
              enlarged for a preview of about 256×256: after a key press
              that changes σ, the preview must show the new result within
              1 s (PHOTO_PREVIEW_MS: the 150 ms pause after a change
              included).  On a machine busier than its cores the wall time
              says more about the other jobs: then the pause plus the
              preview's CPU time over the cores is judged instead.
  photo-preview-gray  the same on the photo made gray (gray's photo model
              has a second patch size in its final pass: more work per
              pixel than before, less than RGB's).
  photo-preview-camera  the same with Noise kind: Camera noise (measured
              once from the whole layer when the dialog opens; the change
              of σ, unused then, still recomputes the preview).

Prints TAP and, last, "N passed, N failed".
"""
import os
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.environ['ADIFF_GIMP_TESTDIR'])
from gimptest import (Gimp, Gegl, Gio, Tap, clean_pixels, noisy, new_image,  # noqa: E402
                      set_pixels)

LOG = os.environ['ADIFF_PLUGIN_TEST_LOG']
WAIT = float(os.environ.get('ADIFF_DIALOG_WAIT', '60'))   # seconds, per wait
KEY_LATENCY_MS = 200
STOP_LATENCY_MS = 2000
PHOTO_PREVIEW_MS = 1000
PREVIEW_DEBOUNCE_MS = 150    # plug-in/ui/preview.c


class Failed(Exception):
    """A step that cannot go on (no window, no preview)."""


def xdotool(*args):
    r = subprocess.run(['xdotool'] + list(args), capture_output=True, text=True, timeout=WAIT)
    if r.returncode != 0:
        raise Failed('xdotool %s failed (%d): %s' % (' '.join(args), r.returncode,
                                                    r.stderr.strip()))
    return r.stdout


class PluginLog:
    """The plug-in's test log from a given offset: (ms, words) entries."""

    def __init__(self):
        self.offset = os.path.getsize(LOG) if os.path.exists(LOG) else 0

    def entries(self):
        try:
            with open(LOG, encoding='utf-8') as f:
                f.seek(self.offset)
                text = f.read()
        except OSError:
            return []
        out = []
        for line in text.splitlines():
            ms, _, rest = line.partition(' ')
            out.append((int(ms), rest.split()))
        return out

    def wait(self, match, after_ms=0, timeout=WAIT):
        """The first entry after after_ms for which match(words) holds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for ms, words in self.entries():
                if ms >= after_ms and match(words):
                    return ms, words
            time.sleep(0.005)
        raise Failed('no log line as wanted within %g s; log:\n%s' % (
            timeout, '\n'.join('%d %s' % (ms, ' '.join(w)) for ms, w in self.entries()[-30:])))


def now_ms():
    return int(time.monotonic() * 1000)


def run_dialog(name, config, drive):
    """Run the procedure INTERACTIVE with drive(log) in a thread; return
    (result values, the driver's result or exception)."""
    log = PluginLog()
    outcome = {}

    def driver():
        try:
            outcome['value'] = drive(log)
        except Exception as e:  # reported by the case
            outcome['error'] = e
            try:
                xdotool('key', 'Escape')
            except Exception as e2:
                outcome['error'] = '%s\n(and Escape: %s)' % (e, e2)

    thread = threading.Thread(target=driver, daemon=True)
    thread.start()
    result = Gimp.get_pdb().lookup_procedure(name).run(config)
    thread.join(WAIT)
    return result, outcome


def drive_case(tap, what, name, config, drive):
    """run_dialog; (result, the driver's values) or None after a failure
    line when the dialog could not be driven."""
    result, outcome = run_dialog(name, config, drive)
    if 'error' in outcome:
        tap.ok(False, '%s: the dialog could be driven' % what, outcome['error'])
        return None
    tap.diag('%s: %r' % (what, outcome['value']))
    return result, outcome['value']


def key(window, name):
    """One key press through XTEST into the focused dialog, as a user's."""
    xdotool('windowfocus', '--sync', window, 'key', name)


def dialog_window(log):
    _, words = log.wait(lambda w: w[:2] == ['dialog', 'window'])
    window = words[2]
    xdotool('windowfocus', '--sync', window)
    return window


def interactive(name, w, h):
    """A noisy w×h RGB image in a display, and an INTERACTIVE config of the
    procedure on it with the RGB test bundle."""
    image, layer = new_image(w, h)
    set_pixels(layer, noisy(clean_pixels(w, h, 3), 25.0, 7))
    display = Gimp.Display.new(image)
    Gimp.displays_flush()
    config = Gimp.get_pdb().lookup_procedure(name).create_config()
    config.set_property('run-mode', Gimp.RunMode.INTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', [layer])
    config.set_property('bundle', Gio.File.new_for_path(os.environ['ADIFF_GIMP_BUNDLE_RGB']))
    return config, display


def check_responsive(tap):
    config, display = interactive('plug-in-adiff-analytic', 700, 500)
    config.set_property('model', 'analytic')
    config.set_property('exact', True)
    config.set_property('overlap', 7)

    def drive(log):
        window = dialog_window(log)
        # A preview computing: started, not yet shown.
        start_ms, words = log.wait(lambda w: w[0] == 'preview' and w[2] == 'start')
        busy = words[1]
        # Alt+v: the Overlap spin button (its mnemonic), then one Up.
        key(window, 'alt+v')
        time.sleep(0.3)
        shown = [x for x in log.entries() if x[1][:3] == ['preview', busy, 'shown']]
        if shown:
            raise Failed('the preview finished before the key (make it slower)')
        # Timed from xdotool's return: it has sent the key to the X server
        # (XTEST, then XSync) by then; its own start-up is not the dialog's.
        spawned = now_ms()
        key(window, 'Up')
        sent = now_ms()
        set_ms, _ = log.wait(lambda w: w[:3] == ['set', 'overlap', '8'], after_ms=spawned)
        stop_ms, stop = log.wait(lambda w: w[:2] == ['preview', busy] and
                                 w[2] in ('stopped:', 'shown', 'cancelled'), after_ms=start_ms)
        last_ms, last = log.wait(lambda w: w[0] == 'preview' and w[2] == 'shown' and
                                 int(w[1]) > int(busy), after_ms=sent, timeout=3 * WAIT)
        key(window, 'Escape')
        return {'computing for': sent - start_ms, 'key to value': max(0, set_ms - sent),
                'xdotool ran': sent - spawned,
                'key to stop': stop_ms - spawned, 'stop': ' '.join(stop),
                'newest shown after': last_ms - sent}

    try:
        ran = drive_case(tap, 'responsive', 'plug-in-adiff-analytic', config, drive)
        if ran is None:
            return
        result, got = ran
        tap.ok(result.index(0) == Gimp.PDBStatusType.CANCEL, 'responsive: Escape cancels the dialog')
        tap.ok(got['key to value'] <= KEY_LATENCY_MS,
               'responsive: a key press changes the spin button within %d ms while the preview '
               'computes (%d ms, %d ms into the computation)'
               % (KEY_LATENCY_MS, got['key to value'], got['computing for']))
        tap.ok('stopped:' in got['stop'] and got['key to stop'] <= STOP_LATENCY_MS,
               'responsive: the outdated computation stops within %d ms (%d ms: %s)'
               % (STOP_LATENCY_MS, got['key to stop'], got['stop']))
        tap.ok(True, 'responsive: the newest preview is shown (%d ms after the key)'
               % got['newest shown after'])
    finally:
        display.delete()


def check_locale(tap):
    config, display = interactive('plug-in-adiff-sensitivity', 32, 32)
    config.set_property('sigmas', '50')

    def drive(log):
        window = dialog_window(log)
        # The σ list's mnemonic (German: "_Rauschstärken σ"), select all,
        # type, then OK.
        key(window, 'alt+r')
        key(window, 'ctrl+a')
        xdotool('windowfocus', '--sync', window, 'type', '--delay', '20', '12,5; 25')
        log.wait(lambda w: w[:2] == ['set', 'sigmas'] and ' '.join(w[2:]) == '"12,5; 25"')
        key(window, 'alt+o')   # OK ("_OK" in German too)
        return True

    try:
        result, outcome = run_dialog('plug-in-adiff-sensitivity', config, drive)
        if 'error' in outcome:
            tap.ok(False, 'locale: the dialog could be driven', outcome['error'])
            return
        ok = result.index(0) == Gimp.PDBStatusType.SUCCESS
        tap.ok(ok, 'locale: OK runs the overlay', None if ok else result.index(1))
        if not ok:
            return
        group = result.index(1)
        names = [c.get_name() for c in group.get_children()] if group.is_group() else []
        names = [n for n in names if 'σ' in n]   # the legend layer aside
        good = len(names) == 2 and ('12,5' in names[0] or '12.5' in names[0]) and '25' in names[1]
        tap.ok(good, 'locale: "12,5; 25" typed in German gives σ = 12.5 and σ = 25', names)
    finally:
        display.delete()


def big_photo(w, h):
    """The sample photo enlarged to w×h with σ = 25 noise (ImageMagick, as
    raw floats: no file plug-in involved), in a new image."""
    path = os.path.join(os.environ['ADIFF_GIMP_SCRATCH'], 'photo-%dx%d.f32' % (w, h))
    sample = os.path.join(os.environ['ADIFF_GIMP_TESTDIR'], '..', '..', 'data', 'samples',
                          'chelsea.png')
    subprocess.run(['convert', sample, '-resize', '%dx%d!' % (w, h), '-attenuate', '0.4',
                    '+noise', 'Gaussian', '-depth', '32', '-define',
                    'quantum:format=floating-point', 'rgb:' + path], check=True, timeout=WAIT)
    image, layer = new_image(w, h)
    with open(path, 'rb') as f:
        data = f.read()
    buf = layer.get_buffer()
    buf.set(Gegl.Rectangle.new(0, 0, w, h), "R'G'B' float", data)
    buf.flush()
    layer.update(0, 0, w, h)
    return image


def preview_ms(cpu, wall):
    """What a preview costs: its wall time, or on a machine busier than its
    cores (other jobs), the pause after a change plus its CPU time spread
    over the cores, as it would run alone."""
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if load <= 1.5 * cores:
        return wall, 'wall time'
    return PREVIEW_DEBOUNCE_MS + 1000 * cpu / cores, \
        'loaded machine (load %.1f on %d cores, %d ms wall): debounce + CPU time / cores' \
        % (load, cores, wall)


def check_photo_preview(tap, camera=False, gray=False):
    what = 'photo preview' + (' (camera noise)' if camera else '') + (' (gray)' if gray else '')
    kind = 'gray' if gray else 'RGB'
    image = big_photo(4000, 3000)
    if gray:
        image.convert_grayscale()
    display = Gimp.Display.new(image)
    Gimp.displays_flush()
    config = Gimp.get_pdb().lookup_procedure('plug-in-adiff-analytic').create_config()
    config.set_property('run-mode', Gimp.RunMode.INTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', image.get_layers())
    if camera:
        config.set_property('noise-model', 'camera')

    def drive(log):
        window = dialog_window(log)
        _, req = log.wait(lambda w: w[0] == 'preview' and w[2] == 'request')
        log.wait(lambda w: w[:3] == ['preview', req[1], 'shown'], timeout=3 * WAIT)
        # A larger dialog, for a preview of at least 256×256 (GIMP's
        # default is 200×200; the preview takes part of what the dialog gains).
        for _ in range(6):
            if min(int(v) for v in req[3].split('x')) >= 256:
                break
            geometry = xdotool('getwindowgeometry', window)
            size = [int(v) for v in geometry.split('Geometry:')[1].split()[0].split('x')]
            resized = now_ms()
            xdotool('windowsize', '--sync', window, str(size[0] + 120), str(size[1] + 120))
            _, req = log.wait(lambda w: w[0] == 'preview' and w[2] == 'request',
                              after_ms=resized)
            log.wait(lambda w: w[:3] == ['preview', req[1], 'shown'], timeout=3 * WAIT)
        # Alt+n: the σ spin button (its mnemonic), then one Up: σ 25 → 26.
        key(window, 'alt+n')
        time.sleep(0.5)
        spawned = now_ms()
        key(window, 'Up')
        sent = now_ms()
        log.wait(lambda w: w[:2] == ['set', 'sigma'], after_ms=spawned)
        _, req = log.wait(lambda w: w[0] == 'preview' and w[2] == 'request', after_ms=spawned)
        start_ms, _ = log.wait(lambda w: w[:3] == ['preview', req[1], 'start'],
                               after_ms=spawned)
        _, done = log.wait(lambda w: w[:3] == ['preview', req[1], 'computed'],
                           after_ms=spawned, timeout=3 * WAIT)
        last_ms, _ = log.wait(lambda w: w[:3] == ['preview', req[1], 'shown'],
                              after_ms=spawned, timeout=3 * WAIT)
        key(window, 'Escape')
        return {'area': req[3], 'key to shown': last_ms - spawned, 'cpu': float(done[4]),
                'computation': last_ms - start_ms, 'xdotool ran': sent - spawned}

    try:
        ran = drive_case(tap, what, 'plug-in-adiff-analytic', config, drive)
        if ran is None:
            return
        got = ran[1]
        ms, how = preview_ms(got['cpu'], got['key to shown'])
        tap.ok(ms <= PHOTO_PREVIEW_MS,
               '%s: a %s area of a 12-megapixel %s photo follows a change of σ in '
               '%d ms (≤ %d ms; %s; %.2f s CPU; key to shown %d ms wall)'
               % (what, got['area'], kind, ms, PHOTO_PREVIEW_MS, how, got['cpu'],
                  got['key to shown']))
    finally:
        display.delete()


CASES = {'responsive': check_responsive, 'locale': check_locale,
         'photo-preview': check_photo_preview,
         'photo-preview-gray': lambda tap: check_photo_preview(tap, gray=True),
         'photo-preview-camera': lambda tap: check_photo_preview(tap, camera=True)}

tap = Tap()
for name in os.environ.get('ADIFF_DIALOG_CASES', 'responsive').split():
    try:
        CASES[name](tap)
    except Exception:
        tap.ok(False, '%s raised' % name, traceback.format_exc())
print('1..%d' % tap.n)
print('%d passed, %d failed' % (tap.n - tap.failed, tap.failed), flush=True)
