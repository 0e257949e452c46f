// huber: tf.keras's huber: mean over the last axis of 0.5 x^2 where |x| <= delta, else delta |x| -
// 0.5 delta^2, x = y_pred - y_true. (Keras 2.2.4 has no huber; 2.3.1's does not reduce the last
// axis.)
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct Huber {
  double delta = 1.0;
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "huber"; }
  auto expression() const {
    using namespace ketl::expr;
    const auto x = y_pred - y_true;
    return mean(where(abs(x) <= delta, 0.5 * square(x), delta * abs(x) - 0.5 * delta * delta));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr Huber huber{};
inline constexpr const Huber& huber_loss = huber;

}  // namespace ketl::losses
