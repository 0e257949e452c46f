// logcosh: mean(log(cosh(x))) with x = y_pred - y_true, written as x + softplus(-2x) - log(2) so
// that it does not overflow.
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct LogCosh {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "logcosh"; }
  auto expression() const {
    using namespace ketl::expr;
    const auto x = y_pred - y_true;
    return mean(x + softplus(-2.0 * x) - std::log(2.0));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr LogCosh logcosh{};
inline constexpr const LogCosh& log_cosh = logcosh;

}  // namespace ketl::losses
