// ZeroPadding2D<margins2d{...}>: rows and columns of zeros around each
// (rows, cols, channels) sample, as Keras's ZeroPadding2D. The default is
// Keras's padding=(1, 1); ZeroPadding2D<ketl::margins2d{.rows = {1, 2},
// .cols = {0, 3}}> is its ((1, 2), (0, 3)).
#pragma once

#include <string_view>

#include "ketl/detail/margin_layer.hpp"
#include "ketl/spatial.hpp"

namespace ketl {

template <margins2d M = margins2d{{1, 1}, {1, 1}}>
struct ZeroPadding2D : detail::margin_layer<true, 3, M.rows[0], M.rows[1], M.cols[0], M.cols[1]>,
                       callable_layer<ZeroPadding2D<M>> {
  using base = detail::margin_layer<true, 3, M.rows[0], M.rows[1], M.cols[0], M.cols[1]>;
  static constexpr std::string_view class_name = "ZeroPadding2D";
  static constexpr margins2d margins = M;
  ZeroPadding2D() = default;
  explicit ZeroPadding2D(LayerOptions o) : base(std::move(o)) {}
};

}  // namespace ketl
