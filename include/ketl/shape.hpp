// Compile-time feature shapes. The batch axis is never part of a Shape: it is
// always dynamic, as Keras's leading `None`.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <type_traits>

namespace ketl {

template <std::size_t... Dims>
struct Shape {
  static_assert(sizeof...(Dims) > 0, "ketl::Shape needs at least one feature dimension");
  static_assert(((Dims > 0) && ...), "ketl::Shape: every dimension must be positive");

  static constexpr std::size_t rank = sizeof...(Dims);
  static constexpr std::size_t size = (Dims * ...);
  static constexpr std::array<std::size_t, rank> dims{Dims...};
  // The last axis, the one Dense and the losses work on.
  static constexpr std::size_t last = dims[rank - 1];
  // Elements before the last axis: Dense treats (N, d0.., last) as (N*outer, last).
  static constexpr std::size_t outer = size / last;
};

// The shape of an integer input's samples (token indices): a Shape whose
// values only a layer that reads indices (Embedding) may take.
template <std::size_t... Dims>
struct IndexShape : Shape<Dims...> {};

namespace detail {
template <class T>
struct is_shape : std::false_type {};
template <std::size_t... D>
struct is_shape<Shape<D...>> : std::true_type {};
template <std::size_t... D>
struct is_shape<IndexShape<D...>> : std::true_type {};
template <class T>
inline constexpr bool is_index_shape = false;
template <std::size_t... D>
inline constexpr bool is_index_shape<IndexShape<D...>> = true;

// Whether layer L reads token indices (Embedding), and whether it may take
// In: indices go to such a layer and nowhere else.
template <class L>
inline constexpr bool reads_indices = requires {
  requires L::reads_indices;
};
template <class L, class In>
inline constexpr bool index_compatible = reads_indices<L> == is_index_shape<In>;
// A layer's bound on the indices it reads (Embedding's input_dim); none
// for other layers.
template <class L>
constexpr std::size_t index_limit_of() {
  if constexpr (reads_indices<L>)
    return L::input_dim;
  else
    return std::size_t(-1);
}

// Shape<d0, ..., dn-1, Last>: the same leading axes with a new last axis.
template <class S, std::size_t Last>
struct with_last;
template <std::size_t... D, std::size_t Last>
struct with_last<Shape<D...>, Last> {
  template <std::size_t... I>
  static auto make(std::index_sequence<I...>) {
    constexpr std::array<std::size_t, sizeof...(D)> d{D...};
    return Shape<d[I]..., Last>{};
  }
  using type = decltype(make(std::make_index_sequence<sizeof...(D) - 1>{}));
};
}  // namespace detail

// A feature shape known at compile time.
template <class S>
concept StaticShape = detail::is_shape<S>::value;

template <StaticShape S, std::size_t Last>
using with_last_t = typename detail::with_last<S, Last>::type;

// Keras's way of printing a shape: "(784,)", "(28, 28)"; with_batch adds "None, ".
template <class Dims>
std::string shape_string(const Dims& dims, bool with_batch = false) {
  std::string s = "(";
  bool first = true;
  if (with_batch) {
    s += "None";
    first = false;
  }
  for (auto d : dims) {
    if (!first) s += ", ";
    s += std::to_string(d);
    first = false;
  }
  if (dims.size() == 1 && !with_batch) s += ",";
  return s + ")";
}

template <StaticShape S>
std::string shape_string(bool with_batch = false) {
  return shape_string(S::dims, with_batch);
}

}  // namespace ketl
