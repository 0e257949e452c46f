// Run-time choice of the float GEMM's instruction set.
//
// ketl is header-only: its kernels take the program's compile flags, and a
// program built for baseline x86-64 (no -march) gets SSE2. The GEMM, most of
// a training step's time, is therefore also compiled here for AVX2+FMA and
// for AVX-512 inside target regions (the same kernels,
// detail/gemm_isa_body.ipp, over intrinsics instead of xsimd), and the
// widest the CPU has is chosen once, at the first call. A program compiled
// for the CPU's best arch (-march=native) skips this and keeps its own.
//
// Only the GEMM is dispatched: the other kernels (activations, the fused
// loss pass, the optimizers) are templates over the program's own types,
// compiled in its translation units with its flags (docs/design.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ketl/detail/gemm_epilogue.hpp"
#include "ketl/detail/transpose8.hpp"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define KETL_GEMM_DISPATCH 1
#include "ketl/detail/intrinsics.hpp"
#else
#define KETL_GEMM_DISPATCH 0
#endif

namespace ketl::detail {

enum class gemm_isa { compiled, avx2, avx512 };

inline std::string_view gemm_isa_name(gemm_isa i) {
  switch (i) {
    case gemm_isa::avx2:
      return "fma3+avx2";
    case gemm_isa::avx512:
      return "avx512f";
    default:
      return simd::arch::name();
  }
}

using sgemm_fn = void (*)(std::size_t m, std::size_t n, std::size_t k, const float* a,
                          std::size_t a_rs, std::size_t a_cs, const float* b, std::size_t ldb,
                          float* c, std::size_t ldc, bool accumulate,
                          const block_epilogue<float>& epi);

}  // namespace ketl::detail

// Each copy is compiled inside a target region: g++'s push_options and
// target pragmas, clang's attribute push. A copy is left out when the
// program's own flags already reach its arch.
#if KETL_GEMM_DISPATCH && !XSIMD_WITH_FMA3_AVX2 && !XSIMD_WITH_AVX512F
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
namespace ketl::detail::gemm_avx2 {
struct V {
  using value_type = float;
  using type = __m256;
  static constexpr std::size_t width = 8, regs = 16;
  static type load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, type v) { _mm256_storeu_ps(p, v); }
  static type zero() { return _mm256_setzero_ps(); }
  static type splat(float x) { return _mm256_set1_ps(x); }
  static type add(type a, type b) { return _mm256_add_ps(a, b); }
  static type fma(type a, type b, type c) { return _mm256_fmadd_ps(a, b, c); }
};
#include "ketl/detail/gemm_isa_body.ipp"
inline void sgemm(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t a_rs,
                  std::size_t a_cs, const float* b, std::size_t ldb, float* c, std::size_t ldc,
                  bool accumulate, const block_epilogue<float>& epi) {
  gemm<V>(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, epi);
}
inline void sgemm_bt(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t a_rs,
                     std::size_t a_cs, const float* bt, std::size_t ldt, float* c, std::size_t ldc,
                     bool accumulate, const block_epilogue<float>& epi) {
  gemm_bt<V>(m, n, k, a, a_rs, a_cs, bt, ldt, c, ldc, accumulate, epi);
}
}  // namespace ketl::detail::gemm_avx2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#define KETL_GEMM_AVX2 1
#else
#define KETL_GEMM_AVX2 0
#endif

#if KETL_GEMM_DISPATCH && !XSIMD_WITH_AVX512F
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f")
#endif
namespace ketl::detail::gemm_avx512 {
struct V {
  using value_type = float;
  using type = __m512;
  static constexpr std::size_t width = 16, regs = 32;
  static type load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, type v) { _mm512_storeu_ps(p, v); }
  static type zero() { return _mm512_setzero_ps(); }
  static type splat(float x) { return _mm512_set1_ps(x); }
  static type add(type a, type b) { return _mm512_add_ps(a, b); }
  static type fma(type a, type b, type c) { return _mm512_fmadd_ps(a, b, c); }
};
#include "ketl/detail/gemm_isa_body.ipp"
inline void sgemm(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t a_rs,
                  std::size_t a_cs, const float* b, std::size_t ldb, float* c, std::size_t ldc,
                  bool accumulate, const block_epilogue<float>& epi) {
  gemm<V>(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, epi);
}
inline void sgemm_bt(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t a_rs,
                     std::size_t a_cs, const float* bt, std::size_t ldt, float* c, std::size_t ldc,
                     bool accumulate, const block_epilogue<float>& epi) {
  gemm_bt<V>(m, n, k, a, a_rs, a_cs, bt, ldt, c, ldc, accumulate, epi);
}
}  // namespace ketl::detail::gemm_avx512
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#define KETL_GEMM_AVX512 1
#else
#define KETL_GEMM_AVX512 0
#endif

namespace ketl::detail {

// The copy for an arch, or nullptr where this program has none (its own
// flags reach that arch, or the CPU is not x86).
inline sgemm_fn sgemm_for(gemm_isa i) {
#if KETL_GEMM_AVX2
  if (i == gemm_isa::avx2) return &gemm_avx2::sgemm;
#endif
#if KETL_GEMM_AVX512
  if (i == gemm_isa::avx512) return &gemm_avx512::sgemm;
#endif
  (void)i;
  return nullptr;
}

// The same for C = A' * Bt^T (gemm_bt).
inline sgemm_fn sgemm_bt_for(gemm_isa i) {
#if KETL_GEMM_AVX2
  if (i == gemm_isa::avx2) return &gemm_avx2::sgemm_bt;
#endif
#if KETL_GEMM_AVX512
  if (i == gemm_isa::avx512) return &gemm_avx512::sgemm_bt;
#endif
  (void)i;
  return nullptr;
}

// The widest arch with a copy here that the CPU has; compiled when the
// program's own arch is as wide.
inline gemm_isa best_gemm_isa() {
#if KETL_GEMM_DISPATCH
  const auto cpu = xsimd::available_architectures();
  if (KETL_GEMM_AVX512 && cpu.avx512f) return gemm_isa::avx512;
  if (KETL_GEMM_AVX2 && cpu.fma3_avx2) return gemm_isa::avx2;
#endif
  return gemm_isa::compiled;
}

// Tests force an arch here (one the CPU has); -1 is the automatic choice.
inline std::atomic<int>& forced_gemm_isa() {
  static std::atomic<int> forced{-1};
  return forced;
}

inline gemm_isa active_gemm_isa() {
  static const gemm_isa best = best_gemm_isa();
  const int f = forced_gemm_isa().load(std::memory_order_relaxed);
  return f < 0 ? best : gemm_isa(f);
}

}  // namespace ketl::detail
