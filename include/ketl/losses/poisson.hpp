// poisson: mean(y_pred - y_true * log(y_pred + eps)).
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct Poisson {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "poisson"; }
  auto expression() const {
    using namespace ketl::expr;
    return mean(y_pred - y_true * log(y_pred + epsilon()));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr Poisson poisson{};

}  // namespace ketl::losses
