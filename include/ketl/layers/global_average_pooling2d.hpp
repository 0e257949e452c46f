// GlobalAveragePooling2D: the mean of each channel over all positions, as Keras's
// GlobalAveragePooling2D: (rows, cols, channels) becomes (channels).
#pragma once

#include <string_view>

#include "ketl/detail/pool_layer.hpp"

namespace ketl {

struct GlobalAveragePooling2D : detail::global_pool_layer<false, 3>,
                                callable_layer<GlobalAveragePooling2D> {
  static constexpr std::string_view class_name = "GlobalAveragePooling2D";
  GlobalAveragePooling2D() = default;
  explicit GlobalAveragePooling2D(LayerOptions o)
      : detail::global_pool_layer<false, 3>(std::move(o)) {}
};

}  // namespace ketl
