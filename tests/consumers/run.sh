#!/usr/bin/env bash
# Builds and runs tests/consumers/main.cpp the three ways a project uses
# ketl: pkg-config on an installed ketl, meson with ketl as a subproject,
# and CMake's find_package on an installed ketl. As a subproject, ketl must
# add no target of its own and no -march flag. Prints one line per route.
#
#   bash tests/consumers/run.sh [SOURCE_ROOT]
set -euo pipefail
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
work=$(mktemp -d /tmp/ketl_consumers.XXXXXX)
trap 'rm -rf "$work"' EXIT
here="$root/tests/consumers"

# An installed ketl (headers, ketl.pc, the CMake package): header-only, so
# installing compiles nothing.
meson setup "$work/build" "$root" --prefix="$work/prefix" -Dtests=false -Dexamples=false \
  -Dbenchmarks=false >"$work/setup.log" 2>&1 || { cat "$work/setup.log"; exit 1; }
meson install -C "$work/build" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
pcdir=$(dirname "$(find "$work/prefix" -name ketl.pc | head -1)")

# The pkg-config build runs beside the other two (each is one compile, at
# -O0: the routes are what is tested, and the model is tiny; this file
# took 14.2 s to compile at -O0, 18.5 s at -O1).
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs ketl)
g++ -O0 -o "$work/app_pc" "$here/main.cpp" $flags >"$work/pc.log" 2>&1 &
pc_build=$!

echo "== meson subproject"
cp -r "$here/meson" "$work/meson"
cp "$here/main.cpp" "$work/main.cpp"
mkdir -p "$work/meson/subprojects"
ln -s "$root" "$work/meson/subprojects/ketl"
meson setup "$work/meson/build" "$work/meson" >"$work/meson.log" 2>&1 || { cat "$work/meson.log"; exit 1; }
commands=$(ninja -C "$work/meson/build" -t commands | grep -c -- ' -c ' || true)
if [ "$commands" -ne 1 ]; then
  echo "ketl as a subproject builds $commands objects; it must build only the consumer's one"
  exit 1
fi
if ninja -C "$work/meson/build" -t commands | grep -q -- '-march'; then
  echo "ketl as a subproject added a -march flag to the consumer's build"
  exit 1
fi
ninja -C "$work/meson/build" >/dev/null
"$work/meson/build/app"

echo "== cmake find_package"
cmake -S "$here/cmake" -B "$work/cmake" -DCMAKE_CXX_FLAGS=-O0 \
  -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; exit 1; }
cmake --build "$work/cmake" >"$work/cmake_build.log" 2>&1 || { cat "$work/cmake_build.log"; exit 1; }
"$work/cmake/app"
echo "== pkg-config"
wait $pc_build || { cat "$work/pc.log"; exit 1; }
"$work/app_pc"

echo "consumers: pkg-config, meson subproject and CMake find_package all built and ran"
