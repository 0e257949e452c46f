// The first training path end to end: compile, fit, evaluate, predict on
// the digits data; SGD steps against hand computation; reproducibility;
// and bad input that throws and leaves the model as it was.
#include <cmath>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

using namespace ketl;

namespace {
struct Digits {
  xt::xtensor<float, 2> x_train, y_train, x_test, y_test;
};
// The first 80% of the rows to train on, the last 20% held out.
const Digits& digits() {
  static const Digits d = [] {
    auto all = datasets::digits::load_csv(KETL_TEST_DATA_DIR "/digits.csv");
    const std::size_t n = all.y.size(), split = n * 8 / 10;
    xt::xtensor<float, 2> x = all.x / 16.0f;
    auto y = utils::to_categorical(all.y, 10);
    Digits out;
    out.x_train = xt::view(x, xt::range(0, split), xt::all());
    out.y_train = xt::view(y, xt::range(0, split), xt::all());
    out.x_test = xt::view(x, xt::range(split, n), xt::all());
    out.y_test = xt::view(y, xt::range(split, n), xt::all());
    return out;
  }();
  return d;
}

// The 8x8 images moved by (dy, dx) pixels, zero-filled.
[[maybe_unused]] xt::xtensor<float, 2> shifted(const xt::xtensor<float, 2>& x, int dy, int dx) {
  xt::xtensor<float, 2> out = xt::zeros<float>(x.shape());
  for (std::size_t i = 0; i < x.shape()[0]; ++i)
    for (int r = 0; r < 8; ++r)
      for (int c = 0; c < 8; ++c) {
        const int sr = r - dy, sc = c - dx;
        if (sr >= 0 && sr < 8 && sc >= 0 && sc < 8)
          out(i, std::size_t(r * 8 + c)) = x(i, std::size_t(sr * 8 + sc));
      }
  return out;
}

template <class Model>
std::vector<std::vector<float>> snapshot(const Model& m) {
  std::vector<std::vector<float>> out;
  for (const auto& w : m.weights()) out.emplace_back(w.value.begin(), w.value.end());
  return out;
}
}  // namespace

TEST_CASE("an MLP learns the digits: at least 0.93 accuracy on the held-out 20%",
          "[training][digits]") {
  // The last 20% of the rows are written by other people than the first
  // 80%: a plain MLP, here or in an independent NumPy loop, stops near 0.91
  // on them. One-pixel shifts of the training images close the gap.
  const auto& d = digits();
#ifdef __OPTIMIZE__
  const xt::xtensor<float, 2> x_aug =
      xt::concatenate(xt::xtuple(d.x_train, shifted(d.x_train, 1, 0), shifted(d.x_train, -1, 0),
                                 shifted(d.x_train, 0, 1), shifted(d.x_train, 0, -1)));
  const xt::xtensor<float, 2> y_aug =
      xt::concatenate(xt::xtuple(d.y_train, d.y_train, d.y_train, d.y_train, d.y_train));
#else
  const xt::xtensor<float, 2>& x_aug = d.x_train;  // the -O0 builds: below
  const xt::xtensor<float, 2>& y_aug = d.y_train;
#endif
  utils::set_random_seed(1);
  auto model =
      Sequential{Input<64>{}, Dense<256, Relu>{}, Dense<128, Relu>{}, Dense<10, Softmax>{}};
  model.compile(optimizers::SGD{.lr = 0.01f, .momentum = 0.9f}, losses::categorical_crossentropy,
                metrics::accuracy);
  CHECK(model.metrics_names() == std::vector<std::string>{"loss", "acc"});
#ifdef __OPTIMIZE__
  constexpr int epochs = 18;
  constexpr double target = 0.93;
#else
  // The sanitizer and clang builds run at -O0, where 18 epochs on the
  // shifted copies take minutes: they run the same training path for 4
  // epochs on the rows alone (0.878 measured; memory errors show in any
  // epoch), and the optimised build holds the model to 0.93.
  constexpr int epochs = 4;
  constexpr double target = 0.83;
#endif
  const History h = model.fit(x_aug, y_aug, {.batch_size = 32, .epochs = epochs, .verbose = 0});
  REQUIRE(h.epoch.size() == std::size_t(epochs));
  REQUIRE(h.history.at("loss").size() == std::size_t(epochs));
  CHECK(h.history.at("loss").back() < h.history.at("loss").front());
  const auto scores = model.evaluate(d.x_test, d.y_test, {.verbose = 0});
  REQUIRE(scores.size() == 2);
  INFO("held-out loss " << scores[0] << ", accuracy " << scores[1]);
  CHECK(scores[1] >= target);

  // evaluate's accuracy is the argmax agreement of predict's output.
  const auto p = model.predict(d.x_test);
  REQUIRE(p.shape()[0] == d.x_test.shape()[0]);
  REQUIRE(p.shape()[1] == 10);
  std::size_t hits = 0;
  for (std::size_t i = 0; i < p.shape()[0]; ++i) {
    std::size_t best = 0, label = 0;
    for (std::size_t j = 1; j < 10; ++j) {
      if (p(i, j) > p(i, best)) best = j;
      if (d.y_test(i, j) > d.y_test(i, label)) label = j;
    }
    hits += best == label;
  }
  CHECK(double(hits) / double(p.shape()[0]) == Approx(scores[1]).margin(1e-9));
}

TEST_CASE("one SGD step by hand: mse on a one-unit Dense", "[training][sgd]") {
  auto model = Sequential{Input<2>{}, Dense<1>{}};
  auto& dense = model.layer<1>();
  dense.kernel()[0] = 1.0f;
  dense.kernel()[1] = 2.0f;
  dense.bias()[0] = 0.5f;
  model.compile(optimizers::SGD{.lr = 0.1f}, losses::mean_squared_error);
  xt::xtensor<float, 2> x = {{1.0f, 1.0f}};
  xt::xtensor<float, 2> y = {{0.0f}};
  // y_pred = 3.5, loss = 12.25, dloss/dy_pred = 7, so each weight moves by -0.7.
  const auto h = model.fit(x, y, {.batch_size = 1, .epochs = 1, .verbose = 0, .shuffle = false});
  CHECK(h.history.at("loss")[0] == Approx(12.25));
  CHECK(dense.kernel()[0] == Approx(0.3f));
  CHECK(dense.kernel()[1] == Approx(1.3f));
  CHECK(dense.bias()[0] == Approx(-0.2f));
}

TEST_CASE("SGD momentum, nesterov and decay follow Keras's update", "[training][sgd]") {
  for (bool nesterov : {false, true}) {
    auto model = Sequential{Input<1>{}, Dense<1, Linear, double>{}};
    auto& dense = model.layer<1>();
    dense.kernel()[0] = 1.0;
    dense.bias()[0] = 0.0;
    const double lr = 0.1, mu = 0.9, decay = 0.5;
    model.compile(
        optimizers::SGD{
            .lr = float(lr), .momentum = float(mu), .decay = float(decay), .nesterov = nesterov},
        losses::mean_squared_error);
    xt::xtensor<double, 2> x = {{2.0}};
    xt::xtensor<double, 2> y = {{1.0}};
    double k = 1.0, b = 0.0, mk = 0.0, mb = 0.0;
    const double lr_f = double(float(lr)), mu_f = double(float(mu)), decay_f = double(float(decay));
    for (int it = 0; it < 3; ++it) {
      const double err = 2 * k + b - 1.0;
      const double gk = 2 * err * 2.0, gb = 2 * err;
      const double lr_t = lr_f / (1 + decay_f * it);
      const double vk = mu_f * mk - lr_t * gk, vb = mu_f * mb - lr_t * gb;
      mk = vk, mb = vb;
      k += nesterov ? mu_f * vk - lr_t * gk : vk;
      b += nesterov ? mu_f * vb - lr_t * gb : vb;
      model.fit(x, y, {.batch_size = 1, .epochs = 1, .verbose = 0});
      INFO("nesterov " << nesterov << " step " << it);
      CHECK(dense.kernel()[0] == Approx(k).epsilon(1e-6));
      CHECK(dense.bias()[0] == Approx(b).epsilon(1e-6));
    }
  }
}

TEST_CASE("the epoch loss is the batch-size-weighted mean of batch losses", "[training]") {
  // 5 samples in batches of 2, 2, 1 with lr = 0: the weights never move, so
  // the epoch value must equal evaluate's exact per-sample mean.
  auto model = Sequential{Input<3>{}, Dense<2, Tanh>{}};
  model.compile(optimizers::SGD{.lr = 0.0f}, losses::mean_squared_error);
  xt::xtensor<float, 2> x = {{1, 2, 3}, {0, 1, 0}, {-1, 0, 2}, {3, 3, 3}, {0.5f, 0, -1}};
  xt::xtensor<float, 2> y = {{1, 0}, {0, 1}, {1, 1}, {0, 0}, {-1, 1}};
  const auto h = model.fit(x, y, {.batch_size = 2, .epochs = 1, .verbose = 0});
  const auto e = model.evaluate(x, y, {.batch_size = 5, .verbose = 0});
  CHECK(h.history.at("loss")[0] == Approx(e[0]).epsilon(1e-6));
  const auto per = losses::mean_squared_error(y, model.predict(x));
  CHECK(e[0] == Approx(xt::mean(per)()).epsilon(1e-6));
}

TEST_CASE("training is reproducible from a seed, dropout and shuffling included",
          "[training][seed]") {
  const auto& d = digits();
  auto run = [&](std::uint64_t seed) {
    utils::set_random_seed(seed);
    auto model = Sequential{Input<64>{}, Dense<16, Relu>{}, Dropout{0.3f}, Dense<10, Softmax>{}};
    model.compile(optimizers::SGD{.lr = 0.05f}, losses::categorical_crossentropy);
    auto h = model.fit(d.x_train, d.y_train, {.batch_size = 64, .epochs = 2, .verbose = 0});
    return std::make_pair(h.history.at("loss"), snapshot(model));
  };
  const auto a = run(5), b = run(5), c = run(6);
  CHECK(a.first == b.first);
  CHECK(a.second == b.second);
  CHECK(a.first != c.first);
}

TEST_CASE("bad input throws a clear error and leaves the model unchanged", "[training][errors]") {
  auto model = Sequential{Input<4>{}, Dense<3, Relu>{}, Dense<2, Softmax>{}};
  xt::xtensor<float, 2> x = xt::ones<float>({6, 4});
  xt::xtensor<float, 2> y = xt::zeros<float>({6, 2});

  CHECK_THROWS_AS(model.fit(x, y), not_compiled_error);
  CHECK_THROWS_WITH(model.evaluate(x, y), Catch::Contains("compile your model"));
  model.compile(optimizers::SGD{}, losses::categorical_crossentropy);
  const auto before = snapshot(model);

  SECTION("a wrong feature width") {
    xt::xtensor<float, 2> wide = xt::ones<float>({6, 10});
    CHECK_THROWS_MATCHES(
        model.fit(wide, y), shape_error,
        Catch::Message("Error when checking input: expected dense_1_input to have shape "
                       "(4,) but got array with shape (10,)"));
    CHECK_THROWS_AS(model.predict(wide), shape_error);
  }
  SECTION("a wrong target width") {
    xt::xtensor<float, 2> y5 = xt::zeros<float>({6, 5});
    CHECK_THROWS_MATCHES(
        model.fit(x, y5), shape_error,
        Catch::Message("Error when checking target: expected dense_2 to have shape "
                       "(2,) but got array with shape (5,)"));
  }
  SECTION("x and y row counts that differ") {
    xt::xtensor<float, 2> y5 = xt::zeros<float>({5, 2});
    CHECK_THROWS_MATCHES(
        model.fit(x, y5), shape_error,
        Catch::Message("Input arrays should have the same number of samples as target "
                       "arrays. Found 6 input samples and 5 target samples."));
  }
  SECTION("an empty x") {
    xt::xtensor<float, 2> x0 = xt::zeros<float>({0, 4});
    xt::xtensor<float, 2> y0 = xt::zeros<float>({0, 2});
    CHECK_THROWS_WITH(model.fit(x0, y0), Catch::Contains("empty"));
    CHECK(model.predict(x0).shape()[0] == 0);
  }
  SECTION("bad options") {
    CHECK_THROWS_AS(model.fit(x, y, {.batch_size = 0}), value_error);
    CHECK_THROWS_AS(model.fit(x, y, {.epochs = -1}), value_error);
    CHECK_THROWS_AS(model.fit(x, y, {.verbose = 3}), value_error);
  }
  CHECK(snapshot(model) == before);
}

TEST_CASE("fit with verbose=1 draws Keras's bar on stderr, verbose=2 one line per epoch",
          "[training][progbar]") {
  auto model = Sequential{Input<4>{}, Dense<2, Softmax>{}};
  model.compile(optimizers::SGD{}, losses::categorical_crossentropy, metrics::accuracy);
  xt::xtensor<float, 2> x = xt::ones<float>({100, 4});
  xt::xtensor<float, 2> y = xt::zeros<float>({100, 2});
  for (std::size_t i = 0; i < 100; ++i) y(i, i % 2) = 1;
  std::ostringstream captured;
  auto* old = std::cerr.rdbuf(captured.rdbuf());
  model.fit(x, y, {.batch_size = 32, .epochs = 2, .verbose = 1});
  model.fit(x, y, {.batch_size = 32, .epochs = 1, .verbose = 2});
  std::cerr.rdbuf(old);
  const std::string out = captured.str();
  INFO(out);
  CHECK(out.find("Epoch 1/2\n") != std::string::npos);
  CHECK(out.find("Epoch 2/2\n") != std::string::npos);
  CHECK(out.find(" 32/100 [========>.....................] - ETA: ") != std::string::npos);
  const std::regex final_line(
      R"(100/100 \[==============================\] - \d+s \d+(us|ms)/step - loss: \d\.\d{4} - acc: \d\.\d{4}\s*\n)");
  CHECK(std::regex_search(out, final_line));
  const std::regex v2(R"(Epoch 1/1\n - \d+s - loss: \d\.\d{4} - acc: \d\.\d{4}\n)");
  CHECK(std::regex_search(out, v2));
}
