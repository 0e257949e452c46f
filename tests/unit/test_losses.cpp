// Every Keras loss: per-sample values against a naive reference written
// straight from Keras's formulas (keras-semantics.md section 1), Keras's own
// test vectors, the clipping edge cases, and finite-difference checks of the
// symbolically derived gradient for every loss and option.
#include <cmath>
#include <functional>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

#include "gradcheck.hpp"

using namespace ketl;

namespace {
using Row = std::vector<double>;
using Ref = std::function<double(const Row&, const Row&)>;
constexpr double eps = 1e-7;

double mean(const Row& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / double(v.size());
}
Row map2(const Row& a, const Row& b, const std::function<double(double, double)>& f) {
  Row out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = f(a[i], b[i]);
  return out;
}
double clipd(double v, double lo, double hi) { return std::min(std::max(v, lo), hi); }
double l2sum(const Row& a, const Row& b) {
  double na = 0, nb = 0, d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) na += a[i] * a[i], nb += b[i] * b[i];
  na = std::sqrt(std::max(na, 1e-12)), nb = std::sqrt(std::max(nb, 1e-12));
  for (std::size_t i = 0; i < a.size(); ++i) d += a[i] / na * b[i] / nb;
  return d;
}

// tf.keras's _maybe_convert_labels: 0/1 labels become -1/1 (Keras 2.3 too).
Row signed_labels(const Row& t) {
  for (double v : t)
    if (v != 0.0 && v != 1.0) return t;
  Row out(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) out[i] = 2 * t[i] - 1;
  return out;
}

// Keras 2.2.4's formulas (and tf.keras's where noted in the headers).
const std::vector<std::pair<std::string, Ref>>& references() {
  static const std::vector<std::pair<std::string, Ref>> r = {
      {"mean_squared_error",
       [](const Row& t, const Row& p) {
         return mean(map2(t, p, [](double a, double b) { return (b - a) * (b - a); }));
       }},
      {"mean_absolute_error",
       [](const Row& t, const Row& p) {
         return mean(map2(t, p, [](double a, double b) { return std::abs(b - a); }));
       }},
      {"mean_absolute_percentage_error",
       [](const Row& t, const Row& p) {
         return 100 * mean(map2(t, p, [](double a, double b) {
                  return std::abs((a - b) / std::max(std::abs(a), eps));
                }));
       }},
      {"mean_squared_logarithmic_error",
       [](const Row& t, const Row& p) {
         return mean(map2(t, p, [](double a, double b) {
           const double d = std::log(std::max(b, eps) + 1) - std::log(std::max(a, eps) + 1);
           return d * d;
         }));
       }},
      {"squared_hinge",
       [](const Row& t, const Row& p) {
         return mean(map2(signed_labels(t), p, [](double a, double b) {
           return std::pow(std::max(1 - a * b, 0.0), 2);
         }));
       }},
      {"hinge",
       [](const Row& t, const Row& p) {
         return mean(map2(signed_labels(t), p,
                          [](double a, double b) { return std::max(1 - a * b, 0.0); }));
       }},
      {"categorical_hinge",
       [](const Row& t, const Row& p) {
         double pos = 0, neg = -1e300;
         for (std::size_t i = 0; i < t.size(); ++i)
           pos += t[i] * p[i], neg = std::max(neg, (1 - t[i]) * p[i]);
         return std::max(0.0, neg - pos + 1);
       }},
      {"logcosh",
       [](const Row& t, const Row& p) {
         return mean(map2(t, p, [](double a, double b) { return std::log(std::cosh(b - a)); }));
       }},
      {"huber",
       [](const Row& t, const Row& p) {
         return mean(map2(t, p, [](double a, double b) {
           const double x = std::abs(b - a);
           return x <= 1 ? 0.5 * x * x : x - 0.5;
         }));
       }},
      {"categorical_crossentropy",
       [](const Row& t, const Row& p) {
         double s = 0, l = 0;
         for (double v : p) s += v;
         for (std::size_t i = 0; i < t.size(); ++i)
           l -= t[i] * std::log(clipd(p[i] / s, eps, 1 - eps));
         return l;
       }},
      {"binary_crossentropy",
       [](const Row& t, const Row& p) {
         return mean(map2(t, p, [](double y, double q) {
           q = clipd(q, eps, 1 - eps);
           return -(y * std::log(q + eps) + (1 - y) * std::log(1 - q + eps));
         }));
       }},
      {"kullback_leibler_divergence",
       [](const Row& t, const Row& p) {
         double l = 0;
         for (std::size_t i = 0; i < t.size(); ++i) {
           const double a = clipd(t[i], eps, 1), b = clipd(p[i], eps, 1);
           l += a * std::log(a / b);
         }
         return l;
       }},
      {"poisson",
       [](const Row& t, const Row& p) {
         return mean(map2(t, p, [](double a, double b) { return b - a * std::log(b + eps); }));
       }},
      {"cosine_proximity", [](const Row& t, const Row& p) { return -l2sum(t, p); }},
  };
  return r;
}

template <class Loss>
void check_against_reference(const Loss& loss, const std::vector<Row>& t,
                             const std::vector<Row>& p) {
  const auto& refs = references();
  const auto it =
      std::find_if(refs.begin(), refs.end(), [&](const auto& r) { return r.first == loss.name(); });
  REQUIRE(it != refs.end());
  const std::size_t n = t.size(), c = t[0].size();
  auto yt = xt::xtensor<double, 2>::from_shape({n, c}),
       yp = xt::xtensor<double, 2>::from_shape({n, c});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < c; ++j) yt(i, j) = t[i][j], yp(i, j) = p[i][j];
  const auto per = loss(yt, yp);
  REQUIRE(per.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    INFO(loss.name() << " row " << i);
    CHECK(per(i) == Approx(it->second(t[i], p[i])).epsilon(1e-12).margin(1e-12));
  }
}

template <class Loss>
void check_loss_gradient(const Loss& loss, Row yt, Row yp) {
  auto kernel = ketl::detail::make_loss_kernel(loss);
  const std::size_t yt_cols = Loss::target == Target::sparse_labels ? 1 : yp.size();
  auto value = [&] {
    return kernel.row(expr::row_ref<double>{yt.data(), yp.data(), yp.size(), yt_cols},
                      static_cast<double*>(nullptr), 0.0);
  };
  Row g(yp.size());
  kernel.row(expr::row_ref<double>{yt.data(), yp.data(), yp.size(), yt_cols}, g.data(), 1.0);
  INFO(loss.name());
  test::check_gradient(std::span<double>(yp), g, value);
}
}  // namespace

TEST_CASE("every loss matches Keras's formula on general rows", "[losses]") {
  const std::vector<Row> t = {{0.0, 1.0, 0.0, 0.0}, {0.2, 0.3, 0.1, 0.4}, {1.0, -1.0, 1.0, -1.0}};
  const std::vector<Row> p = {
      {0.1, 0.6, 0.2, 0.1}, {0.25, 0.25, 0.25, 0.25}, {0.8, -0.3, 2.5, 0.4}};
  check_against_reference(losses::mean_squared_error, t, p);
  check_against_reference(losses::mean_absolute_error, t, p);
  check_against_reference(losses::mean_absolute_percentage_error, t, p);
  check_against_reference(losses::mean_squared_logarithmic_error, t, p);
  check_against_reference(losses::squared_hinge, t, p);
  check_against_reference(losses::hinge, t, p);
  check_against_reference(losses::categorical_hinge, t, p);
  check_against_reference(losses::logcosh, t, p);
  check_against_reference(losses::huber, t, p);
  check_against_reference(losses::cosine_proximity, t, p);
  // Losses over probabilities, on probabilities.
  const std::vector<Row> pt = {{0.0, 1.0, 0.0, 0.0}, {0.2, 0.3, 0.1, 0.4}};
  const std::vector<Row> pp = {{0.1, 0.6, 0.2, 0.1}, {0.05, 0.5, 0.05, 0.4}};
  check_against_reference(losses::categorical_crossentropy, pt, pp);
  check_against_reference(losses::binary_crossentropy, pt, pp);
  check_against_reference(losses::kullback_leibler_divergence, pt, pp);
  check_against_reference(losses::poisson, pt, pp);
}

TEST_CASE("aliases name the same losses", "[losses]") {
  CHECK(&losses::mse == &losses::mean_squared_error);
  CHECK(&losses::mae == &losses::mean_absolute_error);
  CHECK(&losses::mape == &losses::mean_absolute_percentage_error);
  CHECK(&losses::msle == &losses::mean_squared_logarithmic_error);
  CHECK(&losses::kld == &losses::kullback_leibler_divergence);
  CHECK(&losses::cosine == &losses::cosine_proximity);
  CHECK(&losses::cosine_similarity == &losses::cosine_proximity);
  CHECK(&losses::huber_loss == &losses::huber);
}

TEST_CASE("Keras's worked cases", "[losses]") {
  SECTION("mse of Keras 2.3's losses_test: 49.5 over the batch") {
    xt::xtensor<float, 2> yt = {{1, 9, 2}, {-5, -2, 6}};
    xt::xtensor<float, 2> yp = {{4, 8, 12}, {8, 1, 3}};
    CHECK(reduce_mean(losses::mse, yt, yp) == Approx(49.5));
    xt::xtensor<float, 1> w = {1.2f, 3.4f};
    // Keras 2.2.4 divides by the number of non-zero weights: (110/3*1.2 + 187/3*3.4) / 2.
    CHECK(reduce_mean(losses::mse, yt, yp, &w) ==
          Approx((110.0 / 3 * 1.2 + 187.0 / 3 * 3.4) / 2).epsilon(1e-6));
  }
  SECTION("tf.keras's BinaryCrossentropy()([[1,0],[1,0]], [[1,1],[1,0]]) = 3.833 in float32") {
    xt::xtensor<float, 2> yt = {{1, 0}, {1, 0}};
    xt::xtensor<float, 2> yp = {{1, 1}, {1, 0}};
    CHECK(reduce_mean(losses::binary_crossentropy, yt, yp) == Approx(3.833).epsilon(1e-3));
  }
  SECTION("huber switches branch at delta") {
    xt::xtensor<double, 2> yt = {{0.0, 0.0}};
    xt::xtensor<double, 2> yp = {{0.5, 3.0}};
    CHECK(losses::Huber{.delta = 2.0}(yt, yp)(0) == Approx((0.5 * 0.25 + (2 * 3.0 - 0.5 * 4)) / 2));
  }
}

TEST_CASE("clipping at 0 and 1, and the zero vector in cosine", "[losses][edge]") {
  xt::xtensor<double, 2> onehot = {{0, 1, 0}};
  SECTION("categorical_crossentropy clips p to [eps, 1 - eps]") {
    xt::xtensor<double, 2> certain = {{0, 1, 0}};
    CHECK(losses::categorical_crossentropy(onehot, certain)(0) == Approx(-std::log(1 - eps)));
    xt::xtensor<double, 2> wrong = {{1, 0, 0}};
    CHECK(losses::categorical_crossentropy(onehot, wrong)(0) == Approx(-std::log(eps)));
  }
  SECTION("binary_crossentropy at exactly 0 and 1 stays finite") {
    // q = clip(p) = (eps, 1 - eps, 1 - eps): the first two terms are -log(1) = 0,
    // the third -log(1 - (1 - eps) + eps) = -log(2 eps).
    xt::xtensor<double, 2> yp = {{0, 1, 1}};
    CHECK(losses::binary_crossentropy(onehot, yp)(0) == Approx(-std::log(2 * eps) / 3));
  }
  SECTION("kld clips both sides to [eps, 1]") {
    // t = (eps, 1, eps), p = (eps, eps, 1): 0 + log(1 / eps) + eps log(eps).
    xt::xtensor<double, 2> yp = {{0, 0, 1}};
    CHECK(losses::kld(onehot, yp)(0) == Approx(std::log(1 / eps) + eps * std::log(eps)));
  }
  SECTION("cosine of a zero vector is 0, not NaN") {
    xt::xtensor<double, 2> zero = {{0, 0, 0}};
    CHECK(losses::cosine_proximity(zero, onehot)(0) == 0.0);
    CHECK(losses::cosine_proximity(onehot, zero)(0) == 0.0);
  }
}

TEST_CASE("from_logits and label_smoothing", "[losses]") {
  xt::xtensor<double, 2> yt = {{0, 1, 0}};
  xt::xtensor<double, 2> logits = {{1.0, 2.0, -1.0}};
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(-1.0));
  SECTION("categorical: -sum(t * log_softmax(x))") {
    CHECK(losses::CategoricalCrossentropy{.from_logits = true}(yt, logits)(0) == Approx(lse - 2.0));
    // label_smoothing 0.3 over 3 classes: t = (0.1, 0.8, 0.1).
    const double smoothed = -(0.1 * (1 - lse) + 0.8 * (2 - lse) + 0.1 * (-1 - lse));
    CHECK(losses::CategoricalCrossentropy{.from_logits = true, .label_smoothing = 0.3}(
              yt, logits)(0) == Approx(smoothed));
  }
  SECTION("binary: max(x, 0) - x t + log(1 + exp(-|x|))") {
    double expected = 0;
    for (int j = 0; j < 3; ++j) {
      const double x = logits(0, j), t = yt(0, j);
      expected += std::max(x, 0.0) - x * t + std::log1p(std::exp(-std::abs(x)));
    }
    CHECK(losses::BinaryCrossentropy{.from_logits = true}(yt, logits)(0) == Approx(expected / 3));
    const double ls = 0.2;  // t becomes t * 0.8 + 0.1
    double smoothed = 0;
    for (int j = 0; j < 3; ++j) {
      const double x = logits(0, j), t = yt(0, j) * (1 - ls) + 0.5 * ls;
      smoothed += std::max(x, 0.0) - x * t + std::log1p(std::exp(-std::abs(x)));
    }
    CHECK(losses::BinaryCrossentropy{.from_logits = true, .label_smoothing = ls}(yt, logits)(0) ==
          Approx(smoothed / 3));
  }
}

TEST_CASE("sparse_categorical_crossentropy takes labels as (N,) or (N, 1)", "[losses][sparse]") {
  xt::xtensor<double, 2> yp = {{0.2, 0.5, 0.3}, {0.6, 0.3, 0.1}};
  xt::xtensor<double, 1> labels = {1, 0};
  xt::xtensor<double, 2> column = {{1}, {0}};
  xt::xtensor<double, 2> onehot = {{0, 1, 0}, {1, 0, 0}};
  const auto a = losses::sparse_categorical_crossentropy(labels, yp);
  const auto b = losses::sparse_categorical_crossentropy(column, yp);
  const auto dense = losses::categorical_crossentropy(onehot, yp);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(a(i) == Approx(dense(i)));  // rows that sum to 1 and need no clipping agree
    CHECK(b(i) == Approx(a(i)));
  }
  xt::xtensor<double, 1> wrong = {1, 0, 2};
  CHECK_THROWS_WITH(losses::sparse_categorical_crossentropy(wrong, yp),
                    Catch::Contains("integer labels of shape (2,)"));
}

TEST_CASE("every loss's derived gradient matches finite differences", "[losses][gradient]") {
  const Row t = {0.0, 1.0, 0.0, 0.0, 0.0};
  const Row soft = {0.1, 0.3, 0.25, 0.05, 0.3};
  const Row probs = {0.12, 0.43, 0.2, 0.07, 0.18};
  const Row general = {0.7, -1.3, 0.4, 2.1, -0.2};
  const Row signs = {1.0, -1.0, 1.0, -1.0, 1.0};
  check_loss_gradient(losses::mean_squared_error, soft, general);
  check_loss_gradient(losses::mean_absolute_error, soft, general);
  check_loss_gradient(losses::mean_absolute_percentage_error, general, soft);
  check_loss_gradient(losses::mean_squared_logarithmic_error, soft, probs);
  check_loss_gradient(losses::squared_hinge, signs, general);
  check_loss_gradient(losses::hinge, signs, general);
  check_loss_gradient(losses::categorical_hinge, t, general);
  check_loss_gradient(losses::logcosh, soft, general);
  check_loss_gradient(losses::huber, soft, general);  // both branches: |x| above and below 1
  check_loss_gradient(losses::Huber{.delta = 0.5}, soft, general);
  check_loss_gradient(losses::categorical_crossentropy, t, probs);
  check_loss_gradient(losses::categorical_crossentropy, soft,
                      Row{1.5, 0.2, 0.7, 0.9, 0.3});  // unnormalised
  check_loss_gradient(losses::CategoricalCrossentropy{.from_logits = true}, t, general);
  check_loss_gradient(losses::CategoricalCrossentropy{.from_logits = true, .label_smoothing = 0.1},
                      t, general);
  check_loss_gradient(losses::CategoricalCrossentropy{.label_smoothing = 0.2}, t, probs);
  check_loss_gradient(losses::sparse_categorical_crossentropy, Row{3.0}, probs);
  check_loss_gradient(losses::SparseCategoricalCrossentropy{.from_logits = true}, Row{1.0},
                      general);
  check_loss_gradient(losses::binary_crossentropy, Row{1, 0, 1, 0, 1}, probs);
  check_loss_gradient(losses::BinaryCrossentropy{.from_logits = true}, Row{1, 0, 1, 0, 1}, general);
  check_loss_gradient(losses::BinaryCrossentropy{.label_smoothing = 0.1}, Row{1, 0, 1, 0, 1},
                      probs);
  check_loss_gradient(losses::kullback_leibler_divergence, soft, probs);
  check_loss_gradient(losses::poisson, soft, probs);
  check_loss_gradient(losses::cosine_proximity, soft, general);
}
