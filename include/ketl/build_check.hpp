// Two builds train much slower than they could, and nothing else would say
// so: one without optimisation (about 100x), and one whose SIMD arch is
// narrower than the CPU's (SSE2 on an AVX2 CPU: about 2.5x). The first fit
// of such a program prints one line for each.
//
//   ketl::set_unoptimized_warning(false);   // silences the first
//   ketl::set_arch_warning(false);          // and the second
//
// Both read how ketl's headers were compiled, that is, the program's own
// build flags.
#pragma once

#include <atomic>
#include <ostream>
#include <string_view>

#include "ketl/cpu.hpp"

namespace ketl {

namespace detail {
inline std::atomic<bool>& unoptimized_warning_on() {
  static std::atomic<bool> on{true};
  return on;
}
// Whether the warning was printed already (tests reset it).
inline std::atomic<bool>& unoptimized_warning_said() {
  static std::atomic<bool> said{false};
  return said;
}

inline constexpr std::string_view unoptimized_warning_text =
    "ketl: built without optimisation (-O0); training runs about 100x slower; build with -O2 or "
    "a release build type (meson --buildtype=release, cmake -DCMAKE_BUILD_TYPE=Release), or "
    "call ketl::set_unoptimized_warning(false) to silence this\n";

// Prints the warning once per process, before the first fit, when the
// headers were compiled without optimisation.
inline void warn_if_unoptimized(std::ostream& os) {
#ifndef __OPTIMIZE__
  if (unoptimized_warning_on() && !unoptimized_warning_said().exchange(true))
    os << unoptimized_warning_text;
#else
  (void)os;
#endif
}

inline std::atomic<bool>& arch_warning_on() {
  static std::atomic<bool> on{true};
  return on;
}
inline std::atomic<bool>& arch_warning_said() {
  static std::atomic<bool> said{false};
  return said;
}

// Prints once per process, before the first fit, when this CPU has a wider
// SIMD arch than the program was compiled for.
inline void warn_if_narrow_arch(std::ostream& os, const cpu_info& cpu) {
  if (cpu.narrower_than_cpu() && arch_warning_on() && !arch_warning_said().exchange(true)) {
    os << "ketl: compiled for " << cpu.compiled << " (" << cpu.compiled_bits
       << "-bit vectors), but this CPU has " << cpu.best << " (" << cpu.best_bits << "-bit)";
    if (cpu.gemm != cpu.compiled)
      os << ": the GEMM uses " << cpu.gemm << ", chosen at run time, the other kernels "
         << cpu.compiled;
    os << "; build with -march=native (or -mavx2 -mfma) to train faster, or call "
          "ketl::set_arch_warning(false) to silence this\n";
  }
}

// Both checks, as fit and fit_generator make them.
inline void warn_if_slow_build(std::ostream& os) {
  warn_if_unoptimized(os);
  warn_if_narrow_arch(os, cpu_features());
}
}  // namespace detail

inline void set_unoptimized_warning(bool on) { detail::unoptimized_warning_on() = on; }
inline void set_arch_warning(bool on) { detail::arch_warning_on() = on; }

}  // namespace ketl
