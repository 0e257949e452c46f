// dlib on the convnet workload (bench/peers/cnn_ketl.cpp's model): con 32
// 3x3, relu, max pool 2, con 64 3x3, relu, max pool 2, fc 128, relu,
// dropout 0.5, fc 10 under loss_multiclass_log, plain SGD (lr 0.01), one
// epoch, no shuffling. dlib's con<> pads to "same" by default, so the
// convolutions name padding 0 (Keras's "valid"). Run with OPENBLAS_NUM_THREADS=1.
// Usage: cnn_dlib <batch> <data directory>
#include <dlib/dnn.h>

#include <chrono>
#include <cstdio>

#include "data.hpp"

template <long filters, class SUBNET>
using con3 = dlib::add_layer<dlib::con_<filters, 3, 3, 1, 1, 0, 0>, SUBNET>;

using net_type = dlib::loss_multiclass_log<dlib::fc<
    10, dlib::dropout<dlib::relu<dlib::fc<
            128, dlib::max_pool<2, 2, 2, 2,
                                dlib::relu<con3<
                                    64, dlib::max_pool<2, 2, 2, 2,
                                                       dlib::relu<con3<32, dlib::input<dlib::matrix<
                                                                               float>>>>>>>>>>>>>;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <batch> <data directory>\n", argv[0]);
    return 2;
  }
  const std::size_t batch = std::strtoul(argv[1], nullptr, 10);
  const auto w = peers::load(argv[2]);
  std::vector<dlib::matrix<float>> xs(peers::kSamples);
  std::vector<unsigned long> ys(peers::kSamples);
  for (std::size_t i = 0; i < peers::kSamples; ++i) {
    xs[i].set_size(28, 28);
    std::copy(w.x.begin() + long(i * peers::kIn), w.x.begin() + long((i + 1) * peers::kIn),
              xs[i].begin());
    ys[i] = w.y[i];
  }
  net_type net;
  dlib::dnn_trainer<net_type> trainer(net, dlib::sgd(0, 0));
  trainer.set_learning_rate(0.01);
  trainer.set_mini_batch_size(batch);
  trainer.be_quiet();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t s = 0; s < peers::kSamples; s += batch) {
    const std::size_t e = std::min(s + batch, peers::kSamples);
    trainer.train_one_step(xs.begin() + long(s), xs.begin() + long(e), ys.begin() + long(s));
  }
  trainer.get_net();  // waits for the trainer's thread to finish the last step
  const std::chrono::duration<double> t = std::chrono::steady_clock::now() - start;
  std::printf("dlib %zu %.4f loss %.4f\n", batch, t.count(), trainer.get_average_loss());
}
