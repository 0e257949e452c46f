// squared_hinge: mean(max(1 - y_true * y_pred, 0)^2), labels -1/1; 0/1 labels
// are converted to -1/1 first, as Keras 2.3 and tf.keras do (hinge.hpp).
#pragma once

#include <cmath>

#include "ketl/loss.hpp"
#include "ketl/losses/hinge.hpp"

namespace ketl::losses {

struct SquaredHinge {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "squared_hinge"; }
  auto expression() const {
    using namespace ketl::expr;
    return mean(square(maximum(1.0 - detail::signed_labels() * y_pred, 0.0)));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr SquaredHinge squared_hinge{};

}  // namespace ketl::losses
