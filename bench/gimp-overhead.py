"""gimp-overhead.py — run inside gimp-console-3 by bench/gimp-overhead.

For each repetition and method, run `adiff denoise` on the prepared photo
(its whole run, a subprocess started from here, so it shares GIMP's
environment and the machine's load of the moment), then the plug-in's
procedure on the same photo (only the procedure call: no GIMP start-up, no
file loading).  CLI and GIMP runs alternate, so a change of load hits both.
Prints one line per run: "cli METHOD SECONDS cpu=SECONDS" or
"gimp METHOD SECONDS ok core-cpu=SECONDS"; each side's last output is kept for comparison."""
import os
import resource
import subprocess
import time

import gi
gi.require_version('Gimp', '3.0')
from gi.repository import Gimp, Gio  # noqa: E402

env = os.environ
photo = env['ADIFF_BENCH_INPUT']
bundle = env['ADIFF_BENCH_BUNDLE']
scratch = os.path.dirname(photo)


def core_cpu():
    """CPU seconds used so far by GIMP's core process (our parent: this
    script runs in the python-fu-eval plug-in), which serves the plug-in's
    tile reads and writes and merges the result."""
    with open('/proc/%d/stat' % os.getppid()) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def run_cli(method):
    out = os.path.join(scratch, 'out-%s.png' % method)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    subprocess.run([env['ADIFF_BENCH_CLI'], 'denoise', '--bundle', bundle, '--sigma', '25',
                    '--method', method, photo, out], check=True, stdout=subprocess.DEVNULL)
    seconds = time.time() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print('cli %s %.3f cpu=%.3f' % (method, seconds, after.ru_utime + after.ru_stime
                                    - cpu.ru_utime - cpu.ru_stime), flush=True)


def run_gimp(method):
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(photo))
    layer = image.get_layers()[0]
    name = 'plug-in-adiff-wiener' if method == 'wiener' else 'plug-in-adiff-analytic'
    proc = Gimp.get_pdb().lookup_procedure(name)
    config = proc.create_config()
    config.set_property('run-mode', Gimp.RunMode.NONINTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', [layer])
    config.set_property('bundle', Gio.File.new_for_path(bundle))
    config.set_property('sigma', 25.0)
    if method != 'wiener':
        config.set_property('model', method)
    cpu = core_cpu()
    start = time.time()
    result = proc.run(config)
    seconds = time.time() - start
    ok = result.index(0) == Gimp.PDBStatusType.SUCCESS
    print('gimp %s %.3f %s core-cpu=%.3f' % (method, seconds, 'ok' if ok else 'FAILED',
                                            core_cpu() - cpu), flush=True)
    # Kept for the comparison with the CLI's output (same work?).
    out = os.path.join(scratch, 'gimp-%s.png' % method)
    Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image, Gio.File.new_for_path(out), None)
    image.delete()


for rep in range(int(env.get('ADIFF_BENCH_REPEAT', '1'))):
    for method in env['ADIFF_BENCH_METHODS'].split():
        # Alternate which side goes first, so neither always follows the other.
        if rep % 2 == 0:
            run_cli(method)
            run_gimp(method)
        else:
            run_gimp(method)
            run_cli(method)
