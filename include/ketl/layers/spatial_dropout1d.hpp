// SpatialDropout1D(rate): Keras's SpatialDropout1D on (steps, channels)
// samples: in training each channel is kept (scaled by 1 / (1 - rate)) or
// dropped for the whole sample; at inference it is the identity.
#pragma once

#include <string_view>

#include "ketl/detail/spatial_dropout_layer.hpp"

namespace ketl {

struct SpatialDropout1D : detail::spatial_dropout_layer<2>, callable_layer<SpatialDropout1D> {
  static constexpr std::string_view class_name = "SpatialDropout1D";
  // Keras 2.2.4's supports_masking: a masked input's mask passes on.
  static constexpr bool supports_masking = true;
  explicit SpatialDropout1D(float rate, LayerOptions o = {})
      : detail::spatial_dropout_layer<2>(rate, std::move(o)) {}
};

}  // namespace ketl
