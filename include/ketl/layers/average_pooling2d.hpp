// AveragePooling2D<pool2d{...}>: the average over each window of (rows, cols, channels) samples, as
// Keras's AveragePooling2D (pool size 2, strides = the pool size, padding
// valid by default). For example ketl::AveragePooling2D<ketl::pool2d{.size = {3, 3}, .strides = {2,
// 2}}>.
#pragma once

#include <string_view>

#include "ketl/detail/pool_layer.hpp"
#include "ketl/spatial.hpp"

namespace ketl {

template <pool2d Spec = pool2d{}>
struct AveragePooling2D : detail::window_pool_2d<detail::pool_kind::average, Spec>,
                          callable_layer<AveragePooling2D<Spec>> {
  static constexpr std::string_view class_name = "AveragePooling2D";
  static constexpr pool2d spec = Spec;
  AveragePooling2D() = default;
  explicit AveragePooling2D(LayerOptions o)
      : detail::window_pool_2d<detail::pool_kind::average, Spec>(std::move(o)) {}
};

}  // namespace ketl
