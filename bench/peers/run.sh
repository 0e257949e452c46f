#!/usr/bin/env bash
# Builds and runs the side-by-side benchmark of issue 6: one epoch of a
# 784-128-10 relu/softmax MLP (60,000 samples, cross-entropy, plain SGD,
# lr 0.01, one thread) in ketl, a hand-written OpenBLAS loop, PyTorch, dlib
# and tiny-dnn, on the same data (make_data.py). Prints the median of
# RUNS runs per batch size and each one's time relative to ketl's.
#
# Then trains the demo MLP on Fashion-MNIST with Adam for 10 epochs in ketl
# and in PyTorch: median epoch time and test accuracy; and times inference
# of the 784-128-10 MLP (one sample, 1,000 rows) in ketl and PyTorch.
#
# Usage (as root, to install the peers from Debian): bash bench/peers/run.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
# tiny-dnn's headers also include cereal, stb and gemmlowp.
source bench/peers/common.sh
install_peers python3-torch python3-numpy libdlib-dev tiny-dnn libcereal-dev libstb-dev libgemmlowp-dev \
  libopenblas-dev

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/peers/make_data.py "$work/data"
flags=(-std=c++20 -O2 -march=native -DNDEBUG -w -Ibench/peers)
echo "building..." >&2
g++ "${flags[@]}" -Iinclude bench/peers/ketl_mlp.cpp -o "$work/ketl" -lz -pthread &
g++ "${flags[@]}" -Iinclude bench/peers/fashion_mnist_ketl.cpp -o "$work/fashion_ketl" -lz -pthread &
g++ "${flags[@]}" -Iinclude bench/peers/predict_ketl.cpp -o "$work/predict_ketl" -lz -pthread &
g++ "${flags[@]}" $(pkg-config --cflags openblas) bench/peers/openblas_mlp.cpp -o "$work/openblas" \
  $(pkg-config --libs openblas) &
g++ "${flags[@]}" bench/peers/dlib_mlp.cpp -o "$work/dlib" $(pkg-config --libs dlib-1) -pthread &
# tiny-dnn includes "third_party/stb/...": Debian's stb is /usr/include/stb.
mkdir -p "$work/shim/third_party" && ln -s /usr/include/stb "$work/shim/third_party/stb"
g++ "${flags[@]}" -I"$work/shim" bench/peers/tinydnn_mlp.cpp -o "$work/tinydnn" -pthread &
wait

single_thread_blas
for batch in 32 128; do
  for r in $(seq "$runs"); do
    "$work/ketl" "$batch" "$work/data"
    "$work/openblas" "$batch" "$work/data"
    /usr/bin/python3 bench/peers/torch_mlp.py "$batch" "$work/data"
    "$work/dlib" "$batch" "$work/data"
    "$work/tinydnn" "$batch" "$work/data"
  done
done | tee "$work/results.txt" >&2

/usr/bin/python3 - "$work/results.txt" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, batch, seconds = line.split()[:3]
    times.setdefault((name, int(batch)), []).append(float(seconds))
names = ["ketl", "openblas", "pytorch", "dlib", "tiny-dnn"]
print("| implementation | batch 32 (s) | / ketl | batch 128 (s) | / ketl |")
print("|---|---|---|---|---|")
for n in names:
    row = [n]
    for b in (32, 128):
        m = statistics.median(times[(n, b)])
        k = statistics.median(times[("ketl", b)])
        row += [f"{m:.3f}", f"{m / k:.2f}"]
    print("| " + " | ".join(row) + " |")
PY

# Fashion-MNIST, the demo MLP with Adam, 10 epochs: epoch time and test accuracy.
echo
echo "Fashion-MNIST, 784-256-128-10, Adam, batch 32, 10 epochs, one thread:"
"$work/fashion_ketl" 10
/usr/bin/python3 bench/peers/fashion_mnist_torch.py 10

# Inference: one sample, and 1,000 rows, per call (medians), alternated.
echo
echo "Predict, 784-128-10, one thread:"
for r in $(seq "$runs"); do
  "$work/predict_ketl" "$work/data"
  /usr/bin/python3 bench/peers/predict_torch.py "$work/data"
done
