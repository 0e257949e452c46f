// to_categorical against Keras's np_utils tests (shapes with
// num_classes=5), inference of num_classes, and out-of-range labels.
#include <catch2/catch.hpp>

#include <ketl/utils/to_categorical.hpp>

using ketl::utils::to_categorical;

TEST_CASE("to_categorical shapes follow Keras's np_utils_test table", "[to_categorical]") {
  const std::vector<std::vector<std::size_t>> in = {{1}, {3}, {4, 3}, {5, 4, 3}, {3, 1}, {3, 2, 1}};
  const std::vector<std::vector<std::size_t>> out = {{1, 5},       {3, 5}, {4, 3, 5},
                                                     {5, 4, 3, 5}, {3, 5}, {3, 2, 5}};
  for (std::size_t c = 0; c < in.size(); ++c) {
    auto labels = xt::xarray<int>::from_shape(in[c]);
    for (std::size_t i = 0; i < labels.size(); ++i) labels.data()[i] = int(i % 5);
    const auto one_hot = to_categorical(labels, 5);
    CHECK(std::vector<std::size_t>(one_hot.shape().begin(), one_hot.shape().end()) == out[c]);
    // One 1 per label, at the label's column.
    for (std::size_t i = 0; i < labels.size(); ++i)
      for (std::size_t k = 0; k < 5; ++k)
        REQUIRE(one_hot.data()[i * 5 + k] == (k == i % 5 ? 1.0f : 0.0f));
  }
}

TEST_CASE("to_categorical on a 1-D xtensor gives a static-rank (N, C) tensor", "[to_categorical]") {
  xt::xtensor<std::uint8_t, 1> y = {2, 0, 1};
  const xt::xtensor<float, 2> one_hot = to_categorical(y);  // num_classes inferred: max + 1 = 3
  CHECK((one_hot == xt::xtensor<float, 2>{{0, 0, 1}, {1, 0, 0}, {0, 1, 0}}));
  xt::xtensor<float, 1> floats = {1.9f, 0.2f};  // truncated, as np.array(y, dtype='int')
  CHECK((to_categorical(floats, 3) == xt::xtensor<float, 2>{{0, 1, 0}, {1, 0, 0}}));
  xt::xtensor<int, 2> column = {{1}, {0}};
  CHECK((to_categorical(column, 2) == xt::xarray<float>{{0, 1}, {1, 0}}));
}

TEST_CASE("to_categorical rejects labels out of range", "[to_categorical]") {
  xt::xtensor<int, 1> y = {0, 5};
  CHECK_THROWS_WITH(to_categorical(y, 5),
                    Catch::Contains("label 5 is out of range for num_classes=5"));
  xt::xtensor<int, 1> neg = {0, -1};
  CHECK_THROWS_WITH(to_categorical(neg, 5), Catch::Contains("negative"));
}
