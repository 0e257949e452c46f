// Calling one layer directly, as the model does: its scratch kept between
// forward and backward, its weights set at random or read back.
#pragma once

#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>

#include <ketl/layer.hpp>
#include <ketl/random.hpp>

#include "gradcheck.hpp"

namespace test {

using ketl::Pass;
using ketl::Random;
using ketl::WeightRef;

// Sets every weight to uniform(-0.6, 0.6), so that gates leave their
// linear middle and biases are not zero.
template <class L, class T>
void randomize(L& layer, Random& rng) {
  layer.for_each_weight([&](WeightRef<T> w) {
    for (auto& v : w.value) v = static_cast<T>(rng.uniform(-0.6, 0.6));
  });
}

// The layer's weights in Keras's order (kernel, recurrent_kernel, bias), as double.
template <class L, class T>
std::vector<std::vector<double>> weights_of(L& layer) {
  std::vector<std::vector<double>> out;
  layer.for_each_weight([&](WeightRef<T> w) { out.emplace_back(w.value.begin(), w.value.end()); });
  while (out.size() < 3) out.emplace_back();
  return out;
}

// The scratch a layer asks for, per call: forward fills it, backward reads it.
template <class In, class L, class T>
inline std::vector<T>& scratch_of() {
  static std::vector<T> s;
  return s;
}

// mask: the input's mask, (n, timesteps), or null (detail/masking.hpp).
template <class In, class L, class T>
std::vector<T> forward(L& layer, const std::vector<T>& x, std::size_t n, const T* mask = nullptr) {
  using Out = typename L::template output_shape<In>;
  std::vector<T> y(n * Out::size);
  Pass<T> pass{};
  pass.mask = mask;
  auto& scratch = scratch_of<In, L, T>();
  scratch.assign(n * L::template scratch_per_sample<In> + 1, T(0));
  pass.scratch = scratch.data();
  layer.template forward<In>(x.data(), y.data(), n, pass);
  return y;
}

// backward after that forward: dx for dL/dy = dy.
template <class In, class L, class T>
std::vector<T> backward(L& layer, const std::vector<T>& x, const std::vector<T>& y,
                        std::vector<T> dy, std::size_t n, const T* mask = nullptr) {
  std::vector<T> dx(x.size());
  Pass<T> pass{true};
  pass.mask = mask;
  pass.scratch = scratch_of<In, L, T>().data();
  layer.template backward<In>(x.data(), y.data(), dy.data(), dx.data(), n, pass);
  return dx;
}

// After backward: every weight's gradient, and dx, against central
// differences of loss().
template <class L, class LossFn>
void check_against_differences(L& layer, std::vector<double>& x, const std::vector<double>& dx,
                               LossFn&& loss) {
  std::vector<std::vector<double>> grads;
  layer.for_each_weight(
      [&](WeightRef<double> w) { grads.emplace_back(w.grad.begin(), w.grad.end()); });
  std::size_t k = 0;
  layer.for_each_weight([&](WeightRef<double> w) {
    INFO("weight " << w.name);
    check_gradient(w.value, grads[k++], loss);
  });
  INFO("input");
  check_gradient(x, dx, loss);
}

}  // namespace test
