"""The speed part: our default on a 12-megapixel RGB photo and on its gray
version, through `adiff denoise` on a 16-bit PPM / PGM (streamed row by
row), at σ = 25 and 50; G'MIC's patch-PCA on a 1-megapixel crop of the same
noisy RGB photo for reference.

The photo: ../shared/images/photos/astronaut.png (512×512), its top 512×384
(4:3) upscaled to 4000×3000 with Pillow's Lanczos filter, then seeded
Gaussian noise in float, clipped to [0,1] and stored as 16-bit PPM (the
clipping is the only difference from the other tables; the time is what
this part measures).  The gray photo is Pillow's luma of the same clean
photo, with noise of its own seed, as a 16-bit PGM (gray has its own
defaults, docs/models.md).
"""
import os

import numpy as np
from PIL import Image

import imagesets
import timing

WIDTH, HEIGHT = 4000, 3000


def clean_photo(shared):
    with Image.open(os.path.join(shared, "images", "photos", "astronaut.png")) as im:
        im = im.convert("RGB").crop((0, 0, 512, 384)).resize((WIDTH, HEIGHT), Image.LANCZOS)
        return np.asarray(im).astype(np.float64) / 255.0


def clean_gray(rgb01):
    """Pillow's luma (ITU-R 601) of the clean photo, from its 8-bit values."""
    im = Image.fromarray(np.round(rgb01 * 255).astype(np.uint8), "RGB").convert("L")
    return np.asarray(im).astype(np.float64) / 255.0


def write_ppm16(path, img01):
    """A 16-bit PPM (H,W,3) or PGM (H,W)."""
    h, w = img01.shape[:2]
    with open(path, "wb") as f:
        f.write(b"%s\n%d %d\n65535\n" % (b"P6" if img01.ndim == 3 else b"P5", w, h))
        f.write(np.round(np.clip(img01, 0, 1) * 65535).astype(">u2").tobytes())


def read_ppm16(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:               # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    w, h, maxval = int(fields[1]), int(fields[2]), int(fields[3])
    dt = ">u2" if maxval > 255 else "u1"
    shape = (h, w, 3) if fields[0] == b"P6" else (h, w)
    return np.frombuffer(data[pos + 1:], dtype=dt).reshape(shape).astype(np.float64) / maxval


def _time_ours(o, kind, s, src, dst, z, clean, out):
    """One row: our configuration O on the noisy file SRC (kind "rgb" or "gray")."""
    try:
        args = o.probe(kind)
    except Exception as e:
        out.append("| %s, %s | %g | n/a (%s) | | | |" % (o.label, kind, s, e))
        return
    t = timing.command(o._argv(args, s, src, dst))
    if t.value.returncode != 0:
        out.append("| %s, %s | %g | failed: %s | | | |" % (o.label, kind, s, t.value.stderr.strip()[-200:]))
        return
    x = read_ppm16(dst)
    out.append("| %s, %s (`%s`) | %g | %.1f | %.1f | %.2f | %.2f → %.2f |"
               % (o.label, kind, o.shown(args), s, t.wall, t.cpu, t.wall / 12.0,
                  imagesets.psnr(z, clean), imagesets.psnr(x, clean)))


def run(shared, workdir, ours, gmic, sigmas, log):
    """Lines of the speed table (markdown)."""
    log("speed: making the 12-megapixel photo")
    clean = clean_photo(shared)
    gray = clean_gray(clean)
    out = ["Speed: 12-megapixel photo (astronaut, top 512×384 upscaled to 4000×3000, Lanczos), "
           "RGB and its gray version, 16-bit PPM / PGM in and out through `adiff denoise`", "",
           "| run | σ | wall s | CPU s | wall s/MP | PSNR noisy → out (dB) |", "|---|---|---|---|---|---|"]
    crop = None
    for s in sigmas:
        for kind, c, name, ext in (("rgb", clean, "speed-astronaut", "ppm"),
                                   ("gray", gray, "speed-astronaut-gray", "pgm")):
            z = imagesets.noisy(c, name, s)
            src = os.path.join(workdir, "speed-in." + ext)
            dst = os.path.join(workdir, "speed-out." + ext)
            write_ppm16(src, z)
            z = read_ppm16(src)
            if crop is None:
                crop = (z[1000:2000, 1500:2500], c[1000:2000, 1500:2500], s)
            for o in ours:
                log("speed: %s, %s at σ = %g" % (o.label, kind, s))
                _time_ours(o, kind, s, src, dst, z, c, out)
    if gmic is not None and crop is not None:
        z, c, s = crop
        log("speed: G'MIC on a 1-megapixel crop")
        t = gmic.run(z, s)
        out.append("| G'MIC patch-PCA, 1000×1000 crop | %g | %.1f | %.1f | %.1f | %.2f → %.2f |"
                   % (s, t.wall, t.cpu, t.wall, imagesets.psnr(z, c), imagesets.psnr(t.value, c)))
    return "\n".join(out)
