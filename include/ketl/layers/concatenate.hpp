// Concatenate<axis>: its inputs joined along one axis (Keras's
// merge.Concatenate, axis=-1 by default). The axis counts as Keras's does:
// -1 is the last, and positive axes count the batch as 0, so 1 is the first
// feature axis. The inputs must agree on every other axis.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "ketl/detail/elementwise_merge.hpp"
#include "ketl/layer.hpp"

namespace ketl {

namespace detail {
// The feature axis of Keras's axis for a rank-R feature shape; R when none.
template <int Axis, std::size_t R>
constexpr std::size_t feature_axis() {
  if constexpr (Axis < 0)
    return -Axis <= int(R) ? std::size_t(int(R) + Axis) : R;
  else
    return Axis >= 1 && Axis <= int(R) ? std::size_t(Axis - 1) : R;
}

template <int Axis, class List>
struct concat_shapes;
template <int Axis, class S, class... Rest>
struct concat_shapes<Axis, type_list<S, Rest...>> {
  static constexpr std::size_t a = feature_axis<Axis, S::rank>();
  static constexpr bool axis_ok = a < S::rank;
  template <class X>
  static constexpr bool agrees() {
    if constexpr (X::rank != S::rank || !axis_ok) {
      return false;
    } else {
      for (std::size_t i = 0; i < S::rank; ++i)
        if (i != a && X::dims[i] != S::dims[i]) return false;
      return true;
    }
  }
  static constexpr bool fits = axis_ok && (agrees<Rest>() && ...);
  static constexpr auto dims() {
    std::array<std::size_t, S::rank> d = S::dims;
    if constexpr (axis_ok) d[a] = (S::dims[a] + ... + Rest::dims[a]);
    return d;
  }
  template <std::size_t... I>
  static auto make(std::index_sequence<I...>) {
    constexpr auto d = dims();
    return Shape<d[I]...>{};
  }
  using type = decltype(make(std::make_index_sequence<S::rank>{}));
};

// Instantiated when a concatenation does not fit: names the axis and the shapes.
template <int Axis, class... Shapes>
struct concatenate_check {
  static_assert(concat_shapes<Axis, type_list<Shapes...>>::fits,
                "ketl::Concatenate<Axis>: the Shapes must agree on every axis but Axis (and Axis "
                "must be a feature axis: -1 is the last, 1 the first)");
  static constexpr bool ok = true;
};
}  // namespace detail

template <int Axis = -1>
struct Concatenate : stateless_layer, callable_layer<Concatenate<Axis>> {
  static constexpr std::string_view class_name = "Concatenate";
  static constexpr bool merge = true;
  static constexpr int axis = Axis;
  // Masked inputs give the AND of their masks, or along the time axis their
  // masks one after another (Keras's Concatenate.compute_mask).
  static constexpr bool supports_masking = true;
  Concatenate() = default;
  explicit Concatenate(LayerOptions o) : stateless_layer(std::move(o)) {}

  template <class Ins>
  static constexpr bool accepts =
      detail::list_count<Ins> >= 2 && detail::concat_shapes<Axis, Ins>::fits;
  template <class Ins>
  static constexpr void check_input() {
    static_assert(detail::list_count<Ins> >= 2, "ketl::Concatenate: give it at least two nodes");
    [[maybe_unused]] constexpr bool checked = []<class... S>(detail::type_list<S...>*) {
      return detail::concatenate_check<Axis, S...>::ok;
    }(static_cast<Ins*>(nullptr));
  }
  template <class Ins>
  using output_shape = typename detail::concat_shapes<Axis, Ins>::type;

  // Per sample, each input is `outer` blocks of width (its axis length x
  // the elements after the axis); the output puts input i's block o after
  // those of the inputs before it.
  template <class Ins, class T>
  void forward(const T* const* xs, T* y, std::size_t n, Pass<T>&) {
    walk<Ins>(n, [&](std::size_t i, std::size_t from, std::size_t to, std::size_t w) {
      std::copy(xs[i] + from, xs[i] + from + w, y + to);
    });
  }
  template <class Ins, class T>
  void backward(const T* const*, const T*, T* dy, T* const* dxs, std::size_t n, Pass<T>&) {
    walk<Ins>(n, [&](std::size_t i, std::size_t from, std::size_t to, std::size_t w) {
      if (dxs[i]) std::copy(dy + to, dy + to + w, dxs[i] + from);
    });
  }

 private:
  // f(input, offset in it, offset in the output, width) for every block.
  template <class Ins, class F>
  static void walk(std::size_t n, F&& f) {
    using Out = output_shape<Ins>;
    constexpr std::size_t a = detail::feature_axis<Axis, Out::rank>();
    constexpr std::size_t outer = [] {
      std::size_t o = 1;
      for (std::size_t i = 0; i < a; ++i) o *= Out::dims[i];
      return o;
    }();
    [&]<class... S>(detail::type_list<S...>*) {
      constexpr std::size_t widths[] = {(S::size / outer)...};
      constexpr std::size_t sizes[] = {S::size...};
      std::size_t to = 0;
      for (std::size_t s = 0; s < n; ++s)
        for (std::size_t o = 0; o < outer; ++o)
          for (std::size_t i = 0; i < sizeof...(S); ++i) {
            f(i, s * sizes[i] + o * widths[i], to, widths[i]);
            to += widths[i];
          }
    }(static_cast<Ins*>(nullptr));
  }
};

}  // namespace ketl
