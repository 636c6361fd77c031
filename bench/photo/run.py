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
from records import Records  # noqa: E402

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
    p.add_argument("--baselines", default="tv,nlm,gmic",
                   help="which baselines to run: tv, nlm, gmic, comma-separated, or none")
    p.add_argument("--skip-baselines", action="store_true", help="only ours (and BM3D's figures)")
    p.add_argument("--records", help="append each result to this JSON-lines file and reuse the "
                   "results already in it (parallel processes may share one file)")
    p.add_argument("--report", action="store_true", help="measure nothing: print the tables from "
                   "--records (a method measured on part of the images shows how many)")
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
    if a.skip_baselines:
        a.baselines = "none"
    return a


def cell_name(m):
    return m.label if hasattr(m, "label") else m.name


def measure(a, records, part, sigma, m, name, im):
    """The record of method M on image NAME at σ: from RECORDS if there, else
    measured now (and appended) unless --report; None if not measured."""
    r = records.get(part, sigma, cell_name(m), name)
    if r is not None or a.report:
        return r
    log("%s σ = %g: %s on %s" % (part, sigma, cell_name(m), name))
    z = imagesets.noisy(im, name, sigma)
    r = dict(part=part, sigma=sigma, method=cell_name(m), image=name, mp=imagesets.megapixels(im))
    try:
        t = m.run(z, sigma)
    except NotAvailable as e:
        r["na"] = str(e)
        log("  n/a: %s" % e)
    else:
        r.update(psnr=imagesets.psnr(t.value, im), wall=t.wall, cpu=t.cpu)
        if im.ndim == 3:
            r["chroma"] = imagesets.chroma_psnr(t.value, im)
    records.add(**r)
    return r


def noisy_record(sigma, name, im):
    z = imagesets.noisy(im, name, sigma)
    return dict(psnr=imagesets.psnr(z, im), mp=imagesets.megapixels(im),
                chroma=imagesets.chroma_psnr(z, im) if im.ndim == 3 else None)


def gray_part(a, records, methods):
    images = imagesets.folder(os.path.join(a.shared, "images", "set12"), colour=False, limit=a.images)
    mp = sum(imagesets.megapixels(im) for _, im in images)
    names = ["noisy"] + [cell_name(m) for m in methods] + ["BM3D (published)"]
    results = {}
    for s in a.sigmas:
        noisy = results[("noisy", s)] = tables.Cell(total=len(images))
        for name, im in images:
            noisy.add_record(noisy_record(s, name, im), name)
        for m in methods:
            cell = results[(cell_name(m), s)] = tables.Cell(total=len(images))
            for name, im in images:
                r = measure(a, records, "gray", s, m, name, im)
                if r is not None:
                    cell.add_record(r, name)
                if cell.na:
                    break
            if cell.n and not cell.na:
                log("gray σ = %g: %s mean %.2f dB over %d images" % (s, cell_name(m), cell.mean(), cell.n))
        bm3d = tables.Cell(None if s in BM3D_SET12 and len(images) == 12 else "published for all 12 "
                           "Set12 images at σ = 15, 25, 50 only")
        if not bm3d.na:
            bm3d.add(BM3D_SET12[s], None, 0)
        results[("BM3D (published)", s)] = bm3d
    common = tables.common_subset(results, names, a.sigmas, [n for n, _ in images])
    return (tables.gray(results, names, a.sigmas, len(images), mp)
            + ("\n\nPartial means compared on common images:\n\n" + common if common else "")
            + "\n\nPer image (" + ", ".join(n for n, _ in images) + "):\n\n"
            + tables.gray_notes(results, names, a.sigmas))


def colour_part(a, records, methods):
    s = a.colour_sigma
    images = [im for d in a.colour_sets.split(",")
              for im in imagesets.folder(os.path.join(a.shared, "images", d), colour=True, limit=a.images)]
    results = {}
    for m in [None] + list(methods):
        key = "noisy" if m is None else cell_name(m)
        total = results[(key, "all")] = tables.Cell(total=len(images))
        for name, im in images:
            r = noisy_record(s, name, im) if m is None else measure(a, records, "colour", s, m, name, im)
            if r is None:
                continue
            results[(key, name)] = tables.Cell(total=1)
            results[(key, name)].add_record(r, name)
            total.add_record(r, name)
            if total.na:
                break
        if total.n and not total.na and m is not None:
            log("colour: %s mean %.2f / %.2f dB over %d images" % (key, total.mean(), total.mean_chroma(),
                                                                  total.n))
    names = ["noisy"] + [cell_name(m) for m in methods]
    common = tables.common_subset({(m, s): results[(m, "all")] for m in names}, names, [s],
                                  [n for n, _ in images])
    return (tables.colour(results, names, [n for n, _ in images],
                          [imagesets.megapixels(im) for _, im in images], s)
            + ("\n\nPartial means (RGB PSNR) compared on common images:\n\n" + common if common else ""))


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
    ours = [Ours(c, a.adiff, a.bundle, workdir) for c in (a.ours or DEFAULT_OURS) if c != "none"]
    speed_ours = [Ours(c, a.adiff, a.bundle, workdir) for c in (a.speed_ours or ["default:"])
                  if c != "none"]
    gmic = GmicPatchPCA(workdir)
    chosen = a.baselines.split(",")
    baselines = [b for key, b in (("tv", TV()), ("nlm", NLM()), ("gmic", gmic)) if key in chosen]
    records = Records(a.records)
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
        print(gray_part(a, records, ours + baselines) + "\n", flush=True)
    if "colour" in a.only:
        print(colour_part(a, records, ours + baselines) + "\n", flush=True)
    if "speed" in a.only and not a.report:
        print(speed.run(a.shared, workdir, speed_ours, gmic if gmic in baselines else None,
                        a.speed_sigmas, log) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
