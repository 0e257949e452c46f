#!/usr/bin/env bash
# README command 2: install what is missing, then build and run the whole
# suite in four configurations:
#   gcc-release  g++ 12, release (test programs and examples at -O1), warnings as errors: the
#                examples, the portable GEMM tests (-O2), the threaded tests, the allocation
#                counts, the import and live-Keras checks, compile-fail, the headers, benchmarks
#   gcc-asan     g++ 12 with AddressSanitizer + UndefinedBehaviorSanitizer (-O0): the unit tests
#   clang        clang++ 14, release (its test programs at -O0), warnings as errors: unit and
#                compile-fail (the threaded tests and the allocation counts are gcc's)
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
# compile in the clang configuration (tests/meson.build says why).
# The main unit program (ketl_tests) is left to gcc-asan and clang: built
# here too, at -O1, it was 850 s of the suite's 5,200 s of CPU, and the
# suite must fit in 30 minutes on two cores. The optimized code runs here
# in the examples (whole trainings), the portable GEMM tests and the
# threaded and allocation programs.
setup gcc-release g++ --buildtype=release -Dunit_optimization=1 -Dcompile_fail_controls=false \
  -Dunit_program=false ||
  failed_builds=$((failed_builds + 1))
# -O0 -g1: line tables are all ASan's reports need, and full debug info of
# this template-heavy code more than doubles the build. At -O1 the build
# took 2.3x the compiler time (1,298 s against 570 s) to save about 85 s of
# test run. The examples and compile-fail tests run in the other two
# configurations, and the allocation counts in gcc-release (they replace the
# global operator new, as ASan does, and run code the unit suite runs).
# UBSan without its alignment and null checks: they were a third of this
# build's compiler time (test_training.cpp: 61.5 s with them, 42.2 s
# without, 40.0 s with ASan alone). A null dereference still stops under
# ASan (SEGV with a stack), so does a misaligned aligned-SIMD load, and
# the fuzzers (tools/fuzz.sh), where untrusted bytes are read, keep both.
setup gcc-asan g++ --buildtype=plain -Doptimization=0 -Db_sanitize=address,undefined \
  -Dcpp_args="-g1 -Wno-maybe-uninitialized -fno-sanitize=alignment,null" -Dbenchmarks=false \
  -Dexamples=false -Dcompile_fail_tests=false \
  -Dheader_checks=false -Dconsumer_tests=false -Donce_tests=false -Dtools=false ||
  failed_builds=$((failed_builds + 1))
# The headers' self-containment, the benchmarks' compiling, the examples
# and the consumer projects are checked by gcc-release alone.
# Its threaded tests are the other three configurations' (ThreadSanitizer's
# above all), the allocation counts gcc's: clang builds the unit suite and
# the compile-fail tests, at -O0: clang's -O1 took 2.7x the time
# (test_functional.cpp 57 s against 21 s), and gcc-release runs the
# optimized code.
setup clang clang++ --buildtype=release -Dunit_optimization=0 -Db_lundef=false -Dheader_checks=false \
  -Dconsumer_tests=false -Dbenchmarks=false -Dexamples=false -Dthread_tests=false -Donce_tests=false \
  -Dtools=false ||
  failed_builds=$((failed_builds + 1))
setup gcc-tsan g++ --buildtype=plain -Doptimization=1 -Db_sanitize=thread -Dcpp_args="-g1" \
  -Dunit_suite=false -Dbenchmarks=false -Dexamples=false -Dcompile_fail_tests=false \
  -Dconsumer_tests=false -Dtools=false ||
  failed_builds=$((failed_builds + 1))

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
for c in gcc-release gcc-asan clang gcc-tsan; do
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
python3 - "$failed_builds" build/gcc-release build/gcc-asan build/clang build/gcc-tsan <<'PY'
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
