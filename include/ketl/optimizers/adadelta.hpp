// Adadelta, as Keras 2.2.4:
//   a = rho * a + (1 - rho) * g^2
//   u = g * sqrt(d + epsilon) / sqrt(a + epsilon)     (the new a, the old d)
//   p -= lr_t * u;  d = rho * d + (1 - rho) * u^2
#pragma once

#include "ketl/optimizer.hpp"

namespace ketl::optimizers {

struct Adadelta {
  static constexpr std::string_view name = "adadelta";
  static constexpr std::string_view keras_class = "Adadelta";
  float lr = 1.0f;
  float rho = 0.95f;
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
    detail::slots<T> accumulators, delta_accumulators;
    explicit State(std::span<const WeightRef<T>> w) : accumulators(w), delta_accumulators(w) {}
    static constexpr bool keras_iterations = false;
    template <class F>
    void each_slot(const Adadelta&, F&& f) {
      f("accumulators", accumulators, true), f("delta_accumulators", delta_accumulators, true);
    }

    void apply(const Adadelta& o, std::span<const WeightRef<T>> weights, std::int64_t iterations) {
      const T lr = T(detail::decayed(o.lr, o.decay, iterations)), rho = T(o.rho),
              eps = T(o.epsilon);
      detail::update_each<T>(
          weights,
          [=](auto& p, auto g, auto& a, auto& d) {
            using V = std::remove_cvref_t<decltype(p)>;
            a = V(rho) * a + V(T(1) - rho) * g * g;
            const V u = g * xsimd::sqrt(d + V(eps)) / xsimd::sqrt(a + V(eps));
            p -= V(lr) * u;
            d = V(rho) * d + V(T(1) - rho) * u * u;
          },
          accumulators, delta_accumulators);
    }
  };
};

}  // namespace ketl::optimizers
