// The DSL itself: Keras's backend functions, reductions, custom losses and
// metrics written as lambdas, and finite-difference checks of the gradients
// ketl derives for custom expressions.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

#include "gradcheck.hpp"

using namespace ketl;
using namespace ketl::expr;

namespace {
template <class E>
double eval(E e, std::vector<double> yt, std::vector<double> yp, std::size_t j = 0) {
  row_ref<double> r{yt.data(), yp.data(), yp.size(), yt.size()};
  e.prepare(r);
  return e.at(r, j);
}

template <class L>
void check_custom_gradient(const L& loss, std::vector<double> yt, std::vector<double> yp) {
  auto k = ketl::detail::make_loss_kernel(loss);
  auto value = [&] {
    return k.row(row_ref<double>{yt.data(), yp.data(), yp.size(), yt.size()},
                 static_cast<double*>(nullptr), 0.0);
  };
  std::vector<double> g(yp.size());
  k.row(row_ref<double>{yt.data(), yp.data(), yp.size(), yt.size()}, g.data(), 1.0);
  INFO(loss.name());
  test::check_gradient(std::span<double>(yp), g, value);
}
}  // namespace

TEST_CASE("backend functions evaluate as K.* does", "[expr]") {
  const std::vector<double> t{1.0, -2.0, 0.5}, p{0.25, 4.0, -1.5};
  CHECK(eval(abs(y_pred), t, p, 2) == 1.5);
  CHECK(eval(square(y_pred), t, p, 2) == 2.25);
  CHECK(eval(sqrt(y_pred), t, p, 1) == 2.0);
  CHECK(eval(exp(y_true), t, p, 0) == Approx(std::exp(1.0)));
  CHECK(eval(log(y_pred), t, p, 1) == Approx(std::log(4.0)));
  CHECK(eval(log1p(y_pred), t, p, 0) == Approx(std::log1p(0.25)));
  CHECK(eval(softplus(y_pred), t, p, 1) == Approx(std::log(1 + std::exp(4.0))));
  CHECK(eval(clip(y_pred, 0.0, 1.0), t, p, 1) == 1.0);
  CHECK(eval(maximum(y_true, y_pred), t, p, 1) == 4.0);
  CHECK(eval(minimum(y_true, y_pred), t, p, 0) == 0.25);
  CHECK(eval(sign(y_pred), t, p, 2) == -1.0);
  CHECK(eval(round(y_true), t, p, 2) == 0.0);  // half to even
  CHECK(eval(round(y_pred), t, p, 2) == -2.0);
  CHECK(eval(pow(y_pred, 3.0), t, p, 1) == 64.0);
  CHECK(eval(y_pred > y_true, t, p, 1) == 1.0);
  CHECK(eval(y_pred <= 0.25, t, p, 0) == 1.0);
  CHECK(eval(equal(y_true, 1.0), t, p, 0) == 1.0);
  CHECK(eval(not_equal(y_true, 1.0), t, p, 0) == 0.0);
  CHECK(eval(where(y_pred > 0.0, y_pred, 0.0), t, p, 2) == 0.0);
  CHECK(eval(cast(y_pred < 0.0), t, p, 2) == 1.0);
  CHECK(eval(sum(y_pred), t, p) == 2.75);
  CHECK(eval(mean(y_true), t, p) == Approx(-0.5 / 3));
  CHECK(eval(max(y_pred), t, p) == 4.0);
  CHECK(eval(min(y_pred), t, p) == -1.5);
  CHECK(eval(argmax(y_pred), t, p) == 1.0);
  CHECK(eval(in_top_k(y_pred, argmax(y_true), 1), t, p) == 0.0);
  CHECK(eval(sum(square(l2_normalize(y_pred))), t, p) == Approx(1.0));
  CHECK(epsilon() == 1e-7);
}

TEST_CASE("node types stay short, because diagnostics show them", "[expr]") {
  using Mse = decltype(mean(square(y_pred - y_true)));
  STATIC_REQUIRE(
      std::is_same_v<Mse, reduce<mean_op, unary<square_op, binary<sub_op, y_pred_t, y_true_t>>>>);
  // The gradient of sum(y_pred) simplifies to the constant one.
  STATIC_REQUIRE(std::is_same_v<decltype(gradient(sum(y_pred))), one>);
  STATIC_REQUIRE(std::is_same_v<decltype(gradient(mean(y_true))), zero>);
}

TEST_CASE("a custom loss and metric written as Keras users write them", "[expr][custom]") {
  // def mean_pred(y_true, y_pred): return K.mean(y_pred)
  const auto mean_pred = custom_metric("mean_pred", [](auto, auto yp) { return mean(yp); });
  const auto my_mse = custom_loss("my_mse", [](auto yt, auto yp) { return mean(square(yp - yt)); });
  xt::xtensor<float, 2> x = {{1, 0}, {0, 1}, {1, 1}};
  xt::xtensor<float, 2> y = {{1, 0}, {0, 1}, {1, 0}};
  utils::set_random_seed(3);
  auto a = Sequential{Input<2>{}, Dense<2, Sigmoid>{}};
  utils::set_random_seed(3);
  auto b = Sequential{Input<2>{}, Dense<2, Sigmoid>{}};
  a.compile(optimizers::SGD{.lr = 0.5f}, my_mse, mean_pred);
  b.compile(optimizers::SGD{.lr = 0.5f}, losses::mse);
  CHECK(a.metrics_names() == std::vector<std::string>{"loss", "mean_pred"});
  const auto ha = a.fit(x, y, {.batch_size = 3, .epochs = 3, .verbose = 0});
  const auto hb = b.fit(x, y, {.batch_size = 3, .epochs = 3, .verbose = 0});
  // The custom mse trains as the built-in one. Not to the bit: the two
  // instantiations are inlined differently, and GCC fuses a*b+c into FMAs
  // (-ffp-contract=fast, its C++ default) differently in each.
  for (std::size_t e = 0; e < 3; ++e)
    CHECK(ha.history.at("loss")[e] == Approx(hb.history.at("loss")[e]).epsilon(1e-6));
  const auto p = a.predict(x);
  CHECK(a.evaluate(x, y, {.verbose = 0})[1] == Approx(xt::mean(p)()).epsilon(1e-6));
}

TEST_CASE("gradients derived for custom expressions match finite differences",
          "[expr][custom][gradient]") {
  const std::vector<double> t{0.2, 0.9, -0.4, 0.3, 0.0, 1.1, -0.7};
  const std::vector<double> p{0.5, -0.3, 0.8, 1.7, -1.2, 0.1, 0.45};
  // 1. a weighted squared error with a data-dependent weight
  check_custom_gradient(
      custom_loss("weighted",
                  [](auto yt, auto yp) { return mean((1.0 + abs(yt)) * square(yp - yt)); }),
      t, p);
  // 2. a softmax written by hand, then cross-entropy against y_true
  check_custom_gradient(custom_loss("softmax_ce",
                                    [](auto yt, auto yp) {
                                      const auto e = exp(yp - stop_gradient(max(yp)));
                                      return -sum(yt * log(e / sum(e)));
                                    }),
                        t, p);
  // 3. a ratio of reductions: relative squared error
  check_custom_gradient(
      custom_loss("relative",
                  [](auto yt, auto yp) { return sum(square(yp - yt)) / (sum(square(yt)) + 1.0); }),
      t, p);
  // 4. a switch between branches: an asymmetric (quantile) loss
  check_custom_gradient(custom_loss("pinball",
                                    [](auto yt, auto yp) {
                                      const auto d = yt - yp;
                                      return mean(where(d >= 0.0, 0.8 * d, -0.2 * d));
                                    }),
                        t, p);
  // 5. nested reductions: variance of the error
  check_custom_gradient(custom_loss("error_variance",
                                    [](auto yt, auto yp) {
                                      const auto e = yp - yt;
                                      return mean(square(e - mean(e)));
                                    }),
                        t, p);
  // 6. smooth maxima and powers
  check_custom_gradient(custom_loss("logsumexp_pow",
                                    [](auto yt, auto yp) {
                                      return log(sum(exp(yp * yt))) +
                                             mean(pow(abs(yp) + 1.0, 1.5)) + max(tanh(yp));
                                    }),
                        t, p);
}

TEST_CASE("batch reductions build batch-wise metrics", "[expr][custom]") {
  const auto positive_rate =
      custom_metric("positive_rate", [](auto, auto yp) { return batch_mean(yp > 0.5); });
  auto k = ketl::detail::make_metric_kernel(positive_rate);
  std::vector<double> yt(6, 0), yp{0.9, 0.1, 0.6, 0.7, 0.2, 0.8};
  k.begin();
  for (std::size_t r = 0; r < 3; ++r)
    k.add(row_ref<double>{yt.data() + 2 * r, yp.data() + 2 * r, 2, 2});
  CHECK(k.result<double>() == Approx(4.0 / 6));
}

TEST_CASE("a metric with several named values, as a Keras metric returning a dict",
          "[expr][custom]") {
  const auto stats = custom_metric("stats", [](auto yt, auto yp) {
    return values("mean_pred", mean(yp), "max_error", max(abs(yp - yt)), "positive_rate",
                  batch_mean(yp > 0.5));
  });
  auto m = Sequential{Input<2>{}, Dense<2, Sigmoid>{}};
  m.compile(optimizers::SGD{}, losses::mse, stats, metrics::binary_accuracy);
  CHECK(m.metrics_names() == std::vector<std::string>{"loss", "mean_pred", "max_error",
                                                      "positive_rate", "binary_accuracy"});
  xt::xtensor<float, 2> x = {{1, 0}, {0, 1}, {1, 1}};
  xt::xtensor<float, 2> y = {{1, 0}, {0, 1}, {1, 0}};
  const auto s = m.evaluate(x, y, {.batch_size = 3, .verbose = 0});
  REQUIRE(s.size() == 5);
  const auto p = m.predict(x);
  double max_err_mean = 0, positives = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    max_err_mean += std::max(std::abs(p(i, 0) - y(i, 0)), std::abs(p(i, 1) - y(i, 1))) / 3.0;
    positives += (p(i, 0) > 0.5f) + (p(i, 1) > 0.5f);
  }
  CHECK(s[1] == Approx(xt::mean(p)()).epsilon(1e-6));
  CHECK(s[2] == Approx(max_err_mean).epsilon(1e-6));
  CHECK(s[3] == Approx(positives / 6).epsilon(1e-9));
  CHECK(s[4] == Approx(xt::mean(metrics::binary_accuracy(y, p))()).epsilon(1e-6));
}

TEST_CASE("per_class terms: class-weighted losses, their gradient, and their fixed last axis",
          "[expr][custom][shape]") {
  const auto weighted_ce = custom_loss("weighted_ce", [](auto yt, auto yp) {
    return -sum(per_class({1.0, 3.0, 0.5}) * yt * log(yp));
  });
  static_assert(columns_of<decltype(weighted_ce.expression())> == 3);
  static_assert(columns_of<decltype(gradient(weighted_ce.expression()))> == 3);
  // By hand: -(3 * log(0.7)) for the one-hot row on class 1.
  CHECK(eval(weighted_ce.expression(), {0, 1, 0}, {0.2, 0.7, 0.1}) == Approx(-3.0 * std::log(0.7)));
  check_custom_gradient(weighted_ce, {0.2, 0.5, 0.3}, {0.3, 0.45, 0.25});

  // Standalone, on arrays whose last axis is not the term's: a ketl error
  // that names both shapes.
  const xt::xtensor<float, 2> t4 = xt::zeros<float>({2, 4}), p4 = xt::ones<float>({2, 4});
  CHECK_THROWS_AS(weighted_ce(t4, p4), shape_error);
  CHECK_THROWS_WITH(weighted_ce(t4, p4), Catch::Contains("(3,)") && Catch::Contains("(2, 4)"));
  const xt::xtensor<float, 2> t3{{0, 1, 0}}, p3{{0.2f, 0.7f, 0.1f}};
  CHECK(weighted_ce(t3, p3)(0) == Approx(-3.0 * std::log(0.7)).epsilon(1e-5));
}

TEST_CASE("TargetFor: static label shapes against static output shapes", "[expr][shape]") {
  using losses::CategoricalCrossentropy, losses::SparseCategoricalCrossentropy;
  static_assert(TargetFor<CategoricalCrossentropy, Shape<10>, Shape<10>>);
  static_assert(!TargetFor<CategoricalCrossentropy, Shape<5>, Shape<10>>);
  static_assert(!TargetFor<CategoricalCrossentropy, Shape<1, 10>, Shape<10>>);
  static_assert(TargetFor<SparseCategoricalCrossentropy, Shape<1>, Shape<10>>);
  static_assert(!TargetFor<SparseCategoricalCrossentropy, Shape<10>, Shape<10>>);
  static_assert(TargetFor<SparseCategoricalCrossentropy, Shape<7>, Shape<7, 10>>);
  static_assert(TargetFor<SparseCategoricalCrossentropy, Shape<7, 1>, Shape<7, 10>>);
  static_assert(!TargetFor<SparseCategoricalCrossentropy, Shape<6>, Shape<7, 10>>);
  static_assert(TargetFor<metrics::SparseCategoricalAccuracy, Shape<1>, Shape<3>>);

  auto model = Sequential{Input<4>{}, Dense<10, Softmax>{}};
  model.compile(optimizers::SGD{}, losses::categorical_crossentropy, metrics::accuracy,
                labels<Shape<10>>);
  CHECK(model.metrics_names() == std::vector<std::string>{"loss", "acc"});
  // A loss named at run time gets the same check at run time, and a failed
  // compile keeps the model as it was.
  CHECK_THROWS_AS(model.compile(optimizers::SGD{}, losses::get("sparse_categorical_crossentropy"),
                                labels<Shape<10>>),
                  shape_error);
  CHECK_THROWS_WITH(model.compile(optimizers::SGD{}, losses::get("sparse_categorical_crossentropy"),
                                  labels<Shape<10>>),
                    Catch::Contains("sparse_categorical_crossentropy cannot take y_true of shape "
                                    "(10,) against y_pred of shape (10,)"));
  CHECK(model.metrics_names() == std::vector<std::string>{"loss", "acc"});
  model.compile(optimizers::SGD{}, losses::get("sparse_categorical_crossentropy"),
                labels<Shape<1>>);
  CHECK(model.metrics_names() == std::vector<std::string>{"loss"});
}

namespace {
// |got - log(x)| in units in the last place of the float nearest log(x).
double log_ulps(float x, float got) {
  const double ref = std::log(static_cast<double>(x));
  const float nearest = static_cast<float>(ref);
  if (nearest == 0.0f) return got == 0.0f ? 0.0 : 1e9;
  const double ulp = std::nextafter(std::fabs(nearest), INFINITY) - std::fabs(nearest);
  return std::fabs(static_cast<double>(got) - ref) / ulp;
}
template <class A>
void check_fast_log() {
  using V = xsimd::batch<float, A>;
  constexpr std::size_t W = V::size;
  alignas(64) float in[W], out[W];
  double worst = 0;
  float worst_x = 0;
  // Every 4099th positive float, denormals and the largest included.
  for (std::uint64_t bits = 1; bits < 0x7f800000u; bits += 4099 * W) {
    for (std::size_t l = 0; l < W; ++l) {
      const auto b =
          static_cast<std::uint32_t>(std::min<std::uint64_t>(bits + l * 4099, 0x7f7fffffu));
      std::memcpy(&in[l], &b, sizeof b);
    }
    ketl::detail::fast_log(V::load_aligned(in)).store_aligned(out);
    for (std::size_t l = 0; l < W; ++l)
      if (const double e = log_ulps(in[l], out[l]); e > worst) worst = e, worst_x = in[l];
  }
  INFO("worst at x = " << worst_x);
  CHECK(worst <= 2.0);
  // Special values, each among ordinary lanes (the path that checks them).
  const float specials[] = {0.0f,
                            -0.0f,
                            -1.0f,
                            INFINITY,
                            -INFINITY,
                            NAN,
                            1.0f,
                            std::numeric_limits<float>::denorm_min(),
                            std::numeric_limits<float>::min(),
                            std::numeric_limits<float>::max()};
  for (float s : specials) {
    for (std::size_t l = 0; l < W; ++l) in[l] = 0.5f + float(l);
    in[W - 1] = s;
    ketl::detail::fast_log(V::load_aligned(in)).store_aligned(out);
    INFO("log(" << s << ")");
    const float want = std::log(s);
    if (std::isnan(want))
      CHECK(std::isnan(out[W - 1]));
    else if (std::isinf(want))
      CHECK(out[W - 1] == want);
    else
      CHECK(log_ulps(s, out[W - 1]) <= 2.0);
    for (std::size_t l = 0; l + 1 < W; ++l) CHECK(log_ulps(in[l], out[l]) <= 2.0);
  }
}
}  // namespace

TEST_CASE("the float log of SIMD lanes is within 2 ulp of std::log, specials as std::log",
          "[expr][simd]") {
  check_fast_log<ketl::detail::simd::arch>();
  check_fast_log<xsimd::sse2>();  // without FMA: separate multiply and add
}

namespace {
// y_pred / sum(y_pred) over one block of W rows of C columns, through the
// SIMD lanes and through rows, against p / sum(p). exact: row 0 is special.
template <std::size_t C>
void check_division_by_row(const std::vector<float>& yp, bool exact) {
  using V = ketl::detail::simd::batch<float>;
  constexpr std::size_t W = V::size;
  std::vector<float> yt(W * C, 0.0f);
  auto q = y_pred / sum(y_pred);
  auto s = sum(y_pred);
  alignas(64) float scratch[2 * C * 16];
  alignas(64) float lane[16];
  alignas(64) float sums[16];
  lanes_ref<float> lr(yt.data(), yp.data(), C, C, scratch);
  q.prepare(lr);
  s.prepare(lr);
  s.at(lr, 0).store_aligned(sums);
  for (std::size_t j = 0; j < C; ++j) {
    q.prepare(lr);
    q.at(lr, j).store_aligned(lane);
    for (std::size_t w = 0; w < W; ++w) {
      const float p = yp[w * C + j];
      const float want = p / sums[w];
      row_ref<float> rr{yt.data() + w * C, yp.data() + w * C, C, C};
      q.prepare(rr);
      const float by_row = q.at(rr, j);
      INFO("row " << w << " column " << j << ": p = " << p << ", sum = " << sums[w]);
      const float ulp = std::nextafter(want, std::numeric_limits<float>::infinity()) - want;
      // The lanes decide per block, rows per row: only row 0 is special.
      if (exact)
        REQUIRE(lane[w] == want);
      else
        REQUIRE(std::abs(lane[w] - want) <= 2 * ulp);
      if (exact && w == 0)
        REQUIRE(by_row == want);
      else
        REQUIRE(std::abs(by_row - want) <= 2 * ulp);
    }
  }
}
}  // namespace

TEST_CASE(
    "columns over a row's value: within 2 ulp of the quotient; exact where its reciprocal "
    "is not a normal float",
    "[expr][simd]") {
  constexpr std::size_t C = 5, W = ketl::detail::simd::batch<float>::size;
  std::vector<float> yp(W * C);
  for (std::size_t i = 0; i < yp.size(); ++i)
    yp[i] = 0.1f + 0.37f * static_cast<float>(i % 7) + 1e-3f * static_cast<float>(i);
  check_division_by_row<C>(yp, false);
  // One row's sum denormal: 1 / sum overflows, so the whole block divides.
  for (std::size_t j = 0; j < C; ++j) yp[j] = 1e-45f * static_cast<float>(j % 3 + 1);
  check_division_by_row<C>(yp, true);
  // One row's sum above 2^126: its reciprocal would be denormal.
  for (std::size_t j = 0; j < C; ++j) yp[j] = 3e37f;
  check_division_by_row<C>(yp, true);
}
