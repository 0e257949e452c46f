// Reshape<d...>: the same elements under a new feature shape. The element
// counts must agree, and that is checked at compile time.
#pragma once

#include <algorithm>
#include <string_view>

#include "ketl/layer.hpp"

namespace ketl {

template <std::size_t... Dims>
struct Reshape : stateless_layer, callable_layer<Reshape<Dims...>> {
  using target_shape = Shape<Dims...>;
  static constexpr std::string_view class_name = "Reshape";
  Reshape() = default;
  explicit Reshape(LayerOptions o) : stateless_layer(std::move(o)) {}

  template <class In>
  static constexpr bool accepts = In::size == target_shape::size;
  template <class In>
  static constexpr void check_input() {
    static_assert(In::size == target_shape::size,
                  "ketl::Reshape: the target shape must hold as many elements as the input shape");
  }
  template <class In>
  using output_shape = target_shape;

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>&) {
    std::copy(x, x + n * In::size, y);
  }
  template <class In, class T>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>&) {
    if (dx) std::copy(dy, dy + n * In::size, dx);
  }
};

}  // namespace ketl
