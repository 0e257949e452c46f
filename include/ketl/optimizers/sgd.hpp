// SGD with momentum, Nesterov momentum and time-based decay, as Keras 2.2.4:
//   lr_t = lr / (1 + decay * iterations)
//   v = momentum * m - lr_t * g;  m = v
//   p += nesterov ? momentum * v - lr_t * g : v
#pragma once

#include "ketl/optimizer.hpp"

namespace ketl::optimizers {

struct SGD {
  static constexpr std::string_view name = "sgd";
  static constexpr std::string_view keras_class = "SGD";
  float lr = 0.01f;
  float momentum = 0.0f;
  float decay = 0.0f;
  bool nesterov = false;
  float clipnorm = 0.0f;
  float clipvalue = 0.0f;

  // Keras 2.2.4's get_config, in its order.
  template <class Self, class F>
  static void each_hyper(Self& o, F&& f) {
    f("lr", o.lr), f("momentum", o.momentum), f("decay", o.decay), f("nesterov", o.nesterov);
  }

  void validate() const {
    detail::validate_common(*this);
    detail::check_hyper(name, "momentum", momentum, 0, 1);
  }

  template <class T>
  struct State {
    detail::slots<T> moments;
    explicit State(std::span<const WeightRef<T>> w) : moments(w) {}
    // Keras 2.2.4's optimizer.weights: [iterations] + moments.
    static constexpr bool keras_iterations = true;
    template <class F>
    void each_slot(const SGD&, F&& f) {
      f("moments", moments, true);
    }
    // Without momentum the moments stay zero, so a list without them will do.
    bool slots_optional(const SGD& o) const { return o.momentum == 0.0f; }

    void apply(const SGD& o, std::span<const WeightRef<T>> weights, std::int64_t iterations) {
      const T lr = T(detail::decayed(o.lr, o.decay, iterations));
      const T mu = T(o.momentum);
      for (std::size_t i = 0; i < weights.size(); ++i) {
        const auto& w = weights[i];
        const T* g = w.grad.data();
        if (mu == T(0)) {  // plain SGD keeps no moments
          detail::simd::zip_update<T>(
              [lr](auto& p, auto gv) { p -= std::remove_cvref_t<decltype(p)>(lr) * gv; },
              w.value.size(), w.value.data(), g);
          continue;
        }
        const bool nesterov = o.nesterov;
        detail::simd::zip_update<T>(
            [=](auto& p, auto gv, auto& m) {
              using V = std::remove_cvref_t<decltype(p)>;
              const V v = V(mu) * m - V(lr) * gv;
              m = v;
              p += nesterov ? V(mu) * v - V(lr) * gv : v;
            },
            w.value.size(), w.value.data(), g, moments[i]);
      }
    }
  };
};

}  // namespace ketl::optimizers
