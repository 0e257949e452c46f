// What the elementwise merge layers share (Add, Subtract, Multiply,
// Average, Maximum, Minimum; Keras's layers/merge.py): inputs of one shape,
// an output of that shape, no weights. Each layer gives its forward and
// backward on one element position over its k inputs (Op::forward and
// Op::backward); the loops over the batch are here.
#pragma once

#include <cstddef>
#include <limits>
#include <string_view>
#include <type_traits>

#include "ketl/detail/shape_chain.hpp"
#include "ketl/layer.hpp"

namespace ketl::detail {

template <class List>
struct list_first;
template <class S, class... Rest>
struct list_first<type_list<S, Rest...>> {
  using type = S;
};

template <class List>
inline constexpr bool same_shapes = false;
template <class S, class... Rest>
inline constexpr bool same_shapes<type_list<S, Rest...>> = (std::is_same_v<S, Rest> && ...);

// Instantiated when a merge does not fit: its arguments name the layer, the
// number of inputs it takes, and the shapes it was given.
template <class Layer, std::size_t MinInputs, std::size_t MaxInputs, class... Shapes>
struct elementwise_merge_check {
  static constexpr bool count_ok = sizeof...(Shapes) >= MinInputs && sizeof...(Shapes) <= MaxInputs;
  static_assert(count_ok,
                "ketl: this merge layer takes between MinInputs and MaxInputs nodes (Subtract "
                "takes exactly 2)");
  static_assert(!count_ok || same_shapes<type_list<Shapes...>>,
                "ketl: an elementwise merge (Add, Subtract, Multiply, Average, Maximum, Minimum) "
                "needs inputs of one shape; the Shapes differ");
};

template <class Derived, std::size_t MinInputs = 2,
          std::size_t MaxInputs = std::numeric_limits<std::size_t>::max()>
struct elementwise_merge : stateless_layer, callable_layer<Derived> {
  static constexpr bool merge = true;
  // Masked inputs give the AND of their masks (Keras's _Merge; the
  // functional network computes it, models/functional_parts.hpp).
  static constexpr bool supports_masking = true;
  elementwise_merge() = default;
  explicit elementwise_merge(LayerOptions o) : stateless_layer(std::move(o)) {}

  template <class Ins>
  static constexpr bool accepts =
      list_count<Ins> >= MinInputs&& list_count<Ins> <= MaxInputs&& same_shapes<Ins>;
  template <class Ins>
  static constexpr void check_input() {
    [[maybe_unused]] constexpr bool checked = []<class... S>(type_list<S...>*) {
      return elementwise_merge_check<Derived, MinInputs, MaxInputs, S...>::count_ok;
    }(static_cast<Ins*>(nullptr));
  }
  template <class Ins>
  using output_shape = typename list_first<Ins>::type;

  template <class Ins, class T>
  void forward(const T* const* xs, T* y, std::size_t n, Pass<T>&) {
    constexpr std::size_t k = list_count<Ins>;
    const std::size_t count = n * list_first<Ins>::type::size;
    T v[k];
    for (std::size_t e = 0; e < count; ++e) {
      for (std::size_t i = 0; i < k; ++i) v[i] = xs[i][e];
      y[e] = Derived::template combine<T>(v, k);
    }
  }
  // dxs[i] is null where input i needs no gradient.
  template <class Ins, class T>
  void backward(const T* const* xs, const T* y, T* dy, T* const* dxs, std::size_t n, Pass<T>&) {
    constexpr std::size_t k = list_count<Ins>;
    const std::size_t count = n * list_first<Ins>::type::size;
    T v[k], d[k];
    for (std::size_t e = 0; e < count; ++e) {
      for (std::size_t i = 0; i < k; ++i) v[i] = xs[i][e];
      Derived::template gradient<T>(v, k, y[e], dy[e], d);
      for (std::size_t i = 0; i < k; ++i)
        if (dxs[i]) dxs[i][e] = d[i];
    }
  }
};

}  // namespace ketl::detail
