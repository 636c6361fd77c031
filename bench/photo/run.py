#!/usr/bin/python3
"""Issue 17's photo benchmark (start it with bench/photo/photo-bench, which
installs what it needs and skips without ../shared; see bench/photo/README.md).

Prints markdown tables: gray (Set12, σ = 15/25/50), colour (σ = 25, the
colour images of Set14 and ../shared/images/photos) and speed (12 MP).
Progress goes to stderr.
"""
import argparse
import os
import platform
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imagesets  # noqa: E402
import speed  # noqa: E402
import tables  # noqa: E402
import tune  # noqa: E402
from baselines import BM3D_SET12, NLM, TV, GmicPatchPCA  # noqa: E402
from ours import NotAvailable, Ours  # noqa: E402

DEFAULT_OURS = [
    "wiener:--method wiener",
    "analytic:--method analytic",
    "analytic-best:--method analytic --overlap 4 --tau 0.035",
]


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def options():
    p = argparse.ArgumentParser(description="Photo benchmark of issue 17: our denoisers beside "
                                "TV, NLM, G'MIC patch-PCA and BM3D's published figures.")
    p.add_argument("--source-root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    p.add_argument("--shared", help="../shared (default: beside the source root)")
    p.add_argument("--adiff", help="the adiff CLI (default SOURCE_ROOT/build/stats/adiff)")
    p.add_argument("--bundle", help="bundle added to configurations that name none when the CLI "
                   "needs one (default SOURCE_ROOT/data/natural-gray-8x8.adstats)")
    p.add_argument("--ours", action="append", metavar="NAME:ARGS",
                   help="an `adiff denoise` configuration, repeatable (default: %s)"
                   % "; ".join(DEFAULT_OURS))
    p.add_argument("--speed-ours", action="append", metavar="NAME:ARGS",
                   help="configuration(s) for the speed part (default 'default:', i.e. "
                   "`adiff denoise` without --method; 'none': only G'MIC's crop)")
    p.add_argument("--sigmas", default="15,25,50", help="gray σ list, 0–255 (default 15,25,50)")
    p.add_argument("--colour-sigma", type=float, default=25)
    p.add_argument("--colour-sets", default="set14,photos",
                   help="folders of SHARED/images for the colour part (default set14,photos)")
    p.add_argument("--speed-sigmas", default="25,50")
    p.add_argument("--images", type=int, help="only the first N images of each set")
    p.add_argument("--skip-baselines", action="store_true", help="only ours (and BM3D's figures)")
    p.add_argument("--only", choices=["gray", "colour", "speed"], action="append",
                   help="run only this part (repeatable)")
    p.add_argument("--tune", action="store_true", help="grid-search the TV and NLM parameters "
                   "on train400/cbsd432 and exit")
    p.add_argument("--workdir", help="scratch folder (default: a new one in $TMPDIR)")
    a = p.parse_args()
    a.source_root = os.path.abspath(a.source_root)
    a.shared = a.shared or os.path.join(a.source_root, "..", "shared")
    a.adiff = a.adiff or os.path.join(a.source_root, "build", "stats", "adiff")
    a.bundle = a.bundle or os.path.join(a.source_root, "data", "natural-gray-8x8.adstats")
    a.sigmas = [float(s) for s in a.sigmas.split(",")]
    a.speed_sigmas = [float(s) for s in a.speed_sigmas.split(",")]
    a.only = a.only or ["gray", "colour", "speed"]
    return a


def run_method(method, z, clean, sigma, cell, results_key, colour):
    """Run METHOD on Z, add its PSNR and time to CELL; False if it is n/a."""
    try:
        t = method.run(z, sigma)
    except NotAvailable as e:
        cell.na = str(e)
        return False
    cell.add(imagesets.psnr(t.value, clean), t, imagesets.megapixels(clean),
             imagesets.chroma_psnr(t.value, clean) if colour else None)
    return True


def gray_part(a, ours, baselines):
    images = imagesets.folder(os.path.join(a.shared, "images", "set12"), colour=False, limit=a.images)
    mp = sum(imagesets.megapixels(im) for _, im in images)
    names = ["noisy"] + [o.label for o in ours] + [b.name for b in baselines] + ["BM3D (published)"]
    results = {}
    for s in a.sigmas:
        noisy = tables.Cell()
        for name, im in images:
            noisy.add(imagesets.psnr(imagesets.noisy(im, name, s), im), None, imagesets.megapixels(im))
        results[("noisy", s)] = noisy
        for m in list(ours) + list(baselines):
            cell = results[(m.label if hasattr(m, "label") else m.name, s)] = tables.Cell()
            for name, im in images:
                log("gray σ = %g: %s on %s" % (s, cell_name(m), name))
                if not run_method(m, imagesets.noisy(im, name, s), im, s, cell, None, False):
                    log("  n/a: %s" % cell.na)
                    break
            if not cell.na:
                log("gray σ = %g: %s mean %.2f dB" % (s, cell_name(m), cell.mean()))
        bm3d = tables.Cell(None if s in BM3D_SET12 and len(images) == 12 else "published for all 12 "
                           "Set12 images at σ = 15, 25, 50 only")
        if not bm3d.na:
            bm3d.add(BM3D_SET12[s], None, 0)
        results[("BM3D (published)", s)] = bm3d
    return (tables.gray(results, names, a.sigmas, len(images), mp) + "\n\nPer image ("
            + ", ".join(n for n, _ in images) + "):\n\n" + tables.gray_notes(results, names, a.sigmas))


def cell_name(m):
    return m.label if hasattr(m, "label") else m.name


def colour_part(a, ours, baselines):
    s = a.colour_sigma
    images = [im for d in a.colour_sets.split(",")
              for im in imagesets.folder(os.path.join(a.shared, "images", d), colour=True, limit=a.images)]
    methods = ["noisy"] + [cell_name(m) for m in list(ours) + list(baselines)]
    results = {}
    for m in [None] + list(ours) + list(baselines):
        key = "noisy" if m is None else cell_name(m)
        total = results[(key, "all")] = tables.Cell()
        for name, im in images:
            z = imagesets.noisy(im, name, s)
            one = results[(key, name)] = tables.Cell()
            if m is None:
                one.add(imagesets.psnr(z, im), None, imagesets.megapixels(im), imagesets.chroma_psnr(z, im))
            else:
                log("colour: %s on %s" % (key, name))
                if not run_method(m, z, im, s, one, None, True):
                    total.na = one.na
                    log("  n/a: %s" % one.na)
                    break
            total.add(one.psnr[0], one, one.mp, one.chroma[0])
        if not total.na and m is not None:
            log("colour: %s mean %.2f / %.2f dB" % (key, total.mean(), total.mean_chroma()))
    return tables.colour(results, methods, [n for n, _ in images],
                         [imagesets.megapixels(im) for _, im in images], s)


def machine_note():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return "%s, %s, %d cores, load average %.1f at the start" % (
        time.strftime("%Y-%m-%d %H:%M"), cpu, os.cpu_count(), os.getloadavg()[0])


def main():
    a = options()
    if a.tune:
        tune.tune(a.shared, a.sigmas)
        return 0
    workdir = a.workdir or tempfile.mkdtemp(prefix="adiff-photo-bench.")
    os.makedirs(workdir, exist_ok=True)
    if not os.access(a.adiff, os.X_OK):
        print("photo-bench: no adiff at %s (build it: ninja -C build)" % a.adiff, file=sys.stderr)
        return 1
    ours = [Ours(c, a.adiff, a.bundle, workdir) for c in (a.ours or DEFAULT_OURS)]
    speed_ours = [Ours(c, a.adiff, a.bundle, workdir) for c in (a.speed_ours or ["default:"])
                  if c != "none"]
    gmic = GmicPatchPCA(workdir)
    baselines = [] if a.skip_baselines else [TV(), NLM(), gmic]
    print("# Photo benchmark (issue 17)\n")
    print("Machine: %s; Python %s\n" % (machine_note(), platform.python_version()))
    print("Ours (`%s`, float32 .npy in and out):\n" % a.adiff)
    for o in ours:
        print("- %s: `%s`" % (o.label, o.describe()))
    for b in baselines:
        print("- %s: %s" % (b.name, b.describe()))
    print()
    sys.stdout.flush()
    if "gray" in a.only:
        print(gray_part(a, ours, baselines) + "\n", flush=True)
    if "colour" in a.only:
        print(colour_part(a, ours, baselines) + "\n", flush=True)
    if "speed" in a.only:
        print(speed.run(a.shared, workdir, speed_ours, None if a.skip_baselines else gmic,
                        a.speed_sigmas, log) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
