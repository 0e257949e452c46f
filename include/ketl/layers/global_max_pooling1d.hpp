// GlobalMaxPooling1D: the maximum of each channel over all positions, as Keras's
// GlobalMaxPooling1D: (steps, channels) becomes (channels).
#pragma once

#include <string_view>

#include "ketl/detail/pool_layer.hpp"

namespace ketl {

struct GlobalMaxPooling1D : detail::global_pool_layer<true, 2>, callable_layer<GlobalMaxPooling1D> {
  static constexpr std::string_view class_name = "GlobalMaxPooling1D";
  GlobalMaxPooling1D() = default;
  explicit GlobalMaxPooling1D(LayerOptions o) : detail::global_pool_layer<true, 2>(std::move(o)) {}
};

}  // namespace ketl
