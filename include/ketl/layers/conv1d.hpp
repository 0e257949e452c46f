// Conv1D<filters, conv1d{...}, Activation, T>: Keras's 1D convolution on
// (steps, channels) samples, with a (k, in, filters) kernel; padding may
// also be causal (the output at t sees inputs up to t). It runs as Conv2D's
// kernels on one row.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ketl/activations.hpp"
#include "ketl/detail/conv_core.hpp"
#include "ketl/detail/conv_geometry.hpp"
#include "ketl/layer.hpp"
#include "ketl/spatial.hpp"

namespace ketl {

template <std::size_t Filters, conv1d Spec, ActivationFunction Act = Linear, class T = float>
class Conv1D
    : public detail::conv_core<Conv1D<Filters, Spec, Act, T>, Filters, Act, T, Spec.use_bias>,
      public callable_layer<Conv1D<Filters, Spec, Act, T>> {
  static_assert(Filters > 0, "ketl::Conv1D: filters must be positive");
  static_assert(std::is_floating_point_v<T>,
                "ketl::Conv1D: the element type must be floating point");
  static_assert(Spec.kernel > 0,
                "ketl::Conv1D needs a kernel size, as Keras's kernel_size: conv1d{.kernel = 3}");
  static_assert(Spec.strides > 0 && Spec.dilation > 0,
                "ketl::Conv1D: strides and dilation must be positive");
  static_assert(Spec.strides == 1 || Spec.dilation == 1,
                "ketl::Conv1D: strides above 1 cannot be combined with a dilation above 1 "
                "(Keras refuses it too)");

  using core = detail::conv_core<Conv1D<Filters, Spec, Act, T>, Filters, Act, T, Spec.use_bias>;
  static constexpr std::size_t dilated = (Spec.kernel - 1) * Spec.dilation + 1;

  template <class In>
  static constexpr bool fits = [] {
    if constexpr (In::rank != 2)
      return false;
    else
      return detail::window_fits_input<detail::window<dilated>, In, Spec.padding>::value;
  }();

 public:
  using value_type = T;
  using activation_type = Act;
  using typename core::Options;
  static constexpr std::string_view class_name = "Conv1D";
  static constexpr std::size_t filters = Filters;
  static constexpr conv1d spec = Spec;

  using core::core;
  Conv1D() = default;

  template <class In>
  static constexpr detail::conv_geometry geometry = [] {
    if constexpr (fits<In>)
      return detail::make_geometry(1, In::dims[0], In::dims[1], 1, Spec.kernel, 1, Spec.strides, 1,
                                   Spec.dilation, Spec.padding);
    else
      return detail::conv_geometry{};
  }();

  template <class In>
  static constexpr bool accepts = fits<In>;
  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == 2,
                  "ketl::Conv1D takes (steps, channels) samples, channels last: "
                  "give it a rank-2 shape such as Input<100, 8>");
    if constexpr (In::rank == 2)
      static_assert(detail::window_fits_input<detail::window<dilated>, In, Spec.padding>::value,
                    "ketl::Conv1D: the (dilated) kernel is longer than its input; "
                    "padding = valid needs kernel <= steps");
  }
  template <class In>
  using output_shape = Shape<geometry<In>.ow, Filters>;
  // Keras's kernel layout; param_count, build, forward and backward are
  // conv_core's, over geometry<In>.
  template <class In>
  static std::vector<std::size_t> kernel_shape() {
    constexpr std::size_t k = Spec.kernel;  // a constant: see Conv2D
    return {k, In::dims[1], Filters};
  }
};

}  // namespace ketl
