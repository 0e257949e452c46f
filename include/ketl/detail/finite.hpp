// Finiteness checks for check_numerics: is every value of a batch finite?
// One SIMD pass, or no extra pass at all when fused with the gather that
// copies a shuffled batch's rows (the copy reads every value anyway).
//
// v * 0 is 0 for every finite v and NaN for an infinity or a NaN, so one
// multiply-add per vector folds a whole array into one value that is NaN
// exactly when some element is not finite.
#pragma once

#include <cmath>
#include <cstddef>

#include "ketl/detail/simd.hpp"

namespace ketl::detail {

// Whether every one of p[0, n) is finite (neither NaN nor infinite).
template <class T>
bool all_finite(const T* p, std::size_t n) {
  using V = simd::batch<T>;
  constexpr std::size_t W = V::size;
  V acc0(T(0)), acc1(T(0));
  for (std::size_t b = n / (2 * W); b > 0; --b, p += 2 * W) {
    acc0 = xsimd::fma(V::load_unaligned(p), V(T(0)), acc0);
    acc1 = xsimd::fma(V::load_unaligned(p + W), V(T(0)), acc1);
  }
  T rest = simd::reduce_add(acc0 + acc1);
  for (std::size_t r = n % (2 * W); r > 0; --r, ++p) rest += *p * T(0);
  return rest == T(0);
}

// dst = src[0, n), and whether every value copied was finite.
template <class T>
bool copy_checked(const T* src, std::size_t n, T* dst) {
  using V = simd::batch<T>;
  constexpr std::size_t W = V::size;
  V acc(T(0));
  for (std::size_t b = n / W; b > 0; --b, src += W, dst += W) {
    const V v = V::load_unaligned(src);
    v.store_unaligned(dst);
    acc = xsimd::fma(v, V(T(0)), acc);
  }
  T rest = simd::reduce_add(acc);
  for (std::size_t r = n % W; r > 0; --r, ++src, ++dst) {
    *dst = *src;
    rest += *src * T(0);
  }
  return rest == T(0);
}

}  // namespace ketl::detail
