// MaxPooling2D<pool2d{...}>: the maximum over each window of (rows, cols, channels) samples, as
// Keras's MaxPooling2D (pool size 2, strides = the pool size, padding
// valid by default). For example ketl::MaxPooling2D<ketl::pool2d{.size = {3, 3}, .strides = {2,
// 2}}>.
#pragma once

#include <string_view>

#include "ketl/detail/pool_layer.hpp"
#include "ketl/spatial.hpp"

namespace ketl {

template <pool2d Spec = pool2d{}>
struct MaxPooling2D : detail::window_pool_2d<detail::pool_kind::max, Spec>,
                      callable_layer<MaxPooling2D<Spec>> {
  static constexpr std::string_view class_name = "MaxPooling2D";
  static constexpr pool2d spec = Spec;
  MaxPooling2D() = default;
  explicit MaxPooling2D(LayerOptions o)
      : detail::window_pool_2d<detail::pool_kind::max, Spec>(std::move(o)) {}
};

}  // namespace ketl
