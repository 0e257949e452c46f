// Losses and metrics by their Keras names, at run time and at compile time.
#include <catch2/catch.hpp>

#include <ketl/ketl.hpp>

using namespace ketl;

namespace {
xt::xtensor<float, 2> x = {{1, 0}, {0, 1}, {1, 1}, {0.5f, -1}};
xt::xtensor<float, 2> y = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}};

template <class Loss, class... M>
std::vector<double> scores(Loss loss, M... metrics) {
  utils::set_random_seed(11);
  auto m = Sequential{Input<2>{}, Dense<3, Softmax>{}};
  m.compile(optimizers::SGD{}, loss, metrics...);
  return m.evaluate(x, y, {.verbose = 0});
}
}  // namespace

TEST_CASE("run-time names give the same step as the types", "[names]") {
  const auto typed = scores(losses::categorical_crossentropy, metrics::accuracy, losses::mae,
                            metrics::top_k_categorical_accuracy);
  const auto by_name = scores(losses::get("categorical_crossentropy"), metrics::get("acc"),
                              metrics::get("mae"), metrics::get("top_k_categorical_accuracy"));
  const auto at_compile_time =
      scores(losses::named<"categorical_crossentropy">, metrics::named<"accuracy">,
             metrics::named<"mae">, metrics::named<"top_k_categorical_accuracy">);
  REQUIRE(typed.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(by_name[i] == Approx(typed[i]).epsilon(1e-6));
    CHECK(at_compile_time[i] == Approx(typed[i]).epsilon(1e-6));
  }
}

TEST_CASE("every Keras loss name and alias resolves", "[names]") {
  for (const char* n : {"mean_squared_error",
                        "mse",
                        "MSE",
                        "mae",
                        "mape",
                        "msle",
                        "squared_hinge",
                        "hinge",
                        "categorical_hinge",
                        "logcosh",
                        "huber",
                        "huber_loss",
                        "categorical_crossentropy",
                        "sparse_categorical_crossentropy",
                        "binary_crossentropy",
                        "kullback_leibler_divergence",
                        "kld",
                        "poisson",
                        "cosine_proximity",
                        "cosine",
                        "cosine_similarity"})
    CHECK_NOTHROW(losses::get(n));
  CHECK(std::visit([](const auto& l) { return std::string(l.name()); }, losses::get("mse")) ==
        "mean_squared_error");
  STATIC_REQUIRE(
      std::is_same_v<std::remove_cvref_t<decltype(losses::named<"kld">)>, losses::KLDivergence>);
  for (const char* n : {"acc", "accuracy", "ce", "binary_accuracy", "categorical_accuracy",
                        "sparse_categorical_accuracy", "top_k_categorical_accuracy",
                        "sparse_top_k_categorical_accuracy", "precision", "recall", "fbeta_score",
                        "fmeasure", "mse", "cosine"})
    CHECK_NOTHROW(metrics::get(n));
}

TEST_CASE("an unknown name throws and lists the valid ones", "[names][errors]") {
  CHECK_THROWS_WITH(losses::get("categorical_crossentrophy"),
                    Catch::Contains("unknown loss 'categorical_crossentrophy'") &&
                        Catch::Contains("valid names: mean_squared_error, mse"));
  CHECK_THROWS_WITH(metrics::get("acuracy"), Catch::Contains("unknown metric 'acuracy'") &&
                                                 Catch::Contains("acc, accuracy"));
}

TEST_CASE(
    "run-time names get the compile-time checks at run time, and a failed compile changes nothing",
    "[names][errors]") {
  auto one_unit = Sequential{Input<2>{}, Dense<1, Sigmoid>{}};
  CHECK_THROWS_WITH(one_unit.compile(optimizers::SGD{}, losses::get("categorical_crossentropy")),
                    Catch::Contains("needs one output unit per class"));
  CHECK_FALSE(one_unit.compiled());

  auto m = Sequential{Input<2>{}, Dense<3, Softmax>{}};
  m.compile(optimizers::SGD{}, losses::mse);
  CHECK_THROWS_WITH(m.compile(optimizers::SGD{}, losses::get("sparse_categorical_crossentropy"),
                              metrics::get("categorical_accuracy")),
                    Catch::Contains("reads y_true differently"));
  CHECK(m.metrics_names() == std::vector<std::string>{"loss"});  // still the earlier compile
}
