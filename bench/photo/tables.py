"""Markdown tables of the photo benchmark (readable as plain text too)."""
import numpy as np


class Cell:
    """One method on one set at one σ: per-image PSNRs (and chroma PSNRs),
    summed wall and CPU seconds, megapixels processed; or N/A with a reason."""

    def __init__(self, na=None, total=None):
        self.na, self.psnr, self.chroma, self.wall, self.cpu, self.mp, self.n = na, [], [], 0.0, 0.0, 0.0, 0
        self.total, self.images = total, []

    def add_record(self, r, image=None):
        """Add one result record (records.py); a record with "na" makes the cell n/a."""
        if r.get("na"):
            self.na = r["na"]
            return
        self.psnr.append(r["psnr"])
        self.images.append(image)
        if r.get("chroma") is not None:
            self.chroma.append(r["chroma"])
        self.wall += r.get("wall", 0.0)
        self.cpu += r.get("cpu", 0.0)
        self.mp += r["mp"]
        self.n += 1

    def partial(self):
        """' (n/total)' when measured on part of the images only."""
        return " (%d/%d)" % (self.n, self.total) if self.total and self.n < self.total else ""

    def add(self, psnr, timed, mp, chroma=None):
        self.psnr.append(psnr)
        if chroma is not None:
            self.chroma.append(chroma)
        if timed is not None:
            self.wall += timed.wall
            self.cpu += timed.cpu
        self.mp += mp
        self.n += 1

    def mean(self):
        return float(np.mean(self.psnr)) if self.psnr else float("nan")

    def mean_chroma(self):
        return float(np.mean(self.chroma)) if self.chroma else float("nan")

    def timed(self):
        return self.wall > 0


def _row(cells):
    return "| " + " | ".join(cells) + " |"


def fmt_time(cell):
    if cell.na or not cell.timed():
        return ["", "", ""]
    return ["%.2f" % (cell.wall / cell.n), "%.1f" % (cell.wall / cell.mp), "%.1f" % (cell.cpu / cell.mp)]


def gray(results, methods, sigmas, n_images, mp):
    """RESULTS[(method, σ)] → Cell.  One row per method, per σ: mean PSNR,
    wall s per image, wall s per MP, CPU s per MP."""
    out = ["Gray: Set12, %d images (%.2f MP), mean PSNR (dB) of the output clipped to [0,255]; "
           "wall s per image, wall s and CPU s per megapixel" % (n_images, mp), ""]
    head = ["method"]
    for s in sigmas:
        head += ["σ=%g dB" % s, "s/img", "s/MP", "CPU s/MP"]
    out += [_row(head), _row(["---"] * len(head))]
    for m in methods:
        cells = [m]
        for s in sigmas:
            c = results.get((m, s))
            if c is None or c.na:
                cells += ["n/a", "", "", ""]
            elif not c.n:
                cells += ["not run", "", "", ""]
            else:
                cells += ["%.2f%s" % (c.mean(), c.partial())] + fmt_time(c)
        out.append(_row(cells))
    return "\n".join(out)


def gray_notes(results, methods, sigmas):
    """Per-image PSNRs and the reasons for n/a."""
    out = []
    for m in methods:
        for s in sigmas:
            c = results.get((m, s))
            if c is None:
                continue
            if c.na:
                out.append("- %s, σ = %g: n/a (%s)" % (m, s, c.na))
            elif len(c.psnr) > 1:
                out.append("- %s, σ = %g: %s" % (m, s, " ".join("%.2f" % v for v in c.psnr)))
    return "\n".join(out)


def colour(results, methods, names, mps, sigma):
    """RESULTS[(method, image)] → Cell with one image; plus (method, 'all')."""
    out = ["Colour: σ = %g, RGB PSNR / opponent-chroma PSNR (dB), output clipped to [0,255]" % sigma, ""]
    head = ["image", "MP"] + methods
    out += [_row(head), _row(["---"] * len(head))]

    def pair(c):
        if c is None:
            return "not run"
        if c.na:
            return "n/a"
        if not c.n:
            return "not run"
        return "%.2f / %.2f%s" % (c.mean(), c.mean_chroma(), c.partial())

    for name, mp in zip(names, mps):
        out.append(_row([name, "%.2f" % mp] + [pair(results.get((m, "all")) if results.get((m, "all"))
                                                     and results[(m, "all")].na else results.get((m, name)))
                                                for m in methods]))
    out.append(_row(["**mean**", "%.2f" % sum(mps)] + ["**%s**" % pair(results.get((m, "all")))
                                                      for m in methods]))
    timing = []
    for m in methods:
        c = results.get((m, "all"))
        timing.append("%.1f (CPU %.1f)" % (c.wall / c.mp, c.cpu / c.mp)
                      if c is not None and not c.na and c.timed() else "")
    out.append(_row(["s/MP (wall, CPU)", ""] + timing))
    na = ["- %s: n/a (%s)" % (m, results[(m, "all")].na) for m in methods
          if (m, "all") in results and results[(m, "all")].na]
    return "\n".join(out + ([""] + na if na else []))


def common_subset(results, methods, sigmas, order):
    """When some means are partial: each method's mean over the images that
    every method measured at that σ (ORDER: the image names in order)."""
    out = []
    for s in sigmas:
        cells = [(m, results.get((m, s))) for m in methods]
        cells = [(m, c) for m, c in cells if c is not None and not c.na and c.total and c.images]
        if all(c.n == c.total for _, c in cells):
            continue
        shared = [n for n in order if all(n in c.images for _, c in cells)]
        if not shared:
            continue
        means = ["%s %.2f" % (m, np.mean([c.psnr[c.images.index(n)] for n in shared])) for m, c in cells]
        out.append("- σ = %g, over the %d images all measured (%s): %s"
                   % (s, len(shared), " ".join(shared), "; ".join(means)))
    return "\n".join(out)
