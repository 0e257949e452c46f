// Helpers of the functional API's tests: weight snapshots, random arrays,
// and a finite-difference check of a whole network's weight gradients.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include <ketl/ketl.hpp>

#include "gradcheck.hpp"

namespace test {
template <class M>
std::vector<std::vector<double>> snapshot(const M& m) {
  std::vector<std::vector<double>> out;
  for (const auto& w : m.weights()) out.emplace_back(w.value.begin(), w.value.end());
  return out;
}

inline xt::xtensor<double, 2> random_2d(std::size_t n, std::size_t d, ketl::Random& rng,
                                        double lo = -1, double hi = 1) {
  xt::xtensor<double, 2> a = xt::xtensor<double, 2>::from_shape({n, d});
  for (auto& v : a) v = rng.uniform(lo, hi);
  return a;
}

// d(loss)/d(weights) of a model's network by finite differences, with
// loss = sum_k sum_e c_k (y_k - t_k)^2 / 2 over its outputs.
template <class M, class... X>
void check_model_gradient(M& m, std::size_t n, ketl::Random& rng, const X&... xs) {
  auto& net = m.network();
  using N = std::remove_cvref_t<decltype(net)>;
  constexpr std::size_t K = ketl::engine::output_count<N>;
  const std::array<const void*, sizeof...(X)> in{xs.data()...};
  std::array<std::vector<double>, K> target;
  std::array<double, K> c{};
  for (std::size_t k = 0; k < K; ++k) {
    c[k] = 0.5 + double(k);
    const std::size_t size = [&] {
      std::size_t s = 0;
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        ((J == k ? s = ketl::engine::output_shape_t<N, J>::size : 0), ...);
      }
      (std::make_index_sequence<K>{});
      return s;
    }();
    target[k] = random_vector(n * size, rng);
  }
  auto loss = [&] {
    net.forward(in.data(), n, true);
    double s = 0;
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t e = 0; e < target[k].size(); ++e) {
        const double d = net.output(k)[e] - target[k][e];
        s += c[k] * d * d / 2;
      }
    return s;
  };
  net.forward(in.data(), n, true);
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t e = 0; e < target[k].size(); ++e)
      net.output_grad(k)[e] = c[k] * (net.output(k)[e] - target[k][e]);
  net.backward(in.data(), n, std::array<bool, K>{});
  for (const auto& w : m.weights()) {
    if (!w.trainable) continue;  // moving statistics: no gradient
    std::vector<double> analytic(w.grad.begin(), w.grad.end());
    check_gradient(w.value, analytic, loss);
  }
}

}  // namespace test
