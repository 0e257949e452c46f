#!/usr/bin/env bash
# Builds bench/gemm_paired.cpp against an earlier commit's GEMM kernels
# (default: HEAD, so the earlier column reads 1.0) and runs it:
#   bash bench/gemm_paired.sh [COMMIT] [SAMPLES]
# g++ -O3 -march=native, one OpenBLAS thread with the core named as
# bench/peers/common.sh names it.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-HEAD}
samples=${2:-41}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git show "$rev:include/ketl/detail/gemm_isa_body.ipp" >"$work/earlier_body.ipp"
g++ -std=c++20 -O3 -march=native -DNDEBUG -Iinclude $(pkg-config --cflags openblas) \
  -DKETL_EARLIER_BODY="\"$work/earlier_body.ipp\"" bench/gemm_paired.cpp -o "$work/gemm_paired" \
  $(pkg-config --libs openblas) -pthread
source bench/peers/common.sh
single_thread_blas
echo "earlier: $(git rev-parse --short "$rev"), CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
"$work/gemm_paired" "$samples"
