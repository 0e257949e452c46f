#!/usr/bin/env python3
"""Two builds of one Google Benchmark program, A (old) and B (new), run in
turn on one core, PAIRS times (the order swapped every other pair); prints,
per benchmark, the median of the per-pair ratios B/A and their range. On a
noisy machine a pair shares the noise of its moment; medians of separate
runs do not.

Usage: bench/paired.py OLD_BINARY NEW_BINARY FILTER PAIRS [benchmark flags...]
"""
import json
import statistics
import subprocess
import sys


def run(binary, filt, extra):
    out = subprocess.run(["taskset", "-c", "1", binary, f"--benchmark_filter={filt}",
                          "--benchmark_format=json", "--benchmark_min_time=0.3", *extra],
                         capture_output=True, text=True, check=True).stdout
    return {b["name"]: b["real_time"] for b in json.loads(out)["benchmarks"]}


def main():
    old, new, filt, pairs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    extra = sys.argv[5:]
    ratios, times_a, times_b = {}, {}, {}
    for i in range(pairs):
        if i % 2 == 0:
            a, b = run(old, filt, extra), run(new, filt, extra)
        else:
            b, a = run(new, filt, extra), run(old, filt, extra)
        for name, t in a.items():
            ratios.setdefault(name, []).append(b[name] / t)
            times_a.setdefault(name, []).append(t)
            times_b.setdefault(name, []).append(b[name])
    for name, r in ratios.items():
        print(f"{name:42s} A {statistics.median(times_a[name]):9.3f}  B {statistics.median(times_b[name]):9.3f}"
              f"  B/A {statistics.median(r):.3f}  range {min(r):.3f}-{max(r):.3f}")


if __name__ == "__main__":
    main()
