// The two losses and the accuracy metrics of the first training path:
// values from Keras's formulas by hand, and the loss gradients against
// finite differences (clipping included).
#include <cmath>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

#include "gradcheck.hpp"

using namespace ketl;

TEST_CASE("mean_squared_error per sample, as Keras's test case", "[losses]") {
  // keras-semantics.md 1.3: MSE of these rows gives per-sample 28.333 and 60.333 (mean 49.5... of
  // 6)
  xt::xtensor<float, 2> yt = {{1, 9, 2}, {-5, -2, 6}};
  xt::xtensor<float, 2> yp = {{4, 8, 12}, {8, 1, 3}};
  const auto per = losses::mean_squared_error(yt, yp);
  REQUIRE(per.shape()[0] == 2);
  CHECK(per(0) == Approx((9 + 1 + 100) / 3.0));
  CHECK(per(1) == Approx((169 + 9 + 9) / 3.0));
  CHECK((per(0) + per(1)) / 2 == Approx(49.5));
  CHECK_THROWS_AS(losses::mse(yt, xt::xtensor<float, 2>({{1, 2}, {3, 4}})), shape_error);
}

TEST_CASE("categorical_crossentropy renormalises and clips like Keras 2.2.4", "[losses]") {
  xt::xtensor<double, 2> yt = {{0, 1, 0}, {1, 0, 0}, {0, 0, 1}};
  xt::xtensor<double, 2> yp = {{0.2, 0.5, 0.3}, {2.0, 1.0, 1.0}, {1.0, 0.0, 0.0}};
  const auto per = losses::categorical_crossentropy(yt, yp);
  CHECK(per(0) == Approx(-std::log(0.5)));
  CHECK(per(1) == Approx(-std::log(0.5)));   // 2 / (2 + 1 + 1)
  CHECK(per(2) == Approx(-std::log(1e-7)));  // p = 0 clipped to epsilon
}

TEST_CASE("loss gradients match finite differences", "[losses][gradient]") {
  Random rng(17);
  const std::size_t cols = 7;
  auto yp = test::random_vector(cols, rng, 0.05, 1.0);
  auto yt = test::random_vector(cols, rng, 0.0, 1.0);
  auto check = [&](const auto& loss) {
    std::vector<double> g(cols);
    loss.row(yt.data(), yp.data(), cols, g.data(), 1.0);
    test::check_gradient(std::span<double>(yp), g, [&] {
      return loss.row(yt.data(), yp.data(), cols, static_cast<double*>(nullptr), 0.0);
    });
  };
  SECTION("mse") { check(losses::mean_squared_error); }
  SECTION("categorical_crossentropy") { check(losses::categorical_crossentropy); }
  SECTION("categorical_crossentropy where one probability is clipped") {
    // Below epsilon after renormalising, so the clip stops the gradient of
    // its own log term; with y_true = 0 there, the loss stays smooth and the
    // only gradient left is the one through the renormalising sum.
    yp[2] = 1e-12;
    yt[2] = 0.0;
    check(losses::categorical_crossentropy);
  }
}

TEST_CASE("accuracy metrics", "[metrics]") {
  xt::xtensor<float, 2> yt = {{0, 1, 0}, {1, 0, 0}, {0, 0, 1}};
  xt::xtensor<float, 2> yp = {{0.1f, 0.8f, 0.1f}, {0.3f, 0.3f, 0.4f}, {0.5f, 0.0f, 0.5f}};
  const auto acc = metrics::categorical_accuracy(yt, yp);
  CHECK(acc(0) == 1.0f);
  CHECK(acc(1) == 0.0f);
  CHECK(acc(2) == 0.0f);  // a tie picks the first index, as tf.argmax
  xt::xtensor<float, 2> bt = {{1, 0}, {0, 1}};
  xt::xtensor<float, 2> bp = {{0.6f, 0.5f}, {0.4f, 0.51f}};
  const auto bin = metrics::binary_accuracy(bt, bp);
  CHECK(bin(0) == 1.0f);  // 0.5 rounds half to even, to 0
  CHECK(bin(1) == 1.0f);
}
