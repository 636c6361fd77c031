#!/usr/bin/env python3
"""layering.py — no file of ours calls back into a file that calls it.

    tests/layering.py SRCDIR [BUILDDIR]

Two graphs, each searched for cycles (strongly connected components of
more than one unit):

- includes: X.c and X.h of one folder are one unit; an edge A → B for every
  `#include "…"` in A that names a header of unit B;
- calls (with BUILDDIR): an edge A.c → B.c when an object compiled from A.c
  uses a symbol that an object compiled from B.c defines (`nm`, objects
  mapped to their sources by BUILDDIR/compile_commands.json).

Prints each cycle and the edge counts; TAP output, exit 1 on a cycle.
"""
import json
import os
import subprocess
import sys

FOLDERS = ("core", "stats", "plug-in")


def sources(top):
    for folder in FOLDERS:
        for root, _, files in os.walk(os.path.join(top, folder)):
            for f in files:
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(root, f), top)


def unit(path):
    return os.path.splitext(path)[0]


def include_graph(top):
    files = sorted(sources(top))
    by_name = {}
    for f in files:
        by_name.setdefault(os.path.basename(f), []).append(f)
    edges = {}
    for f in files:
        u = unit(f)
        edges.setdefault(u, set())
        with open(os.path.join(top, f), encoding="utf-8", errors="replace") as fh:
            for line in fh:
                line = line.strip()
                if not line.startswith("#include \""):
                    continue
                name = line.split('"')[1]
                here = os.path.normpath(os.path.join(os.path.dirname(f), name))
                if here in files:
                    target = here
                else:
                    # Found through an include directory: match the path's tail.
                    cands = [c for c in by_name.get(os.path.basename(name), [])
                             if c.endswith(name)]
                    if len(cands) != 1:
                        continue   # generated (config.h) or system-like header
                    target = cands[0]
                if unit(target) != u:
                    edges[u].add(unit(target))
    return edges


def call_graph(top, build):
    with open(os.path.join(build, "compile_commands.json")) as fh:
        commands = json.load(fh)
    defined, used = {}, {}
    for c in commands:
        src = os.path.relpath(os.path.join(c["directory"], c["file"]), top)
        if not src.startswith(FOLDERS) or "output" not in c:
            continue
        obj = os.path.join(c["directory"], c["output"])
        if not os.path.exists(obj):
            continue
        out = subprocess.run(["nm", "-P", obj], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) < 2:
                continue
            sym, kind = parts[0], parts[1]
            if kind == "U":
                used.setdefault(src, set()).add(sym)
            elif kind in "TDBRVW":
                defined.setdefault(sym, set()).add(src)
    edges = {}
    for src, syms in used.items():
        edges.setdefault(src, set())
        for s in syms:
            for d in defined.get(s, ()):
                if d != src:
                    edges[src].add(d)
    return edges


def cycles(edges):
    """Tarjan's strongly connected components of more than one node."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def main():
    top = sys.argv[1]
    graphs = [("includes", include_graph(top))]
    if len(sys.argv) > 2:
        graphs.append(("calls", call_graph(top, sys.argv[2])))
    print("1..%d" % len(graphs))
    failed = 0
    for n, (name, edges) in enumerate(graphs, 1):
        found = cycles(edges)
        count = sum(len(v) for v in edges.values())
        if found:
            failed += 1
            print("not ok %d - %s: %d cycle(s) among %d edges" % (n, name, len(found), count))
            for comp in found:
                print("#   " + " <-> ".join(comp))
        else:
            print("ok %d - %s: no cycle among %d edges of %d files" % (n, name, count, len(edges)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
