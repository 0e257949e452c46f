// Exhaustive accuracy check of ketl::detail::fast_log: every positive float
// against std::log in double, in units in the last place of the nearest
// float; then the special values. About 40 s at -O3 on one core.
//
//   g++ -std=c++20 -O3 -march=native -Iinclude tools/log_ulp.cpp -o /tmp/log_ulp && /tmp/log_ulp
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include <ketl/detail/fast_log.hpp>

int main() {
  using V = xsimd::batch<float>;
  constexpr std::size_t W = V::size;
  alignas(64) float in[W], out[W];
  double worst = 0, total = 0;
  float worst_x = 0;
  std::uint64_t counted = 0;
  for (std::uint64_t bits = 1; bits < 0x7f800000u; bits += W) {
    for (std::size_t l = 0; l < W; ++l) {
      const auto b = static_cast<std::uint32_t>(bits + l < 0x7f800000u ? bits + l : 0x7f7fffffu);
      std::memcpy(&in[l], &b, sizeof b);
    }
    ketl::detail::fast_log(V::load_aligned(in)).store_aligned(out);
    for (std::size_t l = 0; l < W; ++l) {
      const double ref = std::log(static_cast<double>(in[l]));
      const float nearest = static_cast<float>(ref);
      if (nearest == 0.0f) continue;  // log(1) = 0 exactly: checked below
      const double ulp = std::nextafter(std::fabs(nearest), INFINITY) - std::fabs(nearest);
      const double e = std::fabs(static_cast<double>(out[l]) - ref) / ulp;
      if (e > worst) worst = e, worst_x = in[l];
      total += e, ++counted;
    }
  }
  std::printf("%s: max %.3f ulp (at x = %.9g), mean %.4f ulp over %llu floats\n",
              xsimd::default_arch::name(), worst, static_cast<double>(worst_x), total / counted,
              static_cast<unsigned long long>(counted));
  const float specials[] = {0.0f,      -0.0f, -1.0f, INFINITY,
                            -INFINITY, NAN,   1.0f,  std::numeric_limits<float>::denorm_min()};
  int wrong = 0;
  for (float s : specials) {
    for (std::size_t l = 0; l < W; ++l) in[l] = s;
    ketl::detail::fast_log(V::load_aligned(in)).store_aligned(out);
    const float want = std::log(s);
    const bool ok = std::isnan(want) ? std::isnan(out[0]) : out[0] == want;
    std::printf("log(%g) = %g, std::log %g%s\n", static_cast<double>(s),
                static_cast<double>(out[0]), static_cast<double>(want), ok ? "" : "  WRONG");
    wrong += !ok;
  }
  return worst <= 2.0 && wrong == 0 ? 0 : 1;
}
