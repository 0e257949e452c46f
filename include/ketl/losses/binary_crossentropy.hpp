// binary_crossentropy, mean over the last axis. With probabilities it follows
// tf.keras (and Keras 2.3): p = clip(y_pred, eps, 1 - eps),
// -(t log(p + eps) + (1 - t) log(1 - p + eps)); Keras 2.2.4's logit round
// trip differs only for saturated predictions (docs/keras-differences.md).
// With from_logits: max(x, 0) - x t + log(1 + e^-|x|). label_smoothing
// replaces t by t (1 - ls) + ls / 2.
#pragma once

#include "ketl/loss.hpp"

namespace ketl::losses {

struct BinaryCrossentropy {
  bool from_logits = false;
  double label_smoothing = 0.0;
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "binary_crossentropy"; }
  auto expression() const {
    using namespace ketl::expr;
    const auto t = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing;
    const auto p = clip(y_pred, epsilon(), 1.0 - epsilon());
    const auto with_probs = -(t * log(p + epsilon()) + (1.0 - t) * log(1.0 - p + epsilon()));
    const auto x = y_pred;
    const auto with_logits = maximum(x, 0.0) - x * t + log1p(exp(-abs(x)));
    return mean(where(from_logits, with_logits, with_probs));
  }
  KETL_PER_SAMPLE_CALL
};
inline constexpr BinaryCrossentropy binary_crossentropy{};
inline constexpr const BinaryCrossentropy& bce = binary_crossentropy;

}  // namespace ketl::losses
