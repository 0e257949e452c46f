// How many threads ketl's kernels use: 1 unless the program says otherwise,
// like torch.set_num_threads.
//
//   ketl::set_num_threads(2);  // large GEMMs split across two threads
//
// The helpers are a small pool of persistent threads (detail/thread_pool.hpp),
// not OpenMP: the kernels split work into a few equal parts per call, and a
// pool that spins briefly between calls wakes in well under a microsecond,
// where a condition variable or an OpenMP barrier would cost more than the
// smaller GEMMs of a training step take. See docs/benchmarks.md for when
// two threads pay.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>

namespace ketl {

namespace detail {
inline std::atomic<std::size_t>& thread_setting() {
  static std::atomic<std::size_t> n{1};
  return n;
}
}  // namespace detail

// 0 means all the cores there are; more than there are is capped.
inline void set_num_threads(std::size_t n) {
  const std::size_t cores = std::max<std::size_t>(std::thread::hardware_concurrency(), 1);
  detail::thread_setting() = n == 0 ? cores : std::min(n, cores);
}
inline std::size_t num_threads() { return detail::thread_setting(); }

}  // namespace ketl
