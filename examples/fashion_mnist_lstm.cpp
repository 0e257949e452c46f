// An LSTM reads each Fashion-MNIST image as a sequence of its 28 rows (28
// timesteps of 28 pixels), and a Dense softmax classifies its last state:
//
//   model = Sequential([LSTM(128, input_shape=(28, 28)),
//                       Dense(10, activation='softmax')])
//   model.compile(Adam(), 'categorical_crossentropy', metrics=['accuracy'])
//   model.fit(x_train, y_train, batch_size=32, epochs=5, validation_data=(x_test, y_test))
//
// Usage: fashion_mnist_lstm [epochs] [training samples] [batch size] [data directory]
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <ketl/ketl.hpp>

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 5;
  const long samples = argc > 2 ? std::atol(argv[2]) : 0;  // 0: all 60,000
  const std::size_t batch = argc > 3 ? std::size_t(std::atol(argv[3])) : 32;
  const std::string dir = argc > 4 ? argv[4] : ketl::datasets::fashion_mnist::default_directory;
  try {
    auto [train, test] = ketl::datasets::fashion_mnist::load_data(dir);

    // (N, 28, 28) uint8 pixels to floats in [0, 1]: row r is timestep r.
    auto sequences = [](const xt::xtensor<std::uint8_t, 3>& x, std::size_t n) {
      return xt::xtensor<float, 3>(xt::cast<float>(xt::view(x, xt::range(0, n))) / 255.0f);
    };
    const std::size_t n =
        samples > 0 ? std::min<std::size_t>(std::size_t(samples), train.y.size()) : train.y.size();
    const auto x_train = sequences(train.x, n), x_test = sequences(test.x, test.y.size());
    const xt::xtensor<std::uint8_t, 1> labels = xt::view(train.y, xt::range(0, n));
    const auto y_train = ketl::utils::to_categorical(labels, 10);
    const auto y_test = ketl::utils::to_categorical(test.y, 10);

    ketl::utils::set_random_seed(2024);
    auto model = ketl::Sequential{ketl::Input<28, 28>{}, ketl::LSTM<128>{},
                                  ketl::Dense<10, ketl::Softmax>{}};
    model.summary();
    model.compile(ketl::optimizers::Adam{}, ketl::losses::categorical_crossentropy,
                  ketl::metrics::accuracy);
    model.fit(x_train, y_train,
              {.batch_size = batch,
               .epochs = epochs,
               .verbose = 2,
               .validation_data = ketl::ValidationData<float>{x_test, y_test}});

    const auto scores = model.evaluate(x_test, y_test, {.verbose = 0});
    std::cout << "Test loss: " << scores[0] << "\nTest accuracy: " << scores[1] << '\n';
    return 0;
  } catch (const ketl::error& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
