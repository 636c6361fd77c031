"""Test images, seeded Gaussian noise and the quality measures of the photo benchmark.

Every image is a float64 array in [0,1] (H,W) or (H,W,3), the stored 8-bit
values divided by 255 (sRGB-encoded, as `adiff` reads them).  Noise is added
in float and neither clipped nor quantised: every method gets the same array.
"""
import math
import os
import zlib

import numpy as np
from PIL import Image


def load(path):
    """The image at PATH in [0,1]: (H,W) if it is gray (also an RGB file whose
    channels are all equal), else (H,W,3)."""
    with Image.open(path) as im:
        a = np.asarray(im.convert("RGB") if im.mode not in ("L", "I;16") else im)
    a = a.astype(np.float64) / (65535.0 if a.dtype == np.uint16 else 255.0)
    if a.ndim == 3 and np.array_equal(a[..., 0], a[..., 1]) and np.array_equal(a[..., 1], a[..., 2]):
        a = a[..., 0]
    return a


def folder(path, colour=None, limit=None):
    """(name, image) pairs of the images in PATH in name order; COLOUR True
    keeps colour images only, False gray only; LIMIT the first N kept."""
    out = []
    for f in sorted(os.listdir(path)):
        if f.startswith(".") or not f.lower().endswith((".png", ".jpg", ".jpeg", ".pgm", ".ppm")):
            continue
        im = load(os.path.join(path, f))
        if colour is not None and (im.ndim == 3) != colour:
            continue
        out.append((os.path.splitext(f)[0], im))
        if limit and len(out) == limit:
            break
    return out


def noisy(image, name, sigma255, salt="bench"):
    """IMAGE plus Gaussian noise of σ = SIGMA255/255, seeded by the image's
    NAME and σ (the same noise in every run and for every method)."""
    seed = zlib.crc32(("%s:%s:%g" % (salt, name, sigma255)).encode())
    rng = np.random.default_rng(seed)
    return image + (sigma255 / 255.0) * rng.standard_normal(image.shape)


def psnr(estimate, clean):
    """PSNR in dB of ESTIMATE clipped to [0,1] against CLEAN (peak 1 = 255)."""
    mse = np.mean((np.clip(estimate, 0.0, 1.0) - clean) ** 2)
    return 10.0 * math.log10(1.0 / max(mse, 1e-20))


def opponent_chroma(rgb):
    """The two chroma channels of the orthonormal opponent transform:
    O1 = (R − G)/√2, O2 = (R + G − 2B)/√6 (the third, luma, is (R+G+B)/√3)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return np.stack([(r - g) / math.sqrt(2.0), (r + g - 2.0 * b) / math.sqrt(6.0)], axis=-1)


def chroma_psnr(estimate, clean):
    """PSNR in dB of the two opponent chroma channels of ESTIMATE (clipped to
    [0,1] first, as the RGB PSNR) against CLEAN's, peak 1 (= 255).  The
    transform is orthonormal, so noise of σ per RGB channel is noise of σ
    on each chroma channel (the noisy input's two PSNRs differ only by the
    clipping)."""
    e = opponent_chroma(np.clip(estimate, 0.0, 1.0)) - opponent_chroma(clean)
    return 10.0 * math.log10(1.0 / max(np.mean(e ** 2), 1e-20))


def megapixels(image):
    return image.shape[0] * image.shape[1] / 1e6
