// SpatialDropout2D(rate): Keras's SpatialDropout2D on (rows, cols, channels)
// samples: in training each channel is kept (scaled by 1 / (1 - rate)) or
// dropped for the whole sample; at inference it is the identity.
#pragma once

#include <string_view>

#include "ketl/detail/spatial_dropout_layer.hpp"

namespace ketl {

struct SpatialDropout2D : detail::spatial_dropout_layer<3>, callable_layer<SpatialDropout2D> {
  static constexpr std::string_view class_name = "SpatialDropout2D";
  explicit SpatialDropout2D(float rate, LayerOptions o = {})
      : detail::spatial_dropout_layer<3>(rate, std::move(o)) {}
};

}  // namespace ketl
