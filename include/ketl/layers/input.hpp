// Input<d...>: the model's feature shape. It is the first entry of every
// Sequential, the counterpart of Keras's input_shape=(d...,).
#pragma once

#include <string_view>
#include <type_traits>

#include "ketl/layer.hpp"
#include "ketl/shape.hpp"

namespace ketl {

template <std::size_t... Dims>
struct Input : stateless_layer {
  using shape = Shape<Dims...>;
  static constexpr std::string_view class_name = "InputLayer";

  template <class In>
  static constexpr bool accepts = std::is_same_v<In, shape>;
  template <class In>
  static constexpr void check_input() {
    static_assert(
        std::is_same_v<In, shape>,
        "ketl::Input: an Input can only start a Sequential, where it sets the input shape");
  }
  template <class In>
  using output_shape = shape;

  template <class In, class T>
  void forward(const T*, T*, std::size_t, Pass<T>&) {}
  template <class In, class T>
  void backward(const T*, const T*, T*, T*, std::size_t, Pass<T>&) {}
};

namespace detail {
template <class L>
struct is_input : std::false_type {};
template <std::size_t... D>
struct is_input<Input<D...>> : std::true_type {};
}  // namespace detail

}  // namespace ketl
