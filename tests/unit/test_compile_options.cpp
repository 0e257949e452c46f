// compile()'s other Keras arguments and fit's steps mode: temporal sample
// weights on (N, T, F) outputs, weighted_metrics, target_tensors,
// steps_per_epoch / validation_steps and evaluate's steps, each against
// Keras 2.2.4's formulas computed here by hand from predict(); and the
// epoch line's format with validation values.
#include <cmath>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

using namespace ketl;

namespace {
using Approx = Catch::Detail::Approx;

// N sequences of T steps of F features; a one-hot class of C per step.
template <std::size_t N, std::size_t T, std::size_t F, std::size_t C>
struct SeqData {
  xt::xtensor<float, 3> x = xt::zeros<float>({N, T, F});
  xt::xtensor<float, 3> y = xt::zeros<float>({N, T, C});
  SeqData() {
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t t = 0; t < T; ++t) {
        for (std::size_t f = 0; f < F; ++f) x(i, t, f) = std::sin(float(1 + i * 7 + t * 3 + f));
        y(i, t, (i + 2 * t) % C) = 1;
      }
  }
};

// The categorical cross-entropy of one row, as Keras's (clipped to [eps, 1 - eps]).
double cce_row(const float* yt, const float* yp, std::size_t c) {
  double s = 0;
  for (std::size_t j = 0; j < c; ++j)
    s -= double(yt[j]) * std::log(std::clamp(double(yp[j]), 1e-7, 1 - 1e-7));
  return s;
}
bool argmax_equal(const float* a, const float* b, std::size_t c) {
  return std::max_element(a, a + c) - a == std::max_element(b, b + c) - b;
}
std::vector<float> flat_weights(const auto& m) {
  std::vector<float> out;
  for (const auto& w : m.get_weights()) out.insert(out.end(), w.begin(), w.end());
  return out;
}
}  // namespace

TEST_CASE("temporal: (N, T) weights give sum(w l) / count_nonzero(w) over steps",
          "[compile-options][weights]") {
  SeqData<9, 4, 5, 3> d;
  utils::set_random_seed(3);
  auto m = Sequential{Input<4, 5>{}, Dense<3, Softmax>{}};
  m.compile("sgd", losses::categorical_crossentropy, metrics::categorical_accuracy, ketl::temporal,
            ketl::weighted_metrics(metrics::categorical_accuracy));
  CHECK(m.metrics_names() ==
        std::vector<std::string>{"loss", "categorical_accuracy", "weighted_categorical_accuracy"});
  xt::xtensor<float, 2> w = xt::ones<float>({9, 4});
  for (std::size_t i = 0; i < 9; ++i) w(i, i % 4) = 0;  // one step of each sequence ignored
  w(2, 1) = 3.5f;
  w(5, 3) = 0.25f;

  const auto p = m.predict(d.x);
  double wl = 0, wacc = 0, acc = 0, nnz = 0;
  for (std::size_t i = 0; i < 9; ++i)
    for (std::size_t t = 0; t < 4; ++t) {
      const float* yt = &d.y(i, t, 0);
      const float* yp = &p(i, t, 0);
      const double wi = w(i, t);
      wl += wi * cce_row(yt, yp, 3);
      const double a = argmax_equal(yt, yp, 3) ? 1 : 0;
      wacc += wi * a;
      acc += a;
      nnz += wi != 0;
    }
  for (std::size_t bs : {9u, 4u, 1u}) {
    INFO("batch_size " << bs);
    const auto r = m.evaluate(d.x, d.y, {.batch_size = bs, .verbose = 0, .sample_weight = w});
    if (bs == 9) {  // one batch: exactly Keras's formula
      CHECK(r[0] == Approx(wl / nnz).epsilon(1e-5));
      CHECK(r[2] == Approx(wacc / nnz).epsilon(1e-5));
    }
    CHECK(r[1] == Approx(acc / 36).epsilon(1e-5));  // plain metrics stay unweighted
  }
  // test_on_batch takes the same weights.
  const auto r = m.test_on_batch(d.x, d.y, w);
  CHECK(r[0] == Approx(wl / nnz).epsilon(1e-5));
}

TEST_CASE("temporal: a weight covers its step's rows on a (T, H, C) output",
          "[compile-options][weights]") {
  // Output (N, 2, 3, 2): Keras averages the loss over the axes after T,
  // then weighs each (sample, step).
  xt::xtensor<float, 4> x = xt::zeros<float>({5, 2, 3, 4});
  xt::xtensor<float, 4> y = xt::zeros<float>({5, 2, 3, 2});
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = std::cos(float(i));
  for (std::size_t i = 0; i < y.size() / 2; ++i) y.data()[2 * i + (i * 5 % 3 == 0)] = 1;
  utils::set_random_seed(4);
  auto m = Sequential{Input<2, 3, 4>{}, Dense<2, Softmax>{}};
  m.compile("sgd", losses::categorical_crossentropy, ketl::temporal);
  xt::xtensor<float, 2> w = {{1, 0}, {2, 1}, {0, 0}, {1, 4}, {0.5f, 1}};
  const auto p = m.predict(x);
  double num = 0, nnz = 0;
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t t = 0; t < 2; ++t) {
      double mean = 0;
      for (std::size_t h = 0; h < 3; ++h) mean += cce_row(&y(i, t, h, 0), &p(i, t, h, 0), 2) / 3;
      num += w(i, t) * mean;
      nnz += w(i, t) != 0;
    }
  const auto r = m.evaluate(x, y, {.batch_size = 5, .verbose = 0, .sample_weight = w});
  CHECK(r[0] == Approx(num / nnz).epsilon(1e-5));
}

TEST_CASE("temporal: fit ignores the targets of zero-weight steps", "[compile-options][weights]") {
  SeqData<16, 3, 4, 2> d;
  xt::xtensor<float, 2> w = xt::ones<float>({16, 3});
  for (std::size_t i = 0; i < 16; ++i) w(i, 1) = 0;
  auto other = d.y;  // other targets at step 1 only
  for (std::size_t i = 0; i < 16; ++i) std::swap(other(i, 1, 0), other(i, 1, 1));
  auto train = [&](const xt::xtensor<float, 3>& y) {
    utils::set_random_seed(11);
    auto m = Sequential{Input<3, 4>{}, Dense<5, Tanh>{}, Dense<2, Softmax>{}};
    m.compile(optimizers::Adam{}, losses::categorical_crossentropy, ketl::temporal);
    const auto h = m.fit(d.x, y,
                         {.batch_size = 5,
                          .epochs = 3,
                          .verbose = 0,
                          .validation_split = 0.25,
                          .shuffle = false,
                          .sample_weight = w});
    return std::pair{flat_weights(m), h.history.at("val_loss")};
  };
  const auto [wa, va] = train(d.y);
  const auto [wb, vb] = train(other);
  CHECK(wa == wb);  // bit-identical: step 1 never reached the gradient
  CHECK(va == vb);  // validation weights are split off the same way
  // And with all steps weighted, the targets do matter.
  w(0, 1) = 1;
  const auto [wc, vc] = train(other);
  CHECK(wc != wa);
}

TEST_CASE("temporal: bad sample weights throw Keras's messages and change nothing",
          "[compile-options][bad-input]") {
  SeqData<6, 3, 2, 2> d;
  utils::set_random_seed(5);
  auto m = Sequential{Input<3, 2>{}, Dense<2, Softmax>{}};
  m.compile("sgd", losses::categorical_crossentropy, ketl::temporal);
  const auto before = flat_weights(m);
  xt::xtensor<float, 1> w1 = xt::ones<float>({6});
  CHECK_THROWS_WITH(m.fit(d.x, d.y, {.verbose = 0, .sample_weight = w1}),
                    Catch::Contains("you should pass a 2D sample_weight array"));
  xt::xtensor<float, 2> w2 = xt::ones<float>({6, 2});
  CHECK_THROWS_WITH(m.fit(d.x, d.y, {.verbose = 0, .sample_weight = w2}),
                    Catch::Contains("shape (6, 2) for an input with shape (6, 3)"));
  xt::xtensor<float, 2> w3 = xt::ones<float>({6, 3});
  w3(1, 1) = -1;
  CHECK_THROWS_WITH(m.fit(d.x, d.y, {.verbose = 0, .sample_weight = w3}),
                    Catch::Contains("finite and >= 0"));
  CHECK_THROWS_WITH(m.fit(d.x, d.y, {.verbose = 0, .class_weight = {{0, 1.0}, {1, 2.0}}}),
                    Catch::Contains("class_weight not supported for 3+ dimensional targets"));
  CHECK(flat_weights(m) == before);
  // Without ketl::temporal, (N, T) weights are refused with Keras's hint.
  m.compile("sgd", losses::categorical_crossentropy);
  CHECK_THROWS_WITH(m.fit(d.x, d.y, {.verbose = 0, .sample_weight = w3}),
                    Catch::Contains("sample_weight_mode=\"temporal\""));
  CHECK(flat_weights(m) == before);
}

TEST_CASE("weighted_metrics: weighted as the loss is, after the plain ones",
          "[compile-options][metrics]") {
  // 12 samples, 4 classes.
  xt::xtensor<float, 2> x = xt::zeros<float>({12, 3});
  xt::xtensor<float, 2> y = xt::zeros<float>({12, 4});
  for (std::size_t i = 0; i < 12; ++i) {
    for (std::size_t j = 0; j < 3; ++j) x(i, j) = std::sin(float(i * 3 + j));
    y(i, (i * 7) % 4) = 1;
  }
  xt::xtensor<float, 1> w = {1, 0, 2, 1, 0.5f, 3, 0, 1, 1, 2, 1, 4};
  utils::set_random_seed(8);
  auto m = Sequential{Input<3>{}, Dense<4, Softmax>{}};
  // Typed, by name, and a loss as a metric; weighted and plain, in any order.
  m.compile("sgd", losses::categorical_crossentropy,
            ketl::weighted_metrics(metrics::accuracy, metrics::get("mae")), metrics::accuracy,
            metrics::top_k_categorical_accuracy);
  CHECK(m.metrics_names() == std::vector<std::string>{"loss", "acc", "top_k_categorical_accuracy",
                                                      "weighted_acc",
                                                      "weighted_mean_absolute_error"});
  const auto p = m.predict(x);
  double acc = 0, wacc = 0, mae_sum = 0, wmae = 0, nnz = 0;
  for (std::size_t i = 0; i < 12; ++i) {
    const double a = argmax_equal(&y(i, 0), &p(i, 0), 4) ? 1 : 0;
    double mae = 0;
    for (std::size_t j = 0; j < 4; ++j) mae += std::abs(double(y(i, j)) - double(p(i, j))) / 4;
    acc += a;
    mae_sum += mae;
    wacc += w(i) * a;
    wmae += w(i) * mae;
    nnz += w(i) != 0;
  }
  // 12 rows: SIMD lanes and a scalar tail both carry the weights.
  const auto r = m.evaluate(x, y, {.batch_size = 12, .verbose = 0, .sample_weight = w});
  CHECK(r[1] == Approx(acc / 12).epsilon(1e-6));
  CHECK(r[3] == Approx(wacc / nnz).epsilon(1e-6));
  CHECK(r[4] == Approx(wmae / nnz).epsilon(1e-5));
  // Without sample weights, a weighted metric is the plain mean.
  const auto u = m.evaluate(x, y, {.batch_size = 12, .verbose = 0});
  CHECK(u[3] == Approx(u[1]).epsilon(1e-6));
  CHECK(u[4] == Approx(mae_sum / 12).epsilon(1e-5));
  // test_on_batch weighs them too.
  const auto tb = m.test_on_batch(x, y, w);
  CHECK(tb[3] == Approx(wacc / nnz).epsilon(1e-6));
}

// Metrics whose number is known at run time (a file's list): one
// std::vector<metrics::AnyMetric>, plain or weighted, gives what the same
// metrics given one by one give, in the same order.
TEST_CASE("a run-time list of metrics reports as the metrics given one by one",
          "[compile-options][metrics]") {
  xt::xtensor<float, 2> x = xt::zeros<float>({13, 3});
  xt::xtensor<float, 2> y = xt::zeros<float>({13, 4});
  for (std::size_t i = 0; i < 13; ++i) {
    for (std::size_t j = 0; j < 3; ++j) x(i, j) = std::cos(float(i * 3 + j));
    y(i, (i * 5) % 4) = 1;
  }
  xt::xtensor<float, 1> w = xt::ones<float>({13});
  w(2) = 0, w(7) = 2.5f, w(11) = 0.5f;
  const std::vector<std::string> names = {"acc", "mae", "top_k_categorical_accuracy", "ce"};
  std::vector<metrics::AnyMetric> plain, weighted;
  for (const auto& n : names) plain.push_back(metrics::get(n));
  weighted = {metrics::get("mse"), metrics::get("acc")};
  utils::set_random_seed(4);
  auto listed = Sequential{Input<3>{}, Dense<4, Softmax>{}};
  utils::set_random_seed(4);
  auto one_by_one = Sequential{Input<3>{}, Dense<4, Softmax>{}};
  listed.compile("sgd", "categorical_crossentropy", plain, ketl::weighted_metrics(weighted));
  one_by_one.compile("sgd", "categorical_crossentropy", "acc", "mae", "top_k_categorical_accuracy",
                     "ce", ketl::weighted_metrics("mse", "acc"));
  CHECK(listed.metrics_names() ==
        std::vector<std::string>{"loss", "acc", "mean_absolute_error", "top_k_categorical_accuracy",
                                 "ce", "weighted_mean_squared_error", "weighted_acc"});
  CHECK(listed.metrics_names() == one_by_one.metrics_names());
  for (std::size_t bs : {13u, 4u}) {
    const auto a = listed.evaluate(x, y, {.batch_size = bs, .verbose = 0, .sample_weight = w});
    const auto b = one_by_one.evaluate(x, y, {.batch_size = bs, .verbose = 0, .sample_weight = w});
    REQUIRE(a.size() == 7);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == Approx(b[i]).epsilon(1e-6));
    CHECK(a[6] != Approx(a[1]));  // weighted accuracy differs from the plain one here
  }
  const auto h = listed.fit(x, y, {.batch_size = 4, .epochs = 2, .verbose = 0, .sample_weight = w});
  const auto g =
      one_by_one.fit(x, y, {.batch_size = 4, .epochs = 2, .verbose = 0, .sample_weight = w});
  for (const auto& n : names) CHECK(h.history.count(n == "mae" ? "mean_absolute_error" : n) == 1);
  CHECK(h.history.at("weighted_acc") == g.history.at("weighted_acc"));
  CHECK(h.history.at("top_k_categorical_accuracy") == g.history.at("top_k_categorical_accuracy"));
}

TEST_CASE("weighted_metrics: a batch-wise metric scales by sum(w) / count_nonzero(w)",
          "[compile-options][metrics]") {
  xt::xtensor<float, 2> x = xt::zeros<float>({10, 2});
  xt::xtensor<float, 2> y = xt::zeros<float>({10, 1});
  for (std::size_t i = 0; i < 10; ++i) {
    x(i, 0) = float(i) / 5 - 1;
    x(i, 1) = std::cos(float(i));
    y(i, 0) = i % 3 == 0 ? 1 : 0;
  }
  xt::xtensor<float, 1> w = {1, 2, 0, 1, 1, 3, 0, 1, 2, 1};
  auto m = Sequential{Input<2>{}, Dense<1, Sigmoid>{}};
  // p > 0.5 exactly where x0 < 0 (samples 0-4): precision 2/5.
  xt::xarray<float> kernel = xt::zeros<float>({2, 1}), bias = xt::zeros<float>({1});
  kernel(0, 0) = -2;
  m.set_weights({kernel, bias});
  m.compile("sgd", losses::binary_crossentropy, metrics::precision,
            ketl::weighted_metrics(metrics::precision));
  const auto r = m.evaluate(x, y, {.batch_size = 10, .verbose = 0, .sample_weight = w});
  double sw = 0, nnz = 0;
  for (float v : w) sw += v, nnz += v != 0;
  CHECK(r[1] == Approx(0.4).epsilon(1e-6));
  CHECK(r[2] == Approx(0.4 * sw / nnz).epsilon(1e-6));
}

TEST_CASE("target_tensors: fit(x), evaluate(x) and *_on_batch(x) use the bound targets",
          "[compile-options]") {
  xt::xtensor<float, 2> x = xt::zeros<float>({20, 3});
  xt::xtensor<float, 1> labels = xt::zeros<float>({20});
  for (std::size_t i = 0; i < 20; ++i) {
    for (std::size_t j = 0; j < 3; ++j) x(i, j) = std::sin(float(i + 5 * j));
    labels(i) = float(i % 3);
  }
  utils::set_random_seed(12);
  auto a = Sequential{Input<3>{}, Dense<4, Relu>{}, Dense<3, Softmax>{}};
  auto b = a;  // the same initial weights
  a.compile("adam", losses::sparse_categorical_crossentropy, metrics::accuracy);
  b.compile("adam", losses::sparse_categorical_crossentropy, metrics::accuracy,
            ketl::target_tensors(labels));
  const auto ha = a.fit(x, labels, {.batch_size = 6, .epochs = 3, .verbose = 0, .shuffle = false});
  const auto hb = b.fit(x, {.batch_size = 6, .epochs = 3, .verbose = 0, .shuffle = false});
  CHECK(ha.history == hb.history);
  CHECK(flat_weights(a) == flat_weights(b));
  CHECK(a.evaluate(x, labels, {.verbose = 0}) == b.evaluate(x, {.verbose = 0}));
  CHECK(a.test_on_batch(x, labels) == b.test_on_batch(x));
  CHECK(a.train_on_batch(x, labels) == b.train_on_batch(x));

  // A y next to bound targets is refused, as Keras's "expected no data".
  CHECK_THROWS_WITH(b.fit(x, labels, {.verbose = 0}), Catch::Contains("takes no y"));
  CHECK_THROWS_WITH(b.evaluate(x, labels, {.verbose = 0}), Catch::Contains("takes no y"));
  // Without bound targets, fit(x) says what is missing.
  CHECK_THROWS_WITH(a.fit(x, {.verbose = 0}), Catch::Contains("no y was given"));
  // Bound targets must fit the output and the loss: a failed compile keeps
  // the model as it was (b stays compiled with its targets).
  xt::xtensor<float, 1> bad = labels;
  bad(3) = 7;
  CHECK_THROWS_AS(
      b.compile("adam", losses::sparse_categorical_crossentropy, ketl::target_tensors(bad)),
      value_error);
  xt::xtensor<float, 2> wide = xt::zeros<float>({20, 5});
  CHECK_THROWS_WITH(
      b.compile("adam", losses::categorical_crossentropy, ketl::target_tensors(wide)),
      Catch::Contains("expected dense_2 to have shape (3,) but got array with shape (5,)"));
  CHECK(b.metrics_names() == std::vector<std::string>{"loss", "acc"});
  CHECK_NOTHROW(b.evaluate(x, {.verbose = 0}));
  // Targets of another row count than x fail at fit, as arrays would.
  xt::xtensor<float, 2> x_short = xt::view(x, xt::range(0, 10), xt::all());
  CHECK_THROWS_WITH(b.fit(x_short, {.verbose = 0}),
                    Catch::Contains("Found 10 input samples and 20"));
  // Compiling again without target_tensors unbinds them.
  b.compile("adam", losses::sparse_categorical_crossentropy);
  CHECK_NOTHROW(b.evaluate(x, labels, {.verbose = 0}));
}

TEST_CASE("steps_per_epoch: each step trains on the whole arrays; validation_steps",
          "[compile-options][training]") {
  xt::xtensor<float, 2> x = xt::zeros<float>({15, 2});
  xt::xtensor<float, 2> y = xt::zeros<float>({15, 1});
  for (std::size_t i = 0; i < 15; ++i) {
    x(i, 0) = float(i) / 7 - 1;
    x(i, 1) = std::sin(float(i));
    y(i, 0) = 0.5f * x(i, 0) - x(i, 1);
  }
  xt::xtensor<float, 2> vx = x * 0.5f;
  xt::xtensor<float, 2> vy = y * 0.5f;
  utils::set_random_seed(13);
  auto a = Sequential{Input<2>{}, Dense<3, Tanh>{}, Dense<1>{}};
  auto b = a;
  a.compile(optimizers::SGD{.lr = 0.1f}, losses::mean_squared_error, losses::mae);
  b.compile(optimizers::SGD{.lr = 0.1f}, losses::mean_squared_error, losses::mae);

  struct Sizes {
    std::vector<double> sizes = {};
    void on_batch_end(int, const Logs& logs) { sizes.push_back(logs.at("size")); }
  } sizes;
  const auto h = a.fit(x, y,
                       {.epochs = 2,
                        .verbose = 0,
                        .callbacks = {sizes},
                        .validation_data = ValidationData<float>{vx, vy},
                        .steps_per_epoch = 3,
                        .validation_steps = 2});
  // The same as three full-batch train_on_batch calls per epoch; the epoch's
  // values are the mean over steps (BaseLogger counts each step as 1).
  for (int epoch = 0; epoch < 2; ++epoch) {
    double loss = 0, mae = 0;
    for (int s = 0; s < 3; ++s) {
      const auto r = b.train_on_batch(x, y);
      loss += r[0] / 3;
      mae += r[1] / 3;
    }
    CHECK(h.history.at("loss")[std::size_t(epoch)] == Approx(loss).epsilon(1e-6));
    CHECK(h.history.at("mean_absolute_error")[std::size_t(epoch)] == Approx(mae).epsilon(1e-6));
    const auto v = b.test_on_batch(vx, vy);
    CHECK(h.history.at("val_loss")[std::size_t(epoch)] == Approx(v[0]).epsilon(1e-6));
  }
  CHECK(flat_weights(a) == flat_weights(b));
  CHECK(sizes.sizes == std::vector<double>(6, 1.0));
  // evaluate's steps: the mean over steps of whole-array passes.
  CHECK(a.evaluate(x, y, {.verbose = 0, .steps = 4})[0] ==
        Approx(a.test_on_batch(x, y)[0]).epsilon(1e-6));

  // The progress bar counts steps.
  std::ostringstream log;
  struct Redirect {
    std::ostream* os;
    void set_model(ModelHandle& m) { m.set_output(*os); }
  } redirect{&log};
  a.fit(x, y, {.epochs = 1, .verbose = 1, .callbacks = {redirect}, .steps_per_epoch = 3});
  CHECK_THAT(log.str(), Catch::Contains("3/3 ["));

  // Keras's argument checks, before anything changes.
  const auto before = flat_weights(a);
  CHECK_THROWS_WITH(a.fit(x, y, {.batch_size = 5, .verbose = 0, .steps_per_epoch = 2}),
                    Catch::Contains("If steps_per_epoch is set, the `batch_size` must be None."));
  CHECK_THROWS_WITH(a.fit(x, y, {.verbose = 0, .validation_steps = 2}),
                    Catch::Contains("Can only use `validation_steps` when doing step-wise"));
  CHECK_THROWS_WITH(a.fit(x, y, {.verbose = 0, .validation_split = 0.2, .steps_per_epoch = 2}),
                    Catch::Contains("Must specify `validation_steps`"));
  CHECK_THROWS_WITH(a.fit(x, y, {.verbose = 0, .steps_per_epoch = 0}),
                    Catch::Contains("steps_per_epoch must be positive"));
  CHECK_THROWS_WITH(a.evaluate(x, y, {.batch_size = 3, .verbose = 0, .steps = 2}),
                    Catch::Contains("If steps is set, the `batch_size` must be None."));
  CHECK(flat_weights(a) == before);
}

TEST_CASE("verbose 2 prints Keras's epoch line, val_ values included",
          "[compile-options][progbar]") {
  xt::xtensor<float, 2> x = xt::zeros<float>({20, 2});
  xt::xtensor<float, 2> y = xt::zeros<float>({20, 2});
  for (std::size_t i = 0; i < 20; ++i) {
    x(i, 0) = std::sin(float(i));
    x(i, 1) = std::cos(float(i));
    y(i, i % 2) = 1;
  }
  utils::set_random_seed(14);
  auto m = Sequential{Input<2>{}, Dense<2, Softmax>{}};
  m.compile("sgd", losses::categorical_crossentropy, metrics::accuracy);
  std::ostringstream log;
  struct Redirect {
    std::ostream* os;
    void set_model(ModelHandle& h) { h.set_output(*os); }
  } redirect{&log};
  m.fit(x, y,
        {.batch_size = 4,
         .epochs = 2,
         .verbose = 2,
         .callbacks = {redirect},
         .validation_split = 0.25});
  // Keras 2.2.4: "Train on ..." once, then per epoch "Epoch i/n" and
  // " - {t}s - name: value ..." with %.4f values (%.4e at or under 1e-3).
  const std::string v = R"((\d+\.\d{4}|\d\.\d{4}e[-+]\d\d))";
  const std::regex want(
      "Train on 15 samples, validate on 5 samples\n"
      "Epoch 1/2\n - \\d+s - loss: " +
      v + " - acc: " + v + " - val_loss: " + v + " - val_acc: " + v +
      "\n"
      "Epoch 2/2\n - \\d+s - loss: " +
      v + " - acc: " + v + " - val_loss: " + v + " - val_acc: " + v + "\n");
  INFO(log.str());
  CHECK(std::regex_match(log.str(), want));
}
