#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang++ (-fsanitize=
# fuzzer,address,undefined) and runs each for SECONDS (default 60) from its
# seed corpus, with a memory cap. New inputs go to build/fuzz/corpus/, never
# into the repository; a crash's input is kept in build/fuzz/.
#
#   bash tools/fuzz.sh [SECONDS] [TARGET...]     targets: idx npz csv h5 keras_config tfjs
#                                                (h5 where libhdf5 is, keras_config and tfjs where nlohmann-json is)
#
# Prints one line per target ("fuzz_idx: OK, 123456 runs, cov 789 ...") and
# writes build/fuzz/results.txt (name and OK or FAIL) for tools/test.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(idx npz csv)
  pkg-config --exists hdf5 && targets+=(h5)
  pkg-config --exists nlohmann_json && targets+=(keras_config tfjs)
fi
out=build/fuzz
mkdir -p "$out"
: >"$out/results.txt"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -Iinclude $(pkg-config --cflags xtensor xsimd))
status=0
# Built in parallel, then run in parallel (each target is one process).
build() {
  rm -f "$out/fuzz_$1"
  local extra=()
  [ "$1" = h5 ] && extra=($(pkg-config --cflags --libs hdf5))
  clang++ "${flags[@]}" "tests/fuzz/fuzz_$1.cpp" -o "$out/fuzz_$1" "${extra[@]}" -lz 2>"$out/fuzz_$1.build.log"
  echo $? >"$out/fuzz_$1.build.rc"
}
fuzz() {
  mkdir -p "$out/corpus/$1"
  cp -n tests/fuzz/corpus/"$1"/* "$out/corpus/$1/" 2>/dev/null
  # fuzz_h5's parses run in forked children (io/isolated.hpp), which inherit
  # libFuzzer's malloc hook: there ASan refuses (returns null for) any
  # allocation over 512 MB, as a real process's malloc fails, so libhdf5's
  # terabyte requests on forged sizes fail inside the child instead of
  # reporting from it; the parent's own limit then never fires first.
  local asan="" limit=512
  [ "$1" = h5 ] && asan="allocator_may_return_null=1:max_allocation_size_mb=512" limit=4096
  (cd "$out" && UBSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS="$asan" ./"fuzz_$1" "corpus/$1" \
     -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb="$limit" -max_len=65536 \
     -print_final_stats=1 -artifact_prefix="fuzz_$1-" >"fuzz_$1.log" 2>&1)
  echo $? >"$out/fuzz_$1.rc"
}
for t in "${targets[@]}"; do build "$t" & done
wait
for t in "${targets[@]}"; do
  rm -f "$out/fuzz_$t.rc"
  [ "$(cat "$out/fuzz_$t.build.rc")" = 0 ] && fuzz "$t" &
done
wait
for t in "${targets[@]}"; do
  name=fuzz_$t
  if [ ! -f "$out/$name.rc" ]; then
    cat "$out/$name.build.log"
    echo "$name FAIL" >>"$out/results.txt"
    echo "$name: BUILD FAILED"
    status=1
    continue
  fi
  rc=$(cat "$out/$name.rc")
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name.log" | tail -1 | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$out/$name.log" | tail -1 | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' "$out/$name.log" | tail -1 | grep -o '[0-9]*')
  if [ "$rc" -eq 0 ]; then
    echo "$name OK" >>"$out/results.txt"
    echo "$name: OK, ${runs:-?} runs in ${seconds} s, cov ${cov:-?}, ft ${ft:-?}, corpus $(ls "$out/corpus/$t" | wc -l)"
  else
    echo "$name FAIL" >>"$out/results.txt"
    echo "$name: FAILED (exit $rc); the log is $out/$name.log:"
    grep -A 30 -E '^==[0-9]+==ERROR|runtime error|deadly signal|out-of-memory|malloc\(' "$out/$name.log" | head -60
    status=1
  fi
done
exit $status
