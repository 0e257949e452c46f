// mean_absolute_percentage_error: 100 * mean(|(y_true - y_pred) / clip(|y_true|, eps, inf)|).
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct MeanAbsolutePercentageError {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "mean_absolute_percentage_error"; }
  auto expression() const {
    using namespace ketl::expr;
    return 100.0 * mean(abs((y_true - y_pred) / clip(abs(y_true), epsilon(), HUGE_VAL)));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr MeanAbsolutePercentageError mean_absolute_percentage_error{};
inline constexpr const MeanAbsolutePercentageError& mape = mean_absolute_percentage_error;
inline constexpr const MeanAbsolutePercentageError& MAPE = mean_absolute_percentage_error;

}  // namespace ketl::losses
