// Cropping2D<margins2d{...}>: rows and columns cut from each side of each
// (rows, cols, channels) sample, as Keras's Cropping2D (default: nothing).
// Cropping everything fails to compile.
#pragma once

#include <string_view>

#include "ketl/detail/margin_layer.hpp"
#include "ketl/spatial.hpp"

namespace ketl {

template <margins2d M = margins2d{}>
struct Cropping2D : detail::margin_layer<false, 3, M.rows[0], M.rows[1], M.cols[0], M.cols[1]>,
                    callable_layer<Cropping2D<M>> {
  using base = detail::margin_layer<false, 3, M.rows[0], M.rows[1], M.cols[0], M.cols[1]>;
  static constexpr std::string_view class_name = "Cropping2D";
  static constexpr margins2d margins = M;
  Cropping2D() = default;
  explicit Cropping2D(LayerOptions o) : base(std::move(o)) {}
};

}  // namespace ketl
