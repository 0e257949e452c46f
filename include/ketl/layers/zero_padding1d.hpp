// ZeroPadding1D<margins1d{...}>: steps of zeros before and after each
// (steps, channels) sample, as Keras's ZeroPadding1D (default padding=1).
#pragma once

#include <string_view>

#include "ketl/detail/margin_layer.hpp"
#include "ketl/spatial.hpp"

namespace ketl {

template <margins1d M = margins1d{1, 1}>
struct ZeroPadding1D : detail::margin_layer<true, 2, 0, 0, M.before, M.after>,
                       callable_layer<ZeroPadding1D<M>> {
  using base = detail::margin_layer<true, 2, 0, 0, M.before, M.after>;
  static constexpr std::string_view class_name = "ZeroPadding1D";
  static constexpr margins1d margins = M;
  ZeroPadding1D() = default;
  explicit ZeroPadding1D(LayerOptions o) : base(std::move(o)) {}
};

}  // namespace ketl
