// GlobalMaxPooling2D: the maximum of each channel over all positions, as Keras's
// GlobalMaxPooling2D: (rows, cols, channels) becomes (channels).
#pragma once

#include <string_view>

#include "ketl/detail/pool_layer.hpp"

namespace ketl {

struct GlobalMaxPooling2D : detail::global_pool_layer<true, 3>, callable_layer<GlobalMaxPooling2D> {
  static constexpr std::string_view class_name = "GlobalMaxPooling2D";
  GlobalMaxPooling2D() = default;
  explicit GlobalMaxPooling2D(LayerOptions o) : detail::global_pool_layer<true, 3>(std::move(o)) {}
};

}  // namespace ketl
