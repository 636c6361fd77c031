"""menus_gui — run inside a GUI gimp-3 on a virtual X screen by
tests/gimp/test-menus: the GEGL operations of plug-in/gegl as a user finds
them, in Filters ▸ Enhance, read and clicked through GIMP's accessibility
tree (tests/gimp/a11y.py).

For each operation, on a small noisy RGB image in a display:
  - Filters ▸ Enhance of the image window lists its menu label, and the
    item can be used;
  - clicking it opens GIMP's own filter dialog for the operation (titled
    "TITLE (OPERATION)"), built from its properties, with GIMP's Preview
    and Split view toggles: the dialog of the on-canvas preview;
  - Cancel closes it and leaves the layer as it was, with no effect;
  - (Wiener, which is quick) OK keeps the operation on the layer as a
    non-destructive effect, the layer's own pixels unchanged.

Prints TAP and, last, "N passed, N failed".
"""
import hashlib
import os
import sys
import traceback

sys.path.insert(0, os.environ['ADIFF_GIMP_TESTDIR'])
from gimptest import Gimp, Gegl, Gio, Tap, clean_pixels, noisy, new_image, set_pixels  # noqa: E402
import a11y  # noqa: E402

WAIT = float(os.environ.get('ADIFF_MENUS_WAIT', '60'))   # seconds, per wait
W, H = 96, 64
MENU = ['Filters', 'Enhance']
OPS = [
    # operation, menu label, dialog title, a property label of its own
    ('adiff:wiener-denoise', 'Wiener Denoise (layer effect)…', 'Wiener Denoise',
     'Estimate σ from the image'),
    ('adiff:analytic-denoise', 'Analytical Diffusion Denoise (layer effect)…',
     'Analytical Diffusion Denoise', 'Exact (slow)'),
]


def digest(drawable):
    rect = Gegl.Rectangle.new(0, 0, drawable.get_width(), drawable.get_height())
    return hashlib.sha256(bytes(drawable.get_buffer().get(rect, 1.0, None,
                                                          Gegl.AbyssPolicy.NONE))).hexdigest()


def filters(layer):
    return [f.get_operation_name() for f in layer.get_filters()]


def open_dialog(app, menu, label, title):
    """Click the menu item; return GIMP's filter dialog it opens."""
    item = a11y.find_all(menu, a11y.role_named('menu item', label))[0]
    before = [w.get_name() for w in a11y.windows(app)]
    a11y.click(item)
    dialog = a11y.new_window(app, before, WAIT)
    if not dialog.get_name().startswith(title):
        raise a11y.Failed('the item opened %s, not the dialog "%s (…)"'
                          % (a11y.describe(dialog), title))
    return dialog


def check_boxes(dialog, wanted):
    """The labels of the dialog's check boxes once they include wanted (GIMP
    answers the bus only between two chunks of its first preview, and
    builds the dialog meanwhile), or as they are after WAIT seconds."""
    seen = []

    def get():
        seen[:] = [n.get_name() for n in
                   a11y.find_all(dialog, lambda n: n.get_role_name() == 'check box')]
        return all(w in seen for w in wanted)
    try:
        a11y.wait_for('the check boxes %s' % wanted, get, WAIT)
    except a11y.Failed:
        pass
    return seen


def press(app, dialog, button):
    """Press the dialog's button; wait until the dialog is gone."""
    name = dialog.get_name()
    a11y.click(a11y.find_all(dialog, a11y.role_named('button', button))[0])
    a11y.wait_for('the dialog %r to close' % name,
                  lambda: all(w.get_name() != name for w in a11y.windows(app)), WAIT)


def check_op(tap, app, menu, layer, op, label, title, own):
    labels = a11y.item_labels(menu)
    if not tap.ok(label in labels, '%s: Filters ▸ Enhance lists "%s"' % (op, label),
                  'the menu holds: %s' % ', '.join(labels)):
        return
    item = a11y.find_all(menu, a11y.role_named('menu item', label))[0]
    tap.ok(a11y.is_sensitive(item), '%s: the item can be used on an RGB layer' % op)
    original = digest(layer)
    dialog = open_dialog(app, menu, label, title)
    tap.ok(dialog.get_name() == '%s (%s)' % (title, op),
           '%s: the item opens GIMP\'s filter dialog "%s"' % (op, dialog.get_name()))
    toggles = check_boxes(dialog, [own, 'Split view', 'Preview'])
    tap.ok(own in toggles and 'Split view' in toggles and 'Preview' in toggles,
           '%s: the dialog shows the operation\'s properties ("%s") and GIMP\'s '
           'Preview and Split view' % (op, own), 'check boxes: %s' % ', '.join(toggles))
    press(app, dialog, 'Cancel')
    tap.ok(filters(layer) == [] and digest(layer) == original,
           '%s: Cancel leaves the layer as it was, with no effect' % op,
           'effects: %s' % filters(layer))


def check_keep(tap, app, menu, layer):
    """OK keeps the effect on the layer; the pixels stay the layer's own."""
    op, label, title, _ = OPS[0]
    original = digest(layer)
    dialog = open_dialog(app, menu, label, title)
    merge = a11y.find_all(dialog, a11y.role_named('check box', 'Merge filter'))
    if merge and a11y.is_checked(merge[0]):
        a11y.click(merge[0])
    press(app, dialog, 'OK')
    tap.ok(filters(layer) == [op] and digest(layer) == original,
           '%s: OK keeps it on the layer as a non-destructive effect' % op,
           'effects: %s' % filters(layer))


def main():
    tap = Tap()
    image, layer = new_image(W, H)
    set_pixels(layer, noisy(clean_pixels(W, H, 3), 25.0, 3))
    image.set_file(Gio.File.new_for_path(os.path.join(os.environ['ADIFF_GIMP_SCRATCH'],
                                                      'adiff-menus.xcf')))
    display = Gimp.Display.new(image)
    Gimp.displays_flush()
    try:
        app = a11y.gimp_app(WAIT)
        window = a11y.image_window(app, 'adiff-menus', WAIT)
        menu = a11y.menu_path(window, MENU)
        for op, label, title, own in OPS:
            try:
                check_op(tap, app, menu, layer, op, label, title, own)
            except Exception:
                tap.ok(False, '%s: the menu and its dialog could be driven' % op,
                       traceback.format_exc())
        check_keep(tap, app, menu, layer)
    except Exception:
        tap.ok(False, 'the image window and its Filters ▸ Enhance menu', traceback.format_exc())
    finally:
        display.delete()
    print('%d passed, %d failed' % (tap.n - tap.failed, tap.failed), flush=True)


main()
