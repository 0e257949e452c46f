// The Keras guide's sequence classifier with an LSTM, on a task whose answer
// depends on order: each sequence holds two marker tokens among random
// words, and its label is whether marker A comes before marker B.
//
//   model = Sequential()
//   model.add(Embedding(max_features, output_dim=256))
//   model.add(LSTM(128))
//   model.add(Dropout(0.5))
//   model.add(Dense(1, activation='sigmoid'))
//   model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
//   model.fit(x_train, y_train, batch_size=16, epochs=10)
//   score = model.evaluate(x_test, y_test, batch_size=16)
//
// The tokens are int32, as Keras's; the sequence length (20) is part of the
// model's type, as every shape in ketl.
//
// Usage: sequence_classification [epochs] [training sequences]
#include <cstdint>
#include <cstdlib>
#include <iostream>

#include <ketl/ketl.hpp>

constexpr std::size_t max_features = 1000, steps = 20;
constexpr std::int32_t marker_a = 1, marker_b = 2;

// n sequences of random words (3 .. max_features - 1) with A and B at two
// different random positions; y = 1 when A comes first.
static std::pair<xt::xtensor<std::int32_t, 2>, xt::xtensor<float, 2>> make_data(std::size_t n,
                                                                                ketl::Random& rng) {
  xt::xtensor<std::int32_t, 2> x({n, steps});
  xt::xtensor<float, 2> y({n, std::size_t{1}});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < steps; ++t)
      x(i, t) = std::int32_t(3 + rng.uniform(0, double(max_features - 3)));
    const auto a = std::size_t(rng.uniform(0, double(steps)));
    const auto b = (a + 1 + std::size_t(rng.uniform(0, double(steps - 1)))) % steps;
    x(i, a) = marker_a;
    x(i, b) = marker_b;
    y(i, 0) = a < b ? 1.0f : 0.0f;
  }
  return {x, y};
}

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10;
  const std::size_t n = argc > 2 ? std::size_t(std::atol(argv[2])) : 2000;
  try {
    ketl::Random rng(7);
    const auto [x_train, y_train] = make_data(n, rng);
    const auto [x_test, y_test] = make_data(500, rng);

    ketl::utils::set_random_seed(7);
    auto model = ketl::Sequential{ketl::Input<steps>::of<std::int32_t>{},
                                  ketl::Embedding<max_features, 256>{}, ketl::LSTM<128>{},
                                  ketl::Dropout{0.5f}, ketl::Dense<1, ketl::Sigmoid>{}};
    model.summary();
    model.compile(ketl::optimizers::RMSprop{}, ketl::losses::binary_crossentropy,
                  ketl::metrics::accuracy);
    model.fit(x_train, y_train, {.batch_size = 16, .epochs = epochs, .verbose = 2});
    const auto score = model.evaluate(x_test, y_test, {.batch_size = 16, .verbose = 0});
    std::cout << "held-out loss " << score[0] << ", accuracy " << score[1] << '\n';
    return 0;
  } catch (const ketl::error& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
