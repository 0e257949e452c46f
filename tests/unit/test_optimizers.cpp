// Each optimizer's update against Keras 2.2.4's rules: a reference written
// straight from the formulas in double precision, over three steps on 37
// weights (two AVX-512 batches and a tail), and first steps worked by hand.
#include <cmath>
#include <functional>
#include <vector>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

using namespace ketl;

namespace {
// A weight of n values with a gradient that changes from step to step.
struct Param {
  std::vector<float> value, grad;
  explicit Param(std::size_t n) : value(n), grad(n) {
    for (std::size_t i = 0; i < n; ++i) value[i] = 0.5f - 0.03f * float(i);
  }
  void set_grad(int step) {
    for (std::size_t i = 0; i < grad.size(); ++i)
      grad[i] = std::sin(0.7f * float(i) + float(step)) * (i % 3 == 0 ? 2.0f : 0.25f);
  }
  std::vector<WeightRef<float>> refs() { return {{"kernel", value, grad, {value.size()}}}; }
};

// Runs `steps` updates of optimizer o, and beside it the reference `ref`,
// which updates one double value from its gradient and its own slots.
template <class O>
void check_against(
    const O& o, int steps,
    const std::function<void(double& p, double g, std::vector<double>& s, int t)>& ref) {
  Param w(37);
  std::vector<double> p(w.value.begin(), w.value.end());
  std::vector<std::vector<double>> slots(37, std::vector<double>(4, 0.0));
  auto refs = w.refs();
  auto runner = ketl::detail::make_optimizer<float>(o, std::span<const WeightRef<float>>(refs));
  for (int t = 0; t < steps; ++t) {
    w.set_grad(t);
    for (std::size_t i = 0; i < 37; ++i) ref(p[i], double(w.grad[i]), slots[i], t);
    runner->step(refs);
  }
  INFO(O::name);
  for (std::size_t i = 0; i < 37; ++i) CHECK(w.value[i] == Approx(p[i]).epsilon(1e-5).margin(1e-6));
}
}  // namespace

TEST_CASE("SGD: plain, momentum, Nesterov and decay", "[optimizers]") {
  check_against(optimizers::SGD{.lr = 0.1f}, 3,
                [](double& p, double g, auto&, int) { p -= 0.1 * g; });
  check_against(optimizers::SGD{.lr = 0.1f, .momentum = 0.9f, .decay = 0.01f, .nesterov = true}, 3,
                [](double& p, double g, auto& s, int t) {
                  const double lr = 0.1 / (1 + 0.01 * t);
                  const double v = 0.9 * s[0] - lr * g;
                  s[0] = v;
                  p += 0.9 * v - lr * g;
                });
  check_against(optimizers::SGD{.lr = 0.1f, .momentum = 0.5f}, 3,
                [](double& p, double g, auto& s, int) {
                  s[0] = 0.5 * s[0] - 0.1 * g;
                  p += s[0];
                });
}

TEST_CASE("RMSprop, Adagrad, Adadelta", "[optimizers]") {
  check_against(optimizers::RMSprop{}, 3, [](double& p, double g, auto& s, int) {
    s[0] = 0.9 * s[0] + 0.1 * g * g;
    p -= 0.001 * g / (std::sqrt(s[0]) + 1e-7);
  });
  check_against(optimizers::Adagrad{.decay = 0.5f}, 3, [](double& p, double g, auto& s, int t) {
    s[0] += g * g;
    p -= 0.01 / (1 + 0.5 * t) * g / (std::sqrt(s[0]) + 1e-7);
  });
  check_against(optimizers::Adadelta{}, 3, [](double& p, double g, auto& s, int) {
    s[0] = 0.95 * s[0] + 0.05 * g * g;
    const double u = g * std::sqrt(s[1] + 1e-7) / std::sqrt(s[0] + 1e-7);
    p -= 1.0 * u;
    s[1] = 0.95 * s[1] + 0.05 * u * u;
  });
}

TEST_CASE("Adam, AMSGrad, Adamax, Nadam", "[optimizers]") {
  auto adam = [](bool ams) {
    return [ams](double& p, double g, auto& s, int step) {
      const double t = step + 1;
      const double lr_t = 0.001 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
      s[0] = 0.9 * s[0] + 0.1 * g;
      s[1] = 0.999 * s[1] + 0.001 * g * g;
      s[2] = std::max(s[2], s[1]);
      p -= lr_t * s[0] / (std::sqrt(ams ? s[2] : s[1]) + 1e-7);
    };
  };
  check_against(optimizers::Adam{}, 3, adam(false));
  check_against(optimizers::Adam{.amsgrad = true}, 3, adam(true));
  check_against(optimizers::Adamax{}, 3, [](double& p, double g, auto& s, int step) {
    const double lr_t = 0.002 / (1 - std::pow(0.9, step + 1));
    s[0] = 0.9 * s[0] + 0.1 * g;
    s[1] = std::max(0.999 * s[1], std::abs(g));
    p -= lr_t * s[0] / (s[1] + 1e-7);
  });
  // Nadam's momentum schedule is one value shared by all weights.
  double schedule = 1.0;
  int last_step = -1;
  check_against(optimizers::Nadam{}, 3, [&](double& p, double g, auto& s, int step) {
    const double t = step + 1;
    const double mu_t = 0.9 * (1 - 0.5 * std::pow(0.96, t * 0.004));
    const double mu_t1 = 0.9 * (1 - 0.5 * std::pow(0.96, (t + 1) * 0.004));
    if (step != last_step) schedule *= mu_t, last_step = step;
    const double s_next = schedule * mu_t1;
    const double g_hat = g / (1 - schedule);
    s[0] = 0.9 * s[0] + 0.1 * g;
    s[1] = 0.999 * s[1] + 0.001 * g * g;
    const double m_hat = s[0] / (1 - s_next), v_hat = s[1] / (1 - std::pow(0.999, t));
    p -= 0.002 * ((1 - mu_t) * g_hat + mu_t1 * m_hat) / (std::sqrt(v_hat) + 1e-7);
  });
}

TEST_CASE("first steps worked by hand", "[optimizers]") {
  // Adam's first step moves each weight by lr * g / (|g| + eps / sqrt(1 - b2)), about lr.
  Param w(1);
  w.value = {1.0f};
  w.grad = {0.5f};
  auto refs = w.refs();
  auto adam = ketl::detail::make_optimizer<float>(optimizers::Adam{.lr = 0.1f},
                                                  std::span<const WeightRef<float>>(refs));
  adam->step(refs);
  // m = 0.05, v = 0.00025, lr_t = 0.1 * sqrt(0.001) / 0.1; step = lr_t * 0.05 / (0.0158114 + 1e-7)
  CHECK(w.value[0] ==
        Approx(1.0 - 0.1 * std::sqrt(0.001) / 0.1 * 0.05 / (std::sqrt(0.00025) + 1e-7)));
  CHECK(w.value[0] == Approx(0.9).epsilon(1e-4));
  // Adagrad's first step: lr * g / (|g| + eps) = 0.01 * 0.5 / 0.5000001.
  w.value = {1.0f};
  auto adagrad = ketl::detail::make_optimizer<float>(optimizers::Adagrad{},
                                                     std::span<const WeightRef<float>>(refs));
  adagrad->step(refs);
  CHECK(w.value[0] == Approx(1.0 - 0.01 * 0.5 / 0.5000001));
}

TEST_CASE("clipnorm over all gradients, and clipvalue", "[optimizers]") {
  Param a(2), b(1);
  a.value = {0, 0};
  b.value = {0};
  a.grad = {3, 0};
  b.grad = {4};  // global norm 5
  std::vector<WeightRef<float>> refs{{"kernel", a.value, a.grad, {2}},
                                     {"bias", b.value, b.grad, {1}}};
  auto sgd = ketl::detail::make_optimizer<float>(optimizers::SGD{.lr = 1.0f, .clipnorm = 1.0f},
                                                 std::span<const WeightRef<float>>(refs));
  sgd->step(refs);
  CHECK(a.value[0] == Approx(-0.6));
  CHECK(b.value[0] == Approx(-0.8));
  a.grad = {3, -0.1f};
  auto clipped = ketl::detail::make_optimizer<float>(optimizers::SGD{.lr = 1.0f, .clipvalue = 0.5f},
                                                     std::span<const WeightRef<float>>(refs));
  a.value = {0, 0};
  clipped->step(refs);
  CHECK(a.value[0] == Approx(-0.5));
  CHECK(a.value[1] == Approx(0.1));
}

TEST_CASE("optimizers by Keras name, and bad hyperparameters", "[optimizers]") {
  CHECK(std::holds_alternative<optimizers::Adam>(optimizers::get("adam")));
  CHECK(std::holds_alternative<optimizers::RMSprop>(optimizers::get("RMSprop")));
  CHECK(std::get<optimizers::Adadelta>(optimizers::get("adadelta")).lr == 1.0f);
  CHECK_THROWS_AS(optimizers::get("adamw"), value_error);
  CHECK_THROWS_WITH(optimizers::get("adamw"),
                    Catch::Contains("Unknown optimizer: adamw") &&
                        Catch::Contains("sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam"));

  auto model = Sequential{Input<3>{}, Dense<2, Softmax>{}};
  for (const char* name : {"sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamax", "nadam"}) {
    model.compile(name, losses::categorical_crossentropy);
    CHECK(model.optimizer_name() == name);
  }
  model.compile(optimizers::Adam{.lr = 0.01f, .amsgrad = true}, losses::mse);
  CHECK(model.optimizer_name() == "adam");
  CHECK(model.learning_rate() == Approx(0.01));
  // A bad value or name throws, and the model keeps its compiled state.
  CHECK_THROWS_AS(model.compile(optimizers::Adam{.lr = -1.0f}, losses::mse), value_error);
  CHECK_THROWS_AS(model.compile("adamw", losses::mse), value_error);
  CHECK(model.optimizer_name() == "adam");
  CHECK(model.learning_rate() == Approx(0.01));
}

TEST_CASE("every optimizer trains a model", "[optimizers][training]") {
  const xt::xtensor<float, 2> x{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0.5f, 0.2f}, {0.9f, 0.4f}};
  const xt::xtensor<float, 2> y{{1, 0}, {0, 1}, {0, 1}, {1, 0}, {1, 0}, {0, 1}};
  for (const auto& opt : {optimizers::AnyOptimizer(optimizers::SGD{.lr = 0.5f}),
                          optimizers::AnyOptimizer(optimizers::RMSprop{.lr = 0.01f}),
                          optimizers::AnyOptimizer(optimizers::Adagrad{.lr = 0.1f}),
                          optimizers::AnyOptimizer(optimizers::Adadelta{}),
                          optimizers::AnyOptimizer(optimizers::Adam{.lr = 0.01f}),
                          optimizers::AnyOptimizer(optimizers::Adamax{.lr = 0.01f}),
                          optimizers::AnyOptimizer(optimizers::Nadam{.lr = 0.01f})}) {
    utils::set_random_seed(3);
    auto model = Sequential{Input<2>{}, Dense<8, Tanh>{}, Dense<2, Softmax>{}};
    model.compile(opt, losses::categorical_crossentropy);
    const double before = model.evaluate(x, y, {.verbose = 0})[0];
    model.fit(x, y, {.batch_size = 6, .epochs = 30, .verbose = 0});
    const double after = model.evaluate(x, y, {.verbose = 0})[0];
    INFO(model.optimizer_name());
    CHECK(after < before);
  }
}
