#!/usr/bin/env python3
"""One Google Benchmark program run ROUNDS times on one core; prints each
benchmark's median and range, and, for bench_loss_metrics, the plain read's
time over each other benchmark's, taken within each round (the share of a
plain read's bytes per second that the benchmark reaches), as the median of
the rounds.

Usage: bench/rounds.py BINARY FILTER ROUNDS
"""
import statistics
import sys

from paired import run  # one run on one core: {benchmark: real time}


def main():
    binary, filt, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    times = {}
    for _ in range(rounds):
        for name, t in run(binary, filt, []).items():
            times.setdefault(name, []).append(t)
    for name, t in times.items():
        print(f"{name:45s} median {statistics.median(t):9.3f}  range {min(t):.3f}-{max(t):.3f}")
    read = [name for name in times if "plain_read" in name]
    if not read:
        return
    for name, t in times.items():
        if name == read[0]:
            continue
        share = [times[read[0]][i] / t[i] for i in range(rounds)]
        print(f"plain read / {name:32s} median {100 * statistics.median(share):5.1f}%"
              f"  range {100 * min(share):.1f}-{100 * max(share):.1f}%")


if __name__ == "__main__":
    main()
