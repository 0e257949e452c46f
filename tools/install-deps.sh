#!/usr/bin/env bash
# Installs, with apt-get, whatever ketl's build, tests and demo need and the
# machine lacks. Run as root on Debian bookworm; it does nothing when all is there.
set -euo pipefail

packages=(
  g++ clang libclang-rt-14-dev pkg-config cmake python3 python3-numpy meson ninja-build
  libboost-dev libxtensor-dev libxsimd-dev catch2 libbenchmark-dev zlib1g-dev
  libhdf5-dev  # Keras .h5 files (ketl/io/keras_h5.hpp, its tests and fuzz target)
  nlohmann-json3-dev  # Keras model configs (ketl/io/keras_config.hpp, keras_model.hpp)
  openmpi-bin libopenmpi-dev  # data-parallel training (ketl/distributed.hpp, its tests and example)
  libopenblas-dev  # the baseline of bench/gemm.cpp only; ketl itself does not use it
  dataset-fashion-mnist
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ketl: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "ketl: run this as root (apt-get needs it), or install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
