# lib.sh — shell functions shared by tests/gimp/run-tests and tests/gimp/demo
# (sourced, POSIX sh).  Run from the top of the source tree, inside the
# Debian 13 root or on a system with GIMP 3.

# The build folder for GIMP 3 builds: never the native Debian 12 one.
gimp_build_dir() {
    if [ -n "${ADIFF_GIMP_BUILD_DIR:-}" ]; then
        echo "$ADIFF_GIMP_BUILD_DIR"
    elif [ "${ADIFF_IN_ROOT:-0}" = 1 ]; then
        echo build-debian13
    else
        echo build-gimp3
    fi
}

# gimp_build BUILD TARGET... — configure (once) and build the targets.
gimp_build() {
    b=$1; shift
    if [ ! -f "$b/build.ninja" ]; then
        meson setup "$b" -Dplugin=enabled >"$b.setup.log" 2>&1 ||
            { cat "$b.setup.log" >&2; return 1; }
        rm -f "$b.setup.log"
    fi
    ninja -C "$b" "$@" >/dev/null || { ninja -C "$b" "$@" 2>&1 | tail -n 30 >&2; return 1; }
}

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

# gimp_batch PROFILE HOME SCRIPT — run a python-fu script in gimp-console.
gimp_batch() {
    env HOME="$2" GIMP3_DIRECTORY="$1" \
        timeout "${ADIFF_GIMP_TIMEOUT:-900}" gimp-console-3.0 -i \
        --batch-interpreter python-fu-eval \
        -b "exec(open('$3').read())" --quit
}
