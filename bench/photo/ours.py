"""Our denoisers, run through the `adiff denoise` command line.

Each configuration is NAME:ARGS, ARGS being the options given to `adiff
denoise` besides --sigma, IN and OUT (e.g. "analytic:--method analytic
--overlap 4").  Input and output are float32 .npy files in [0,1], so the
noise reaches the model unclipped and unquantised.  A configuration is
probed once per kind of image (gray, RGB) on a small noisy image: if the CLI
refuses it because it needs a bundle and ARGS name none, the default bundle
is added; if it still refuses (e.g. a method this build does not have), the
configuration is reported "n/a" with the CLI's message.
"""
import os
import shlex

import numpy as np

import timing


class NotAvailable(Exception):
    pass


def parse_config(text):
    """NAME:ARGS → (NAME, [args]); a bare NAME has no arguments."""
    name, _, args = text.partition(":")
    return name.strip(), shlex.split(args)


def _names_bundle(args):
    return any(a in ("-b", "--bundle") or a.startswith("--bundle=") for a in args)


class Ours:
    """One `adiff denoise` configuration."""

    def __init__(self, config, adiff, default_bundle, workdir):
        self.name, self.args = parse_config(config)
        self.adiff, self.default_bundle, self.workdir = adiff, default_bundle, workdir
        self.label = self.name
        self._ready = {}          # kind → full argument list, or NotAvailable

    def describe(self):
        return "adiff denoise " + " ".join(shlex.quote(a) for a in self.args)

    def shown(self, args):
        """ARGS as a command line, paths inside the source tree made relative."""
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(self.adiff))))
        return " ".join(shlex.quote(os.path.relpath(a, root) if a.startswith(root + "/") else a)
                        for a in args)

    def _argv(self, args, sigma255, src, dst):
        return [self.adiff, "denoise"] + args + ["--sigma", "%g" % sigma255, src, dst]

    def _try(self, args, kind):
        shape = (24, 24) if kind == "gray" else (24, 24, 3)
        rng = np.random.default_rng(7)
        z = (0.5 + 0.1 * rng.standard_normal(shape)).astype(np.float32)
        src = os.path.join(self.workdir, "probe-in.npy")
        dst = os.path.join(self.workdir, "probe-out.npy")
        np.save(src, z)
        return timing.command(self._argv(args, 25, src, dst)).value

    def probe(self, kind):
        """The argument list to use on KIND ('gray' or 'rgb') images, or raise
        NotAvailable with the CLI's reason."""
        if kind not in self._ready:
            args = list(self.args)
            p = self._try(args, kind)
            if p.returncode != 0 and "--bundle" in p.stderr and not _names_bundle(args):
                args = ["--bundle", self.default_bundle] + args
                p = self._try(args, kind)
            if p.returncode != 0:
                why = (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]
                self._ready[kind] = NotAvailable(why)
            else:
                self._ready[kind] = args
        r = self._ready[kind]
        if isinstance(r, NotAvailable):
            raise r
        return r

    def run(self, z, sigma255):
        """Denoise the noisy [0,1] image Z; a Timed whose value is the output."""
        args = self.probe("gray" if z.ndim == 2 else "rgb")
        src = os.path.join(self.workdir, "in.npy")
        dst = os.path.join(self.workdir, "out.npy")
        np.save(src, z.astype(np.float32))
        t = timing.command(self._argv(args, sigma255, src, dst))
        if t.value.returncode != 0:
            raise RuntimeError("%s failed (exit %d): %s" % (self.describe(), t.value.returncode,
                                                            t.value.stderr.strip()))
        t.value = np.load(dst).astype(np.float64).reshape(z.shape)
        return t
