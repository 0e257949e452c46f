// MaxPooling1D<pool1d{...}>: the maximum over each window of (steps, channels) samples, as
// Keras's MaxPooling1D (pool size 2, strides = the pool size, padding
// valid by default). For example ketl::MaxPooling1D<ketl::pool1d{.size = 3, .padding =
// ketl::same}>.
#pragma once

#include <string_view>

#include "ketl/detail/pool_layer.hpp"
#include "ketl/spatial.hpp"

namespace ketl {

template <pool1d Spec = pool1d{}>
struct MaxPooling1D : detail::window_pool_1d<detail::pool_kind::max, Spec>,
                      callable_layer<MaxPooling1D<Spec>> {
  static constexpr std::string_view class_name = "MaxPooling1D";
  static constexpr pool1d spec = Spec;
  MaxPooling1D() = default;
  explicit MaxPooling1D(LayerOptions o)
      : detail::window_pool_1d<detail::pool_kind::max, Spec>(std::move(o)) {}
};

}  // namespace ketl
