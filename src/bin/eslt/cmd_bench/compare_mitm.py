#!/usr/bin/env python3
"""`eslt bench subset-sum --threads 1` against the plain C meet-in-the-middle
(mitm_reference.c) on the same instance files, interleaved (C, then each eslt
binary, per round and file) so that load from other work hits both alike.

  cc -O2 -o /tmp/mitm_reference src/bin/eslt/cmd_bench/mitm_reference.c
  /tmp/mitm_reference gen 20 5000 101 > /tmp/n20.json
  /tmp/mitm_reference gen 24 3000 102 > /tmp/n24.json
  python3 src/bin/eslt/cmd_bench/compare_mitm.py 12 /tmp/n20.json /tmp/n24.json \\
      --c /tmp/mitm_reference --eslt target/release/eslt

Checks first that every binary picks the C program's subsets, then prints per
file and binary the ratio eslt / C per round, of process CPU time
(`cpu_seconds_per_problem`, steadier on a shared machine) and of wall time:
median, min, interquartile range, max."""
import json, statistics, subprocess, sys

args = sys.argv[1:]
rounds = int(args.pop(0))
bins, files, c_bin = [], [], "./mitm_reference"
while args:
    a = args.pop(0)
    if a == "--eslt":
        bins.append(args.pop(0))
    elif a == "--c":
        c_bin = args.pop(0)
    else:
        files.append(a)


def c_run(f):
    out = subprocess.run([c_bin, "solve", f], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def e_run(b, f):
    cmd = [b, "bench", "subset-sum", "--threads", "1", "--instances", f, "--json"]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def fnv(solutions):
    """FNV-1a over the masks' little-endian bytes, as the C program hashes them."""
    d = 14695981039346656037
    for idx in solutions:
        m = sum(1 << i for i in idx)
        for k in range(4):
            d = ((d ^ ((m >> (8 * k)) & 255)) * 1099511628211) % (1 << 64)
    return f"{d:016x}"


def spread(v):
    v = sorted(v)
    n = len(v)
    return (f"median {statistics.median(v):.3f} [min {v[0]:.3f}, "
            f"IQR {v[n // 4]:.3f}-{v[(3 * n) // 4]:.3f}, max {v[-1]:.3f}]")


meta = {}
for f in files:
    meta[f] = c_run(f)  # also a warm-up
    for b in bins:
        assert fnv(e_run(b, f)["solutions"]) == meta[f]["masks_fnv1a"], f"{b} differs from C on {f}"
res = {(f, b): [] for f in files for b in bins}
for _ in range(rounds):
    for f in files:
        c = c_run(f)
        for b in bins:
            e = e_run(b, f)
            res[(f, b)].append((c["cpu_seconds_per_problem"], e["cpu_seconds_per_problem"],
                                c["seconds_per_problem"], e["seconds_per_problem"]))
for f in files:
    for b in bins:
        r = res[(f, b)]
        print(f"{f} n={meta[f]['n']} count={meta[f]['count']} {b} (same subsets as C): "
              f"CPU time C {statistics.median(x[0] for x in r) * 1e6:.1f} us, "
              f"eslt {statistics.median(x[1] for x in r) * 1e6:.1f} us; "
              f"CPU ratio {spread([x[1] / x[0] for x in r])}; wall ratio {spread([x[3] / x[2] for x in r])}")
