// What ZeroPadding1D/2D and Cropping1D/2D share: a sample's image is placed
// inside a larger one (padding) or cut out of it (cropping), and each one's
// backward is the other's forward. The 1D layers have one row.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "ketl/layer.hpp"

namespace ketl::detail {

// Each sample's (h, w, c) image placed in an (H, W, c) image of zeros at
// row `top` and column `left` (grow), or cut out of it (!grow).
template <class T>
void embed(bool grow, const T* from, T* to, std::size_t n, std::size_t h, std::size_t w,
           std::size_t big_h, std::size_t big_w, std::size_t c, std::size_t top, std::size_t left) {
  const std::size_t small = h * w * c, big = big_h * big_w * c, run = w * c;
  for (std::size_t s = 0; s < n; ++s) {
    if (grow) std::fill(to + s * big, to + (s + 1) * big, T(0));
    for (std::size_t r = 0; r < h; ++r) {
      const std::size_t at_small = s * small + r * run;
      const std::size_t at_big = s * big + ((top + r) * big_w + left) * c;
      if (grow)
        std::copy(from + at_small, from + at_small + run, to + at_big);
      else
        std::copy(from + at_big, from + at_big + run, to + at_small);
    }
  }
}

// Whether cropping (top, bottom, left, right) leaves something of In: a
// named condition, so a failure prints the numbers.
template <class In, std::size_t Top, std::size_t Bottom, std::size_t Left, std::size_t Right>
struct cropping_leaves_output {
  static constexpr bool value = [] {
    if constexpr (In::rank == 3)
      return Top + Bottom < In::dims[0] && Left + Right < In::dims[1];
    else
      return Left + Right < In::dims[0];
  }();
};

// Pad: ZeroPadding; otherwise Cropping. Rank is the sample rank: 3 for
// (rows, cols, channels), 2 for (steps, channels), whose margins are Left
// and Right.
template <bool Pad, std::size_t Rank, std::size_t Top, std::size_t Bottom, std::size_t Left,
          std::size_t Right>
struct margin_layer : stateless_layer {
  using stateless_layer::stateless_layer;

  template <class In>
  static constexpr bool accepts = [] {
    if constexpr (In::rank != Rank)
      return false;
    else
      return Pad || cropping_leaves_output<In, Top, Bottom, Left, Right>::value;
  }();
  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == Rank,
                  "ketl: this layer takes channels-last samples of rank 3 (rows, cols, channels) "
                  "for the 2D layers, of rank 2 (steps, channels) for the 1D ones");
    if constexpr (In::rank == Rank && !Pad)
      static_assert(cropping_leaves_output<In, Top, Bottom, Left, Right>::value,
                    "ketl: the cropping removes every row, column or step of its input");
  }

  // The input's rows, columns and channels; the output's rows and columns.
  template <class In>
  static constexpr std::size_t h = Rank == 3 ? In::dims[0] : 1;
  template <class In>
  static constexpr std::size_t w = In::dims[Rank == 3 ? 1 : 0];
  template <class In>
  static constexpr std::size_t out_h = !accepts<In> ? 1
                                       : Rank != 3  ? 1
                                       : Pad        ? h<In> + Top + Bottom
                                                    : h<In> - Top - Bottom;
  template <class In>
  static constexpr std::size_t out_w = !accepts<In> ? 1
                                       : Pad        ? w<In> + Left + Right
                                                    : w<In> - Left - Right;
  template <class In>
  using output_shape = std::conditional_t<Rank == 3, Shape<out_h<In>, out_w<In>, In::last>,
                                          Shape<out_w<In>, In::last>>;

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>&) {
    move<In>(Pad, x, y, n);
  }
  template <class In, class T>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>&) {
    if (dx) move<In>(!Pad, dy, dx, n);
  }

 private:
  // from -> to; `grow` when `to` is the larger image.
  template <class In, class T>
  static void move(bool grow, const T* from, T* to, std::size_t n) {
    const std::size_t small_h = Pad ? h<In> : out_h<In>, small_w = Pad ? w<In> : out_w<In>;
    const std::size_t big_h = Pad ? out_h<In> : h<In>, big_w = Pad ? out_w<In> : w<In>;
    embed(grow, from, to, n, small_h, small_w, big_h, big_w, In::last, Rank == 3 ? Top : 0, Left);
  }
};

}  // namespace ketl::detail
