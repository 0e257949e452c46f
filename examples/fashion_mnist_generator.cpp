// Fashion-MNIST streamed through fit_generator, with on-the-fly
// augmentation, from 2 background workers. The Keras program it mirrors:
//
//   class Shifted(keras.utils.Sequence):
//       def __len__(self): return ceil(len(x) / 64)
//       def __getitem__(self, i): ... random shifts of batch i ...
//       def on_epoch_end(self): ...
//   model.fit_generator(Shifted(x_train, y_train), epochs=3, workers=2,
//                       validation_data=(x_test, y_test))
//
// Each batch's images move by up to 2 pixels in x and y, at random. The
// shifts are drawn from a generator seeded by (epoch, batch index), so
// batches made in parallel are the same as if they were made in order, and
// operator[] writes no shared state: it is safe to call from the workers.
//
// Usage: fashion_mnist_generator [epochs] [data directory]
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>

#include <ketl/ketl.hpp>

class ShiftedBatches {
 public:
  ShiftedBatches(const xt::xtensor<std::uint8_t, 3>& images, const xt::xtensor<float, 2>& labels,
                 std::size_t batch_size)
      : images_(images), labels_(labels), batch_size_(batch_size) {}

  std::size_t size() const { return (images_.shape()[0] + batch_size_ - 1) / batch_size_; }

  std::tuple<xt::xtensor<float, 2>, xt::xtensor<float, 2>> operator[](std::size_t i) const {
    const std::size_t from = i * batch_size_;
    const std::size_t n = std::min(batch_size_, images_.shape()[0] - from);
    std::mt19937 rng(static_cast<std::uint32_t>(epoch_ * 1'000'003u + i));
    std::uniform_int_distribution<int> shift(-2, 2);
    xt::xtensor<float, 2> x = xt::zeros<float>({n, std::size_t{784}});
    for (std::size_t k = 0; k < n; ++k) {
      const int dx = shift(rng), dy = shift(rng);
      for (int r = 0; r < 28; ++r)
        for (int c = 0; c < 28; ++c) {
          const int sr = r - dy, sc = c - dx;  // the source pixel; outside is black
          if (sr >= 0 && sr < 28 && sc >= 0 && sc < 28)
            x(k, std::size_t(r * 28 + c)) =
                images_(from + k, std::size_t(sr), std::size_t(sc)) / 255.0f;
        }
    }
    xt::xtensor<float, 2> y = xt::view(labels_, xt::range(from, from + n), xt::all());
    return {std::move(x), std::move(y)};
  }

  // Called between passes, with no worker inside operator[].
  void on_epoch_end() { ++epoch_; }

 private:
  const xt::xtensor<std::uint8_t, 3>& images_;
  const xt::xtensor<float, 2>& labels_;
  std::size_t batch_size_;
  unsigned epoch_ = 0;
};

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 3;
  const std::string dir = argc > 2 ? argv[2] : ketl::datasets::fashion_mnist::default_directory;
  try {
    auto [train, test] = ketl::datasets::fashion_mnist::load_data(dir);
    const auto y_train = ketl::utils::to_categorical(train.y, 10);
    const auto y_test = ketl::utils::to_categorical(test.y, 10);
    const xt::xtensor<float, 2> x_test =
        xt::reshape_view(xt::cast<float>(test.x), {test.x.shape()[0], std::size_t{784}}) / 255.0f;

    ketl::utils::set_random_seed(2024);
    auto model = ketl::Sequential{ketl::Input<784>{}, ketl::Dense<256, ketl::Relu>{},
                                  ketl::Dense<128, ketl::Relu>{}, ketl::Dense<10, ketl::Softmax>{}};
    model.compile(ketl::optimizers::SGD{.lr = 0.05f}, ketl::losses::categorical_crossentropy,
                  ketl::metrics::accuracy);

    ShiftedBatches batches(train.x, y_train, 64);
    const auto h = model.fit_generator(
        batches, {.epochs = epochs,
                  .verbose = 1,
                  .validation_data = ketl::ValidationData<float>{x_test, y_test},
                  .max_queue_size = 10,
                  .workers = 2});

    const auto scores = model.evaluate(x_test, y_test, {.verbose = 0});
    std::cout << "Test loss: " << scores[0] << "\nTest accuracy: " << scores[1] << '\n';
    return h.epoch.size() == std::size_t(epochs) ? 0 : 1;
  } catch (const ketl::error& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
