"""`run.py --tune`: choose the TV weight and the NLM h factor per σ by a grid
search on training images (the first 8 of train400 for gray, the first 4
photos of cbsd432 for colour; never a test image).  Prints the grid and the
best value; the chosen ones are written into baselines.py by hand."""
import os

import numpy as np

import imagesets
from baselines import NLM, TV

TV_GRID = [round(v, 3) for v in np.geomspace(0.02, 0.4, 19)]
NLM_GRID = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2]


def _search(label, images, sigma255, grid, run):
    noisy = [(name, im, imagesets.noisy(im, name, sigma255, salt="tune")) for name, im in images]
    scores = []
    for v in grid:
        scores.append(np.mean([imagesets.psnr(run(z, sigma255, v).value, im)
                               for _, im, z in noisy]))
    best = grid[int(np.argmax(scores))]
    print("  %-10s σ = %-3g " % (label, sigma255)
          + " ".join("%g:%.2f" % (v, s) for v, s in zip(grid, scores))
          + "  → best %g (%.2f dB)" % (best, max(scores)))
    return best


def tune(shared, sigmas):
    gray = imagesets.folder(os.path.join(shared, "images", "train400"), colour=False, limit=8)
    rgb = imagesets.folder(os.path.join(shared, "images", "cbsd432"), colour=True, limit=4)
    print("Tuning on %d train400 images (gray) and %d cbsd432 photos (RGB); mean PSNR per value"
          % (len(gray), len(rgb)))
    tv, nlm = TV(), NLM()
    for s in sigmas:
        _search("TV gray", gray, s, TV_GRID, lambda z, s, v: tv.run(z, s, weight=v))
        _search("NLM gray", gray, s, NLM_GRID, lambda z, s, v: nlm.run(z, s, factor=v))
    _search("TV RGB", rgb, 25, TV_GRID, lambda z, s, v: tv.run(z, s, weight=v))
    _search("NLM RGB", rgb, 25, NLM_GRID, lambda z, s, v: nlm.run(z, s, factor=v))
