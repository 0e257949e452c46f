// hinge: mean(max(1 - y_true * y_pred, 0)), labels -1/1; 0/1 labels are
// converted to -1/1 first, as Keras 2.3 and tf.keras do (2.2.4 did not, and
// its hinge on 0/1 labels is meaningless). See detail::signed_labels.
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

namespace detail {
// tf.keras's _maybe_convert_labels, per row: a row of 0/1 labels becomes
// 2 y - 1; anything else stays. tf.keras decides for the whole batch, which
// gives the same labels for any batch of one encoding (a -1/1 row is all
// 0/1 only when it is all 1s, which 2 y - 1 keeps).
inline auto signed_labels() {
  using namespace ketl::expr;
  const auto binary_row = min(equal(y_true, 0.0) + equal(y_true, 1.0));
  return where(binary_row, 2.0 * y_true - 1.0, y_true);
}
}  // namespace detail

struct Hinge {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "hinge"; }
  auto expression() const {
    using namespace ketl::expr;
    return mean(maximum(1.0 - detail::signed_labels() * y_pred, 0.0));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr Hinge hinge{};

}  // namespace ketl::losses
