// Adagrad, as Keras 2.2.4 (the accumulator starts at 0):
//   a += g^2;  p -= lr_t * g / (sqrt(a) + epsilon)
#pragma once

#include "ketl/optimizer.hpp"

namespace ketl::optimizers {

struct Adagrad {
  static constexpr std::string_view name = "adagrad";
  static constexpr std::string_view keras_class = "Adagrad";
  float lr = 0.01f;
  float epsilon = 1e-7f;
  float decay = 0.0f;
  float clipnorm = 0.0f;
  float clipvalue = 0.0f;

  template <class Self, class F>
  static void each_hyper(Self& o, F&& f) {
    f("lr", o.lr), f("decay", o.decay), f("epsilon", o.epsilon);
  }

  void validate() const {
    detail::validate_common(*this);
    detail::check_hyper(name, "epsilon", epsilon, 0);
  }

  template <class T>
  struct State {
    detail::slots<T> accumulators;
    explicit State(std::span<const WeightRef<T>> w) : accumulators(w) {}
    static constexpr bool keras_iterations = false;
    template <class F>
    void each_slot(const Adagrad&, F&& f) {
      f("accumulators", accumulators, true);
    }

    void apply(const Adagrad& o, std::span<const WeightRef<T>> weights, std::int64_t iterations) {
      const T lr = T(detail::decayed(o.lr, o.decay, iterations)), eps = T(o.epsilon);
      detail::update_each<T>(
          weights,
          [=](auto& p, auto g, auto& a) {
            using V = std::remove_cvref_t<decltype(p)>;
            a += g * g;
            p -= V(lr) * g / (xsimd::sqrt(a) + V(eps));
          },
          accumulators);
    }
  };
};

}  // namespace ketl::optimizers
