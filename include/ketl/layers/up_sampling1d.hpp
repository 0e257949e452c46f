// UpSampling1D<size>: each step of a (steps, channels) sample repeated
// `size` times, as Keras's UpSampling1D (size=2).
#pragma once

#include <cstddef>
#include <string_view>

#include "ketl/detail/upsampling_layer.hpp"

namespace ketl {

template <std::size_t Size = 2>
struct UpSampling1D : detail::upsampling_layer<2, 1, Size>, callable_layer<UpSampling1D<Size>> {
  static constexpr std::string_view class_name = "UpSampling1D";
  UpSampling1D() = default;
  explicit UpSampling1D(LayerOptions o) : detail::upsampling_layer<2, 1, Size>(std::move(o)) {}
};

}  // namespace ketl
