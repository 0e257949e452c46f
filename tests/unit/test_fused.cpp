// The fused SIMD path (W rows in the lanes of one xsimd batch, then a scalar
// tail) against the scalar row-at-a-time reference, at sizes around the
// vector width, for losses (values and gradients) and metrics.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

using namespace ketl;

namespace {
template <class T>
struct Data {
  std::vector<T> yt, yp;
};
template <class T>
Data<T> make(std::size_t rows, std::size_t cols, bool sparse, std::uint64_t seed) {
  Random rng(seed);
  Data<T> d;
  d.yp.resize(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    T sum = 0;
    for (std::size_t j = 0; j < cols; ++j) sum += d.yp[r * cols + j] = T(rng.uniform(0.01, 1.0));
    for (std::size_t j = 0; j < cols; ++j) d.yp[r * cols + j] /= sum;
  }
  d.yt.assign(rows * (sparse ? 1 : cols), T(0));
  for (std::size_t r = 0; r < rows; ++r) {
    const auto label = rng.below(cols);
    if (sparse)
      d.yt[r] = T(label);
    else
      d.yt[r * cols + label] = T(1);
  }
  return d;
}

template <class T, class Loss>
void check_loss(const Loss& loss, std::size_t rows, std::size_t cols) {
  constexpr bool sparse = Loss::target == Target::sparse_labels;
  const auto d = make<T>(rows, cols, sparse, rows * 31 + cols);
  const std::size_t ytc = sparse ? 1 : cols;
  auto fused = ketl::detail::make_loss_kernel(loss);
  auto scalar = ketl::detail::make_loss_kernel(loss);
  std::vector<T> g_fused(rows * cols, T(-7)), g_scalar(rows * cols, T(-7));
  const double total = fused.run(d.yt.data(), d.yp.data(), rows, cols, ytc, g_fused.data(), T(0.5));
  double expected = 0;
  for (std::size_t r = 0; r < rows; ++r)
    expected +=
        scalar.row(expr::row_ref<T>{d.yt.data() + r * ytc, d.yp.data() + r * cols, cols, ytc},
                   g_scalar.data() + r * cols, T(0.5));
  const double tol = std::is_same_v<T, float> ? 2e-5 : 1e-12;
  INFO(loss.name() << " rows=" << rows << " cols=" << cols);
  CHECK(total == Approx(expected).epsilon(tol).margin(tol));
  for (std::size_t i = 0; i < rows * cols; ++i)
    REQUIRE(g_fused[i] == Approx(g_scalar[i]).epsilon(tol).margin(tol));
}

template <class T, class Metric>
void check_metric(const Metric& m, std::size_t rows, std::size_t cols) {
  constexpr bool sparse = Metric::target == Target::sparse_labels;
  const auto d = make<T>(rows, cols, sparse, rows * 17 + cols);
  const std::size_t ytc = sparse ? 1 : cols;
  auto fused = ketl::detail::make_metric_kernel(m);
  auto scalar = ketl::detail::make_metric_kernel(m);
  fused.begin();
  scalar.begin();
  fused.add_rows(d.yt.data(), d.yp.data(), rows, cols, ytc);
  for (std::size_t r = 0; r < rows; ++r)
    scalar.add(expr::row_ref<T>{d.yt.data() + r * ytc, d.yp.data() + r * cols, cols, ytc});
  INFO(m.name() << " rows=" << rows << " cols=" << cols);
  CHECK(fused.template result<T>() == Approx(scalar.template result<T>()).epsilon(1e-6));
}
}  // namespace

TEMPLATE_TEST_CASE("fused SIMD rows agree with the scalar reference", "[fused]", float, double) {
  constexpr std::size_t W = xsimd::batch<TestType>::size;
  for (std::size_t rows :
       {std::size_t{0}, std::size_t{1}, W - 1, W, W + 1, 2 * W + 3, std::size_t{1001}}) {
    // 7 and 8 columns straddle the transpose's switch to plain loads and
    // stores; W + 1 and 2W + 1 give ragged second and third tiles.
    for (std::size_t cols : {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{8},
                             std::size_t{10}, W, W + 1, 2 * W + 1}) {
      check_loss<TestType>(losses::mean_squared_error, rows, cols);
      check_loss<TestType>(losses::categorical_hinge, rows, cols);
      check_loss<TestType>(losses::binary_crossentropy, rows, cols);
      check_loss<TestType>(losses::cosine_proximity, rows, cols);
      check_metric<TestType>(metrics::binary_accuracy, rows, cols);
      check_metric<TestType>(metrics::precision, rows, cols);  // batch-wise: rows one at a time
      if (cols > 1) {
        check_loss<TestType>(losses::categorical_crossentropy, rows, cols);
        check_loss<TestType>(
            losses::CategoricalCrossentropy{.from_logits = true, .label_smoothing = 0.1}, rows,
            cols);
        check_loss<TestType>(losses::sparse_categorical_crossentropy, rows, cols);
        check_metric<TestType>(metrics::categorical_accuracy, rows, cols);
        check_metric<TestType>(metrics::sparse_categorical_accuracy, rows, cols);
        check_metric<TestType>(metrics::TopKCategoricalAccuracy{.k = 2}, rows, cols);
      }
    }
  }
}

// The block transposes on their own, each block alone in a buffer of its
// exact size, so that AddressSanitizer sees any read or write past it.
TEMPLATE_TEST_CASE("a block of rows goes to lanes layout and back", "[fused]", float, double) {
  using A = ketl::detail::simd::arch;
  constexpr std::size_t W = xsimd::batch<TestType, A>::size;
  for (std::size_t cols = 1; cols <= 40; ++cols) {
    INFO("cols=" << cols);
    std::vector<TestType> rows(W * cols), back(W * cols, TestType(-1));
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = TestType(i) + TestType(0.5);
    std::vector<TestType, xsimd::aligned_allocator<TestType, 64>> lanes(W * cols, TestType(-1));
    ketl::detail::rows_to_lanes<A>(rows.data(), cols, lanes.data());
    for (std::size_t l = 0; l < W; ++l)
      for (std::size_t j = 0; j < cols; ++j) REQUIRE(lanes[j * W + l] == rows[l * cols + j]);
    ketl::detail::lanes_to_rows<A>(lanes.data(), cols, back.data());
    REQUIRE(back == rows);
  }
}

// Reductions of one stateless type (argmax(y_true) here, in both metrics and
// nowhere else) share a per-thread slot: one pass with all of them gives
// what each gives alone.
TEST_CASE("kernels that share a reduction agree with each run alone", "[fused]") {
  const std::size_t rows = 1003, cols = 10;
  const auto d = make<float>(rows, cols, false, 5);
  auto loss = ketl::detail::make_loss_kernel(losses::categorical_crossentropy);
  auto metrics =
      std::make_tuple(ketl::detail::make_metric_kernel(metrics::categorical_accuracy),
                      ketl::detail::make_metric_kernel(metrics::TopKCategoricalAccuracy{.k = 2}));
  std::vector<float> grad(rows * cols), grad_alone(rows * cols);
  double out[3];
  ketl::detail::fused_pass(loss, metrics, d.yt.data(), d.yp.data(), rows, cols, cols, grad.data(),
                           out);

  auto loss_alone = ketl::detail::make_loss_kernel(losses::categorical_crossentropy);
  const double total = loss_alone.run(d.yt.data(), d.yp.data(), rows, cols, cols, grad_alone.data(),
                                      1.0f / float(rows));
  CHECK(out[0] == Approx(total / rows).epsilon(1e-6));
  for (std::size_t i = 0; i < grad.size(); ++i) REQUIRE(grad[i] == Approx(grad_alone[i]));
  auto acc = ketl::detail::make_metric_kernel(metrics::categorical_accuracy);
  auto top2 = ketl::detail::make_metric_kernel(metrics::TopKCategoricalAccuracy{.k = 2});
  acc.begin();
  top2.begin();
  for (std::size_t r = 0; r < rows; ++r) {
    const expr::row_ref<float> row{d.yt.data() + r * cols, d.yp.data() + r * cols, cols, cols};
    acc.add(row);
    top2.add(row);
  }
  CHECK(out[1] == Approx(acc.result<float>()));
  CHECK(out[2] == Approx(top2.result<float>()));
  CHECK(out[2] > out[1]);  // top-2 counts every row top-1 does, and more
}

namespace {
// Two terms whose gradients hold memos of one type (the weight that reaches
// clip(p) * sum(p)) with different clip bounds inside.
struct TwoClips {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "two_clips"; }
  auto expression() const {
    using namespace ketl::expr;
    return -sum(y_true * log(clip(y_pred, 0.05, 0.5) * sum(y_pred))) -
           sum(y_true * log(clip(y_pred, 0.2, 0.9) * sum(y_pred)));
  }
};
template <class E>
struct is_memo : std::false_type {};
template <class A>
struct is_memo<expr::memo<A>> : std::true_type {};
}  // namespace

// A weight that two children read (in a reduction and in the column loop) is
// kept in a memo, computed once per block; the memos of one gradient keep
// apart by id even when their types are equal.
TEMPLATE_TEST_CASE("a gradient's memos agree with the scalar reference", "[fused]", float, double) {
  auto kernel = ketl::detail::make_loss_kernel(TwoClips{});
  std::vector<std::uint32_t> ids;
  kernel.grad.each([&](auto& n) {
    if constexpr (is_memo<std::remove_cvref_t<decltype(n)>>::value) ids.push_back(n.id);
  });
  std::sort(ids.begin(), ids.end());
  REQUIRE(ids.size() >= 4);  // each memo read twice
  CHECK(std::unique(ids.begin(), ids.end()) - ids.begin() == 2);
  constexpr std::size_t W = xsimd::batch<TestType>::size;
  for (std::size_t rows : {W, 2 * W + 3, std::size_t{257}})
    for (std::size_t cols : {std::size_t{3}, std::size_t{10}, std::size_t{17}, 2 * W + 1})
      check_loss<TestType>(TwoClips{}, rows, cols);
  check_loss<TestType>(losses::categorical_crossentropy, 4 * W, 40);  // a memo of 40 columns
}
