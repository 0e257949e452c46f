// categorical_hinge: max(0, max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1).
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct CategoricalHinge {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "categorical_hinge"; }
  auto expression() const {
    using namespace ketl::expr;
    return maximum(0.0, max((1.0 - y_true) * y_pred) - sum(y_true * y_pred) + 1.0);
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr CategoricalHinge categorical_hinge{};

}  // namespace ketl::losses
