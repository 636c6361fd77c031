"""Baselines run in the same benchmark: scikit-image's total-variation
(Chambolle) and non-local means denoisers, and G'MIC's patch-PCA denoiser;
and BM3D's published Set12 averages (not run: no BM3D in Debian).

The TV weights and the NLM cut-off h were chosen by `run.py --tune`, a grid
search on train400 (gray) and cbsd432 (colour) images, never on a test image
(tune.py; the run is in docs/models.md, "Photo benchmark").
"""
import os

import numpy as np

import timing

# σ (0–255) → TV weight, for images in [0,1]: the best of a 19-value grid
# (0.02–0.4, geometric) by `run.py --tune`, mean PSNR over the first 8
# train400 images with seeded noise (2026-12-07).  Colour: per channel
# (channel_axis), best over the first 4 cbsd432 photos.  Other σ: scaled
# linearly from the nearest σ tuned.
TV_WEIGHT_GRAY = {15: 0.039, 25: 0.076, 50: 0.174}
TV_WEIGHT_RGB = {25: 0.076}

# σ → NLM cut-off factor, h = factor·σ (fast_mode, patch 5, distance 6,
# sigma = σ given).  skimage's documentation suggests 0.8 for fast_mode; the
# grid 0.3–1.2 of `--tune` found 0.6 / 0.6 / 0.7 better on train400 (+0.26,
# +0.21, 0 dB over 0.8) and 0.5 on the cbsd432 photos (+0.74 dB).
NLM_H_FACTOR_GRAY = {15: 0.6, 25: 0.6, 50: 0.7}
NLM_H_FACTOR_RGB = {25: 0.5}

# BM3D, Set12 averages as tabulated by Zhang et al. 2017 (DnCNN, Table 2).
BM3D_SET12 = {15: 32.37, 25: 29.97, 50: 26.72}


def _nearest(table, sigma255):
    return table[min(table, key=lambda s: abs(s - sigma255))]


def _for_sigma(table, sigma255):
    """TABLE's value at σ, or the nearest σ's scaled by the ratio of the σs."""
    near = min(table, key=lambda s: abs(s - sigma255))
    return table[near] * sigma255 / near


class TV:
    name = "TV"

    def __init__(self, weights_gray=None, weights_rgb=None):
        self.gray = weights_gray or TV_WEIGHT_GRAY
        self.rgb = weights_rgb or TV_WEIGHT_RGB

    def weight(self, sigma255, colour):
        return _for_sigma(self.rgb if colour else self.gray, sigma255)

    def describe(self):
        return ("skimage denoise_tv_chambolle, weight per σ: gray %s, RGB (channel_axis) %s"
                % (self.gray, self.rgb))

    def run(self, z, sigma255, weight=None):
        from skimage.restoration import denoise_tv_chambolle
        colour = z.ndim == 3
        w = weight if weight is not None else self.weight(sigma255, colour)
        return timing.call(denoise_tv_chambolle, z, weight=w,
                           channel_axis=-1 if colour else None)


class NLM:
    name = "NLM"

    def __init__(self, factor_gray=None, factor_rgb=None):
        self.gray = factor_gray or NLM_H_FACTOR_GRAY
        self.rgb = factor_rgb or NLM_H_FACTOR_RGB

    def describe(self):
        return ("skimage denoise_nl_means, fast_mode, patch_size 5, patch_distance 6, sigma = σ, "
                "h = factor·σ, factor per σ: gray %s, RGB %s" % (self.gray, self.rgb))

    def run(self, z, sigma255, factor=None):
        from skimage.restoration import denoise_nl_means
        colour = z.ndim == 3
        s = sigma255 / 255.0
        f = factor if factor is not None else _nearest(self.rgb if colour else self.gray, sigma255)
        return timing.call(denoise_nl_means, z, h=f * s, sigma=s, fast_mode=True,
                           patch_size=5, patch_distance=6,
                           channel_axis=-1 if colour else None)


def write_cimg(path, image255):
    """IMAGE255 ((H,W) or (H,W,C), 0–255 scale) as a float CImg file, G'MIC's
    own format (planar: x fastest, then y, then the channel)."""
    a = image255 if image255.ndim == 3 else image255[..., None]
    h, w, c = a.shape
    with open(path, "wb") as f:
        f.write(b"1 float little_endian\n%d %d 1 %d\n" % (w, h, c))
        f.write(np.ascontiguousarray(a.transpose(2, 0, 1)).astype("<f4").tobytes())


def read_cimg(path):
    with open(path, "rb") as f:
        data = f.read()
    first = data.index(b"\n")
    second = data.index(b"\n", first + 1)
    w, h, d, c = (int(v) for v in data[first + 1:second].split())
    a = np.frombuffer(data[second + 1:], dtype="<f4").reshape(c, d * h, w).transpose(1, 2, 0)
    return a[..., 0] if c == 1 else a


class GmicPatchPCA:
    """`gmic -denoise_patchpca` with its defaults (Debian's gmic 2.9.4):
    strength 1.8, patch 7, lookup 11, spatial sampling 5.  Its first argument
    is not σ: principal components are kept while their deviation is at least
    strength × the noise σ that G'MIC estimates itself (std_noise), so it is
    a blind denoiser and is given only the image, on its 0–255 scale."""
    name = "G'MIC patch-PCA"

    def __init__(self, workdir, gmic="gmic"):
        self.workdir, self.gmic = workdir, gmic

    def describe(self):
        return "gmic IN -denoise_patchpca , -o OUT  (defaults 1.8,7,11,5; float CImg in and out)"

    def run(self, z, sigma255):
        src = os.path.join(self.workdir, "gmic-in.cimg")
        dst = os.path.join(self.workdir, "gmic-out.cimg")
        write_cimg(src, 255.0 * z)
        t = timing.command([self.gmic, "-v", "-", src, "-denoise_patchpca", ",", "-o", dst])
        if t.value.returncode != 0:
            raise RuntimeError("gmic failed: %s" % t.value.stderr.strip())
        t.value = read_cimg(dst).astype(np.float64) / 255.0
        return t
