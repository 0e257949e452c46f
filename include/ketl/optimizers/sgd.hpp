// SGD with momentum, Nesterov momentum and time-based decay, as Keras 2.2.4:
//   lr_t = lr / (1 + decay * iterations)
//   v = momentum * m - lr_t * g;  m = v
//   p += nesterov ? momentum * v - lr_t * g : v
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ketl/detail/simd.hpp"
#include "ketl/error.hpp"
#include "ketl/layer.hpp"

namespace ketl::optimizers {

struct SGD {
  static constexpr std::string_view name = "sgd";
  float lr = 0.01f;
  float momentum = 0.0f;
  float decay = 0.0f;
  bool nesterov = false;

  void validate() const {
    if (!(lr >= 0)) throw value_error("ketl: SGD lr must be >= 0");
    if (!(momentum >= 0)) throw value_error("ketl: SGD momentum must be >= 0");
    if (!(decay >= 0)) throw value_error("ketl: SGD decay must be >= 0");
  }

  // Per-weight slots, made by compile() for exactly the model's weights.
  template <class T>
  struct State {
    std::vector<std::vector<T>> moments;
    std::int64_t iterations = 0;

    explicit State(std::span<const WeightRef<T>> weights) {
      for (const auto& w : weights) moments.emplace_back(w.value.size(), T(0));
    }

    void apply(const SGD& o, std::span<const WeightRef<T>> weights) {
      const T lr = T(o.lr) / (T(1) + T(o.decay) * T(iterations));
      const T mu = T(o.momentum);
      for (std::size_t i = 0; i < weights.size(); ++i) {
        T* p = weights[i].value.data();
        const T* g = weights[i].grad.data();
        const std::size_t n = weights[i].value.size();
        if (mu == T(0)) {
          detail::simd::map([lr](auto pv, auto gv) { return pv - decltype(pv)(lr) * gv; }, p, g, p,
                            n);
          continue;
        }
        T* m = moments[i].data();
        for (std::size_t j = 0; j < n; ++j) {
          const T v = mu * m[j] - lr * g[j];
          m[j] = v;
          p[j] += o.nesterov ? mu * v - lr * g[j] : v;
        }
      }
      ++iterations;
    }
  };
};

}  // namespace ketl::optimizers
