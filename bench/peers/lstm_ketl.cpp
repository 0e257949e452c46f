// ketl on the recurrent workload of issue 18: examples/fashion_mnist_lstm.cpp's
// model (LSTM(128) over 28 timesteps of 28 pixels, dense 10 softmax) on the
// peers' 60,000 images, categorical cross-entropy, plain SGD (lr 0.01), one
// epoch, no shuffling. The gates use sigmoid, as PyTorch's nn.LSTM (and
// tf.keras's default). Prints the epoch's wall time.
// Usage: lstm_ketl <batch> <data directory> [threads]
#include <chrono>
#include <cstdio>

#include <ketl/ketl.hpp>

#include "data.hpp"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: %s <batch> <data directory> [threads]\n", argv[0]);
    return 2;
  }
  if (argc == 4) ketl::set_num_threads(std::strtoul(argv[3], nullptr, 10));
  const std::size_t batch = std::strtoul(argv[1], nullptr, 10);
  const auto w = peers::load(argv[2]);
  xt::xtensor<float, 3> x = xt::adapt(w.x, std::array<std::size_t, 3>{peers::kSamples, 28, 28});
  xt::xtensor<std::uint8_t, 1> labels = xt::adapt(w.y, std::array<std::size_t, 1>{peers::kSamples});
  const auto y = ketl::utils::to_categorical(labels, 10);
  ketl::utils::set_random_seed(1);
  auto model = ketl::Sequential{ketl::Input<28, 28>{},
                                ketl::LSTM<128, ketl::rnn{}, ketl::Tanh, ketl::Sigmoid>{},
                                ketl::Dense<10, ketl::Softmax>{}};
  model.compile(ketl::optimizers::SGD{.lr = 0.01f}, ketl::losses::categorical_crossentropy);
  const auto start = std::chrono::steady_clock::now();
  const auto h =
      model.fit(x, y, {.batch_size = batch, .epochs = 1, .verbose = 0, .shuffle = false});
  const std::chrono::duration<double> t = std::chrono::steady_clock::now() - start;
  std::printf("%s %zu %.4f loss %.4f\n", ketl::num_threads() > 1 ? "ketl-2-threads" : "ketl", batch,
              t.count(), h.history.at("loss")[0]);
}
