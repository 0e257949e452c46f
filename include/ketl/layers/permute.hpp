// Permute<d...>: Keras's Permute(dims), the sample's axes reordered. The
// dims are 1-based and name the input axis each output axis takes, as
// Keras's: Permute<2, 1> turns (steps, features) into (features, steps).
// Backward moves each gradient back to its input place.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "ketl/layer.hpp"
#include "ketl/shape.hpp"

namespace ketl {

namespace detail {
// Whether d... is a permutation of 1 .. sizeof...(d).
template <std::size_t... D>
constexpr bool is_permutation() {
  std::array<bool, sizeof...(D)> seen{};
  for (std::size_t d : {D...}) {
    if (d < 1 || d > sizeof...(D) || seen[d - 1]) return false;
    seen[d - 1] = true;
  }
  return true;
}
}  // namespace detail

template <std::size_t... Dims>
struct Permute : stateless_layer, callable_layer<Permute<Dims...>> {
  static_assert(sizeof...(Dims) > 0, "ketl::Permute: give the axes' new order, e.g. Permute<2, 1>");
  static_assert(detail::is_permutation<Dims...>(),
                "ketl::Permute: the dims must be 1, 2, ..., rank in some order, each once (Keras's "
                "axes, counted from 1 without the batch axis)");
  static constexpr std::string_view class_name = "Permute";
  static constexpr std::size_t rank = sizeof...(Dims);
  Permute() = default;
  explicit Permute(LayerOptions o) : stateless_layer(std::move(o)) {}

  template <class In>
  static constexpr bool accepts = In::rank == rank;
  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == rank,
                  "ketl::Permute: it names one place for each of the input's axes: give it as "
                  "many dims as the input shape's rank");
  }
  // (An index out of range reads axis 0: the static_assert above has said why.)
  template <class In>
  using output_shape = Shape<In::dims[Dims >= 1 && Dims <= rank ? Dims - 1 : 0]...>;

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>&) {
    move<In>(x, y, n, false);
  }
  template <class In, class T>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>&) {
    if (dx) move<In>(dy, dx, n, true);
  }

 private:
  // Walks the output in order, with the input offset each output index
  // reads: forward copies in to out, backward out to in.
  template <class In, class T>
  static void move(const T* from, T* to, std::size_t n, bool back) {
    constexpr std::array<std::size_t, rank> axis{(Dims >= 1 && Dims <= rank ? Dims - 1 : 0)...};
    constexpr auto in_strides = [] {
      std::array<std::size_t, rank> s{};
      std::size_t stride = 1;
      for (std::size_t k = rank; k-- > 0;) {
        s[k] = stride;
        stride *= In::dims[k];
      }
      return s;
    }();
    using Out = output_shape<In>;
    constexpr std::size_t size = In::size;
    for (std::size_t i = 0; i < n; ++i) {
      const T* src = from + i * size;
      T* dst = to + i * size;
      std::array<std::size_t, rank> idx{};  // the output index
      std::size_t in_off = 0;
      for (std::size_t o = 0; o < size; ++o) {
        if (back)
          dst[in_off] = src[o];
        else
          dst[o] = src[in_off];
        // Next output index, odometer style; the input offset follows.
        for (std::size_t k = rank; k-- > 0;) {
          in_off += in_strides[axis[k]];
          if (++idx[k] < Out::dims[k]) break;
          in_off -= in_strides[axis[k]] * Out::dims[k];
          idx[k] = 0;
        }
      }
    }
  }
};

}  // namespace ketl
