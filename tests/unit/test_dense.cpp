// Dense: forward against a hand computation, the Keras kernel layout, and
// finite-difference checks of d/dkernel, d/dbias and d/dx at double
// precision, for rank-2 and rank-3 inputs and several activations.
#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

#include "gradcheck.hpp"

using namespace ketl;

TEST_CASE("Dense computes activation(x . kernel + bias) with an (in, units) kernel", "[dense]") {
  Dense<2, Linear, double> d;
  Random rng(1);
  d.build<Shape<3>>(rng);
  const double k[] = {1, 2, 3, 4, 5, 6};  // rows are inputs: kernel[i][u]
  std::copy(std::begin(k), std::end(k), d.kernel().begin());
  d.bias()[0] = 0.5;
  d.bias()[1] = -1;
  const double x[] = {1, 0, -1, 2, 1, 0};  // two samples
  double y[4];
  Pass<double> pass{};
  d.forward<Shape<3>>(x, y, 2, pass);
  CHECK(y[0] == 1 * 1 + 0 * 3 + -1 * 5 + 0.5);
  CHECK(y[1] == 1 * 2 + 0 * 4 + -1 * 6 - 1);
  CHECK(y[2] == 2 * 1 + 1 * 3 + 0 * 5 + 0.5);
  CHECK(y[3] == 2 * 2 + 1 * 4 + 0 * 6 - 1);
}

namespace {
template <class In, std::size_t U, class Act>
void check_dense_gradients(std::size_t n) {
  Dense<U, Act, double> d;
  Random rng(11);
  d.template build<In>(rng);
  for (auto& b : d.bias()) b = rng.uniform(-0.5, 0.5);  // non-zero, so bias matters
  using Out = with_last_t<In, U>;
  auto x = test::random_vector(n * In::size, rng);
  const auto w = test::random_vector(n * Out::size, rng);
  Pass<double> pass{};
  auto loss = [&] {
    std::vector<double> y(n * Out::size);
    d.template forward<In>(x.data(), y.data(), n, pass);
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += w[i] * y[i];
    return s;
  };
  std::vector<double> y(n * Out::size), dx(n * In::size), dy = w;
  d.template forward<In>(x.data(), y.data(), n, pass);
  d.template backward<In>(x.data(), y.data(), dy.data(), dx.data(), n, pass);
  std::vector<double> dk(d.kernel().size()), db(d.bias().size());
  d.for_each_weight([&](WeightRef<double> r) {
    auto& dst = r.name == "kernel" ? dk : db;
    std::copy(r.grad.begin(), r.grad.end(), dst.begin());
  });
  SECTION("kernel") { test::check_gradient(d.kernel(), dk, loss); }
  SECTION("bias") { test::check_gradient(d.bias(), db, loss); }
  SECTION("input") { test::check_gradient(std::span<double>(x), dx, loss); }
}
}  // namespace

TEST_CASE("Dense gradients, linear, rank 2", "[dense][gradient]") {
  check_dense_gradients<Shape<7>, 5, Linear>(4);
}
TEST_CASE("Dense gradients, tanh, wide enough for the SIMD panels", "[dense][gradient]") {
  check_dense_gradients<Shape<19>, 37, Tanh>(9);
}
TEST_CASE("Dense gradients, sigmoid, rank 3 (N, T, F)", "[dense][gradient]") {
  check_dense_gradients<Shape<3, 6>, 4, Sigmoid>(5);
}
TEST_CASE("Dense gradients, softmax", "[dense][gradient]") {
  check_dense_gradients<Shape<6>, 10, Softmax>(7);
}
TEST_CASE("Dense gradients, elu and selu", "[dense][gradient]") {
  check_dense_gradients<Shape<5>, 3, Elu>(6);
  check_dense_gradients<Shape<5>, 3, Selu>(6);
}

TEST_CASE("Dense on (N, T, F) shares one kernel across T", "[dense]") {
  Dense<2, Linear, double> d;
  Random rng(5);
  d.build<Shape<3, 4>>(rng);
  CHECK(d.kernel().size() == 4 * 2);
  auto x = test::random_vector(2 * 12, rng);
  std::vector<double> y(2 * 6);
  Pass<double> pass{};
  d.forward<Shape<3, 4>>(x.data(), y.data(), 2, pass);
  for (std::size_t r = 0; r < 6; ++r)
    for (std::size_t u = 0; u < 2; ++u) {
      double s = d.bias()[u];
      for (std::size_t f = 0; f < 4; ++f) s += x[r * 4 + f] * d.kernel()[f * 2 + u];
      CHECK(y[r * 2 + u] == Approx(s));
    }
}

TEST_CASE("A whole Sequential back-propagates exactly", "[model][gradient]") {
  // Every layer type at double precision; loss = mse through the model's own
  // forward/backward engine.
  auto model = Sequential{Input<2, 3>{},           Dense<4, Tanh, double>{}, Flatten{},
                          Dropout{0.0f},           Reshape<2, 4>{},          Activation<Softmax>{},
                          Dense<3, Elu, double>{}, Activation<Sigmoid>{}};
  constexpr std::size_t n = 5;
  Random rng(9);
  auto x = test::random_vector(n * 6, rng);
  const auto target = test::random_vector(n * 6, rng, 0, 1);
  const std::size_t rows = n * 2;
  auto mse = ketl::detail::make_loss_kernel(losses::mean_squared_error);
  auto row = [&](const double* y, std::size_t r) {
    return expr::row_ref<double>{target.data() + r * 3, y + r * 3, 3, 3};
  };
  auto loss = [&] {
    const double* y = model.forward(x.data(), n, true);
    double s = 0;
    for (std::size_t r = 0; r < rows; ++r)
      s += mse.row(row(y, r), static_cast<double*>(nullptr), 0.0);
    return s / double(rows);
  };
  const double* y = model.forward(x.data(), n, true);
  for (std::size_t r = 0; r < rows; ++r)
    mse.row(row(y, r), model.output_grad() + r * 3, 1.0 / double(rows));
  model.backward(x.data(), n);
  for (const auto& w : model.weights()) {
    std::vector<double> analytic(w.grad.begin(), w.grad.end());
    test::check_gradient(w.value, analytic, loss);
  }
}
