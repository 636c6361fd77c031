"""The speed part: our default on a 12-megapixel RGB photo, through `adiff
denoise` on a 16-bit PPM (streamed row by row), at σ = 25 and 50; G'MIC's
patch-PCA on a 1-megapixel crop of the same noisy photo for reference.

The photo: ../shared/images/photos/astronaut.png (512×512), its top 512×384
(4:3) upscaled to 4000×3000 with Pillow's Lanczos filter, then seeded
Gaussian noise in float, clipped to [0,1] and stored as 16-bit PPM (the
clipping is the only difference from the other tables; the time is what
this part measures).
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


def write_ppm16(path, rgb01):
    h, w, _ = rgb01.shape
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n65535\n" % (w, h))
        f.write(np.round(np.clip(rgb01, 0, 1) * 65535).astype(">u2").tobytes())


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
    return np.frombuffer(data[pos + 1:], dtype=dt).reshape(h, w, 3).astype(np.float64) / maxval


def run(shared, workdir, ours, gmic, sigmas, log):
    """Lines of the speed table (markdown)."""
    log("speed: making the 12-megapixel photo")
    clean = clean_photo(shared)
    out = ["Speed: 12-megapixel RGB photo (astronaut, top 512×384 upscaled to 4000×3000, Lanczos), "
           "16-bit PPM in and out through `adiff denoise`", "",
           "| run | σ | wall s | CPU s | wall s/MP | PSNR noisy → out (dB) |", "|---|---|---|---|---|---|"]
    crop = None
    for s in sigmas:
        z = imagesets.noisy(clean, "speed-astronaut", s)
        src, dst = os.path.join(workdir, "speed-in.ppm"), os.path.join(workdir, "speed-out.ppm")
        write_ppm16(src, z)
        z = read_ppm16(src)
        if crop is None:
            crop = (z[1000:2000, 1500:2500], clean[1000:2000, 1500:2500], s)
        for o in ours:
            log("speed: %s at σ = %g" % (o.label, s))
            try:
                args = o.probe("rgb")
            except Exception as e:
                out.append("| %s | %g | n/a (%s) | | | |" % (o.label, s, e))
                continue
            t = timing.command(o._argv(args, s, src, dst))
            if t.value.returncode != 0:
                out.append("| %s | %g | failed: %s | | | |" % (o.label, s, t.value.stderr.strip()[-200:]))
                continue
            x = read_ppm16(dst)
            out.append("| %s (`%s`) | %g | %.1f | %.1f | %.2f | %.2f → %.2f |"
                       % (o.label, o.shown(args), s, t.wall, t.cpu, t.wall / 12.0,
                          imagesets.psnr(z, clean), imagesets.psnr(x, clean)))
    if gmic is not None and crop is not None:
        z, c, s = crop
        log("speed: G'MIC on a 1-megapixel crop")
        t = gmic.run(z, s)
        out.append("| G'MIC patch-PCA, 1000×1000 crop | %g | %.1f | %.1f | %.1f | %.2f → %.2f |"
                   % (s, t.wall, t.cpu, t.wall, imagesets.psnr(z, c), imagesets.psnr(t.value, c)))
    return "\n".join(out)
