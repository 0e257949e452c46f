// Compile-time stress: a Sequential of 50 layers (48 Dense of varied widths
// and activations, a Dropout, a softmax Dense), compiled, trained for one
// step and evaluated, so that every layer's forward and backward, the loss
// and the optimizer are instantiated. docs/benchmarks.md records its
// compile time and peak memory:
//
//   /usr/bin/time -v g++ -std=c++20 -O2 -march=native -Iinclude -c bench/compile/sequential_50.cpp
#include <ketl/ketl.hpp>

using Model = ketl::Sequential<
    ketl::Input<64>, ketl::Dense<32, ketl::Relu>, ketl::Dense<48, ketl::Tanh>,
    ketl::Dense<64, ketl::Sigmoid>, ketl::Dense<32, ketl::Elu>, ketl::Dense<48, ketl::Relu>,
    ketl::Dense<64, ketl::Tanh>, ketl::Dense<32, ketl::Sigmoid>, ketl::Dense<48, ketl::Elu>,
    ketl::Dense<64, ketl::Relu>, ketl::Dense<32, ketl::Tanh>, ketl::Dense<48, ketl::Sigmoid>,
    ketl::Dense<64, ketl::Elu>, ketl::Dense<32, ketl::Relu>, ketl::Dense<48, ketl::Tanh>,
    ketl::Dense<64, ketl::Sigmoid>, ketl::Dense<32, ketl::Elu>, ketl::Dense<48, ketl::Relu>,
    ketl::Dense<64, ketl::Tanh>, ketl::Dense<32, ketl::Sigmoid>, ketl::Dense<48, ketl::Elu>,
    ketl::Dense<64, ketl::Relu>, ketl::Dense<32, ketl::Tanh>, ketl::Dense<48, ketl::Sigmoid>,
    ketl::Dense<64, ketl::Elu>, ketl::Dense<32, ketl::Relu>, ketl::Dense<48, ketl::Tanh>,
    ketl::Dense<64, ketl::Sigmoid>, ketl::Dense<32, ketl::Elu>, ketl::Dense<48, ketl::Relu>,
    ketl::Dense<64, ketl::Tanh>, ketl::Dense<32, ketl::Sigmoid>, ketl::Dense<48, ketl::Elu>,
    ketl::Dense<64, ketl::Relu>, ketl::Dense<32, ketl::Tanh>, ketl::Dense<48, ketl::Sigmoid>,
    ketl::Dense<64, ketl::Elu>, ketl::Dense<32, ketl::Relu>, ketl::Dense<48, ketl::Tanh>,
    ketl::Dense<64, ketl::Sigmoid>, ketl::Dense<32, ketl::Elu>, ketl::Dense<48, ketl::Relu>,
    ketl::Dense<64, ketl::Tanh>, ketl::Dense<32, ketl::Sigmoid>, ketl::Dense<48, ketl::Elu>,
    ketl::Dense<64, ketl::Relu>, ketl::Dense<32, ketl::Tanh>, ketl::Dense<48, ketl::Sigmoid>,
    ketl::Dense<64, ketl::Elu>, ketl::Dropout, ketl::Dense<10, ketl::Softmax>>;

int main() {
  Model model{ketl::Input<64>{},
              ketl::Dense<32, ketl::Relu>{},
              ketl::Dense<48, ketl::Tanh>{},
              ketl::Dense<64, ketl::Sigmoid>{},
              ketl::Dense<32, ketl::Elu>{},
              ketl::Dense<48, ketl::Relu>{},
              ketl::Dense<64, ketl::Tanh>{},
              ketl::Dense<32, ketl::Sigmoid>{},
              ketl::Dense<48, ketl::Elu>{},
              ketl::Dense<64, ketl::Relu>{},
              ketl::Dense<32, ketl::Tanh>{},
              ketl::Dense<48, ketl::Sigmoid>{},
              ketl::Dense<64, ketl::Elu>{},
              ketl::Dense<32, ketl::Relu>{},
              ketl::Dense<48, ketl::Tanh>{},
              ketl::Dense<64, ketl::Sigmoid>{},
              ketl::Dense<32, ketl::Elu>{},
              ketl::Dense<48, ketl::Relu>{},
              ketl::Dense<64, ketl::Tanh>{},
              ketl::Dense<32, ketl::Sigmoid>{},
              ketl::Dense<48, ketl::Elu>{},
              ketl::Dense<64, ketl::Relu>{},
              ketl::Dense<32, ketl::Tanh>{},
              ketl::Dense<48, ketl::Sigmoid>{},
              ketl::Dense<64, ketl::Elu>{},
              ketl::Dense<32, ketl::Relu>{},
              ketl::Dense<48, ketl::Tanh>{},
              ketl::Dense<64, ketl::Sigmoid>{},
              ketl::Dense<32, ketl::Elu>{},
              ketl::Dense<48, ketl::Relu>{},
              ketl::Dense<64, ketl::Tanh>{},
              ketl::Dense<32, ketl::Sigmoid>{},
              ketl::Dense<48, ketl::Elu>{},
              ketl::Dense<64, ketl::Relu>{},
              ketl::Dense<32, ketl::Tanh>{},
              ketl::Dense<48, ketl::Sigmoid>{},
              ketl::Dense<64, ketl::Elu>{},
              ketl::Dense<32, ketl::Relu>{},
              ketl::Dense<48, ketl::Tanh>{},
              ketl::Dense<64, ketl::Sigmoid>{},
              ketl::Dense<32, ketl::Elu>{},
              ketl::Dense<48, ketl::Relu>{},
              ketl::Dense<64, ketl::Tanh>{},
              ketl::Dense<32, ketl::Sigmoid>{},
              ketl::Dense<48, ketl::Elu>{},
              ketl::Dense<64, ketl::Relu>{},
              ketl::Dense<32, ketl::Tanh>{},
              ketl::Dense<48, ketl::Sigmoid>{},
              ketl::Dense<64, ketl::Elu>{},
              ketl::Dropout{0.1f},
              ketl::Dense<10, ketl::Softmax>{}};
  model.compile("adam", ketl::losses::categorical_crossentropy, ketl::metrics::accuracy);
  xt::xtensor<float, 2> x = xt::zeros<float>({8, 64});
  xt::xtensor<float, 2> y = xt::zeros<float>({8, 10});
  for (std::size_t i = 0; i < 8; ++i) y(i, i % 10) = 1;
  model.train_on_batch(x, y);
  return model.evaluate(x, y, {.verbose = 0}).size() == 2 ? 0 : 1;
}
