// UpSampling2D<rows, cols>: each row repeated `rows` times and each column
// `cols` times, as Keras's UpSampling2D (size=(2, 2), nearest).
#pragma once

#include <cstddef>
#include <string_view>

#include "ketl/detail/upsampling_layer.hpp"

namespace ketl {

template <std::size_t Rows = 2, std::size_t Cols = 2>
struct UpSampling2D : detail::upsampling_layer<3, Rows, Cols>,
                      callable_layer<UpSampling2D<Rows, Cols>> {
  static constexpr std::string_view class_name = "UpSampling2D";
  UpSampling2D() = default;
  explicit UpSampling2D(LayerOptions o) : detail::upsampling_layer<3, Rows, Cols>(std::move(o)) {}
};

}  // namespace ketl
