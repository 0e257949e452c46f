#!/usr/bin/env bash
# Data-parallel training against one process (issue 20), on this machine:
# one epoch of W1 and of the demo's MLP on 60,000 rows, at one global
# batch, on 1 process and on 2 ranks (mpirun, loopback), alternated RUNS
# times. Prints each run; docs/benchmarks.md quotes the medians.
#
# Usage (as root, to install what is missing): bash bench/distributed.sh [RUNS] [GLOBAL BATCH]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
batch=${2:-128}
bash tools/install-deps.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/peers/make_data.py "$work/data"
echo "building..." >&2
mpicxx -std=c++20 -O2 -march=native -DNDEBUG -w -Iinclude -Ibench bench/distributed_mlp.cpp \
  -o "$work/bench" -lz -pthread
for model in w1 demo; do
  for r in $(seq "$runs"); do
    "$work/bench" "$model" "$batch" "$work/data"
    # Each rank on its own core: the suite's launcher leaves them unbound,
    # which a quiet machine does not need.
    OMPI_MCA_btl_vader_single_copy_mechanism=none mpirun --allow-run-as-root --bind-to core \
      -np 2 "$work/bench" "$model" "$batch" "$work/data"
  done
done
