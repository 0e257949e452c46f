// im2col and its adjoint: a convolution becomes one GEMM. Each output
// position's window is copied into one row of `col`, in Keras's kernel
// order (ky, kx, channel), so that col . kernel(kh*kw*in, filters) is the
// convolution, with the kernel exactly as Keras stores it. Channels are
// last, so each (ky, kx) is one contiguous copy of c values.
#pragma once

#include <algorithm>
#include <cstddef>

#include "ketl/detail/conv_geometry.hpp"
#include "ketl/detail/simd.hpp"

namespace ketl::detail {

// Calls f(dst_offset, src_offset_or_-1, count) for each run of the window
// at output (s, oy, ox): `count` values that are contiguous both in the
// window row and in x (-1: padding). Channels are last, so with no column
// dilation a window row inside the image is one run of kw*c values;
// otherwise each (ky, kx) is a run of c.
template <class F>
inline void for_each_window_run(const conv_geometry& g, std::size_t s, std::size_t oy,
                                std::size_t ox, F&& f) {
  using idx = std::ptrdiff_t;
  const idx ih0 = idx(oy * g.sh) - idx(g.pad_top), iw0 = idx(ox * g.sw) - idx(g.pad_left);
  const bool row_inside = g.dw == 1 && iw0 >= 0 && iw0 + idx(g.kw) <= idx(g.w);
  for (std::size_t ky = 0; ky < g.kh; ++ky) {
    const idx iy = ih0 + idx(ky * g.dh);
    const std::size_t dst = ky * g.kw * g.c;
    if (iy < 0 || iy >= idx(g.h)) {
      f(dst, idx{-1}, g.kw * g.c);
      continue;
    }
    const idx row = idx((s * g.h + std::size_t(iy)) * g.w);
    if (row_inside) {
      f(dst, (row + iw0) * idx(g.c), g.kw * g.c);
      continue;
    }
    for (std::size_t kx = 0; kx < g.kw; ++kx) {
      const idx ix = iw0 + idx(kx * g.dw);
      const bool in = ix >= 0 && ix < idx(g.w);
      f(dst + kx * g.c, in ? (row + ix) * idx(g.c) : idx{-1}, g.c);
    }
  }
}

// col[(s*oh + oy)*ow + ox][window] for the n samples from x.
template <class T>
void im2col(const conv_geometry& g, const T* x, T* col, std::size_t n) {
  const std::size_t K = g.window();
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t oy = 0; oy < g.oh; ++oy)
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        T* row = col + ((s * g.oh + oy) * g.ow + ox) * K;
        for_each_window_run(g, s, oy, ox, [&](std::size_t d, std::ptrdiff_t src, std::size_t k) {
          T* out = row + d;
          // Short runs (one channel, a 3-wide row) by hand: a memmove call
          // would cost more than the copy.
          if (src < 0)
            std::fill(out, out + k, T(0));
          else if (k < 8)
            for (std::size_t i = 0; i < k; ++i) out[i] = x[src + std::ptrdiff_t(i)];
          else
            std::copy(x + src, x + src + std::ptrdiff_t(k), out);
        });
      }
}

// The adjoint: dx += each row of dcol scattered back to its window. dx
// must be zeroed first (windows overlap when a stride is below the kernel).
template <class T>
void col2im_add(const conv_geometry& g, const T* dcol, T* dx, std::size_t n) {
  const std::size_t K = g.window();
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t oy = 0; oy < g.oh; ++oy)
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        const T* row = dcol + ((s * g.oh + oy) * g.ow + ox) * K;
        for_each_window_run(g, s, oy, ox, [&](std::size_t d, std::ptrdiff_t src, std::size_t k) {
          if (src < 0) return;
          T* out = dx + src;
          simd::map([](auto a, auto b) { return a + b; }, out, row + d, out, k);
        });
      }
}

}  // namespace ketl::detail
