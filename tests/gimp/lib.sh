# lib.sh — shell functions shared by tests/gimp/run-tests and tests/gimp/demo
# (sourced, POSIX sh).  Run from the top of the source tree, inside a root
# of tests/gimp-root or on a system with GIMP 3.
#
# ADIFF_GIMP_PREBUILT=BUILD: use the binaries in BUILD, built against
# another GIMP (3.0), unchanged; nothing is built here (the GIMP 3.2 root
# has no compiler).

# The build folder for GIMP 3 builds: never the native Debian 12 one.
gimp_build_dir() {
    if [ -n "${ADIFF_GIMP_PREBUILT:-}" ]; then
        echo "$ADIFF_GIMP_PREBUILT"
    elif [ -n "${ADIFF_GIMP_BUILD_DIR:-}" ]; then
        echo "$ADIFF_GIMP_BUILD_DIR"
    elif [ "${ADIFF_IN_ROOT:-0}" = 1 ]; then
        echo build-debian13
    else
        echo build-gimp3
    fi
}

# gimp_build BUILD TARGET... — configure (once) and build the targets;
# under ADIFF_GIMP_PREBUILT only check that they are there.
gimp_build() {
    b=$1; shift
    if [ -n "${ADIFF_GIMP_PREBUILT:-}" ]; then
        for t in "$@"; do
            [ -f "$b/$t" ] || { echo "$b/$t is missing: build it against GIMP 3.0 first" >&2; return 1; }
        done
        return 0
    fi
    if [ ! -f "$b/build.ninja" ]; then
        # In a root of tests/gimp-root the static BLAS archives are there:
        # the binaries must be self-contained (plug-in/packaging/meson.build).
        static=auto
        [ "${ADIFF_IN_ROOT:-0}" = 1 ] && static=enabled
        meson setup "$b" -Dplugin=enabled -Dstatic_blas=$static >"$b.setup.log" 2>&1 ||
            { cat "$b.setup.log" >&2; return 1; }
        rm -f "$b.setup.log"
    fi
    ninja -C "$b" "$@" >/dev/null || { ninja -C "$b" "$@" 2>&1 | tail -n 30 >&2; return 1; }
}

# gimp_build_package BUILD — build what users install (plug-in/packaging/stage):
# the plug-in and, when gettext's tools were found, the catalogs.  The
# GEGL module (plug-in/gegl/) is to be added here when it exists.
gimp_build_package() {
    gimp_build "$1" plug-in/analytic-diffusion plug-in/gegl/adiff-denoise.so || return 1
    [ -z "${ADIFF_GIMP_PREBUILT:-}" ] || return 0
    if ninja -C "$1" -t targets all 2>/dev/null | grep -q '^analytic-diffusion-gmo:'; then
        gimp_build "$1" analytic-diffusion-gmo
    fi
}

# gimp_build_tests BUILD — build what tests/gimp/run-tests needs: what
# users install, the reference program and the cancel probe.
gimp_build_tests() {
    gimp_build_package "$1" &&
        gimp_build "$1" tests/gimp/adiff-gimp-ref tests/gimp/adiff-cancel-probe
}

# gimp_version — the version of the GIMP here (3.0.4, 3.2.6…).  The
# programs are called by the names every GIMP 3 installs (gimp-console-3,
# gimp-3): 3.2 has no gimp-console-3.0.
gimp_version() {
    gimp-console-3 --version | sed -n 's/.* version \([0-9.]*\).*/\1/p'
}

# gimp_series — 3.0, 3.2…: the name of its profile folder
# (~/.config/GIMP/SERIES; GIMP 3.2 does not read 3.0's).
gimp_series() { gimp_version | cut -d. -f1,2; }

# gimp_output_dir BUILD — one GIMP version's logs and babl cache, apart
# from another version's run with the same binaries.
gimp_output_dir() { echo "$1/tests/gimp/gimp-$(gimp_series)"; }

# install_plugin BUILD PROFILE [BUNDLE...] — put the plug-in into a GIMP 3
# profile's plug-ins folder (GIMP 3 only loads a plug-in from a folder
# named like its executable); bundles go to data/ beside it, where the
# plug-in's bundle chooser looks.
install_plugin() {
    b=$1; profile=$2; shift 2
    dir=$profile/plug-ins/analytic-diffusion
    mkdir -p "$dir/data"
    cp "$b/plug-in/analytic-diffusion" "$dir/"
    # Catalogs go to locale/ beside the executable, where main.c looks.
    for mo in "$b"/po/*/LC_MESSAGES/analytic-diffusion*.mo; do
        [ -f "$mo" ] || continue
        lang=$(basename "$(dirname "$(dirname "$mo")")")
        mkdir -p "$dir/locale/$lang/LC_MESSAGES"
        cp "$mo" "$dir/locale/$lang/LC_MESSAGES/analytic-diffusion.mo"
    done
    for bundle in "$@"; do cp "$bundle" "$dir/data/"; done
    # The help pages and their pictures, where main.c registers them.
    mkdir -p "$dir/help/images"
    cp -R help/en help/de help/style.css "$dir/help/"
    cp docs/screenshots/*.png "$dir/help/images/" 2>/dev/null || true
}

# without_gimp_noise — filter a GUI GIMP's output for reading: drop empty
# lines and the criticals GIMP itself prints, named by domain and message.
# Kept short on purpose: anything else may be ours.
#  - GIMP 3.2 under Xvfb (an X server without input devices): hundreds of
#    Gdk "GDK_IS_DEVICE (device)" and Gimp-Widgets gimp_device_info_*
#    "GIMP_IS_DEVICE_INFO (info)" assertions, from start-up on and with
#    every event, before and while any plug-in runs.
without_gimp_noise() {
    grep -v -e '^$' \
        -e "Gdk-CRITICAL \*\*: [0-9:.]*: gdk_[a-z_]*: assertion 'GDK_IS_DEVICE (device)' failed" \
        -e "Gimp-Widgets-CRITICAL: gimp_device_info_[a-z_]*: assertion 'GIMP_IS_DEVICE_INFO (info)' failed"
}

# install_gegl_module BUILD HOME — put the GEGL module where GEGL inside
# GIMP looks for third-party operations: $XDG_DATA_HOME/gegl-0.4/plug-ins,
# by default ~/.local/share/gegl-0.4/plug-ins of the HOME GIMP runs with.
install_gegl_module() {
    dir=${XDG_DATA_HOME:-$2/.local/share}/gegl-0.4/plug-ins
    mkdir -p "$dir"
    cp "$1/plug-in/gegl/adiff-denoise.so" "$dir/"
}

# gimp_batch PROFILE HOME SCRIPT — run a python-fu script in gimp-console.
gimp_batch() {
    env HOME="$2" GIMP3_DIRECTORY="$1" \
        timeout "${ADIFF_GIMP_TIMEOUT:-900}" gimp-console-3 -i \
        --batch-interpreter python-fu-eval \
        -b "exec(open('$3').read())" --quit
}

# start_xvfb SCRATCH [WxH] — an Xvfb screen (default 1280x900) for a GUI
# GIMP; sets $display and
# $xvfb (its pid, for the caller to kill).  Xvfb picks a free display
# itself (-displayfd): display numbers taken in other mount namespaces
# (other roots, same network) are skipped, which xvfb-run -a's lock-file
# check would miss.
start_xvfb() {
    Xvfb -displayfd 3 -screen 0 "${2:-1280x900}x24" -nolisten tcp 3>"$1/display" \
        >"$1/xvfb.log" 2>&1 &
    xvfb=$!
    i=0
    while [ ! -s "$1/display" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$1/display" ] || { cat "$1/xvfb.log" >&2; return 1; }
    display=:$(head -n 1 "$1/display")
}

# gui_profile PROFILE — no welcome dialog: it shows on a profile's first
# run of a version.
gui_profile() {
    printf '(config-version "%s")\n(show-welcome-dialog no)\n' "$(gimp_version)" >"$1/gimprc"
}

# gui_gimp LOG SCRIPT [VAR=VALUE...] — run a python-fu script (in
# tests/gimp/, or an absolute path) in a GUI gimp-3 on $display, with the
# scratch profile of $scratch and the test bundles, bounded by
# $ADIFF_GUI_TIMEOUT seconds (default 100); output to LOG.  Returns GIMP's
# exit status.
gui_gimp() {
    glog=$1 script=$2; shift 2
    case $script in /*) ;; *) script=$(pwd -P)/tests/gimp/$script ;; esac
    env DISPLAY="$display" HOME="$scratch/home" GIMP3_DIRECTORY="$scratch/profile" \
        ADIFF_GIMP_SCRATCH="$scratch" ADIFF_GIMP_REF="$ref" \
        ADIFF_GIMP_TESTDIR="$(pwd -P)/tests/gimp" \
        ADIFF_GIMP_BUNDLE_GRAY="$scratch/gray.adstats" ADIFF_GIMP_BUNDLE_RGB="$scratch/rgb.adstats" \
        "$@" timeout -k 5 "${ADIFF_GUI_TIMEOUT:-100}" gimp-3 -n -s \
        --batch-interpreter python-fu-eval \
        -b "exec(open('$script').read())" --quit \
        >"$glog" 2>&1
}

# gui_a11y_missing — the tools a GUI test that reads GIMP's widgets through
# the accessibility tree (tests/gimp/a11y.py) needs and this system lacks,
# space-separated; empty when all are there.
gui_a11y_missing() {
    m=""
    for tool in Xvfb gimp-3 dbus-run-session; do
        command -v "$tool" >/dev/null 2>&1 || m="$m $tool"
    done
    python3 -c "import gi; gi.require_version('Atspi', '2.0')" 2>/dev/null ||
        m="$m gir1.2-atspi-2.0"
    [ -x /usr/libexec/at-spi-bus-launcher ] || [ -x /usr/lib/at-spi2-core/at-spi-bus-launcher ] ||
        m="$m at-spi2-core"
    echo "${m# }"
}

# gui_gimp_a11y LOG SCRIPT [VAR=VALUE...] — gui_gimp in a D-Bus session of
# its own, where GTK publishes GIMP's widgets on the accessibility bus
# (started on demand by at-spi2-core).  The bus daemons' own chatter goes
# to LOG.dbus, not into GIMP's log.
gui_gimp_a11y() {
    export display scratch ref
    dbus-run-session -- sh -c '. tests/gimp/lib.sh; gui_gimp "$@"' sh "$@" 2>"$1.dbus"
}

# gui_counts LOG WHAT — print LOG's TAP lines and set $gui_passed and
# $gui_failed from its last "N passed, N failed" line (a session that did
# not get there counts as one failure, with its last lines shown).
gui_counts() {
    grep -E '^(ok|not ok|#|1\.\.)' "$1" || true
    counts=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$1" | tail -n 1)
    if [ -z "$counts" ]; then
        tail -n 40 "$1" | sed 's/^/# /'
        echo "not ok - the GUI session did not finish $2"
        gui_passed=$(grep -c '^ok' "$1" || true)
        gui_failed=$(( $(grep -c '^not ok' "$1" || true) + 1 ))
        return
    fi
    gui_passed=${counts% *} gui_failed=${counts#* }
}

# log_clean LOG WHAT [--a11y] — one TAP line: LOG holds no CRITICAL or
# WARNING of GLib, GTK or libgimp and no duplicate mnemonic of ours, GIMP's
# own noise aside (tests/gimp/check_log.py; --a11y for a session that read
# GIMP's widgets over AT-SPI); sets $log_ok to 1 or 0.
log_clean() {
    if found=$(python3 tests/gimp/check_log.py ${3:-} "$1"); then
        echo "ok - $2: no CRITICAL or WARNING from GLib, GTK or libgimp"
        log_ok=1
    else
        echo "not ok - $2: CRITICAL or WARNING from GLib, GTK or libgimp"
        printf '%s\n' "$found" | sed 's/^/#   /'
        log_ok=0
    fi
}
