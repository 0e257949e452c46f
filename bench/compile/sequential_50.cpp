// Compile-time stress: a Sequential of 50 layers (48 Dense of varied widths
// and activations, a Dropout, a softmax Dense), compiled, trained for one
// step and evaluated, so that every layer's forward and backward, the loss
// and the optimizer are instantiated. docs/benchmarks.md records its
// compile time and peak memory:
//
//   /usr/bin/time -v g++ -std=c++20 -O2 -march=native -Iinclude -c bench/compile/sequential_50.cpp
#include <tuple>
#include <utility>

#include <ketl/ketl.hpp>

namespace {
// Hidden layer I: 32, 48 or 64 units; relu, tanh, sigmoid or elu.
template <std::size_t I>
auto hidden() {
  using Acts = std::tuple<ketl::Relu, ketl::Tanh, ketl::Sigmoid, ketl::Elu>;
  return ketl::Dense<32 + (I % 3) * 16, std::tuple_element_t<I % 4, Acts>>{};
}
template <std::size_t... I>
auto make_model(std::index_sequence<I...>) {
  return ketl::Sequential{ketl::Input<64>{}, hidden<I>()..., ketl::Dropout{0.1f},
                          ketl::Dense<10, ketl::Softmax>{}};
}
}  // namespace

int main() {
  auto model = make_model(std::make_index_sequence<48>{});
  static_assert(decltype(model)::depth == 51);  // the Input and 50 layers
  model.compile("adam", ketl::losses::categorical_crossentropy, ketl::metrics::accuracy);
  xt::xtensor<float, 2> x = xt::zeros<float>({8, 64});
  xt::xtensor<float, 2> y = xt::zeros<float>({8, 10});
  for (std::size_t i = 0; i < 8; ++i) y(i, i % 10) = 1;
  model.train_on_batch(x, y);
  return model.evaluate(x, y, {.verbose = 0}).size() == 2 ? 0 : 1;
}
