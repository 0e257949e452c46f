// Accuracy metrics (keras/metrics.py, 2.2.4) and the "acc" name.
#pragma once

#include <cmath>
#include <cstddef>

#include "ketl/loss.hpp"

namespace ketl::metrics {

namespace detail {
// First index of the largest value, as tf.argmax on ties.
template <class T>
std::size_t argmax(const T* v, std::size_t n) {
  std::size_t best = 0;
  for (std::size_t j = 1; j < n; ++j)
    if (v[j] > v[best]) best = j;
  return best;
}
}  // namespace detail

// mean(equal(y_true, round(y_pred))) over the last axis; round is half to even.
inline constexpr struct binary_accuracy final : ketl::detail::rowwise<binary_accuracy> {
  static constexpr std::string_view name = "binary_accuracy";
  template <class T>
  T row(const T* yt, const T* yp, std::size_t cols) const {
    T hits = 0;
    for (std::size_t j = 0; j < cols; ++j) hits += yt[j] == std::nearbyint(yp[j]) ? T(1) : T(0);
    return hits / T(cols);
  }
} binary_accuracy;

inline constexpr struct categorical_accuracy final : ketl::detail::rowwise<categorical_accuracy> {
  static constexpr std::string_view name = "categorical_accuracy";
  template <class T>
  T row(const T* yt, const T* yp, std::size_t cols) const {
    return detail::argmax(yt, cols) == detail::argmax(yp, cols) ? T(1) : T(0);
  }
} categorical_accuracy;

// "acc"/"accuracy": compile() resolves it, as Keras 2.2.4 does, to
// binary_accuracy for one-unit outputs (or binary_crossentropy), else to
// categorical_accuracy. It is reported as "acc".
inline constexpr struct accuracy final {
  static constexpr std::string_view name = "acc";
} accuracy, acc;

}  // namespace ketl::metrics
