// mean_squared_logarithmic_error: mean((log(clip(y_pred, eps, inf) + 1) - log(clip(y_true, eps,
// inf) + 1))^2).
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct MeanSquaredLogarithmicError {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "mean_squared_logarithmic_error"; }
  auto expression() const {
    using namespace ketl::expr;
    return mean(square(log(clip(y_pred, epsilon(), HUGE_VAL) + 1.0) -
                       log(clip(y_true, epsilon(), HUGE_VAL) + 1.0)));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr MeanSquaredLogarithmicError mean_squared_logarithmic_error{};
inline constexpr const MeanSquaredLogarithmicError& msle = mean_squared_logarithmic_error;
inline constexpr const MeanSquaredLogarithmicError& MSLE = mean_squared_logarithmic_error;

}  // namespace ketl::losses
