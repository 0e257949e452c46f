// categorical_crossentropy, Keras 2.2.4's K.categorical_crossentropy with
// probabilities: p = y_pred / sum(y_pred); p = clip(p, eps, 1 - eps);
// loss = -sum(y_true * log(p)). Renormalising first makes any positive
// output a distribution; the gradient goes through both steps.
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

inline constexpr double epsilon = 1e-7;

inline constexpr struct categorical_crossentropy final : detail::rowwise<categorical_crossentropy> {
  static constexpr std::string_view name = "categorical_crossentropy";
  template <class T>
  T row(const T* yt, const T* yp, std::size_t cols, T* grad, T scale) const {
    const T eps = T(epsilon);
    T sum = 0;
    for (std::size_t j = 0; j < cols; ++j) sum += yp[j];
    const T inv = T(1) / sum;
    T loss = 0;
    T passed = 0;  // sum of y_true where the clip let the gradient through
    for (std::size_t j = 0; j < cols; ++j) {
      const T q = yp[j] * inv;
      const T qc = q < eps ? eps : (q > T(1) - eps ? T(1) - eps : q);
      loss -= yt[j] * std::log(qc);
      if (q >= eps && q <= T(1) - eps) passed += yt[j];
    }
    if (grad) {
      // d/dp_k = (-t_k [k unclipped] / q_k + sum_j t_j [j unclipped]) / S
      for (std::size_t j = 0; j < cols; ++j) {
        const T q = yp[j] * inv;
        const bool through = q >= eps && q <= T(1) - eps;
        grad[j] = scale * inv * ((through ? -yt[j] / q : T(0)) + passed);
      }
    }
    return loss;
  }
} categorical_crossentropy;

}  // namespace ketl::losses
