// mean_absolute_error: mean(|y_pred - y_true|) over the last axis.
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct MeanAbsoluteError {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "mean_absolute_error"; }
  auto expression() const {
    using namespace ketl::expr;
    return mean(abs(y_pred - y_true));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr MeanAbsoluteError mean_absolute_error{};
inline constexpr const MeanAbsoluteError& mae = mean_absolute_error;
inline constexpr const MeanAbsoluteError& MAE = mean_absolute_error;

}  // namespace ketl::losses
