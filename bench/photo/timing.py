"""Wall and CPU time of a call or of a child process."""
import resource
import subprocess
import time


class Timed:
    """Result of a timed run: VALUE, WALL seconds and CPU seconds (user +
    system, all threads; for a child process, the child's)."""

    def __init__(self, value, wall, cpu):
        self.value, self.wall, self.cpu = value, wall, cpu


def call(fn, *args, **kwargs):
    """FN(*ARGS, **KWARGS) in this process, timed."""
    w0, c0 = time.perf_counter(), time.process_time()
    v = fn(*args, **kwargs)
    return Timed(v, time.perf_counter() - w0, time.process_time() - c0)


def _children_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def command(argv):
    """Run ARGV to its end, timed; the value is the CompletedProcess (output
    captured as text).  Children run one at a time, so the difference of
    RUSAGE_CHILDREN is this child's CPU time."""
    w0, c0 = time.perf_counter(), _children_cpu()
    p = subprocess.run(argv, capture_output=True, text=True)
    return Timed(p, time.perf_counter() - w0, _children_cpu() - c0)
