// Finite-difference gradient checks, run at double precision: with h = 1e-5,
// central differences have truncation error O(h^2) ~ 1e-10 and rounding
// error ~ 1e-16 / h ~ 1e-11, so a relative tolerance of 1e-6 leaves a wide
// margin and still catches any wrong term.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include <catch2/catch.hpp>

#include <ketl/random.hpp>

namespace test {

inline constexpr double h = 1e-5;
inline constexpr double rtol = 1e-6;
inline constexpr double atol = 1e-8;

// Checks d loss / d v[i] for every i against the analytic gradient.
template <class LossFn>
void check_gradient(std::span<double> v, std::span<const double> analytic, LossFn&& loss) {
  REQUIRE(v.size() == analytic.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double saved = v[i];
    v[i] = saved + h;
    const double up = loss();
    v[i] = saved - h;
    const double down = loss();
    v[i] = saved;
    const double numeric = (up - down) / (2 * h);
    INFO("index " << i << ": analytic " << analytic[i] << ", numeric " << numeric);
    CHECK(std::abs(analytic[i] - numeric) <= atol + rtol * std::max(std::abs(numeric), 1.0));
  }
}

inline std::vector<double> random_vector(std::size_t n, ketl::Random& rng, double lo = -1,
                                         double hi = 1) {
  std::vector<double> v(n);
  for (auto& x : v) x = rng.uniform(lo, hi);
  return v;
}

}  // namespace test
