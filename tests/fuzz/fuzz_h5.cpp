// libFuzzer target: the Keras .h5 weight-file reader on any bytes, in
// memory, through the API's own path: libhdf5 parses in a child process
// (io/isolated.hpp), so a file that crashes libhdf5 must still come back as
// a ketl::io_error here. Any other outcome, or a read whose arrays do not
// hold what their shapes say, is a finding. (The child's coverage does not
// reach libFuzzer, and libhdf5 is not instrumented: the search is guided by
// ketl's side of the pipe. parse_keras_h5_here in-process finds libhdf5's
// own bugs at once; docs/robustness.md lists them.)
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <ketl/io/keras_h5.hpp>

// A child that libhdf5 crashes is the case under test, not a finding: it
// must not run libFuzzer's death callback (which would save the input as a
// crash) in the child. The parent's outcome is what counts.
static const int children_quiet =
    pthread_atfork(nullptr, nullptr, [] { __sanitizer_set_death_callback(nullptr); });

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // libhdf5 spins for minutes on some corrupt files: 2 s is plenty here.
  static const bool limited = (ketl::io::set_isolated_readers(true, std::chrono::seconds(2)), true);
  (void)limited;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& layer : ketl::io::parse_keras_h5(bytes, "fuzz.h5").layers)
      for (const auto& w : layer.weights) {
        std::size_t n = 1;
        for (auto d : w.shape) n *= d;
        if (n != w.values.size()) std::abort();
      }
  } catch (const ketl::io_error&) {
  }
  return 0;
}
