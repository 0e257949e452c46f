// AveragePooling1D<pool1d{...}>: the average over each window of (steps, channels) samples, as
// Keras's AveragePooling1D (pool size 2, strides = the pool size, padding
// valid by default). For example ketl::AveragePooling1D<ketl::pool1d{.size = 3, .padding =
// ketl::same}>.
#pragma once

#include <string_view>

#include "ketl/detail/pool_layer.hpp"
#include "ketl/spatial.hpp"

namespace ketl {

template <pool1d Spec = pool1d{}>
struct AveragePooling1D : detail::window_pool_1d<detail::pool_kind::average, Spec>,
                          callable_layer<AveragePooling1D<Spec>> {
  static constexpr std::string_view class_name = "AveragePooling1D";
  static constexpr pool1d spec = Spec;
  AveragePooling1D() = default;
  explicit AveragePooling1D(LayerOptions o)
      : detail::window_pool_1d<detail::pool_kind::average, Spec>(std::move(o)) {}
};

}  // namespace ketl
