// Activation<A>: an activation function as a layer of its own.
#pragma once

#include <algorithm>
#include <string_view>

#include "ketl/activations.hpp"
#include "ketl/layer.hpp"

namespace ketl {

template <ActivationFunction A>
struct Activation : stateless_layer, callable_layer<Activation<A>> {
  static constexpr std::string_view class_name = "Activation";
  // Keras 2.2.4's supports_masking: a masked input's mask passes on.
  static constexpr bool supports_masking = true;
  A function{};

  Activation() = default;
  explicit Activation(A a, LayerOptions o = {}) : stateless_layer(std::move(o)), function(a) {}
  explicit Activation(LayerOptions o) : stateless_layer(std::move(o)) {}

  template <class In>
  static constexpr bool accepts = true;
  template <class In>
  static constexpr void check_input() {}
  template <class In>
  using output_shape = In;

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>&) {
    activate(function, x, y, n * In::outer, In::last);
  }
  template <class In, class T>
  void backward(const T*, const T* y, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    if (!dx) return;
    if (pass.grad_before_activation)
      std::copy(dy, dy + n * In::size, dx);
    else
      activate_backward(function, y, dy, dx, n * In::outer, In::last);
  }
};

namespace detail {
template <>
inline constexpr bool ends_in_softmax<Activation<Softmax>> = true;
}  // namespace detail

}  // namespace ketl
