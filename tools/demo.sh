#!/usr/bin/env bash
# README command 1: install what is missing, build, and train the main demo
# (a 784-256-128-10 MLP on Fashion-MNIST, 10 epochs, with the progress bar).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
[ -d build/release ] || CXX=g++ meson setup build/release --buildtype=release -Dtests=false -Dbenchmarks=false >/dev/null
ninja -C build/release examples/fashion_mnist_mlp
exec ./build/release/examples/fashion_mnist_mlp "$@"
