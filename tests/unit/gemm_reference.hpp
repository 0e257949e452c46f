// The naive reference for ketl's GEMM: a triple loop in double, and the
// epilogues the tests give the kernel. Shared by test_gemm.cpp and
// test_dispatch.cpp (the latter forces each instruction set's copy).
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include <ketl/detail/bias_activation.hpp>
#include <ketl/detail/gemm.hpp>
#include <ketl/random.hpp>

namespace gemm_test {
// A column-dependent epilogue, so that a wrong column index shows:
// relu(v + bias[j]) with a bias of mixed signs.
template <class T>
struct bias_relu {
  const T* bias;
  template <class V>
  V operator()(V v, std::size_t j) const {
    if constexpr (std::is_arithmetic_v<V>)
      return std::max(v + bias[j], V(0));
    else
      return xsimd::max(v + V::load_unaligned(bias + j), V(0));
  }
};

// The epilogue that leaves C as computed.
struct identity {
  template <class V>
  V operator()(V v, std::size_t) const {
    return v;
  }
};

// ref (m x n) (+)= A' B in double, A' read as A(i, p) = a[i * a_rs + p *
// a_cs] and B as the first n columns of a k x ldb matrix; with a bias,
// relu(ref + bias), or ref + bias when relu is false.
template <class T>
void naive_gemm(std::size_t m, std::size_t n, std::size_t k, const std::vector<T>& a,
                std::size_t a_rs, std::size_t a_cs, const std::vector<T>& b, std::size_t ldb,
                std::vector<T>& ref, bool accumulate, const T* bias = nullptr, bool relu = true) {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double s = accumulate ? double(ref[i * n + j]) : 0.0;
      for (std::size_t p = 0; p < k; ++p)
        s += double(a[i * a_rs + p * a_cs]) * double(b[p * ldb + j]);
      if (bias) s = relu ? std::max(s + double(bias[j]), 0.0) : s + double(bias[j]);
      ref[i * n + j] = T(s);
    }
}

// ldb: B's row stride, n when 0 (B is read as the first n columns of a
// k x ldb matrix, as a strided view would be).
template <class T, class Epi = identity>
void check_gemm(std::size_t m, std::size_t n, std::size_t k, bool transposed_a, bool accumulate,
                const Epi& epi = {}, const T* bias = nullptr, std::size_t ldb = 0,
                bool relu = true) {
  if (ldb == 0) ldb = n;
  ketl::Random rng(m * 131 + n * 7 + k);
  std::vector<T> a(m * k), b(k * ldb), c(m * n), ref(m * n);
  for (auto& v : a) v = T(rng.uniform(-1, 1));
  for (auto& v : b) v = T(rng.uniform(-1, 1));
  for (auto& v : c) v = T(rng.uniform(-1, 1));
  ref = c;
  // A'(i, p): A is m x k (NN) or stored as k x m and read transposed (TN).
  const std::size_t a_rs = transposed_a ? 1 : k, a_cs = transposed_a ? m : 1;
  naive_gemm(m, n, k, a, a_rs, a_cs, b, ldb, ref, accumulate, bias, relu);
  ketl::detail::gemm(m, n, k, a.data(), a_rs, a_cs, b.data(), ldb, c.data(), n, accumulate, epi);
  const double tol = std::is_same_v<T, float> ? 1e-4 * double(k + 1) : 1e-12 * double(k + 1);
  for (std::size_t i = 0; i < m * n; ++i) {
    INFO("m=" << m << " n=" << n << " k=" << k << " at " << i);
    REQUIRE(std::abs(double(c[i]) - double(ref[i])) <= tol);
  }
}
// gemm_bt, B given as its transpose Bt (n x ldt, ldt >= k: Bt as a view of
// wider rows), against the naive loop on B written out.
template <class T, class Epi = identity>
void check_gemm_bt(std::size_t m, std::size_t n, std::size_t k, bool transposed_a, bool accumulate,
                   std::size_t ldt, const Epi& epi = {}, const T* bias = nullptr,
                   bool relu = true) {
  ketl::Random rng(m * 37 + n * 11 + k);
  std::vector<T> a(m * k), bt(n * ldt), b(k * n), c(m * n), ref(m * n);
  for (auto& v : a) v = T(rng.uniform(-1, 1));
  for (auto& v : bt) v = T(rng.uniform(-1, 1));
  for (auto& v : c) v = T(rng.uniform(-1, 1));
  for (std::size_t p = 0; p < k; ++p)
    for (std::size_t j = 0; j < n; ++j) b[p * n + j] = bt[j * ldt + p];
  ref = c;
  const std::size_t a_rs = transposed_a ? 1 : k, a_cs = transposed_a ? m : 1;
  naive_gemm(m, n, k, a, a_rs, a_cs, b, n, ref, accumulate, bias, relu);
  ketl::detail::gemm_bt(m, n, k, a.data(), a_rs, a_cs, bt.data(), ldt, c.data(), n, accumulate,
                        ketl::detail::erase_epilogue<T>(epi));
  const double tol = std::is_same_v<T, float> ? 1e-4 * double(k + 1) : 1e-12 * double(k + 1);
  for (std::size_t i = 0; i < m * n; ++i) {
    INFO("bt: m=" << m << " n=" << n << " k=" << k << " ldt=" << ldt << " at " << i);
    REQUIRE(std::abs(double(c[i]) - double(ref[i])) <= tol);
  }
}
}  // namespace gemm_test
