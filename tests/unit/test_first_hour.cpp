// A newcomer's first hour (issue 15): Keras's names as strings, labels as
// the loaders give them, callbacks made in place, History's missing keys,
// the unoptimised-build warning, and the standalone functions on Keras's
// test inputs (integer labels, rank-1 arrays, hinge's 0/1 labels).
#include <cmath>
#include <sstream>

#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

using namespace ketl;
using Catch::Matchers::Contains;

namespace {
struct Blobs {
  xt::xtensor<float, 2> x = xt::zeros<float>({60, 5});
  xt::xtensor<float, 2> onehot = xt::zeros<float>({60, 3});
  xt::xtensor<std::uint8_t, 1> labels = xt::zeros<std::uint8_t>({60});
  Blobs() {
    Random rng(4);
    for (std::size_t i = 0; i < 60; ++i) {
      const std::size_t c = i % 3;
      labels(i) = std::uint8_t(c);
      onehot(i, c) = 1;
      for (std::size_t j = 0; j < 5; ++j)
        x(i, j) = float(rng.uniform(-0.5, 0.5)) + (j == c ? 1.0f : 0.0f);
    }
  }
};

auto model3() { return Sequential{Input<5>{}, Dense<8, Tanh>{}, Dense<3, Softmax>{}}; }

template <class M>
std::vector<std::vector<float>> snapshot(const M& m) {
  std::vector<std::vector<float>> out;
  for (const auto& w : m.weights()) out.emplace_back(w.value.begin(), w.value.end());
  return out;
}
}  // namespace

TEST_CASE("compile takes Keras's names as strings, for every loss and metric",
          "[first-hour][names]") {
  const Blobs d;
  // Every loss by each of its names, against the typed loss it names.
  for (const auto& entry : losses::detail::loss_table) {
    const std::string name(entry.name);
    INFO(name);
    const bool sparse = name == "sparse_categorical_crossentropy";
    auto by_name = model3();
    auto typed = by_name;
    by_name.compile("sgd", name);
    std::visit([&](const auto& l) { typed.compile("sgd", l); }, entry.loss);
    const auto a = sparse ? by_name.evaluate(d.x, d.labels, {.verbose = 0})
                          : by_name.evaluate(d.x, d.onehot, {.verbose = 0});
    const auto b = sparse ? typed.evaluate(d.x, d.labels, {.verbose = 0})
                          : typed.evaluate(d.x, d.onehot, {.verbose = 0});
    CHECK(a == b);
  }
  // Every metric by name, beside a loss that reads y_true the same way.
  for (const auto& entry : metrics::detail::metric_table) {
    const std::string name(entry.name);
    INFO(name);
    const bool sparse = name.rfind("sparse_", 0) == 0;
    auto m = model3();
    if (sparse) {
      m.compile("adam", "sparse_categorical_crossentropy", name);
      CHECK(m.evaluate(d.x, d.labels, {.verbose = 0}).size() == 2);
    } else {
      m.compile("adam", "categorical_crossentropy", name);
      CHECK(m.evaluate(d.x, d.onehot, {.verbose = 0}).size() == 2);
    }
  }
  // The seed's first line, and names mixed with a custom metric.
  auto m = model3();
  m.compile("sgd", "mean_squared_error", "mae", "acc");
  CHECK(m.metrics_names() == std::vector<std::string>{"loss", "mean_absolute_error", "acc"});
  auto mean_pred = custom_metric("mean_pred", [](auto, auto y_pred) { return expr::mean(y_pred); });
  m.compile("rmsprop", "binary_crossentropy", "accuracy", mean_pred, std::string("ce"));
  CHECK(m.metrics_names() == std::vector<std::string>{"loss", "acc", "mean_pred", "ce"});
  CHECK_THROWS_WITH(m.compile("sgd", "mean_squared_eror"),
                    Contains("unknown loss 'mean_squared_eror'; valid names: mean_squared_error"));
  CHECK_THROWS_WITH(m.compile("sgd", "mse", "acurracy"), Contains("unknown metric 'acurracy'"));
  CHECK(m.metrics_names() == std::vector<std::string>{"loss", "acc", "mean_pred", "ce"});
}

TEST_CASE("labels in any integer or float type train the same", "[first-hour][labels]") {
  const Blobs d;
  const xt::xtensor<std::int32_t, 1> l32 = xt::cast<std::int32_t>(d.labels);
  const xt::xtensor<std::int64_t, 1> l64 = xt::cast<std::int64_t>(d.labels);
  const xt::xtensor<float, 1> lf = xt::cast<float>(d.labels);
  const xt::xtensor<std::uint8_t, 2> l_col = xt::reshape_view(d.labels, {60, 1});
  auto train = [&](const auto& y, auto loss) {
    utils::set_random_seed(9);
    auto m = model3();
    m.compile(optimizers::Adam{}, loss, metrics::accuracy);
    const auto h = m.fit(d.x, y,
                         {.batch_size = 8,
                          .epochs = 3,
                          .verbose = 0,
                          .class_weight = {{0, 1.0}, {1, 2.0}, {2, 1.0}}});
    return std::pair{snapshot(m), h.history.at("loss")};
  };
  const auto ref = train(lf, losses::sparse_categorical_crossentropy);
  CHECK(train(d.labels, losses::sparse_categorical_crossentropy) == ref);
  CHECK(train(l32, losses::sparse_categorical_crossentropy) == ref);
  CHECK(train(l64, losses::sparse_categorical_crossentropy) == ref);
  CHECK(train(l_col, losses::sparse_categorical_crossentropy) == ref);
  // One-hot targets as uint8 train as the float ones do.
  const xt::xtensor<std::uint8_t, 2> onehot8 = xt::cast<std::uint8_t>(d.onehot);
  CHECK(train(onehot8, losses::categorical_crossentropy) ==
        train(d.onehot, losses::categorical_crossentropy));
  // A label that is not a class of the output: Keras's message, nothing changes.
  auto m = model3();
  m.compile("sgd", "sparse_categorical_crossentropy");
  xt::xtensor<std::int64_t, 1> bad = l64;
  bad(7) = 3;
  CHECK_THROWS_WITH(m.fit(d.x, bad, {.verbose = 0}),
                    Contains("label 3.000000 is not an integer class"));
  // to_categorical and sample weights take them too.
  CHECK((utils::to_categorical(l32, 3) == d.onehot));
  const xt::xtensor<int, 1> w = xt::ones<int>({60});
  CHECK(m.evaluate(d.x, d.labels, {.verbose = 0, .sample_weight = w}) ==
        m.evaluate(d.x, d.labels, {.verbose = 0}));
}

TEST_CASE("standalone losses and metrics on Keras's test inputs", "[first-hour][losses]") {
  // Integer labels, (N,) and (N, 1).
  xt::xtensor<int, 1> labels = {1, 0, 2};
  xt::xtensor<int, 2> label_col = {{1}, {0}, {2}};
  xt::xtensor<float, 2> p = {{0.2f, 0.7f, 0.1f}, {0.5f, 0.3f, 0.2f}, {0.1f, 0.6f, 0.3f}};
  const auto ce = losses::sparse_categorical_crossentropy(labels, p);
  CHECK(ce(0) == Approx(-std::log(0.7)).epsilon(1e-5));
  CHECK(ce(2) == Approx(-std::log(0.3)).epsilon(1e-5));
  CHECK((losses::sparse_categorical_crossentropy(label_col, p) == ce));
  const auto acc = metrics::sparse_categorical_accuracy(labels, p);
  CHECK(acc(0) == 1.0f);
  CHECK(acc(2) == 0.0f);
  CHECK(metrics::sparse_top_k_categorical_accuracy(labels, p)(2) == 1.0f);  // k = 5
  // Rank-1 arrays: the last axis is the batch's, so one value, as in Keras.
  xt::xtensor<float, 1> t = {0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0};
  xt::xtensor<float, 1> q = {1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0};
  CHECK(metrics::precision(t, q) == Approx(0.4).margin(1e-5));
  CHECK(metrics::recall(t, q) == Approx(0.2857142857142857).margin(1e-5));
  CHECK(metrics::fmeasure(t, q) == Approx(0.3333333333333333).margin(1e-5));
  CHECK(metrics::binary_accuracy(t, q)() == Approx(6.0 / 14.0));
  CHECK(losses::mse(t, q)() == Approx(8.0 / 14.0));
  CHECK(reduce_mean(losses::mse, t, q) == Approx(8.0 / 14.0));
  // hinge and squared_hinge convert 0/1 labels to -1/1 (Keras 2.3, tf.keras).
  xt::xtensor<float, 2> yt01 = {{0, 1, 1}}, ytpm = {{-1, 1, 1}}, yp = {{0.3f, 0.8f, -0.2f}};
  CHECK(losses::hinge(yt01, yp)(0) == Approx((1.3 + 0.2 + 1.2) / 3));
  CHECK((losses::hinge(yt01, yp) == losses::hinge(ytpm, yp)));
  CHECK((losses::squared_hinge(yt01, yp) == losses::squared_hinge(ytpm, yp)));
  xt::xtensor<int, 2> yt01_int = {{0, 1, 1}};
  CHECK((losses::hinge(yt01_int, yp) == losses::hinge(ytpm, yp)));
}

TEST_CASE("callbacks made in place are owned; named ones are read after fit",
          "[first-hour][callbacks]") {
  const Blobs d;
  auto m = model3();
  m.compile("sgd", "categorical_crossentropy");
  // Keras's callbacks=[EarlyStopping(...)], with the options kept in a
  // variable first: the callback lives in the options, not on the stack.
  FitOptions<float> options{
      .epochs = 50,
      .verbose = 0,
      .callbacks = {callbacks::EarlyStopping{.monitor = "loss", .patience = 0, .baseline = -1.0}}};
  const History h1 = m.fit(d.x, d.onehot, options);
  CHECK(h1.epoch.size() == 1);  // nothing beats the baseline: stops after one epoch
  const History h2 = m.fit(d.x, d.onehot, options);  // the stored options again
  CHECK(h2.epoch.size() == 1);
  // A named callback by reference: its state is the caller's to read.
  callbacks::EarlyStopping early{.monitor = "loss", .patience = 0, .baseline = -1.0};
  m.fit(d.x, d.onehot,
        {.epochs = 50, .verbose = 0, .callbacks = {early, callbacks::TerminateOnNaN{}}});
  CHECK(early.stopped_epoch == 0);
}

TEST_CASE("History's at() names a missing key and lists the keys", "[first-hour][history]") {
  const Blobs d;
  auto m = model3();
  m.compile("sgd", "categorical_crossentropy", "mae");
  History h = m.fit(d.x, d.onehot, {.epochs = 2, .verbose = 0, .validation_split = 0.2});
  CHECK(h.history.at("val_mean_absolute_error").size() == 2);
  CHECK(h.history["loss"].size() == 2);
  std::size_t keys = 0;
  for (const auto& [name, values] : h.history) keys += values.size() == 2;
  CHECK(keys == 4);
  CHECK_THROWS_AS(h.history.at("val_mae"), value_error);
  CHECK_THROWS_WITH(h.history.at("val_mae"),
                    Contains("History has no \"val_mae\" (it has: loss, mean_absolute_error, "
                             "val_loss, val_mean_absolute_error)"));
}

TEST_CASE("a build without optimisation says so at its first fit", "[first-hour][build]") {
  const Blobs d;
  auto m = model3();
  m.compile("sgd", "categorical_crossentropy");
  auto fit_output = [&] {
    std::ostringstream out;
    callbacks::ProgbarLogger to{.out = &out};
    m.fit(d.x, d.onehot, {.verbose = 0, .callbacks = {to}});
    return out.str();
  };
  set_arch_warning(false);  // its own test below: this one must not depend on the CPU
  ketl::detail::unoptimized_warning_said() = false;
  const std::string first = fit_output(), second = fit_output();
#ifdef __OPTIMIZE__
  CHECK(first.empty());
#else
  CHECK(first == std::string(ketl::detail::unoptimized_warning_text));
  CHECK_THAT(first, Contains("ketl: built without optimisation (-O0); training runs about 100x "
                             "slower; build with -O2 or a release build type"));
#endif
  CHECK(second.empty());  // once per process
  set_unoptimized_warning(false);
  ketl::detail::unoptimized_warning_said() = false;
  CHECK(fit_output().empty());
  set_unoptimized_warning(true);
  set_arch_warning(true);
}

TEST_CASE("a build narrower than the CPU says so once", "[first-hour][build]") {
  const auto cpu = cpu_features();
  // This suite is built with -march=native: its kernels use the CPU's best.
  CHECK(cpu.compiled == std::string_view(ketl::detail::simd::arch::name()));
  CHECK(cpu.compiled_bits == xsimd::batch<float>::size * 32);
  CHECK(cpu.compiled_bits >= 128);
  CHECK_FALSE(cpu.narrower_than_cpu());
  const ketl::cpu_info sse2_on_avx2{"sse2", 128, "fma3+avx2", 256, "fma3+avx2"};
  CHECK(sse2_on_avx2.narrower_than_cpu());
  ketl::detail::arch_warning_said() = false;
  std::ostringstream first, second;
  ketl::detail::warn_if_narrow_arch(first, sse2_on_avx2);
  ketl::detail::warn_if_narrow_arch(second, sse2_on_avx2);
  CHECK(first.str() ==
        "ketl: compiled for sse2 (128-bit vectors), but this CPU has fma3+avx2 (256-bit): the "
        "GEMM uses fma3+avx2, chosen at run time, the other kernels sse2; build with "
        "-march=native (or -mavx2 -mfma) to train faster, or call ketl::set_arch_warning(false) "
        "to silence this\n");
  CHECK(second.str().empty());
  set_arch_warning(false);
  ketl::detail::arch_warning_said() = false;
  std::ostringstream off;
  ketl::detail::warn_if_narrow_arch(off, sse2_on_avx2);
  CHECK(off.str().empty());
  set_arch_warning(true);
  std::ostringstream same;
  ketl::detail::warn_if_narrow_arch(
      same, ketl::cpu_info{"fma3+avx2", 256, "fma3+avx2", 256, "fma3+avx2"});
  CHECK(same.str().empty());
}
