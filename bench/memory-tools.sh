#!/bin/sh
# memory-tools.sh — peak RSS of the tools on large inputs (a benchmark, run by
# `meson test -C build --benchmark memory-tools`; needs /usr/bin/time).
#
#   1. adiff denoise of a generated 10000×10000 gray PGM (100 megapixels) and
#      of a 10000×2500 one, with a 8×8 gray Wiener bundle built here;
#   2. adiff denoise of a generated 10000×10000 gray PNG with
#      data/natural-gray-8x8.adstats (Wiener, σ 25), under /usr/bin/time -v;
#      both are streamed row by row: peak RSS must not grow with the height;
#   3. adiff-stats build from 10,000 and from 100,000 items of 8×8 (no
#      exemplars, then 2000 exemplars): peak RSS must not grow with the count.
# Prints one line per run: what, wall seconds, peak RSS in MiB.
#
#   memory-tools.sh BENCH-GEN ADIFF ADIFF-STATS NATURAL-BUNDLE
set -eu
GEN=$1 ADIFF=$2 STATS=$3 NATURAL=$4
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "memory-tools: /usr/bin/time is missing (apt-get install time)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/adiff-memory-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

report() {  # label, seconds, KiB
    awk -v l="$1" -v s="$2" -v k="$3" 'BEGIN { printf "%-58s %7.1f s  peak RSS %7.1f MiB\n", l, s, k / 1024 }'
}

measure() {  # label, command...
    label=$1; shift
    "$TIME" -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" ||
        { echo "$label: FAILED"; cat "$work/err.txt"; exit 1; }
    read -r secs kib <"$work/time.txt"
    report "$label" "$secs" "$kib"
}

# The same with time -v: its "Maximum resident set size" and wall clock.
measure_v() {  # label, command...
    label=$1; shift
    "$TIME" -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" ||
        { echo "$label: FAILED"; cat "$work/err.txt"; exit 1; }
    kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                        for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time.txt")
    report "$label" "$secs" "$kib"
}

"$GEN" npy 20000 8 8 "$work/train.npy"
"$STATS" build -q --exemplars 0 -o "$work/b8.adstats" "$work/train.npy"

for h in 2500 10000; do
    "$GEN" pgm 10000 $h "$work/in.pgm"
    measure "adiff denoise wiener 10000x$h gray (.pgm → .pgm)" \
        "$ADIFF" denoise -m wiener -b "$work/b8.adstats" --sigma 25 "$work/in.pgm" "$work/out.pgm"
    rm -f "$work/in.pgm" "$work/out.pgm"
done

if [ -f "$NATURAL" ]; then
    "$GEN" png 10000 10000 "$work/in.png"
    measure_v "adiff denoise wiener 10000x10000 gray (.png → .png, natural)" \
        "$ADIFF" denoise -m wiener -b "$NATURAL" --sigma 25 "$work/in.png" "$work/out.png"
    rm -f "$work/in.png" "$work/out.png"
else
    echo "adiff denoise .png: skipped ($NATURAL is missing)"
fi

for n in 10000 100000; do
    "$GEN" npy $n 8 8 "$work/items.npy"
    measure "adiff-stats build $n items 8x8, no exemplars" \
        "$STATS" build -q --exemplars 0 -o "$work/s.adstats" "$work/items.npy"
    measure "adiff-stats build $n items 8x8, 2000 exemplars" \
        "$STATS" build -q --exemplars 2000 -o "$work/s.adstats" "$work/items.npy"
    rm -f "$work/items.npy" "$work/s.adstats"
done
