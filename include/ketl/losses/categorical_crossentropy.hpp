// categorical_crossentropy. With probabilities, Keras's K.categorical_crossentropy:
// p = y_pred / sum(y_pred), clipped to [eps, 1 - eps], loss = -sum(t * log(p)).
// With from_logits, -sum(t * log_softmax(y_pred)), unclipped. label_smoothing
// (2.3+, tf.keras) replaces t by t * (1 - ls) + ls / C.
#pragma once

#include "ketl/loss.hpp"

namespace ketl::losses {

namespace detail {
// log(softmax(x)) over the last axis, shifted by the row max, whose gradient
// cancels exactly, so it is not differentiated.
template <expr::Expression X>
constexpr auto log_softmax(X x) {
  using namespace ketl::expr;
  const auto shifted = x - stop_gradient(max(x));
  return shifted - log(sum(exp(shifted)));
}
template <expr::Expression P>
constexpr auto renormalised_log(P p) {
  using namespace ketl::expr;
  return log(clip(p / sum(p), epsilon(), 1.0 - epsilon()));
}
}  // namespace detail

struct CategoricalCrossentropy {
  bool from_logits = false;
  double label_smoothing = 0.0;
  static constexpr Target target = Target::same_shape;
  // Keras rejects a one-unit output: there is nothing to normalise over.
  static constexpr bool needs_several_classes = true;
  static constexpr std::string_view name() { return "categorical_crossentropy"; }
  auto expression() const {
    using namespace ketl::expr;
    const auto t = y_true * (1.0 - label_smoothing) + label_smoothing / cols{};
    return -sum(t *
                where(from_logits, detail::log_softmax(y_pred), detail::renormalised_log(y_pred)));
  }
  KETL_PER_SAMPLE_CALL
};
inline constexpr CategoricalCrossentropy categorical_crossentropy{};

// sparse_categorical_crossentropy: y_true holds integer labels, (N,) or (N, 1).
// With probabilities, Keras 2.2.4 takes p = log(clip(y_pred, eps, 1 - eps))
// as logits, so the loss is -log(clip(p_label)) + log(sum(clip(p))).
struct SparseCategoricalCrossentropy {
  bool from_logits = false;
  double label_smoothing = 0.0;  // not in tf.keras's sparse loss; here as for the dense one
  static constexpr Target target = Target::sparse_labels;
  static constexpr std::string_view name() { return "sparse_categorical_crossentropy"; }
  auto expression() const {
    using namespace ketl::expr;
    const auto t = one_hot_labels * (1.0 - label_smoothing) + label_smoothing / cols{};
    const auto clipped = log(clip(y_pred, epsilon(), 1.0 - epsilon()));
    return -sum(t * where(from_logits, detail::log_softmax(y_pred), detail::log_softmax(clipped)));
  }
  KETL_PER_SAMPLE_CALL
};
inline constexpr SparseCategoricalCrossentropy sparse_categorical_crossentropy{};

}  // namespace ketl::losses
