// A build without optimisation trains about 100 times slower, and nothing
// else would say so: the first fit of such a program prints one line.
//
//   ketl::set_unoptimized_warning(false);   // silences it
//
// It reads __OPTIMIZE__ where ketl's headers are compiled, that is, in the
// program's own build.
#pragma once

#include <atomic>
#include <ostream>
#include <string_view>

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
}  // namespace detail

inline void set_unoptimized_warning(bool on) { detail::unoptimized_warning_on() = on; }

}  // namespace ketl
