// The main demo: Keras's classic MLP on Fashion-MNIST, in C++.
//
//   model = Sequential([Dense(256, activation='relu', input_shape=(784,)),
//                       Dense(128, activation='relu'),
//                       Dense(10, activation='softmax')])
//   model.compile(SGD(lr=0.05), 'categorical_crossentropy', metrics=['accuracy'])
//   model.fit(x_train, y_train, batch_size=32, epochs=10)
//
// Usage: fashion_mnist_mlp [epochs] [data directory]
#include <cstdlib>
#include <iostream>

#include <ketl/ketl.hpp>

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10;
  const std::string dir = argc > 2 ? argv[2] : ketl::datasets::fashion_mnist::default_directory;
  try {
    auto [train, test] = ketl::datasets::fashion_mnist::load_data(dir);

    // (N, 28, 28) uint8 pixels to (N, 784) floats in [0, 1]; labels to one-hot.
    auto flat = [](const xt::xtensor<std::uint8_t, 3>& images) {
      xt::xtensor<float, 2> x =
          xt::reshape_view(xt::cast<float>(images), {images.shape()[0], std::size_t{784}});
      return xt::xtensor<float, 2>(x / 255.0f);
    };
    const auto x_train = flat(train.x), x_test = flat(test.x);
    const auto y_train = ketl::utils::to_categorical(train.y, 10);
    const auto y_test = ketl::utils::to_categorical(test.y, 10);

    ketl::utils::set_random_seed(2024);
    auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<256, ketl::Relu>{},
                                  ketl::Dense<128, ketl::Relu>{}, ketl::Dense<10, ketl::Softmax>{}};
    model.summary();
    model.compile(ketl::optimizers::SGD{.lr = 0.05f}, ketl::losses::categorical_crossentropy,
                  ketl::metrics::accuracy);
    model.fit(x_train, y_train, {.batch_size = 32, .epochs = epochs, .verbose = 1});

    const auto scores = model.evaluate(x_test, y_test, {.verbose = 0});
    std::cout << "Test loss: " << scores[0] << "\nTest accuracy: " << scores[1] << '\n';
    return 0;
  } catch (const ketl::error& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
