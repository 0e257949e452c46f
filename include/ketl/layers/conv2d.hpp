// Conv2D<filters, conv2d{...}, Activation, T>: Keras's 2D convolution on
// channels-last images (rows, cols, channels), with a (kh, kw, in, filters)
// kernel. The output shape follows Keras's conv_output_length at compile
// time, and a window that cannot fit its input fails to compile.
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

template <std::size_t Filters, conv2d Spec, ActivationFunction Act = Linear, class T = float>
class Conv2D
    : public detail::conv_core<Conv2D<Filters, Spec, Act, T>, Filters, Act, T, Spec.use_bias>,
      public callable_layer<Conv2D<Filters, Spec, Act, T>> {
  static_assert(Filters > 0, "ketl::Conv2D: filters must be positive");
  static_assert(std::is_floating_point_v<T>,
                "ketl::Conv2D: the element type must be floating point");
  static_assert(Spec.kernel[0] > 0 && Spec.kernel[1] > 0,
                "ketl::Conv2D needs a kernel size, as Keras's kernel_size: "
                "conv2d{.kernel = {3, 3}}");
  static_assert(Spec.strides[0] > 0 && Spec.strides[1] > 0 && Spec.dilation[0] > 0 &&
                    Spec.dilation[1] > 0,
                "ketl::Conv2D: strides and dilation must be positive");
  static_assert((Spec.strides[0] == 1 && Spec.strides[1] == 1) ||
                    (Spec.dilation[0] == 1 && Spec.dilation[1] == 1),
                "ketl::Conv2D: strides above 1 cannot be combined with a dilation above 1 "
                "(Keras refuses it too)");
  static_assert(Spec.padding != causal,
                "ketl::Conv2D: padding must be valid or same; causal is for Conv1D");

  using core = detail::conv_core<Conv2D<Filters, Spec, Act, T>, Filters, Act, T, Spec.use_bias>;
  static constexpr std::size_t dilated_h = (Spec.kernel[0] - 1) * Spec.dilation[0] + 1;
  static constexpr std::size_t dilated_w = (Spec.kernel[1] - 1) * Spec.dilation[1] + 1;

  template <class In>
  static constexpr bool fits = [] {
    if constexpr (In::rank != 3)
      return false;
    else
      return detail::window_fits_input<detail::window<dilated_h, dilated_w>, In,
                                       Spec.padding>::value;
  }();

 public:
  using value_type = T;
  using activation_type = Act;
  using typename core::Options;
  static constexpr std::string_view class_name = "Conv2D";
  static constexpr std::size_t filters = Filters;
  static constexpr conv2d spec = Spec;

  using core::core;
  Conv2D() = default;

  // The window over an input it fits (an empty geometry otherwise, so that
  // nothing downstream of a reported error computes a negative size).
  template <class In>
  static constexpr detail::conv_geometry geometry = [] {
    if constexpr (fits<In>)
      return detail::make_geometry(In::dims[0], In::dims[1], In::dims[2], Spec.kernel[0],
                                   Spec.kernel[1], Spec.strides[0], Spec.strides[1],
                                   Spec.dilation[0], Spec.dilation[1], Spec.padding);
    else
      return detail::conv_geometry{};
  }();

  template <class In>
  static constexpr bool accepts = fits<In>;
  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == 3,
                  "ketl::Conv2D takes (rows, cols, channels) samples, channels last: "
                  "give it a rank-3 shape such as Input<28, 28, 1>");
    if constexpr (In::rank == 3)
      static_assert(
          detail::window_fits_input<detail::window<dilated_h, dilated_w>, In, Spec.padding>::value,
          "ketl::Conv2D: the (dilated) kernel is larger than its input; padding = valid "
          "needs kernel <= input along each axis");
  }
  template <class In>
  using output_shape = Shape<geometry<In>.oh, geometry<In>.ow, Filters>;
  // Keras's kernel layout; param_count, build, forward and backward are
  // conv_core's, over geometry<In>.
  template <class In>
  static std::vector<std::size_t> kernel_shape() {
    // Constants first: clang 14 misreads a class-type template argument's
    // array members at run time.
    constexpr std::size_t kh = Spec.kernel[0], kw = Spec.kernel[1];
    return {kh, kw, In::dims[2], Filters};
  }
};

}  // namespace ketl
