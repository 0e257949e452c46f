// Adamax, as Keras 2.2.4, with t = iterations + 1:
//   lr_t = lr / (1 - beta_1^t)
//   m = beta_1 * m + (1 - beta_1) * g;  u = max(beta_2 * u, |g|)
//   p -= lr_t * m / (u + epsilon)
#pragma once

#include "ketl/optimizer.hpp"

namespace ketl::optimizers {

struct Adamax {
  static constexpr std::string_view name = "adamax";
  static constexpr std::string_view keras_class = "Adamax";
  float lr = 0.002f;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-7f;
  float decay = 0.0f;
  float clipnorm = 0.0f;
  float clipvalue = 0.0f;

  template <class Self, class F>
  static void each_hyper(Self& o, F&& f) {
    f("lr", o.lr), f("beta_1", o.beta_1), f("beta_2", o.beta_2), f("decay", o.decay),
        f("epsilon", o.epsilon);
  }

  void validate() const {
    detail::validate_common(*this);
    detail::check_hyper(name, "beta_1", beta_1, 0, 1, true);
    detail::check_hyper(name, "beta_2", beta_2, 0, 1, true);
    detail::check_hyper(name, "epsilon", epsilon, 0);
  }

  template <class T>
  struct State {
    detail::slots<T> ms, us;
    explicit State(std::span<const WeightRef<T>> w) : ms(w), us(w) {}
    static constexpr bool keras_iterations = true;
    template <class F>
    void each_slot(const Adamax&, F&& f) {
      f("ms", ms, true), f("us", us, true);
    }

    void apply(const Adamax& o, std::span<const WeightRef<T>> weights, std::int64_t iterations) {
      const double t = double(iterations + 1);
      const T lr_t =
          T(detail::decayed(o.lr, o.decay, iterations) / (1.0 - std::pow(double(o.beta_1), t)));
      const T b1 = T(o.beta_1), b2 = T(o.beta_2), eps = T(o.epsilon);
      detail::update_each<T>(
          weights,
          [=](auto& p, auto g, auto& m, auto& u) {
            using V = std::remove_cvref_t<decltype(p)>;
            m = V(b1) * m + V(T(1) - b1) * g;
            u = ketl::detail::simd::max(V(b2) * u, V(xsimd::abs(g)));
            p -= V(lr_t) * m / (u + V(eps));
          },
          ms, us);
    }
  };
};

}  // namespace ketl::optimizers
