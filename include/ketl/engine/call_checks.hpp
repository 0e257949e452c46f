// The compile-time checks of fit's, evaluate's and the *_on_batch calls'
// x and y: their ranks, where their types fix them, against the model's
// inputs and outputs. Used by engine::trainer (engine/trainer.hpp).
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ketl/array_ref.hpp"
#include "ketl/engine/network.hpp"

namespace ketl::engine::detail {

// x's and y's ranks, where their types fix them: the compile error of a
// rank that cannot match the model.
template <Network N, class X>
constexpr void check_x_ranks() {
  using D = std::remove_cvref_t<X>;
  if constexpr (ArrayLike<D>) {
    static_assert(input_count<N> == 1,
                  "ketl: this model has several inputs: give x as a std::tuple of arrays, one per "
                  "input (std::tie(x1, x2))");
    constexpr std::size_t r = static_rank<D>();
    static_assert(r == 0 || r == input_shape_t<N, 0>::rank + 1,
                  "ketl: x must have one axis for the samples plus the axes of the model's "
                  "Input shape");
  } else {
    static_assert(std::tuple_size_v<D> == input_count<N>,
                  "ketl: x must hold one array per input of the model");
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      static_assert(((static_rank<std::tuple_element_t<I, D>>() == 0 ||
                      static_rank<std::tuple_element_t<I, D>>() == input_shape_t<N, I>::rank + 1) &&
                     ...),
                    "ketl: x must have one axis for the samples plus the axes of the model's "
                    "Input shape");
    }
    (std::make_index_sequence<input_count<N>>{});
  }
}
template <class Out, class A>
constexpr bool target_rank_fits() {
  constexpr std::size_t r = static_rank<A>();
  return r == 0 || r == Out::rank + 1 || r == Out::rank;
}
template <Network N, class Y>
constexpr void check_y_ranks() {
  using D = std::remove_cvref_t<Y>;
  if constexpr (ArrayLike<D>) {
    static_assert(output_count<N> == 1,
                  "ketl: this model has several outputs: give y as a std::tuple of arrays, one "
                  "per output (std::tie(y1, y2))");
    static_assert(target_rank_fits<output_shape_t<N, 0>, D>(),
                  "ketl: y must have one axis for the samples plus the axes of the model's output "
                  "shape (or all but the last, for integer labels)");
  } else {
    static_assert(std::tuple_size_v<D> == output_count<N>,
                  "ketl: y must hold one array per output of the model");
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      static_assert(
          (target_rank_fits<output_shape_t<N, K>, std::tuple_element_t<K, D>>() && ...),
          "ketl: y must have one axis for the samples plus the axes of the model's output "
          "shape (or all but the last, for integer labels)");
    }
    (std::make_index_sequence<output_count<N>>{});
  }
}

}  // namespace ketl::engine::detail
