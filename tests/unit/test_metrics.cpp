// Every Keras metric against hand-computed values and Keras's test vectors,
// the "acc" resolution rule, and metrics reported by a compiled model.
#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

using namespace ketl;

namespace {
// A batch-wise metric's value on (y_true, y_pred), through the engine's kernel.
template <class M>
double batch_value(const M& m, const xt::xtensor<double, 2>& yt, const xt::xtensor<double, 2>& yp) {
  auto k = ketl::detail::make_metric_kernel(m);
  k.begin();
  const std::size_t cols = yp.shape()[1];
  for (std::size_t r = 0; r < yp.shape()[0]; ++r)
    k.add(expr::row_ref<double>{yt.data() + r * cols, yp.data() + r * cols, cols, cols});
  return k.template result<double>();
}
}  // namespace

TEST_CASE("accuracies", "[metrics]") {
  xt::xtensor<double, 2> yt = {{0, 1, 0}, {1, 0, 0}, {0, 0, 1}};
  xt::xtensor<double, 2> yp = {{0.1, 0.8, 0.1}, {0.3, 0.3, 0.4}, {0.5, 0.0, 0.5}};
  const auto acc = metrics::categorical_accuracy(yt, yp);
  CHECK(acc(0) == 1.0);
  CHECK(acc(1) == 0.0);
  CHECK(acc(2) == 0.0);  // a tie in y_pred picks the first index, as tf.argmax

  xt::xtensor<double, 1> labels = {1, 0, 2};
  xt::xtensor<double, 2> label_column = {{1}, {0}, {2}};
  const auto sparse = metrics::sparse_categorical_accuracy(labels, yp);
  CHECK(sparse(0) == 1.0);
  CHECK(sparse(1) == 0.0);
  CHECK(metrics::sparse_categorical_accuracy(label_column, yp)(0) == 1.0);

  xt::xtensor<double, 2> bt = {{1, 0, 1, 0}};
  xt::xtensor<double, 2> bp = {{0.6, 0.5, 0.4, 1.7}};
  CHECK(metrics::binary_accuracy(bt, bp)(0) == 0.5);  // 0.5 is not > 0.5; 1.7 is
  CHECK(metrics::BinaryAccuracy{.threshold = 0.3}(bt, bp)(0) == 0.5);
}

TEST_CASE("top-k accuracy counts ties as in, as tf.nn.in_top_k", "[metrics]") {
  xt::xtensor<double, 2> yt = {{0, 0, 1, 0}, {0, 0, 1, 0}, {1, 0, 0, 0}};
  xt::xtensor<double, 2> yp = {{0.4, 0.3, 0.2, 0.1}, {0.3, 0.3, 0.3, 0.1}, {0.1, 0.2, 0.3, 0.4}};
  const metrics::TopKCategoricalAccuracy top2{.k = 2};
  const auto v = top2(yt, yp);
  CHECK(v(0) == 0.0);  // class 2 is third
  CHECK(v(1) == 1.0);  // three-way tie for first: nobody scores higher
  CHECK(v(2) == 0.0);  // class 0 is last
  CHECK(metrics::top_k_categorical_accuracy(yt, yp)(2) == 1.0);  // k = 5 covers 4 classes
  xt::xtensor<double, 1> labels = {2, 2, 0};
  CHECK(metrics::SparseTopKCategoricalAccuracy{.k = 3}(labels, yp)(0) == 1.0);
  CHECK(metrics::SparseTopKCategoricalAccuracy{.k = 2}(labels, yp)(0) == 0.0);
}

TEST_CASE("batch-wise precision, recall, fbeta and fmeasure: Keras 1.2.2's test vectors",
          "[metrics]") {
  const std::vector<double> t = {0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0};
  const std::vector<double> p = {1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0};
  auto yt = xt::xtensor<double, 2>::from_shape({t.size(), 1}), yp = yt;
  std::copy(t.begin(), t.end(), yt.begin());
  std::copy(p.begin(), p.end(), yp.begin());
  CHECK(batch_value(metrics::precision, yt, yp) == Approx(0.4).margin(1e-5));
  CHECK(batch_value(metrics::recall, yt, yp) == Approx(0.2857142857142857).margin(1e-5));
  CHECK(batch_value(metrics::FbetaScore{.beta = 2}, yt, yp) ==
        Approx(0.30303030303030304).margin(1e-5));
  CHECK(batch_value(metrics::fmeasure, yt, yp) == Approx(0.3333333333333333).margin(1e-5));
  xt::xtensor<double, 2> none = xt::zeros<double>({3, 1});
  CHECK(batch_value(metrics::fmeasure, none, none) == 0.0);  // no positives in y_true
  CHECK_THROWS_AS(metrics::FbetaScore{.beta = -1}.expression(), value_error);
}

TEST_CASE("a compiled model reports metrics under Keras's names, resolving acc",
          "[metrics][compile]") {
  xt::xtensor<float, 2> x = {{1, 0}, {0, 1}, {1, 1}, {0, 0}};
  SECTION("categorical") {
    auto m = Sequential{Input<2>{}, Dense<3, Softmax>{}};
    m.compile(optimizers::SGD{}, losses::categorical_crossentropy, metrics::accuracy,
              metrics::top_k_categorical_accuracy, losses::mae, metrics::ce);
    CHECK(m.metrics_names() == std::vector<std::string>{"loss", "acc", "top_k_categorical_accuracy",
                                                        "mean_absolute_error", "ce"});
    xt::xtensor<float, 2> y = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}};
    const auto scores = m.evaluate(x, y, {.verbose = 0});
    REQUIRE(scores.size() == 5);
    CHECK(scores[4] == Approx(scores[0]));  // "ce" resolves to the loss itself
    const auto p = m.predict(x);
    CHECK(scores[3] == Approx(xt::mean(losses::mae(y, p))()).epsilon(1e-6));
    CHECK(scores[2] == 1.0);  // 3 classes, k = 5
  }
  SECTION("sparse labels give sparse accuracy") {
    auto m = Sequential{Input<2>{}, Dense<3, Softmax>{}};
    m.compile(optimizers::SGD{}, losses::sparse_categorical_crossentropy, metrics::accuracy);
    xt::xtensor<float, 1> labels = {0, 1, 2, 0};
    const auto scores = m.evaluate(x, labels, {.verbose = 0});
    const auto p = m.predict(x);
    double hits = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      std::size_t best = 0;
      for (std::size_t j = 1; j < 3; ++j)
        if (p(i, j) > p(i, best)) best = j;
      hits += double(float(best) == labels(i));
    }
    CHECK(scores[1] == Approx(hits / 4));
    xt::xtensor<float, 1> bad = {0, 1, 3, 0};
    CHECK_THROWS_WITH(m.evaluate(x, bad, {.verbose = 0}),
                      Catch::Contains("is not an integer class in [0, 3)"));
  }
  SECTION("a one-unit output gives binary accuracy") {
    auto m = Sequential{Input<2>{}, Dense<1, Sigmoid>{}};
    m.compile(optimizers::SGD{}, losses::binary_crossentropy, metrics::acc, metrics::precision,
              metrics::recall);
    xt::xtensor<float, 2> y = {{1}, {0}, {1}, {0}};
    const auto scores = m.evaluate(x, y, {.batch_size = 4, .verbose = 0});
    const auto p = m.predict(x);
    double hits = 0;
    for (std::size_t i = 0; i < 4; ++i) hits += double((p(i, 0) > 0.5f) == (y(i, 0) == 1.0f));
    CHECK(scores[1] == Approx(hits / 4));
    CHECK(m.metrics_names() == std::vector<std::string>{"loss", "acc", "precision", "recall"});
  }
}

TEST_CASE("a one-hot loss given integer labels says what to do", "[metrics][errors]") {
  auto m = Sequential{Input<2>{}, Dense<3, Softmax>{}};
  m.compile(optimizers::SGD{}, losses::categorical_crossentropy);
  xt::xtensor<float, 2> x = {{1, 0}, {0, 1}};
  xt::xtensor<float, 1> labels = {0, 2};
  CHECK_THROWS_WITH(
      m.fit(x, labels, {.verbose = 0}),
      Catch::Contains("expected dense_1 to have shape (3,) but got array with shape ()") &&
          Catch::Contains("use sparse_categorical_crossentropy"));
}

TEST_CASE("evaluate does not depend on the batch size, for one-hot and integer targets",
          "[metrics][evaluate]") {
  // Regression: integer labels were read at the output's row width after the
  // first batch.
  const auto all = datasets::digits::load_csv(KETL_TEST_DATA_DIR "/digits.csv");
  const xt::xtensor<float, 2> x = xt::view(all.x / 16.0f, xt::range(0, 100), xt::all());
  const xt::xtensor<float, 1> labels = xt::cast<float>(xt::view(all.y, xt::range(0, 100)));
  const xt::xtensor<float, 2> onehot = utils::to_categorical(labels, 10);
  utils::set_random_seed(4);
  auto sparse = Sequential{Input<64>{}, Dense<10, Softmax>{}};
  auto dense = sparse;
  sparse.compile(optimizers::SGD{}, losses::sparse_categorical_crossentropy, metrics::accuracy);
  dense.compile(optimizers::SGD{}, losses::categorical_crossentropy, metrics::accuracy);
  const auto ref = dense.evaluate(x, onehot, {.batch_size = 100, .verbose = 0});
  for (std::size_t bs : {1, 7, 32, 1000}) {
    INFO("batch_size " << bs);
    const auto s = sparse.evaluate(x, labels, {.batch_size = bs, .verbose = 0});
    const auto d = dense.evaluate(x, onehot, {.batch_size = bs, .verbose = 0});
    CHECK(d[0] == Approx(ref[0]).epsilon(1e-5));
    CHECK(d[1] == Approx(ref[1]).epsilon(1e-9));
    CHECK(s[0] == Approx(ref[0]).epsilon(1e-5));  // probabilities need no clipping here: same loss
    CHECK(s[1] == Approx(ref[1]).epsilon(1e-9));
  }
}
