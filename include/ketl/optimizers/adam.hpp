// Adam and AMSGrad, as Keras 2.2.4, with t = iterations + 1:
//   lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
//   m = beta_1 * m + (1 - beta_1) * g;  v = beta_2 * v + (1 - beta_2) * g^2
//   amsgrad: vhat = max(vhat, v), used for v below
//   p -= lr_t * m / (sqrt(v) + epsilon)
#pragma once

#include "ketl/optimizer.hpp"

namespace ketl::optimizers {

struct Adam {
  static constexpr std::string_view name = "adam";
  static constexpr std::string_view keras_class = "Adam";
  float lr = 0.001f;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-7f;
  float decay = 0.0f;
  bool amsgrad = false;
  float clipnorm = 0.0f;
  float clipvalue = 0.0f;

  template <class Self, class F>
  static void each_hyper(Self& o, F&& f) {
    f("lr", o.lr), f("beta_1", o.beta_1), f("beta_2", o.beta_2), f("decay", o.decay),
        f("epsilon", o.epsilon), f("amsgrad", o.amsgrad);
  }

  void validate() const {
    detail::validate_common(*this);
    detail::check_hyper(name, "beta_1", beta_1, 0, 1, true);
    detail::check_hyper(name, "beta_2", beta_2, 0, 1, true);
    detail::check_hyper(name, "epsilon", epsilon, 0);
  }

  template <class T>
  struct State {
    detail::slots<T> ms, vs, vhats;
    explicit State(std::span<const WeightRef<T>> w) : ms(w), vs(w), vhats(w) {}
    // [iterations] + ms + vs + vhats; without amsgrad Keras keeps each
    // vhat as one zero (shape (1,)).
    static constexpr bool keras_iterations = true;
    template <class F>
    void each_slot(const Adam& o, F&& f) {
      f("ms", ms, true), f("vs", vs, true), f("vhats", vhats, o.amsgrad);
    }

    void apply(const Adam& o, std::span<const WeightRef<T>> weights, std::int64_t iterations) {
      const double t = double(iterations + 1);
      const T lr_t =
          T(detail::decayed(o.lr, o.decay, iterations) *
            std::sqrt(1.0 - std::pow(double(o.beta_2), t)) / (1.0 - std::pow(double(o.beta_1), t)));
      const T b1 = T(o.beta_1), b2 = T(o.beta_2), eps = T(o.epsilon);
      // m and v as Keras's; AMSGrad divides by the running maximum of v.
      auto moments = [=](auto& m, auto& v, auto g) {
        using V = std::remove_cvref_t<decltype(m)>;
        m = V(b1) * m + V(T(1) - b1) * g;
        v = V(b2) * v + V(T(1) - b2) * g * g;
      };
      if (o.amsgrad)
        detail::update_each<T>(
            weights,
            [=](auto& p, auto g, auto& m, auto& v, auto& vhat) {
              using V = std::remove_cvref_t<decltype(p)>;
              moments(m, v, g);
              vhat = ketl::detail::simd::max(vhat, v);
              p -= V(lr_t) * m / (xsimd::sqrt(vhat) + V(eps));
            },
            ms, vs, vhats);
      else
        detail::update_each<T>(
            weights,
            [=](auto& p, auto g, auto& m, auto& v) {
              using V = std::remove_cvref_t<decltype(p)>;
              moments(m, v, g);
              p -= V(lr_t) * m / (xsimd::sqrt(v) + V(eps));
            },
            ms, vs);
    }
  };
};

}  // namespace ketl::optimizers
