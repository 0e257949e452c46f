// The GEMM kernel against a naive triple loop: NN and TN layouts, sizes that
// exercise full panels, the one-vector panel, the zero-padded narrow tail
// (n below one vector), the row blocks (12 or 6, then 8, 4 and 1), the k
// blocking, and the epilogue (Dense's bias and activation).
#include <catch2/catch.hpp>

#include <algorithm>
#include <type_traits>

#include <ketl/detail/gemm.hpp>
#include <ketl/random.hpp>

namespace {
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

template <class T, class Epi = identity>
void check_gemm(std::size_t m, std::size_t n, std::size_t k, bool transposed_a, bool accumulate,
                const Epi& epi = {}, const T* bias = nullptr) {
  ketl::Random rng(m * 131 + n * 7 + k);
  std::vector<T> a(m * k), b(k * n), c(m * n), ref(m * n);
  for (auto& v : a) v = T(rng.uniform(-1, 1));
  for (auto& v : b) v = T(rng.uniform(-1, 1));
  for (auto& v : c) v = T(rng.uniform(-1, 1));
  ref = c;
  // A'(i, p): A is m x k (NN) or stored as k x m and read transposed (TN).
  const std::size_t a_rs = transposed_a ? 1 : k, a_cs = transposed_a ? m : 1;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double s = accumulate ? double(ref[i * n + j]) : 0.0;
      for (std::size_t p = 0; p < k; ++p)
        s += double(a[i * a_rs + p * a_cs]) * double(b[p * n + j]);
      if (bias) s = std::max(s + double(bias[j]), 0.0);
      ref[i * n + j] = T(s);
    }
  ketl::detail::gemm(m, n, k, a.data(), a_rs, a_cs, b.data(), n, c.data(), n, accumulate, epi);
  const double tol = std::is_same_v<T, float> ? 1e-4 * double(k) : 1e-12 * double(k);
  for (std::size_t i = 0; i < m * n; ++i) {
    INFO("m=" << m << " n=" << n << " k=" << k << " at " << i);
    REQUIRE(std::abs(double(c[i]) - double(ref[i])) <= tol);
  }
}
}  // namespace

TEMPLATE_TEST_CASE("gemm matches the naive loop", "[gemm]", float, double) {
  for (std::size_t m : {1, 5, 6, 7, 13, 16, 20, 29, 32})
    for (std::size_t n : {1, 3, 8, 15, 16, 17, 33, 64, 70})
      for (std::size_t k : {1, 2, 31, 300})
        for (bool t : {false, true}) check_gemm<TestType>(m, n, k, t, false);
}

TEMPLATE_TEST_CASE("gemm accumulates into C when asked", "[gemm]", float, double) {
  check_gemm<TestType>(9, 35, 257, false, true);
  check_gemm<TestType>(4, 16, 3, true, true);
  check_gemm<TestType>(29, 10, 300, true, true);  // the narrow tail keeps C's values
}

TEMPLATE_TEST_CASE("gemm applies the epilogue once, to the finished sums", "[gemm]", float,
                   double) {
  ketl::Random rng(11);
  std::vector<TestType> bias(80);
  for (auto& v : bias) v = TestType(rng.uniform(-2, 2));
  const bias_relu<TestType> epi{bias.data()};
  // k = 300 spans two k blocks: the epilogue must wait for the second.
  for (std::size_t m : {1, 8, 20, 32, 37})
    for (std::size_t n : {3, 16, 45, 70})
      for (std::size_t k : {1, 300})
        for (bool t : {false, true}) check_gemm<TestType>(m, n, k, t, false, epi, bias.data());
  check_gemm<TestType>(29, 10, 300, true, true, epi, bias.data());
}

TEST_CASE("gemm with k = 0 writes zeros or leaves C", "[gemm]") {
  std::vector<float> c{1, 2, 3, 4};
  ketl::detail::gemm<float>(2, 2, 0, nullptr, 0, 0, nullptr, 2, c.data(), 2, true);
  CHECK(c == std::vector<float>{1, 2, 3, 4});
  ketl::detail::gemm<float>(2, 2, 0, nullptr, 0, 0, nullptr, 2, c.data(), 2, false);
  CHECK(c == std::vector<float>{0, 0, 0, 0});
  const std::vector<float> bias{-1, 2};
  ketl::detail::gemm<float>(2, 2, 0, nullptr, 0, 0, nullptr, 2, c.data(), 2, false,
                            bias_relu<float>{bias.data()});
  CHECK(c == std::vector<float>{0, 2, 0, 2});
}

TEST_CASE("transpose", "[gemm]") {
  // Whole 8 x 8 tiles, ragged edges, and shapes with no whole tile.
  for (std::size_t rows : {1, 5, 8, 9, 16, 23})
    for (std::size_t cols : {1, 7, 8, 13, 24}) {
      std::vector<int> src(rows * cols), dst(rows * cols, -1);
      for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<int>(i);
      ketl::detail::transpose(src.data(), rows, cols, dst.data());
      for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
          INFO(rows << " x " << cols << " at " << i << ", " << j);
          REQUIRE(dst[j * rows + i] == src[i * cols + j]);
        }
    }
}
