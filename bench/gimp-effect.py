"""gimp-effect.py — run inside gimp-console-3 by bench/gimp-effect.

For each method, on the prepared noisy photo: the GEGL operation as a layer
effect, rendered over the whole layer by merging it (what an export or
Layer ▸ Merge Filters does), against the denoise procedure on the same
layer (the plug-in: its start, the pixel transfer and the merge
included).  Prints one line per run:

    effect METHOD WALL_S cpu=CPU_S
    procedure METHOD WALL_S cpu=CPU_S
    same METHOD MAX_ABS_DIFF

CPU seconds are GIMP's core (this script's parent: the effect runs in its
GEGL threads); for the procedure bench/gimp-effect adds the plug-in
process's own, from its "adiff-timing:" line (ADIFF_PLUGIN_TIMING).
"""
import array
import os
import sys
import time

sys.path.insert(0, os.environ['ADIFF_GIMP_TESTDIR'])
from gimptest import Gimp, Gegl, Gio, run_procedure  # noqa: E402

env = os.environ
OPS = {'wiener': 'adiff:wiener-denoise', 'analytic': 'adiff:analytic-denoise'}
PROCS = {'wiener': 'plug-in-adiff-wiener', 'analytic': 'plug-in-adiff-analytic'}


def core_cpu():
    """CPU seconds of GIMP's core so far (user and system)."""
    with open('/proc/%d/stat' % os.getppid()) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def load():
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(env['ADIFF_BENCH_INPUT']))
    return image, image.get_layers()[0]


def pixels(layer):
    rect = Gegl.Rectangle.new(0, 0, layer.get_width(), layer.get_height())
    return array.array('f', bytes(layer.get_buffer().get(rect, 1.0, "R'G'B' float",
                                                         Gegl.AbyssPolicy.NONE)))


def timed(what, method, fn):
    cpu, start = core_cpu(), time.time()
    fn()
    print('%s %s %.2f cpu=%.2f' % (what, method, time.time() - start, core_cpu() - cpu), flush=True)


def effect(method, bundle):
    image, layer = load()
    f = Gimp.DrawableFilter.new(layer, OPS[method], 'bench')
    config = f.get_config()
    config.set_property('bundle', bundle)
    config.set_property('sigma', 25.0)
    f.update()
    layer.append_filter(f)
    timed('effect', method, layer.merge_filters)
    out = pixels(layer)
    image.delete()
    return out


def procedure(method, bundle):
    image, layer = load()
    result = []
    timed('procedure', method, lambda: result.append(
        run_procedure(PROCS[method], image, [layer], bundle=bundle, sigma=25.0)))
    status, message = result[0]
    if status != Gimp.PDBStatusType.SUCCESS:
        print('procedure %s FAILED: %s' % (method, message), flush=True)
    out = pixels(layer)
    image.delete()
    return out


for method in env['ADIFF_BENCH_METHODS'].split():
    bundle = env['ADIFF_BENCH_BUNDLE']
    a = effect(method, bundle)
    b = procedure(method, bundle)
    print('same %s %.3g' % (method, max(abs(x - y) for x, y in zip(a, b))), flush=True)
