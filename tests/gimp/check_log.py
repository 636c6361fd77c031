"""check_log — fail a GIMP test session on any CRITICAL or WARNING that
GLib, GTK or libgimp logged, and on duplicate mnemonics in our dialogs,
less the few messages GIMP prints on its own (NOISE below).

    python3 tests/gimp/check_log.py [--a11y] LOG...   # prints the offending lines; exit 1 if any
    python3 tests/gimp/check_log.py --self-test

--a11y also lets through what GTK's accessibility bridge inside GIMP
prints while a test reads GIMP's widgets over AT-SPI (tests/gimp/a11y.py):
only the sessions that do (tests/gimp/test-menus) pass it.

GLib's log lines look like
    (analytic-diffusion:123): LibGimpWidgets-CRITICAL **: 16:11:43.340: message
    gimp-console-3.0: LibGimpBase-WARNING: gimp: message
A noise entry matches a line only when the program, the domain and the
message all match; the program names are GIMP's own, so nothing that
analytic-diffusion logs is ever let through (--self-test checks that).
"""
import re
import sys

LINE = re.compile(r'^(?:\((?P<prog>[^:()\s]+):\d+\): |(?P<prog2>[\w.-]+): )?'
                  r'(?P<domain>[A-Za-z][\w-]*)-(?P<level>CRITICAL|WARNING)\b(?: \*\*)?:\s*(?P<msg>.*)$')
# Our dialogs: GimpProcedureDialog reports clashing mnemonics on stderr.
MNEMONIC = re.compile(r"^Procedure 'plug-in-adiff-[\w-]+': duplicate mnemonic")

# (program, domain, message) regular expressions, each with why it is
# GIMP's and not ours.
NOISE = [
    # Headless GIMP still starts the Script-Fu interpreter, which needs a
    # display, and then reads the end of its pipe.
    (r'script-fu-interpreter', r'Gtk', r'cannot open display'),
    (r'gimp-console-3(\.\d+)?', r'LibGimpBase', r'gimp_wire_read\(\): unexpected EOF'),
    # GIMP's Python interpreter that runs the test scripts meets the pipe
    # GIMP's core closed after its return values (see plug-in/main.c).
    (r'python-eval\.py', r'LibGimp', r'gimp_flush\(\): error:'),
    # The same for the test-only probe of test_cancel.py (adiff-cancel-probe.c,
    # never installed for users), now and then under load, after the call it
    # cancelled has returned.
    (r'adiff-cancel-probe', r'LibGimp', r'gimp_flush\(\): error: Broken pipe'),
    # The core at exit, now and then (seen in a session that ran only
    # test_i18n.py as in one that ran all): the two contexts of a plug-in
    # call frame still alive when --quit ends the batch, the batch
    # interpreter's own (ours return, and the core drops their frames,
    # long before).
    (r'gimp(-console)?(-3(\.\d+)?)?', r'Gimp-Core', r'list of contexts not empty upon exit'),
    # GUI GIMP 3.2 on Xvfb, at start-up, before any plug-in runs: the
    # virtual input devices.
    (r'gimp(-3(\.\d+)?)?', r'Gdk', r'GDK_IS_DEVICE'),
    (r'gimp(-3(\.\d+)?)?', r'Gimp-Widgets', r'gimp_device_info_'),
]

# GTK's accessibility bridge in GIMP's core, when a window an AT-SPI
# client looked at is destroyed (a filter dialog closed by its Cancel or
# OK) while the client still holds its accessible object.
NOISE_A11Y = [
    (r'gimp(-3(\.\d+)?)?', r'Gdk', r"gdk_window_get_window_type: assertion 'GDK_IS_WINDOW"),
    (r'gimp(-3(\.\d+)?)?', r'Gtk', r"gtk_accessible_get_widget: assertion 'GTK_IS_ACCESSIBLE"),
]


def offending(line, noise=NOISE):
    """True when the line is a GLib CRITICAL/WARNING not in noise, or a
    duplicate mnemonic of ours."""
    line = line.rstrip('\n')
    if MNEMONIC.match(line):
        return True
    m = LINE.match(line)
    if not m:
        return False
    prog = m.group('prog') or m.group('prog2') or ''
    return not any(re.fullmatch(p, prog) and re.fullmatch(d, m.group('domain')) and
                   re.search(msg, m.group('msg'))
                   for p, d, msg in noise)


def self_test():
    """GIMP's noise passes; the same messages from our plug-in do not."""
    noise = [
        '(script-fu-interpreter:15501): Gtk-WARNING **: 16:06:53.112: cannot open display: ',
        'gimp-console-3.0: LibGimpBase-WARNING: gimp: gimp_wire_read(): unexpected EOF',
        'gimp-console-3: LibGimpBase-WARNING: gimp: gimp_wire_read(): unexpected EOF',
        '(adiff-cancel-probe:7873): LibGimp-WARNING **: 01:01:49.179: adiff-cancel-probe: '
        'gimp_flush(): error: Broken pipe',
        '(gimp-3.2:77): Gdk-CRITICAL **: 10:00:00.000: gdk_device_get_source: '
        "assertion 'GDK_IS_DEVICE (device)' failed",
        # GIMP 3.2.6 started as gimp-3 names itself "gimp".
        '(gimp:77): Gdk-CRITICAL **: 10:00:00.000: gdk_device_get_axis: '
        "assertion 'GDK_IS_DEVICE (device)' failed",
        '(gimp-3.2:77): Gimp-Widgets-CRITICAL **: 10:00:00.000: gimp_device_info_set_device: '
        'assertion failed',
    ]
    ours = [
        '(analytic-diffusion:24601): LibGimpWidgets-CRITICAL **: 16:11:43.340: '
        "gimp_label_spin_set_increments: assertion 'step < page' failed",
        '(analytic-diffusion:19674): LibGimp-WARNING **: 16:07:18.045: analytic-diffusion: '
        'gimp_flush(): error: Broken pipe',
        "Procedure 'plug-in-adiff-analytic': duplicate mnemonic t for label of properties "
        'strength and tau',
        '(analytic-diffusion:1): GLib-GObject-CRITICAL **: 10:00:00.000: g_object_unref: '
        "assertion 'G_IS_OBJECT (object)' failed",
        '(python3:5): Gtk-WARNING **: 10:00:00.000: anything',
    ]
    ours += [re.sub(r'^\(([^:]+):', '(analytic-diffusion:', n) for n in noise
             if n.startswith('(')]
    ours += [re.sub(r'^gimp-console-3(\.0)?:', 'analytic-diffusion:', n) for n in noise
             if not n.startswith('(')]
    a11y = [
        "(gimp:2614): Gdk-CRITICAL **: 19:05:45.892: gdk_window_get_window_type: "
        "assertion 'GDK_IS_WINDOW (window)' failed",
        "(gimp:2614): Gtk-CRITICAL **: 19:05:46.119: gtk_accessible_get_widget: "
        "assertion 'GTK_IS_ACCESSIBLE (accessible)' failed",
    ]
    bad = ['let through: ' + n for n in noise if offending(n)]
    bad += ['not caught: ' + o for o in ours if not offending(o)]
    bad += ['let through with --a11y: ' + n for n in noise + a11y
            if offending(n, NOISE + NOISE_A11Y)]
    bad += ['not caught without --a11y: ' + n for n in a11y if not offending(n)]
    bad += ['not caught with --a11y: ' + re.sub(r'^\(gimp:', '(analytic-diffusion:', n)
            for n in a11y if not offending(re.sub(r'^\(gimp:', '(analytic-diffusion:', n),
                                           NOISE + NOISE_A11Y)]
    for b in bad:
        print(b)
    return not bad


def main(args):
    if args == ['--self-test']:
        return 0 if self_test() else 1
    noise = NOISE
    if args[:1] == ['--a11y']:
        noise, args = NOISE + NOISE_A11Y, args[1:]
    found = False
    for path in args:
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                if offending(line, noise):
                    print(line.rstrip('\n'))
                    found = True
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
