// What every node of ketl's loss and metric DSL is: its kind, the
// Expression concept, the check of operands' last axes, and the caches that
// some nodes keep between prepare and at.
//
// An expression is evaluated on rows, a row being one sample's values along
// the last axis (C columns), through a context: row_ref<T> is one row with
// scalar values; lanes_ref<T, Arch> is W consecutive rows with one row per
// SIMD lane, so that a reduction over the last axis is lane-wise arithmetic.
// Each node has a kind:
//   elem   a value per column (y_pred, y_true, y_pred - y_true, ...)
//   row    one value per row (sum(...), mean(...), argmax(...))
//   batch  one value per batch (batch_sum(...), for batch-wise metrics)
//   scalar a constant (2.0, epsilon(), the class count)
// and two operations: prepare(ctx) computes the row values of the
// reductions inside it, bottom-up; at(ctx, j) gives its value at column j
// (row, batch and scalar nodes give the same value for every j). One
// generic body serves scalars and SIMD batches. A thread prepares a
// context and reads it with at() before it prepares another: reductions of
// the same stateless type share one per-thread slot (see reduce).
#pragma once

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "ketl/shape.hpp"

namespace ketl::expr {

enum class kind { elem, row, batch, scalar };

template <class E>
concept Expression = requires {
  E::node_kind;
};

template <class E>
inline constexpr kind kind_of = std::remove_cvref_t<E>::node_kind;

// The last-axis length an expression is fixed to: 0 when it takes any
// (y_true, y_pred), N when it holds a row_constant<N>.
template <class E>
inline constexpr std::size_t columns_of = 0;

// Instantiated where two operands meet; its arguments name both shapes.
template <class Left, class Right>
struct last_axes_check {
  static constexpr bool fit = true;
};
template <std::size_t L, std::size_t R>
struct last_axes_check<Shape<L>, Shape<R>> {
  static constexpr bool fit = L == R;
  static_assert(fit,
                "ketl::expr: an elementwise operation between Left and Right: the last axes "
                "differ");
};
template <std::size_t N>
struct columns_shape {
  using type = Shape<N>;
};
template <>
struct columns_shape<0> {
  using type = void;
};
// The columns that operands share; checks that they agree.
template <class A, class... R>
constexpr std::size_t shared_columns() {
  constexpr std::size_t a = columns_of<A>;
  if constexpr (sizeof...(R) == 0) {
    return a;
  } else {
    constexpr std::size_t b = shared_columns<R...>();
    if constexpr (a != 0 && b != 0)
      static_assert(
          last_axes_check<typename columns_shape<a>::type, typename columns_shape<b>::type>::fit);
    return a != 0 ? a : b;
  }
}

// The kind of a node with children of kinds a and b: elem beats row beats
// batch beats scalar.
constexpr kind max_kind(kind a, kind b) {
  return static_cast<int>(a) < static_cast<int>(b) ? a : b;
}

// A row value kept between prepare and at: room for one AVX-512 batch.
// memcpy in and out, so it needs no alignment: with alignas(64), every node
// holding one made g++ print a psABI note wherever a node passed by value.
struct lane_cache {
  unsigned char bytes[64] = {};
  template <class V>
  void put(const V& v) {
    static_assert(sizeof(V) <= sizeof(bytes));
    std::memcpy(bytes, &v, sizeof(V));
  }
  template <class V>
  V get() const {
    V v;
    std::memcpy(static_cast<void*>(&v), bytes, sizeof(V));
    return v;
  }
};

// A lane_cache member that only some nodes need.
template <bool Held>
struct held_value {};
template <>
struct held_value<true> {
  lane_cache value;
};

// A bool member that only some nodes need: kept apart from the values, so
// that no store of a value can alias it and a column loop tests it once.
template <bool Held>
struct held_flag {};
template <>
struct held_flag<true> {
  bool on = false;
};

}  // namespace ketl::expr
