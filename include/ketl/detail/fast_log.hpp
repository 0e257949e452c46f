// The natural log of a float batch without a division: the loss pass's
// hottest function (categorical crossentropy takes one log per element).
//
// xsimd::log reduces to m in [sqrt(1/2), sqrt(2)) and evaluates log(m)
// through s = f / (2 + f), a division per call. Here log(m) = log1p(f) with
// f = m - 1 in [-0.293, 0.414) is a polynomial, f - f^2/2 + f^3 P(f), with P
// of degree 7 fitted for ketl (tools/fit_log.py: a weighted least-squares
// fit against mpmath, relative error 7.5e-9 with the coefficients rounded to
// float). Measured over every positive float: at most 1.26 ulp from the
// correctly rounded log (tools/log_ulp.cpp; docs/benchmarks.md).
// Specials as std::log: log(0) = -inf, log(inf) = inf, log(x < 0) and
// log(NaN) = NaN; denormals are scaled by 2^23 first.
#pragma once

#include <cstdint>
#include <limits>

#include "ketl/detail/simd.hpp"

namespace ketl::detail {

// log(2^e * m) for x's bits minus sqrt(1/2)'s: e + log(m), m in [sqrt(1/2), sqrt(2)).
template <class A>
inline xsimd::batch<float, A> log_of_normal(const xsimd::batch<float, A>& x,
                                            const xsimd::batch<float, A>& e_offset) {
  using V = xsimd::batch<float, A>;
  using I = xsimd::batch<std::int32_t, A>;
  constexpr std::int32_t sqrt_half = 0x3f3504f3;  // the bits of sqrt(1/2)
  const I bits = xsimd::bitwise_cast<I>(x) - I(sqrt_half);
  const V e = xsimd::to_float(bits >> 23) - e_offset;
  const V f = xsimd::bitwise_cast<V>((bits & I(0x7fffff)) + I(sqrt_half)) - V(1.0f);
  V p(-0.07634225487709045f);
  p = xsimd::fma(p, f, V(0.12761467695236206f));
  p = xsimd::fma(p, f, V(-0.13160233199596405f));
  p = xsimd::fma(p, f, V(0.14201776683330536f));
  p = xsimd::fma(p, f, V(-0.16623353958129883f));
  p = xsimd::fma(p, f, V(0.20001226663589478f));
  p = xsimd::fma(p, f, V(-0.250008225440979f));
  p = xsimd::fma(p, f, V(0.3333333134651184f));
  const V f2 = f * f;
  const V log_m = xsimd::fma(f2 * f, p, xsimd::fnma(V(0.5f), f2, f));
  // e * ln 2 in two parts: the high one has 16 bits, so e * hi is exact.
  return xsimd::fma(e, V(0.693145751953125f), xsimd::fma(e, V(1.428606765330187e-06f), log_m));
}

// Lanes that are not all positive normal floats: denormals scaled by 2^23,
// then the special values. Out of line, so that the usual path stays small
// enough for the compiler to inline into a fused loop.
template <class A>
[[gnu::noinline]] xsimd::batch<float, A> log_of_any(const xsimd::batch<float, A>& x) {
  using V = xsimd::batch<float, A>;
  const auto tiny = x < V(std::numeric_limits<float>::min());
  V y = log_of_normal(xsimd::select(tiny, x * V(8388608.0f), x),
                      xsimd::select(tiny, V(23.0f), V(0.0f)));
  const V inf(std::numeric_limits<float>::infinity());
  y = xsimd::select(x == inf, inf, y);
  y = xsimd::select(x == V(0.0f), -inf, y);
  // xsimd::isnan: `x != x` is an ordered compare in xsimd 8.1.
  return xsimd::select(x < V(0.0f) || xsimd::isnan(x), V(std::numeric_limits<float>::quiet_NaN()),
                       y);
}

// The usual batch, all lanes normal (a clipped probability, say), skips the
// special cases' selects.
template <class A>
inline xsimd::batch<float, A> fast_log(const xsimd::batch<float, A>& x) {
  using V = xsimd::batch<float, A>;
  const auto normal = (x >= V(std::numeric_limits<float>::min())) &&
                      (x < V(std::numeric_limits<float>::infinity()));  // false for NaN
  if (xsimd::all(normal)) [[likely]]
    return log_of_normal(x, V(0.0f));
  return log_of_any(x);
}

}  // namespace ketl::detail
