// cosine_proximity: -sum(l2_normalize(y_true) * l2_normalize(y_pred)) over the last axis (a sum
// since Keras 2.0.9). tf.keras's cosine_similarity loss is the same.
#pragma once

#include <cmath>

#include "ketl/loss.hpp"

namespace ketl::losses {

struct CosineProximity {
  static constexpr Target target = Target::same_shape;
  static constexpr std::string_view name() { return "cosine_proximity"; }
  auto expression() const {
    using namespace ketl::expr;
    return -sum(l2_normalize(y_true) * l2_normalize(y_pred));
  }
  KETL_PER_SAMPLE_CALL
};

inline constexpr CosineProximity cosine_proximity{};
inline constexpr const CosineProximity& cosine = cosine_proximity;
inline constexpr const CosineProximity& cosine_similarity = cosine_proximity;

}  // namespace ketl::losses
