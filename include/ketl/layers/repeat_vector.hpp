// RepeatVector<n>: (features) samples become (n, features), each step a
// copy, as Keras's; the encoder-decoder's bridge from a state vector back to
// a sequence. Backward sums the steps' gradients.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "ketl/layer.hpp"

namespace ketl {

template <std::size_t Times>
struct RepeatVector : stateless_layer, callable_layer<RepeatVector<Times>> {
  static_assert(Times > 0, "ketl::RepeatVector: the count must be positive");
  static constexpr std::string_view class_name = "RepeatVector";
  RepeatVector() = default;
  explicit RepeatVector(LayerOptions o) : stateless_layer(std::move(o)) {}

  template <class In>
  static constexpr bool accepts = In::rank == 1;
  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == 1,
                  "ketl::RepeatVector repeats (features) samples, as Keras's: give it a rank-1 "
                  "shape");
  }
  template <class In>
  using output_shape = Shape<Times, In::dims[0]>;

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>&) {
    constexpr std::size_t F = In::size;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < Times; ++t) std::copy_n(x + i * F, F, y + (i * Times + t) * F);
  }
  template <class In, class T>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>&) {
    if (!dx) return;
    constexpr std::size_t F = In::size;
    for (std::size_t i = 0; i < n; ++i) {
      T* d = dx + i * F;
      std::copy_n(dy + i * Times * F, F, d);
      for (std::size_t t = 1; t < Times; ++t) {
        const T* g = dy + (i * Times + t) * F;
        for (std::size_t j = 0; j < F; ++j) d[j] += g[j];
      }
    }
  }
};

}  // namespace ketl
