#!/usr/bin/env bash
# README command 2: install what is missing, then build and run the whole
# suite in three configurations:
#   gcc-release  g++ 12, release (test programs and examples at -O1), warnings as errors: the
#                examples, the portable GEMM tests (-O2), the threaded tests, the allocation
#                counts, the import and live-Keras checks, compile-fail, the headers, benchmarks,
#                and g++'s warnings on the unit suite's sources (-fsyntax-only)
#   clang-asan   clang++ 14 with AddressSanitizer + UndefinedBehaviorSanitizer (-O0), warnings
#                as errors: the unit tests, the threaded tests, the portable GEMM tests, and
#                compile-fail with each snippet's control
#   gcc-tsan     g++ 12 with ThreadSanitizer (-O1): the threaded tests (generator workers, helper threads)
# then the file readers' libFuzzer targets, 15 s each, in parallel (tools/fuzz.sh; KETL_FUZZ_SECONDS
# overrides; docs/robustness.md has the 10-minute runs).
# The last line is "N passed, M failed", counted over every test case of every
# configuration: each Catch2 test case counts once, and so does each compile-fail test.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh || exit 1

# Real Keras for the live checks, fetched while the suite builds.
bash tools/keras-venv.sh &
venv_pid=$!

jobs=$(nproc)
setup() {  # name, compiler, extra meson options...
  local dir=build/$1 cxx=$2
  shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    CXX=$cxx meson setup "$dir" --werror "$@" >"build-$$.log" 2>&1 || { cat "build-$$.log"; rm -f "build-$$.log"; return 1; }
    rm -f "build-$$.log"
  fi
}
# Each configuration's tests run while the next one builds: a test phase
# alone leaves a core idle much of its time (the ASan unit run is one
# process), and the work the two cores share is what sets the wall time.
# One test phase at a time; its output is printed when it ends.
build() {  # name
  local dir=build/$1 t0=$SECONDS
  rm -f "$dir/meson-logs/testlog.json"  # never count an earlier run's results
  echo "=== $1: build" >&2
  if ! ninja -C "$dir" -j "$jobs" >"$dir/ninja.log" 2>&1; then
    tail -n 60 "$dir/ninja.log"
    echo "=== $1: BUILD FAILED" >&2
    failed_builds=$((failed_builds + 1))
    return 1
  fi
  echo "=== $1: built in $((SECONDS - t0)) s" >&2
}
test_pid="" test_name=""
start_tests() {  # name
  local dir=build/$1
  test_name=$1
  (
    t0=$SECONDS
    meson test -C "$dir" --num-processes "$jobs" --print-errorlogs --no-rebuild
    echo "=== $1: tested in $((SECONDS - t0)) s"
  ) >"$dir/test-output.txt" 2>&1 &
  test_pid=$!
}
finish_tests() {
  [ -n "$test_pid" ] || return 0
  wait "$test_pid"
  cat "build/$test_name/test-output.txt"
  test_pid=""
}

failed_builds=0
# The test programs and the examples at -O1 here (tests/meson.build says
# why); the benchmarks and the portable GEMM tests stay at -O2.
# Its compile-fail tests check the failing cases; the snippets' controls
# compile in clang-asan (tests/meson.build says why).
# The main unit program (ketl_tests) is left to clang-asan: built here too,
# at -O1, it was 850 s of the suite's 5,200 s of CPU, and the suite must fit
# in 30 minutes on two cores. g++ still reads its sources (-fsyntax-only,
# warnings as errors), and the optimized code runs here in the examples
# (whole trainings), the portable GEMM tests and the threaded and
# allocation programs.
setup gcc-release g++ --buildtype=release -Dunit_optimization=1 -Dcompile_fail_controls=false \
  -Dunit_program=false -Dunit_syntax_check=true ||
  failed_builds=$((failed_builds + 1))
# The unit suite under ASan+UBSan, with clang++: it compiles the suite in
# half g++'s time (test_training.cpp: 20 s against 39 s of CPU), and one
# build is both the sanitized run and clang's warnings check, where g++
# with the sanitizers and a plain clang build took 756 + ~270 s of the
# suite's wall time on the Xeon (docs/benchmarks.md).
# -O0 -g1: line tables are all ASan's reports need, and full debug info of
# this template-heavy code more than doubles the build. The allocation
# counts run in gcc-release (they replace the global operator new, as ASan
# does, and run code the unit suite runs), the examples there too.
# UBSan without its alignment and null checks, as the fuzzers keep them
# (tools/fuzz.sh, where untrusted bytes are read): a null dereference still
# stops under ASan (SEGV with a stack), so does a misaligned aligned-SIMD load.
setup clang-asan clang++ --buildtype=plain -Doptimization=0 -Db_sanitize=address,undefined \
  -Db_lundef=false -Dcpp_args="-g1 -fno-sanitize=alignment,null" -Dbenchmarks=false \
  -Dexamples=false -Dheader_checks=false -Dconsumer_tests=false -Donce_tests=false -Dtools=false ||
  failed_builds=$((failed_builds + 1))
setup gcc-tsan g++ --buildtype=plain -Doptimization=1 -Db_sanitize=thread -Dcpp_args="-g1" \
  -Dunit_suite=false -Dbenchmarks=false -Dexamples=false -Dcompile_fail_tests=false \
  -Dconsumer_tests=false -Dtools=false ||
  failed_builds=$((failed_builds + 1))

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
for c in gcc-release clang-asan gcc-tsan; do
  [ -f "build/$c/build.ninja" ] || continue
  if build "$c"; then
    # gcc-release's tests include the live Keras check: its venv first.
    [ "$c" = gcc-release ] && wait "$venv_pid"
    finish_tests
    start_tests "$c"
  fi
done

# The fuzzers beside the last test phase (ThreadSanitizer's, short).
echo "=== fuzz: the readers, ${KETL_FUZZ_SECONDS:-15} s each" >&2
rm -f build/fuzz/results.txt
t0=$SECONDS
bash tools/fuzz.sh "${KETL_FUZZ_SECONDS:-15}"
echo "=== fuzz: done in $((SECONDS - t0)) s" >&2
finish_tests

# Count from meson's logs: every TAP subtest and every plain test; then
# each fuzz target once.
python3 - "$failed_builds" build/gcc-release build/clang-asan build/gcc-tsan <<'PY'
import json, os, re, sys
failed_builds = int(sys.argv[1])
passed = failed = 0
fuzz = "build/fuzz/results.txt"
if os.path.exists(fuzz):
    for line in open(fuzz):
        ok = line.split()[-1] == "OK"
        passed += ok
        failed += not ok
else:
    failed += 1  # the fuzz step did not run
for d in sys.argv[2:]:
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        continue
    for line in open(log):
        t = json.loads(line)
        out = t.get("stdout") or ""
        ok_result = t["result"] in ("OK", "EXPECTEDFAIL")
        # A Catch2 binary counts its test cases; anything else counts once.
        allpass = re.search(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)", out)
        summary = re.search(r"test cases:\s+(\d+) \|\s+(\d+) passed \|\s+(\d+) failed", out)
        if allpass and ok_result:
            passed += int(allpass.group(1))
        elif summary:
            passed += int(summary.group(2))
            failed += max(int(summary.group(3)), 0 if ok_result else 1)
        elif ok_result:
            passed += 1
        elif t["result"] != "SKIP":
            failed += 1  # crashed, timed out, or failed before reporting
failed += failed_builds
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
