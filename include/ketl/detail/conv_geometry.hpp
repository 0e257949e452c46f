// One sliding window over a channels-last image, as the convolution and
// pooling kernels see it. Conv1D and the 1D poolings are the 2D case with
// one row, so every spatial kernel is written once.
#pragma once

#include <cstddef>

#include "ketl/spatial.hpp"

namespace ketl::detail {

struct conv_geometry {
  std::size_t h = 1, w = 1, c = 1;             // input rows, columns, channels
  std::size_t kh = 1, kw = 1;                  // window
  std::size_t sh = 1, sw = 1, dh = 1, dw = 1;  // strides, dilation
  std::size_t pad_top = 0, pad_left = 0;       // implicit zeros before row 0 / column 0
  std::size_t oh = 1, ow = 1;                  // output rows, columns

  // Columns of the im2col matrix: one window, in Keras's kernel order (kh, kw, in).
  constexpr std::size_t window() const { return kh * kw * c; }
  // A 1x1 window at stride 1 with no padding reads x as it is.
  constexpr bool reads_input_as_is() const {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pad_top == 0 && pad_left == 0;
  }
};

// The zeros TensorFlow puts before the first element along one axis, for
// Keras's padding modes: "same" splits the total with the smaller half
// first; "causal" puts all of it first.
constexpr std::size_t pad_before(std::size_t in, std::size_t window, padding_mode p,
                                 std::size_t stride, std::size_t dilation) {
  const std::size_t dilated = (window - 1) * dilation + 1;
  if (p == causal) return dilated - 1;
  if (p == valid) return 0;
  const auto out = static_cast<std::size_t>(conv_output_length(in, window, p, stride, dilation));
  const std::size_t need = (out - 1) * stride + dilated;
  return need > in ? (need - in) / 2 : 0;
}

constexpr conv_geometry make_geometry(std::size_t h, std::size_t w, std::size_t c, std::size_t kh,
                                      std::size_t kw, std::size_t sh, std::size_t sw,
                                      std::size_t dh, std::size_t dw, padding_mode p) {
  conv_geometry g{};
  g.h = h, g.w = w, g.c = c, g.kh = kh, g.kw = kw, g.sh = sh, g.sw = sw, g.dh = dh, g.dw = dw;
  // Causal padding is along time, the 1D case's columns.
  const padding_mode rows = p == causal ? valid : p;
  g.pad_top = pad_before(h, kh, rows, sh, dh);
  g.pad_left = pad_before(w, kw, p, sw, dw);
  g.oh = static_cast<std::size_t>(conv_output_length(h, kh, rows, sh, dh));
  g.ow = static_cast<std::size_t>(conv_output_length(w, kw, p, sw, dw));
  return g;
}

// Named conditions, so that a failed check prints the numbers: "...
// window_fits_input<ketl::detail::window<7, 7>, ketl::Shape<5, 5, 1>>::value
// evaluates to false". The window is the dilated one.
template <std::size_t... K>
struct window {};
template <class Window, class In, padding_mode P>
struct window_fits_input;
template <std::size_t KH, std::size_t KW, class In, padding_mode P>
struct window_fits_input<window<KH, KW>, In, P> {
  static constexpr bool value = P != valid || (KH <= In::dims[0] && KW <= In::dims[1]);
};
template <std::size_t K, class In, padding_mode P>
struct window_fits_input<window<K>, In, P> {
  static constexpr bool value = P != valid || K <= In::dims[0];
};

}  // namespace ketl::detail
