// GlobalAveragePooling1D: the mean of each channel over all positions, as Keras's
// GlobalAveragePooling1D: (steps, channels) becomes (channels).
#pragma once

#include <string_view>

#include "ketl/detail/pool_layer.hpp"

namespace ketl {

struct GlobalAveragePooling1D : detail::global_pool_layer<false, 2>,
                                callable_layer<GlobalAveragePooling1D> {
  static constexpr std::string_view class_name = "GlobalAveragePooling1D";
  GlobalAveragePooling1D() = default;
  explicit GlobalAveragePooling1D(LayerOptions o)
      : detail::global_pool_layer<false, 2>(std::move(o)) {}
};

}  // namespace ketl
