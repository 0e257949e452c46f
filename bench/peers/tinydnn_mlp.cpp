// tiny-dnn on the peers' workload: fully connected 784-128 relu, 128-10
// softmax, cross-entropy, plain gradient descent (lr 0.01), one epoch, one
// thread (CNN_SINGLE_THREAD). Usage: tinydnn_mlp <batch> <data directory>
#define CNN_SINGLE_THREAD
#include <tiny_dnn/tiny_dnn.h>

#include <chrono>
#include <cstdio>

#include "data.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <batch> <data directory>\n", argv[0]);
    return 2;
  }
  const std::size_t batch = std::strtoul(argv[1], nullptr, 10);
  const auto w = peers::load(argv[2]);
  std::vector<tiny_dnn::vec_t> xs(peers::kSamples);
  std::vector<tiny_dnn::label_t> ys(peers::kSamples);
  for (std::size_t i = 0; i < peers::kSamples; ++i) {
    xs[i].assign(w.x.begin() + long(i * peers::kIn), w.x.begin() + long((i + 1) * peers::kIn));
    ys[i] = w.y[i];
  }
  tiny_dnn::network<tiny_dnn::sequential> net;
  net << tiny_dnn::fully_connected_layer<tiny_dnn::activation::relu>(784, 128)
      << tiny_dnn::fully_connected_layer<tiny_dnn::activation::softmax>(128, 10);
  net.weight_init(tiny_dnn::weight_init::xavier());  // Glorot-uniform
  tiny_dnn::gradient_descent opt;
  opt.alpha = 0.01f;
  const auto start = std::chrono::steady_clock::now();
  net.train<tiny_dnn::cross_entropy_multiclass>(opt, xs, ys, batch, 1);
  const std::chrono::duration<double> t = std::chrono::steady_clock::now() - start;
  std::printf("tiny-dnn %zu %.4f loss nan\n", batch, t.count());
}
