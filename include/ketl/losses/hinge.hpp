// hinge: mean(max(1 - y_true * y_pred, 0)); labels are -1/1 (no 0/1 conversion, as 2.2.4).
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct Hinge {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "hinge"; }
  auto expression() const {
    using namespace ketl::expr;
    return mean(maximum(1.0 - y_true * y_pred, 0.0));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr Hinge hinge{};

}  // namespace ketl::losses
