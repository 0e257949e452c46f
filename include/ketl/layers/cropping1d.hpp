// Cropping1D<margins1d{...}>: steps cut from the start and the end of each
// (steps, channels) sample, as Keras's Cropping1D (default cropping=(1, 1)).
#pragma once

#include <string_view>

#include "ketl/detail/margin_layer.hpp"
#include "ketl/spatial.hpp"

namespace ketl {

template <margins1d M = margins1d{1, 1}>
struct Cropping1D : detail::margin_layer<false, 2, 0, 0, M.before, M.after>,
                    callable_layer<Cropping1D<M>> {
  using base = detail::margin_layer<false, 2, 0, 0, M.before, M.after>;
  static constexpr std::string_view class_name = "Cropping1D";
  static constexpr margins1d margins = M;
  Cropping1D() = default;
  explicit Cropping1D(LayerOptions o) : base(std::move(o)) {}
};

}  // namespace ketl
