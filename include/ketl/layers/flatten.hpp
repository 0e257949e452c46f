// Flatten: (N, d0, d1, ...) becomes (N, d0*d1*...). Row-major data does not
// move; the layer copies the batch into its own output buffer.
#pragma once

#include <algorithm>
#include <string_view>

#include "ketl/layer.hpp"

namespace ketl {

struct Flatten : stateless_layer, callable_layer<Flatten> {
  static constexpr std::string_view class_name = "Flatten";
  Flatten() = default;
  explicit Flatten(LayerOptions o) : stateless_layer(std::move(o)) {}

  template <class In>
  static constexpr bool accepts = true;
  template <class In>
  static constexpr void check_input() {}
  template <class In>
  using output_shape = Shape<In::size>;

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
