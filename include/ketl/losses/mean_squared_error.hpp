// mean_squared_error: mean((y_pred - y_true)^2) over the last axis.
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct MeanSquaredError {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "mean_squared_error"; }
  auto expression() const {
    using namespace ketl::expr;
    return mean(square(y_pred - y_true));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr MeanSquaredError mean_squared_error{};
inline constexpr const MeanSquaredError& mse = mean_squared_error;
inline constexpr const MeanSquaredError& MSE = mean_squared_error;

}  // namespace ketl::losses
