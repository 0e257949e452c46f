// The two convnets of Keras's Sequential guide ("Getting started with the
// Keras Sequential model"), on random data as the guide trains them.
//
// VGG-like convnet:
//   model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(100, 100, 3)))
//   model.add(Conv2D(32, (3, 3), activation='relu'))
//   model.add(MaxPooling2D(pool_size=(2, 2)))
//   model.add(Dropout(0.25))
//   model.add(Conv2D(64, (3, 3), activation='relu'))
//   model.add(Conv2D(64, (3, 3), activation='relu'))
//   model.add(MaxPooling2D(pool_size=(2, 2)))
//   model.add(Dropout(0.25))
//   model.add(Flatten())
//   model.add(Dense(256, activation='relu'))
//   model.add(Dropout(0.5))
//   model.add(Dense(10, activation='softmax'))
//   sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
//   model.compile(loss='categorical_crossentropy', optimizer=sgd)
//   model.fit(x_train, y_train, batch_size=32, epochs=10)
//
// Sequence classification with 1D convolutions:
//   model.add(Conv1D(64, 3, activation='relu', input_shape=(seq_length, 100)))
//   model.add(Conv1D(64, 3, activation='relu'))
//   model.add(MaxPooling1D(3))
//   model.add(Conv1D(128, 3, activation='relu'))
//   model.add(Conv1D(128, 3, activation='relu'))
//   model.add(GlobalAveragePooling1D())
//   model.add(Dropout(0.5))
//   model.add(Dense(1, activation='sigmoid'))
//   model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
//   model.fit(x_train, y_train, batch_size=16, epochs=10)
//
// Usage: keras_guide_convnets [epochs] [samples]   (the guide's: 10 and 100)
#include <cstdlib>
#include <iostream>

#include <ketl/ketl.hpp>

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10;
  const std::size_t n = argc > 2 ? std::size_t(std::atol(argv[2])) : 100;
  try {
    using namespace ketl;
    utils::set_random_seed(7);
    Random rng(7);
    auto uniform = [&](auto shape) {
      xt::xtensor<float, shape.size()> a = xt::xtensor<float, shape.size()>::from_shape(shape);
      for (auto& v : a) v = float(rng.uniform());
      return a;
    };
    auto labels = [&](std::size_t classes) {
      xt::xtensor<std::uint8_t, 1> y = xt::xtensor<std::uint8_t, 1>::from_shape({n});
      for (auto& v : y) v = std::uint8_t(rng.uniform() * double(classes)) % classes;
      return y;
    };

    std::cout << "VGG-like convnet\n";
    const auto x_img = uniform(std::array<std::size_t, 4>{n, 100, 100, 3});
    const auto y_img = utils::to_categorical(labels(10), 10);
    auto vgg = Sequential{Input<100, 100, 3>{},
                          Conv2D<32, conv2d{.kernel = {3, 3}}, Relu>{},
                          Conv2D<32, conv2d{.kernel = {3, 3}}, Relu>{},
                          MaxPooling2D<>{},
                          Dropout{0.25f},
                          Conv2D<64, conv2d{.kernel = {3, 3}}, Relu>{},
                          Conv2D<64, conv2d{.kernel = {3, 3}}, Relu>{},
                          MaxPooling2D<>{},
                          Dropout{0.25f},
                          Flatten{},
                          Dense<256, Relu>{},
                          Dropout{0.5f},
                          Dense<10, Softmax>{}};
    vgg.summary();
    vgg.compile(optimizers::SGD{.lr = 0.01f, .momentum = 0.9f, .decay = 1e-6f, .nesterov = true},
                losses::categorical_crossentropy);
    vgg.fit(x_img, y_img, {.batch_size = 32, .epochs = epochs, .verbose = 2});
    std::cout << "loss " << vgg.evaluate(x_img, y_img, {.batch_size = 32, .verbose = 0})[0]
              << "\n\n";

    std::cout << "Sequence classification with 1D convolutions\n";
    constexpr std::size_t seq_length = 64;
    const auto x_seq = uniform(std::array<std::size_t, 3>{n, seq_length, 100});
    xt::xtensor<float, 2> y_seq = xt::cast<float>(xt::reshape_view(labels(2), {n, std::size_t{1}}));
    auto seq = Sequential{Input<seq_length, 100>{},
                          Conv1D<64, conv1d{.kernel = 3}, Relu>{},
                          Conv1D<64, conv1d{.kernel = 3}, Relu>{},
                          MaxPooling1D<pool1d{.size = 3}>{},
                          Conv1D<128, conv1d{.kernel = 3}, Relu>{},
                          Conv1D<128, conv1d{.kernel = 3}, Relu>{},
                          GlobalAveragePooling1D{},
                          Dropout{0.5f},
                          Dense<1, Sigmoid>{}};
    seq.summary();
    seq.compile(optimizers::RMSprop{}, losses::binary_crossentropy, metrics::accuracy);
    seq.fit(x_seq, y_seq, {.batch_size = 16, .epochs = epochs, .verbose = 2});
    const auto scores = seq.evaluate(x_seq, y_seq, {.batch_size = 16, .verbose = 0});
    std::cout << "loss " << scores[0] << ", accuracy " << scores[1] << '\n';
    return 0;
  } catch (const ketl::error& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
