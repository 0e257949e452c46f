// A thin layer over xsimd so that one generic body serves a scalar T and an
// xsimd::batch<T>: the SIMD loop and its scalar tail then run the same code.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

// First: xsimd includes <immintrin.h>, whose g++ 12 warnings the wrapper
// silences (detail/intrinsics.hpp).
#include "ketl/detail/intrinsics.hpp"

#include <xsimd/xsimd.hpp>

namespace ketl::detail::simd {

// The architecture ketl's kernels use: the widest the compile flags allow.
// Except under GCC without optimisation on AVX-512BW: there xsimd 8.1's
// avx512bw select (reached from xsimd::log) compiles its 8- and 16-bit
// blends for every integer type, and GCC's -O0 intrinsics are casting
// macros that reject them. avx512dq keeps the 512-bit registers.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__OPTIMIZE__) && XSIMD_WITH_AVX512BW
using arch = xsimd::avx512dq;
#else
using arch = xsimd::default_arch;
#endif

template <class T>
using batch = xsimd::batch<T, arch>;

template <class V>
struct scalar_of_impl {
  using type = V;
};
template <class T, class A>
struct scalar_of_impl<xsimd::batch<T, A>> {
  using type = T;
};

template <class T>
inline constexpr std::size_t width = batch<T>::size;

template <class T>
requires std::is_arithmetic_v<T>
inline T select(bool c, T a, T b) { return c ? a : b; }
template <class T, class A>
inline xsimd::batch<T, A> select(const xsimd::batch_bool<T, A>& c, const xsimd::batch<T, A>& a,
                                 const xsimd::batch<T, A>& b) {
  return xsimd::select(c, a, b);
}

// max and min follow x86's maxps/minps, which xsimd's batch versions
// compile to: when either operand is NaN, the result is b. The scalar tail
// then computes exactly what the SIMD body does, and an activation that
// must pass NaN on writes the input second: relu(z) = max(0, z).
template <class T>
requires std::is_arithmetic_v<T>
inline T max(T a, T b) { return a > b ? a : b; }
template <class T, class A>
inline xsimd::batch<T, A> max(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) {
  return xsimd::max(a, b);
}
template <class T>
requires std::is_arithmetic_v<T>
inline T min(T a, T b) { return a < b ? a : b; }
template <class T, class A>
inline xsimd::batch<T, A> min(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) {
  return xsimd::min(a, b);
}

// Horizontal sum; xsimd 9 renamed hadd to reduce_add.
template <class T, class A>
inline T reduce_add(const xsimd::batch<T, A>& b) {
#if XSIMD_VERSION_MAJOR < 9
  return xsimd::hadd(b);
#else
  return xsimd::reduce_add(b);
#endif
}

// out[i] = f(in[i]) for a generic f.
// The loops count blocks and walk pointers: with `i < n` tails GCC 12 warns
// of overflow after inlining (-Waggressive-loop-optimizations).
template <class T, class F>
inline void map(F&& f, const T* in, T* out, std::size_t n) {
  constexpr std::size_t W = width<T>;
  for (std::size_t b = n / W; b > 0; --b, in += W, out += W)
    f(batch<T>::load_unaligned(in)).store_unaligned(out);
  for (std::size_t r = n % W; r > 0; --r, ++in, ++out) *out = f(*in);
}

// out[i] = f(a[i], b[i]).
template <class T, class F>
inline void map(F&& f, const T* a, const T* b, T* out, std::size_t n) {
  constexpr std::size_t W = width<T>;
  for (std::size_t k = n / W; k > 0; --k, a += W, b += W, out += W)
    f(batch<T>::load_unaligned(a), batch<T>::load_unaligned(b)).store_unaligned(out);
  for (std::size_t r = n % W; r > 0; --r, ++a, ++b, ++out) *out = f(*a, *b);
}

// Walks several arrays of n elements in step: f gets each one's values by
// reference (xsimd batches, then scalars for the tail) and may change them;
// the non-const arrays are stored back. An optimizer's whole update (the
// parameter and its slots) is then one pass.
template <class T, class F, class... P>
inline void zip_update(F&& f, std::size_t n, P*... ptr) {
  constexpr std::size_t W = width<T>;
  auto store = [](auto* q, const auto& v) {
    if constexpr (!std::is_const_v<std::remove_pointer_t<decltype(q)>>) {
      if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(v)>>)
        *q = v;
      else
        v.store_unaligned(q);
    }
  };
  for (std::size_t b = n / W; b > 0; --b) {
    std::tuple<batch<std::remove_const_t<P>>...> v{
        batch<std::remove_const_t<P>>::load_unaligned(ptr)...};
    std::apply(f, v);
    std::apply([&](const auto&... x) { (store(ptr, x), ...); }, v);
    ((ptr += W), ...);
  }
  for (std::size_t r = n % W; r > 0; --r) {
    std::tuple<std::remove_const_t<P>...> v{*ptr...};
    std::apply(f, v);
    std::apply([&](const auto&... x) { (store(ptr, x), ...); }, v);
    ((++ptr), ...);
  }
}

}  // namespace ketl::detail::simd

namespace ketl::detail {
// The element type of a scalar or of an xsimd batch.
template <class V>
using scalar_of = typename simd::scalar_of_impl<V>::type;
}  // namespace ketl::detail
