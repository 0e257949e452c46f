// kullback_leibler_divergence: sum(t * log(t / p)) with t = clip(y_true, eps, 1), p = clip(y_pred,
// eps, 1).
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct KLDivergence {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "kullback_leibler_divergence"; }
  auto expression() const {
    using namespace ketl::expr;
    const auto t = clip(y_true, epsilon(), 1.0);
    return sum(t * log(t / clip(y_pred, epsilon(), 1.0)));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr KLDivergence kullback_leibler_divergence{};
inline constexpr const KLDivergence& kld = kullback_leibler_divergence;
inline constexpr const KLDivergence& KLD = kullback_leibler_divergence;
inline constexpr const KLDivergence& kl_divergence = kullback_leibler_divergence;

}  // namespace ketl::losses
