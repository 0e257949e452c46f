#!/usr/bin/env bash
# One epoch of a model workload on the peers' 60,000 Fashion-MNIST images,
# plain SGD (lr 0.01), no shuffling, in ketl on one and two threads, in
# PyTorch (the current release from PyPI, in a venv this script makes, and
# Debian's python3-torch), and in dlib where it has the model, one thread
# each, at batch 32 and 128. Runs are interleaved; prints the median of RUNS
# runs and each one's time over ketl's.
#   cnn   issue 17's convnet (bench/peers/cnn_*): conv 32 3x3, pool, conv 64
#         3x3, pool, dense 128, dropout, dense 10
#   lstm  issue 18's recurrent model (bench/peers/lstm_*): LSTM(128) over 28
#         steps of 28 pixels, dense 10 (dlib has no LSTM)
#
# Usage (as root, to install the peers from Debian): bash bench/peers/run_model.sh cnn|lstm [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:?usage: run_model.sh cnn|lstm [RUNS]}
runs=${2:-3}
[ -f "bench/peers/${model}_ketl.cpp" ] || { echo "no workload '$model'" >&2; exit 2; }
source bench/peers/common.sh
install_peers python3-torch python3-numpy python3-venv libdlib-dev libopenblas-dev
venv=${KETL_BENCH_VENV:-$HOME/.cache/ketl-bench/torch-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q torch numpy
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/peers/make_data.py "$work/data"
flags=(-std=c++20 -O2 -march=native -DNDEBUG -w -Ibench/peers)
echo "building..." >&2
g++ "${flags[@]}" -Iinclude "bench/peers/${model}_ketl.cpp" -o "$work/ketl" -lz -pthread &
if [ -f "bench/peers/${model}_dlib.cpp" ]; then
  g++ "${flags[@]}" "bench/peers/${model}_dlib.cpp" -o "$work/dlib" $(pkg-config --libs dlib-1) -pthread &
fi
wait

single_thread_blas
for batch in 32 128; do
  for r in $(seq "$runs"); do
    "$work/ketl" "$batch" "$work/data"
    "$work/ketl" "$batch" "$work/data" 2
    "$venv/bin/python" "bench/peers/${model}_torch.py" "$batch" "$work/data"
    /usr/bin/python3 "bench/peers/${model}_torch.py" "$batch" "$work/data"
    if [ -x "$work/dlib" ]; then "$work/dlib" "$batch" "$work/data"; fi
  done
done | tee "$work/results.txt" >&2

/usr/bin/python3 - "$work/results.txt" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, batch, seconds = line.split()[:3]
    times.setdefault((name, int(batch)), []).append(float(seconds))
names = sorted({n for n, _ in times}, key=lambda n: (not n.startswith("ketl"), n))
print("| implementation | batch 32 (s) | / ketl | batch 128 (s) | / ketl |")
print("|---|---|---|---|---|")
for n in names:
    row = [n]
    for b in (32, 128):
        m = statistics.median(times[(n, b)])
        k = statistics.median(times[("ketl", b)])
        row += [f"{m:.2f}", f"{m / k:.2f}"]
    print("| " + " | ".join(row) + " |")
PY
