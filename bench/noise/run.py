"""The camera-noise benchmark (bench/noise/README.md): real photos with seeded
Poisson–Gaussian noise z = b·Poisson(x/b) + √a·N(0,1) (float, neither
clipped nor quantised), denoised by `adiff denoise` four ways:

- constant σ, estimated: --estimate-sigma (the MAD of the finest diagonal
  Haar band: what a user gets without a noise model);
- constant σ, best: the σ (on the 0–255 scale) that gave the best PSNR of
  the image, searched on a geometric grid between the noise at x = 0.1 and at
  x = 1, then refined between the best grid point's neighbours, the
  estimated σ being one more candidate (an oracle: it knows the clean image);
- noise model given: --noise-model A,B with the true a, b;
- noise model auto: --noise-model auto (estimated from the noisy image).

It prints markdown tables (mean PSNR per set and model, differences, the
estimates, seconds per megapixel) and the per-image figures.
"""
import argparse
import math
import os
import re
import sys
import tempfile
import zlib

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "photo"))
import imagesets  # noqa: E402
import timing  # noqa: E402
from records import Records  # noqa: E402

DEFAULT_MODELS = "0.000025,0.002;0.0001,0.01;0.0004,0.02"
METHODS = ("const-est", "const-best", "model-given", "model-auto")
GRID = 5          # grid points of the best-σ search, then 2 refinements


def poisson_gaussian(image, name, a, b):
    seed = zlib.crc32(("camera-noise:%s:%g:%g" % (name, a, b)).encode())
    rng = np.random.default_rng(seed)
    shot = b * rng.poisson(image / b) if b > 0 else image
    return shot + math.sqrt(a) * rng.standard_normal(image.shape)


class Runner:
    def __init__(self, adiff, workdir):
        self.adiff, self.workdir = adiff, workdir

    def denoise(self, args, noisy_path, clean):
        out = os.path.join(self.workdir, "out.npy")
        t = timing.command([self.adiff, "denoise"] + args + [noisy_path, out])
        if t.value.returncode != 0:
            raise RuntimeError("adiff denoise %s: %s" % (" ".join(args), t.value.stderr.strip()))
        estimate = np.load(out)
        os.unlink(out)
        return imagesets.psnr(estimate, clean), t

    def best_constant(self, noisy_path, clean, a, b):
        """The best σ (0–255) on the grid and its two refinements."""
        lo, hi = 255 * math.sqrt(a + 0.1 * b), 255 * math.sqrt(a + b)
        grid = [lo * (hi / lo) ** (i / (GRID - 1)) for i in range(GRID)]
        tried = {}
        for s in grid:
            tried[s] = self.denoise(["--sigma", "%.4f" % s], noisy_path, clean)[0]
        best = max(grid, key=lambda s: tried[s])
        i = grid.index(best)
        for j in (i - 1, i + 1):
            if 0 <= j < GRID:
                s = math.sqrt(best * grid[j])
                tried[s] = self.denoise(["--sigma", "%.4f" % s], noisy_path, clean)[0]
        best = max(tried, key=lambda s: tried[s])
        return tried[best], best


def measure(runner, records, part, name, clean, a, b):
    """Every method on one image; results from RECORDS when there."""
    if all(records.get(part, 0, m, name) for m in METHODS):
        return
    z = poisson_gaussian(clean, name, a, b).astype(np.float32)
    path = os.path.join(runner.workdir, "noisy.npy")
    np.save(path, z)
    mp = imagesets.megapixels(clean)
    base = dict(part=part, sigma=0, image=name, noisy=imagesets.psnr(z, clean), mp=mp)
    if not records.get(part, 0, "const-est", name):
        p, t = runner.denoise(["--estimate-sigma"], path, clean)
        m = re.search(r"estimated σ = ([0-9.]+)", t.value.stderr)
        records.add(method="const-est", psnr=p, wall=t.wall, cpu=t.cpu,
                    sigma255=float(m.group(1)) if m else None, **base)
    if not records.get(part, 0, "const-best", name):
        p, s = runner.best_constant(path, clean, a, b)
        records.add(method="const-best", psnr=p, sigma255=s, **base)
    if not records.get(part, 0, "model-given", name):
        p, t = runner.denoise(["--noise-model", "%r,%r" % (a, b)], path, clean)
        records.add(method="model-given", psnr=p, wall=t.wall, cpu=t.cpu, **base)
    if not records.get(part, 0, "model-auto", name):
        p, t = runner.denoise(["--noise-model", "auto"], path, clean)
        m = re.search(r"a = ([0-9.e+-]+), b = ([0-9.e+-]+)", t.value.stderr)
        records.add(method="model-auto", psnr=p, wall=t.wall, cpu=t.cpu,
                    a=float(m.group(1)) if m else None, b=float(m.group(2)) if m else None,
                    **base)
    os.unlink(path)


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else float("nan")


def complete_parts(records, sets, models, names):
    """(set, a, b, rows) for every set and model measured on all its images;
    rows[method] lists the records in image order."""
    for set_name in sets:
        for a, b in models:
            part = "%s|%g,%g" % (set_name, a, b)
            rows = {m: [records.get(part, 0, m, n) for n in names[set_name]] for m in METHODS}
            if all(all(rows[m]) for m in METHODS):
                # the estimated σ is one more candidate of the best
                rows["const-best"] = [max(best, est, key=lambda r: r["psnr"])
                                      for best, est in zip(rows["const-best"], rows["const-est"])]
                yield set_name, a, b, rows


def report(records, sets, models, names):
    print("| set | a | b | σ at black / white (0–255) | noisy | constant σ, estimated "
          "(mean σ̂) | constant σ, best (mean σ) | noise model given | noise model auto "
          "(mean â, b̂) | given − estimated | given − best | auto − estimated | auto − best |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for set_name, a, b, rows in complete_parts(records, sets, models, names):
        ps = {m: mean([r["psnr"] for r in rows[m]]) for m in METHODS}
        print("| %s | %g | %g | %.1f / %.1f | %.2f | %.2f (%.1f) | %.2f (%.1f) | %.2f | "
              "%.2f (%.2g, %.3g) | %+.2f | %+.2f | %+.2f | %+.2f |" % (
                  set_name, a, b, 255 * math.sqrt(a), 255 * math.sqrt(a + b),
                  mean([r["noisy"] for r in rows["const-est"]]),
                  ps["const-est"], mean([r["sigma255"] for r in rows["const-est"]]),
                  ps["const-best"], mean([r["sigma255"] for r in rows["const-best"]]),
                  ps["model-given"], ps["model-auto"],
                  mean([r["a"] for r in rows["model-auto"]]),
                  mean([r["b"] for r in rows["model-auto"]]),
                  ps["model-given"] - ps["const-est"], ps["model-given"] - ps["const-best"],
                  ps["model-auto"] - ps["const-est"], ps["model-auto"] - ps["const-best"]))
    print()
    print("| set | a | b | constant σ, estimated: wall s/MP (CPU) | noise model given | "
          "noise model auto | images won by auto over estimated / best |")
    print("|---|---|---|---|---|---|---|")
    for set_name, a, b, rows in complete_parts(records, sets, models, names):
        mp = sum(r["mp"] for r in rows["const-est"])

        def per_mp(m):
            return "%.2f (%.2f)" % (sum(r["wall"] for r in rows[m]) / mp,
                                    sum(r["cpu"] for r in rows[m]) / mp)
        won_est = sum(x["psnr"] > y["psnr"] for x, y in zip(rows["model-auto"], rows["const-est"]))
        won_best = sum(x["psnr"] > y["psnr"] for x, y in zip(rows["model-auto"], rows["const-best"]))
        print("| %s | %g | %g | %s | %s | %s | %d / %d of %d |" % (
            set_name, a, b, per_mp("const-est"), per_mp("model-given"), per_mp("model-auto"),
            won_est, won_best, len(names[set_name])))
    print()
    print("Per image (PSNR dB: constant estimated / constant best / given / auto):")
    for set_name, a, b, rows in complete_parts(records, sets, models, names):
        cells = ["%s %s" % (n, "/".join("%.2f" % rows[m][i]["psnr"] for m in METHODS))
                 for i, n in enumerate(names[set_name])]
        print("- %s, a = %g, b = %g: %s" % (set_name, a, b, "; ".join(cells)))


def parse_models(text):
    out = []
    for pair in text.split(";"):
        a, b = (float(v) for v in pair.split(","))
        out.append((a, b))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--adiff", help="the adiff tool (default: SOURCE_ROOT/build/stats/adiff)")
    ap.add_argument("--models", default=DEFAULT_MODELS,
                    help="noise models A,B;A,B… (variance a + b·x, 0–1 scale; default %s)"
                    % DEFAULT_MODELS)
    ap.add_argument("--sets", default="set12,set14",
                    help="set12 (gray) and/or set14 (its colour images)")
    ap.add_argument("--images", type=int, help="the first N images of each set")
    ap.add_argument("--records", help="append results here as JSON lines; skip those present")
    ap.add_argument("--report", action="store_true", help="measure nothing, print from --records")
    ap.add_argument("--workdir", help="scratch folder (default: a fresh temporary one)")
    o = ap.parse_args()
    adiff = o.adiff or os.path.join(o.source_root, "build", "stats", "adiff")
    models = parse_models(o.models)
    sets = o.sets.split(",")
    images = {}
    for s in sets:
        images[s] = imagesets.folder(os.path.join(o.shared, "images", s),
                                     colour=(s == "set14"), limit=o.images)
    names = {s: [n for n, _ in images[s]] for s in sets}
    records = Records(o.records)
    if not o.report:
        workdir = o.workdir or tempfile.mkdtemp(prefix="noise-bench-")
        os.makedirs(workdir, exist_ok=True)
        runner = Runner(adiff, workdir)
        for s in sets:
            for a, b in models:
                for name, clean in images[s]:
                    measure(runner, records, "%s|%g,%g" % (s, a, b), name, clean, a, b)
                    print("noise-bench: %s a=%g b=%g %s done" % (s, a, b, name), file=sys.stderr)
    report(records, sets, models, names)


if __name__ == "__main__":
    main()
