// Every Keras activation: values against keras/activations.py's formulas,
// and the backward pass (written from the output y) against finite
// differences, both through the SIMD loop and its scalar tail.
#include <cmath>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

#include "gradcheck.hpp"

using namespace ketl;

namespace {

double softplus_ref(double x) { return std::log(std::exp(x) + 1); }

template <class A>
std::vector<double> apply(const A& a, std::vector<double> z, std::size_t cols) {
  std::vector<double> y(z.size());
  ketl::activate(a, z.data(), y.data(), z.size() / cols, cols);
  return y;
}

// Loss = sum(w * f(z)); its gradient is backward(y, w).
template <class A>
void check_activation_gradient(const A& a, double lo, double hi, std::size_t cols = 37) {
  Random rng(7);
  const std::size_t n = 3 * cols;  // 3 rows; 37 is past one AVX-512 double batch and leaves a tail
  auto z = test::random_vector(n, rng, lo, hi);
  const auto w = test::random_vector(n, rng);
  std::vector<double> y(n), dz(n), dy = w;
  ketl::activate(a, z.data(), y.data(), n / cols, cols);
  ketl::activate_backward(a, y.data(), dy.data(), dz.data(), n / cols, cols);
  test::check_gradient(std::span<double>(z), dz, [&] {
    std::vector<double> yy(n);
    ketl::activate(a, z.data(), yy.data(), n / cols, cols);
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += w[i] * yy[i];
    return s;
  });
}

}  // namespace

TEST_CASE("activation values follow Keras's formulas", "[activations]") {
  const std::vector<double> z{-3.0, -1.5, -0.2, 0.0, 0.3, 1.0, 2.7, 40.0, -40.0};
  const std::size_t c = z.size();
  auto y = apply(Relu{}, z, c);
  auto e = apply(Elu{}, z, c);
  auto e2 = apply(Elu{.alpha = 0.5f}, z, c);
  auto se = apply(Selu{}, z, c);
  auto sg = apply(Sigmoid{}, z, c);
  auto hs = apply(HardSigmoid{}, z, c);
  auto th = apply(Tanh{}, z, c);
  auto sp = apply(Softplus{}, z, c);
  auto ss = apply(Softsign{}, z, c);
  auto ex = apply(Exponential{}, z, c);
  auto lr = apply(LeakyReLU{}, z, c);
  auto li = apply(Linear{}, z, c);
  const double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
  for (std::size_t i = 0; i < c; ++i) {
    const double x = z[i];
    INFO("z = " << x);
    CHECK(y[i] == Approx(std::max(x, 0.0)));
    CHECK(e[i] == Approx(x > 0 ? x : std::exp(x) - 1));
    CHECK(e2[i] == Approx(x > 0 ? x : 0.5 * (std::exp(x) - 1)));
    CHECK(se[i] == Approx(scale * (x > 0 ? x : alpha * (std::exp(x) - 1))));
    CHECK(sg[i] == Approx(1 / (1 + std::exp(-x))));
    CHECK(hs[i] == Approx(std::clamp(0.2 * x + 0.5, 0.0, 1.0)));
    CHECK(th[i] == Approx(std::tanh(x)));
    CHECK(sp[i] == Approx(softplus_ref(x)).margin(1e-12));
    CHECK(ss[i] == Approx(x / (std::abs(x) + 1)));
    CHECK(ex[i] == Approx(std::exp(x)));
    CHECK(lr[i] == Approx(x > 0 ? x : 0.3 * x));
    CHECK(li[i] == x);
  }
}

TEST_CASE("softmax is exp(z - max) / sum over the last axis", "[activations]") {
  const std::vector<double> z{1.0, 2.0, 3.0, 1000.0, 1001.0, 1002.0};
  auto y = apply(Softmax{}, z, 3);
  const double d = std::exp(-2.0) + std::exp(-1.0) + 1.0;
  for (int r = 0; r < 2; ++r) {
    CHECK(y[r * 3 + 0] == Approx(std::exp(-2.0) / d));
    CHECK(y[r * 3 + 1] == Approx(std::exp(-1.0) / d));
    CHECK(y[r * 3 + 2] == Approx(1.0 / d));
  }
}

TEST_CASE("activation gradients match finite differences", "[activations][gradient]") {
  // Ranges avoid the kinks (relu at 0, hard_sigmoid at +-2.5), where the
  // derivative is one-sided.
  SECTION("linear") { check_activation_gradient(Linear{}, -2, 2); }
  SECTION("relu") {
    check_activation_gradient(Relu{}, 0.01, 2);
    check_activation_gradient(Relu{}, -2, -0.01);
  }
  SECTION("elu") {
    check_activation_gradient(Elu{}, -2, 2);
    check_activation_gradient(Elu{.alpha = 0.4f}, -2, 2);
  }
  SECTION("selu") { check_activation_gradient(Selu{}, -2, 2); }
  SECTION("sigmoid") { check_activation_gradient(Sigmoid{}, -4, 4); }
  SECTION("hard_sigmoid") { check_activation_gradient(HardSigmoid{}, -2.4, 2.4); }
  SECTION("tanh") { check_activation_gradient(Tanh{}, -2, 2); }
  SECTION("softmax") { check_activation_gradient(Softmax{}, -3, 3, 10); }
  SECTION("softplus") { check_activation_gradient(Softplus{}, -5, 5); }
  SECTION("softsign") { check_activation_gradient(Softsign{}, -3, 3); }
  SECTION("exponential") { check_activation_gradient(Exponential{}, -2, 2); }
  SECTION("leaky_relu") { check_activation_gradient(LeakyReLU{.alpha = 0.2f}, -2, 2); }
}

TEST_CASE("Activation<A> as a layer runs A forward and backward", "[activations][layers]") {
  Activation<Tanh> layer;
  Random rng(3);
  auto x = test::random_vector(12, rng);
  std::vector<double> y(12), dx(12);
  Pass<double> pass{};
  layer.forward<Shape<2, 3>>(x.data(), y.data(), 2, pass);
  for (std::size_t i = 0; i < 12; ++i) CHECK(y[i] == Approx(std::tanh(x[i])));
  auto dy = test::random_vector(12, rng);
  auto dy_copy = dy;
  layer.backward<Shape<2, 3>>(x.data(), y.data(), dy.data(), dx.data(), 2, pass);
  for (std::size_t i = 0; i < 12; ++i) CHECK(dx[i] == Approx(dy_copy[i] * (1 - y[i] * y[i])));
}
