// RMSprop, as Keras 2.2.4:
//   a = rho * a + (1 - rho) * g^2;  p -= lr_t * g / (sqrt(a) + epsilon)
#pragma once

#include "ketl/optimizer.hpp"

namespace ketl::optimizers {

struct RMSprop {
  static constexpr std::string_view name = "rmsprop";
  static constexpr std::string_view keras_class = "RMSprop";
  float lr = 0.001f;
  float rho = 0.9f;
  float epsilon = 1e-7f;
  float decay = 0.0f;
  float clipnorm = 0.0f;
  float clipvalue = 0.0f;

  template <class Self, class F>
  static void each_hyper(Self& o, F&& f) {
    f("lr", o.lr), f("rho", o.rho), f("decay", o.decay), f("epsilon", o.epsilon);
  }

  void validate() const {
    detail::validate_common(*this);
    detail::check_hyper(name, "rho", rho, 0, 1);
    detail::check_hyper(name, "epsilon", epsilon, 0);
  }

  template <class T>
  struct State {
    detail::slots<T> accumulators;
    explicit State(std::span<const WeightRef<T>> w) : accumulators(w) {}
    // Keras 2.2.4 saves no iteration count for RMSprop (2.3 put it first).
    static constexpr bool keras_iterations = false;
    template <class F>
    void each_slot(const RMSprop&, F&& f) {
      f("accumulators", accumulators, true);
    }

    void apply(const RMSprop& o, std::span<const WeightRef<T>> weights, std::int64_t iterations) {
      const T lr = T(detail::decayed(o.lr, o.decay, iterations)), rho = T(o.rho),
              eps = T(o.epsilon);
      detail::update_each<T>(
          weights,
          [=](auto& p, auto g, auto& a) {
            using V = std::remove_cvref_t<decltype(p)>;
            a = V(rho) * a + V(T(1) - rho) * g * g;
            p -= V(lr) * g / (xsimd::sqrt(a) + V(eps));
          },
          accumulators);
    }
  };
};

}  // namespace ketl::optimizers
