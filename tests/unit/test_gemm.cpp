// The GEMM kernel against a naive triple loop: NN and TN layouts, sizes that
// exercise full panels, the one-vector panel, the zero-padded narrow tail
// (n below one vector), the row blocks (12 or 6) and every tail height, the
// 192-row blocks of A, the packed B panels, the k blocking, and the
// epilogue (Dense's bias and activation). Also built for baseline x86-64
// (ketl_portable_tests), where float goes through the run-time dispatch.
#include "gemm_reference.hpp"

using namespace gemm_test;

TEMPLATE_TEST_CASE("gemm matches the naive loop", "[gemm]", float, double) {
  for (std::size_t m : {1, 5, 6, 7, 13, 16, 20, 29, 32})
    for (std::size_t n : {1, 3, 8, 15, 16, 17, 33, 64, 70})
      for (std::size_t k : {1, 2, 31, 300})
        for (bool t : {false, true}) check_gemm<TestType>(m, n, k, t, false);
}

// Every tail height after the full register blocks (up to 11 rows on
// AVX-512, 5 or 7 below it; up to 6 and 2 rows over two panels at once, n
// of four vectors and more), and row counts across the 192-row blocks of
// A, with the epilogue and with accumulation.
TEMPLATE_TEST_CASE("gemm covers every row tail and row block", "[gemm]", float, double) {
  ketl::Random rng(12);
  std::vector<TestType> bias(80);
  for (auto& v : bias) v = TestType(rng.uniform(-2, 2));
  const bias_relu<TestType> epi{bias.data()};
  for (std::size_t m = 1; m <= 26; ++m)
    for (std::size_t n : {8, 40, 72}) check_gemm<TestType>(m, n, 17, m % 2 == 0, false);
  for (std::size_t m : {191, 192, 193, 385, 1000})
    for (std::size_t n : {10, 33})
      for (bool t : {false, true}) {
        check_gemm<TestType>(m, n, 300, t, false, epi, bias.data());
        check_gemm<TestType>(m, n, 40, t, true);
      }
}

// B's rows 256 bytes apart (or a multiple) go through packed panels once
// two row blocks read them: full panels, then the one-vector panel and the
// narrow tail read in place, across k blocks and row blocks.
TEMPLATE_TEST_CASE("gemm packs B where its rows alias in L1", "[gemm]", float, double) {
  ketl::Random rng(13);
  std::vector<TestType> bias(200);
  for (auto& v : bias) v = TestType(rng.uniform(-2, 2));
  const bias_relu<TestType> epi{bias.data()};
  const std::size_t ldb = 256 / sizeof(TestType) * 2;
  for (std::size_t m : {11, 12, 13, 24, 200, 385})
    for (std::size_t n : {ldb, ldb - 1, ldb - 9, ldb / 2 + 3})
      for (bool t : {false, true}) {
        check_gemm<TestType>(m, n, 300, t, false, epi, bias.data(), ldb);
        check_gemm<TestType>(m, n, 31, t, true, identity{}, nullptr, ldb);
      }
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

// Dense's epilogue, bias_activation: erased, its bias starts the kernels'
// accumulators (in the first k block only) and its activation runs on each
// finished block; Linear leaves no pass at all. Every path: register blocks,
// row tails, one-vector and narrow panels, packed B, transposed B, k = 0,
// two k blocks, accumulation.
TEMPLATE_TEST_CASE("gemm adds bias_activation's bias once, in the accumulators", "[gemm]", float,
                   double) {
  ketl::Random rng(17);
  std::vector<TestType> bias(80);
  for (auto& v : bias) v = TestType(rng.uniform(-2, 2));
  const ketl::detail::bias_activation<ketl::Relu, TestType> relu{bias.data(), {}};
  const ketl::detail::bias_activation<ketl::Linear, TestType> linear{bias.data(), {}};
  // Kept small: each shape is 5 checks against the double loop, and the
  // ASan build runs them at -O0 (34 s for twice these shapes).
  for (std::size_t m : {2, 13, 200})
    for (std::size_t n : {3, 16, 45})
      for (std::size_t k : {0, 1, 300})
        for (bool acc : {false, true}) {
          const bool t = (m + n + k) % 2 == 1;
          check_gemm<TestType>(m, n, k, t, acc, relu, bias.data());
          check_gemm<TestType>(m, n, k, t, acc, linear, bias.data(), 0, false);
          check_gemm<TestType>(m, n, k, t, acc, linear, bias.data(), 128, false);  // packed B
          check_gemm_bt<TestType>(m, n, k, t, acc, k + 1, relu, bias.data());
          check_gemm_bt<TestType>(m, n, k, t, acc, k + 1, linear, bias.data(), false);
        }
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

// A B packed once into panels (detail::packed_b, a recurrent kernel read at
// every timestep) against the naive loop: whole panels and the columns past
// them read in place, rows across the L1 chunks of A (24 rows and up), k
// across its blocks, NN and TN, with accumulation.
TEMPLATE_TEST_CASE("gemm on a packed B matches the naive loop", "[gemm]", float, double) {
  constexpr std::size_t P = ketl::detail::packed_b<TestType>::P;
  for (std::size_t m : {1, 7, 24, 25, 49, 130})
    for (std::size_t n : {P, 2 * P + 5, P - 3})
      for (std::size_t k : {3, 128, 300})
        for (bool t : {false, true}) {
          const bool acc = (m + k) % 2 == 1;
          ketl::Random rng(m * 31 + n * 5 + k);
          const std::size_t ldb = n + 3;  // B as a view of wider rows
          std::vector<TestType> a(m * k), b(k * ldb), c(m * n);
          for (auto& v : a) v = TestType(rng.uniform(-1, 1));
          for (auto& v : b) v = TestType(rng.uniform(-1, 1));
          for (auto& v : c) v = TestType(rng.uniform(-1, 1));
          std::vector<TestType> ref = c;
          const std::size_t a_rs = t ? 1 : k, a_cs = t ? m : 1;
          naive_gemm(m, n, k, a, a_rs, a_cs, b, ldb, ref, acc);
          ketl::detail::packed_b<TestType> packed;
          packed.pack(b.data(), k, n, ldb);
          ketl::detail::gemm_parallel(m, a.data(), a_rs, a_cs, packed, c.data(), n, acc);
          const double tol = std::is_same_v<TestType, float> ? 1e-4 * double(k) : 1e-12 * double(k);
          for (std::size_t i = 0; i < m * n; ++i) {
            INFO("m=" << m << " n=" << n << " k=" << k << " transposed " << t << " at " << i);
            REQUIRE(std::abs(double(c[i]) - double(ref[i])) <= tol);
          }
        }
}

// gemm_bt (Dense's dx: B read as the transpose of the kernel, each panel
// transposed as it is used): whole 8 x 8 tiles and ragged edges in both
// directions, columns past the last whole panel (one vector and narrower),
// k across its blocks, NN and TN, with accumulation and an epilogue.
TEMPLATE_TEST_CASE("gemm on a transposed B matches the naive loop", "[gemm]", float, double) {
  ketl::Random rng(5);
  std::vector<TestType> bias(80);
  for (auto& v : bias) v = TestType(rng.uniform(-2, 2));
  const bias_relu<TestType> epi{bias.data()};
  for (std::size_t m : {1, 7, 13, 200})
    for (std::size_t n : {1, 5, 16, 21, 77})
      for (std::size_t k : {1, 13, 300})
        for (bool t : {false, true}) {
          const bool acc = (m + n + k) % 2 == 1;
          check_gemm_bt<TestType>(m, n, k, t, acc, k + (n % 3));
          if (n % 2 == 1) check_gemm_bt<TestType>(m, n, k, t, acc, k, epi, bias.data());
        }
  check_gemm_bt<TestType>(0, 16, 8, false, false, 8);
  check_gemm_bt<TestType>(5, 16, 0, false, true, 1);
}
