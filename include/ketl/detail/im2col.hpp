// im2col and its adjoint: a convolution becomes one GEMM. Each output
// position's window is copied into one row of `col`, in Keras's kernel
// order (ky, kx, channel), so that col . kernel(kh*kw*in, filters) is the
// convolution, with the kernel exactly as Keras stores it. Channels are
// last, so each (ky, kx) is one contiguous copy of c values.
#pragma once

#include <algorithm>
#include <cstddef>

#include "ketl/detail/conv_geometry.hpp"

namespace ketl::detail {

// Calls f(dst_offset, src_offset_or_-1) for each (ky, kx) run of c values
// in output row (s, oy, ox); -1 is a padded position.
template <class F>
inline void for_each_window_run(const conv_geometry& g, std::size_t s, std::size_t oy,
                                std::size_t ox, F&& f) {
  const auto ih0 = static_cast<std::ptrdiff_t>(oy * g.sh) - static_cast<std::ptrdiff_t>(g.pad_top);
  const auto iw0 = static_cast<std::ptrdiff_t>(ox * g.sw) - static_cast<std::ptrdiff_t>(g.pad_left);
  for (std::size_t ky = 0; ky < g.kh; ++ky) {
    const std::ptrdiff_t iy = ih0 + static_cast<std::ptrdiff_t>(ky * g.dh);
    const bool row_in = iy >= 0 && iy < static_cast<std::ptrdiff_t>(g.h);
    for (std::size_t kx = 0; kx < g.kw; ++kx) {
      const std::ptrdiff_t ix = iw0 + static_cast<std::ptrdiff_t>(kx * g.dw);
      const std::size_t dst = (ky * g.kw + kx) * g.c;
      if (row_in && ix >= 0 && ix < static_cast<std::ptrdiff_t>(g.w))
        f(dst, static_cast<std::ptrdiff_t>(
                   ((s * g.h + static_cast<std::size_t>(iy)) * g.w + static_cast<std::size_t>(ix)) *
                   g.c));
      else
        f(dst, std::ptrdiff_t{-1});
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
        for_each_window_run(g, s, oy, ox, [&](std::size_t d, std::ptrdiff_t src) {
          if (src < 0)
            std::fill(row + d, row + d + g.c, T(0));
          else
            std::copy(x + src, x + src + static_cast<std::ptrdiff_t>(g.c), row + d);
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
        for_each_window_run(g, s, oy, ox, [&](std::size_t d, std::ptrdiff_t src) {
          if (src < 0) return;
          T* out = dx + src;
          for (std::size_t i = 0; i < g.c; ++i) out[i] += row[d + i];
        });
      }
}

}  // namespace ketl::detail
