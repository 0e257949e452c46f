// A convnet on Fashion-MNIST, as Keras's Sequential guide writes one:
//
//   model = Sequential([Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)),
//                       MaxPooling2D((2, 2)),
//                       Conv2D(64, (3, 3), activation='relu'),
//                       MaxPooling2D((2, 2)),
//                       Flatten(),
//                       Dense(128, activation='relu'),
//                       Dropout(0.5),
//                       Dense(10, activation='softmax')])
//   model.compile(Adam(), 'categorical_crossentropy', metrics=['accuracy'])
//   model.fit(x_train, y_train, batch_size=64, epochs=10, validation_data=(x_test, y_test))
//
// Every shape below is checked at compile time: change a kernel to 15x15
// and the second Conv2D no longer fits its 13x13 input.
//
// Usage: fashion_mnist_cnn [epochs] [training samples] [data directory]
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <ketl/ketl.hpp>

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10;
  const long samples = argc > 2 ? std::atol(argv[2]) : 0;  // 0: all 60,000
  const std::string dir = argc > 3 ? argv[3] : ketl::datasets::fashion_mnist::default_directory;
  try {
    auto [train, test] = ketl::datasets::fashion_mnist::load_data(dir);

    // (N, 28, 28) uint8 pixels to (N, 28, 28, 1) floats in [0, 1]: channels last.
    auto images = [](const xt::xtensor<std::uint8_t, 3>& x, std::size_t n) {
      xt::xtensor<float, 4> out =
          xt::reshape_view(xt::cast<float>(xt::view(x, xt::range(0, n))),
                           {n, std::size_t{28}, std::size_t{28}, std::size_t{1}});
      return xt::xtensor<float, 4>(out / 255.0f);
    };
    const std::size_t n =
        samples > 0 ? std::min<std::size_t>(std::size_t(samples), train.y.size()) : train.y.size();
    const auto x_train = images(train.x, n), x_test = images(test.x, test.y.size());
    const xt::xtensor<std::uint8_t, 1> labels = xt::view(train.y, xt::range(0, n));
    const auto y_train = ketl::utils::to_categorical(labels, 10);
    const auto y_test = ketl::utils::to_categorical(test.y, 10);

    ketl::utils::set_random_seed(2024);
    using ketl::conv2d;
    auto model = ketl::Sequential{
        ketl::Input<28, 28, 1>{},        ketl::Conv2D<32, conv2d{.kernel = {3, 3}}, ketl::Relu>{},
        ketl::MaxPooling2D<>{},          ketl::Conv2D<64, conv2d{.kernel = {3, 3}}, ketl::Relu>{},
        ketl::MaxPooling2D<>{},          ketl::Flatten{},
        ketl::Dense<128, ketl::Relu>{},  ketl::Dropout{0.5f},
        ketl::Dense<10, ketl::Softmax>{}};
    model.summary();
    model.compile(ketl::optimizers::Adam{}, ketl::losses::categorical_crossentropy,
                  ketl::metrics::accuracy);
    model.fit(x_train, y_train,
              {.batch_size = 64,
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
