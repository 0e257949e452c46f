// What UpSampling1D/2D share: each row repeated SH times and each column
// (or step) SW times, Keras's nearest-neighbour resize. Backward sums each
// block of the gradient back onto the value it copied.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "ketl/detail/simd.hpp"
#include "ketl/layer.hpp"

namespace ketl::detail {

template <std::size_t Rank, std::size_t SH, std::size_t SW>
struct upsampling_layer : stateless_layer {
  static_assert(SH > 0 && SW > 0, "ketl: an upsampling size must be positive");
  using stateless_layer::stateless_layer;

  template <class In>
  static constexpr bool accepts = In::rank == Rank;
  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == Rank,
                  "ketl: upsampling takes channels-last samples of rank 3 (rows, cols, channels) "
                  "for UpSampling2D, of rank 2 (steps, channels) for UpSampling1D");
  }
  template <class In>
  static constexpr std::size_t h = Rank == 3 ? In::dims[0] : 1;
  template <class In>
  static constexpr std::size_t w = In::dims[Rank == 3 ? 1 : 0];
  template <class In>
  using output_shape = std::conditional_t<Rank == 3, Shape<h<In> * SH, w<In> * SW, In::last>,
                                          Shape<w<In> * SW, In::last>>;

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>&) {
    constexpr std::size_t c = In::last, H = h<In>, W = w<In>;
    for (std::size_t s = 0; s < n; ++s)
      for (std::size_t r = 0; r < H; ++r) {
        T* row = y + ((s * H + r) * SH * W * SW) * c;
        for (std::size_t col = 0; col < W; ++col)
          for (std::size_t k = 0; k < SW; ++k)
            std::copy_n(x + ((s * H + r) * W + col) * c, c, row + (col * SW + k) * c);
        for (std::size_t k = 1; k < SH; ++k) std::copy_n(row, W * SW * c, row + k * W * SW * c);
      }
  }
  template <class In, class T>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>&) {
    if (!dx) return;
    constexpr std::size_t c = In::last, H = h<In>, W = w<In>;
    std::fill(dx, dx + n * In::size, T(0));
    for (std::size_t s = 0; s < n; ++s)
      for (std::size_t r = 0; r < H * SH; ++r)
        for (std::size_t col = 0; col < W * SW; ++col) {
          T* d = dx + ((s * H + r / SH) * W + col / SW) * c;
          const T* g = dy + ((s * H * SH + r) * W * SW + col) * c;
          simd::map([](auto a, auto b) { return a + b; }, d, g, d, c);
        }
  }
};

}  // namespace ketl::detail
