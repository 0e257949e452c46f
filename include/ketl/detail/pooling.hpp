// Pooling kernels on channels-last batches. The windows are conv_geometry's
// (dilation 1); padded positions are skipped, never read as zeros: a max
// ignores them and an average divides by the positions it read, as
// TensorFlow's max_pool and avg_pool do for Keras's padding='same'. The
// innermost loops run along the contiguous channels.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "ketl/detail/im2col.hpp"
#include "ketl/detail/simd.hpp"

namespace ketl::detail {

template <class T>
void max_pool(const conv_geometry& g, const T* x, T* y, std::size_t n) {
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t oy = 0; oy < g.oh; ++oy)
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        T* out = y + ((s * g.oh + oy) * g.ow + ox) * g.c;
        std::fill(out, out + g.c, -std::numeric_limits<T>::infinity());
        for_each_window_run(g, s, oy, ox, [&](std::size_t, std::ptrdiff_t src, std::size_t k) {
          if (src < 0) return;
          for (std::size_t p = 0; p < k; p += g.c) {
            const T* in = x + src + std::ptrdiff_t(p);
            simd::map([](auto a, auto b) { return simd::max(a, b); }, out, in, out, g.c);
          }
        });
      }
}

// The gradient goes to the first position in the window (in row-major
// order) that holds the maximum; dx must be zeroed first. Channels are
// taken in blocks, each with the gradient it has still to place, so the
// loops run along channels without branches (random maxima would make
// every branch a coin toss).
template <class T>
void max_pool_backward(const conv_geometry& g, const T* x, const T* y, const T* dy, T* dx,
                       std::size_t n) {
  constexpr std::size_t B = 256;
  T left[B];
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t oy = 0; oy < g.oh; ++oy)
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        const std::size_t o = ((s * g.oh + oy) * g.ow + ox) * g.c;
        for (std::size_t c0 = 0; c0 < g.c; c0 += B) {
          const std::size_t cb = std::min(B, g.c - c0);
          const T* top = y + o + c0;
          std::copy(dy + o + c0, dy + o + c0 + cb, left);
          for_each_window_run(g, s, oy, ox, [&](std::size_t, std::ptrdiff_t src, std::size_t k) {
            if (src < 0) return;
            for (std::size_t p = 0; p < k; p += g.c) {
              const T* in = x + src + std::ptrdiff_t(p + c0);
              T* out = dx + src + std::ptrdiff_t(p + c0);
              simd::zip_update<T>(
                  [](const auto& v, const auto& m, auto& d, auto& l) {
                    const auto hit =
                        simd::select(v == m, l, std::remove_cvref_t<decltype(l)>(T(0)));
                    d = d + hit;
                    l = l - hit;
                  },
                  cb, in, top, out, left);
            }
          });
        }
      }
}

// Positions of the window at (oy, ox) inside the input.
inline std::size_t window_count(const conv_geometry& g, std::size_t oy, std::size_t ox) {
  std::size_t count = 0;
  for_each_window_run(g, 0, oy, ox, [&](std::size_t, std::ptrdiff_t src, std::size_t k) {
    if (src >= 0) count += k / g.c;
  });
  return count;
}

template <class T>
void avg_pool(const conv_geometry& g, const T* x, T* y, std::size_t n) {
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t oy = 0; oy < g.oh; ++oy)
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        T* out = y + ((s * g.oh + oy) * g.ow + ox) * g.c;
        std::fill(out, out + g.c, T(0));
        for_each_window_run(g, s, oy, ox, [&](std::size_t, std::ptrdiff_t src, std::size_t k) {
          if (src < 0) return;
          for (std::size_t p = 0; p < k; p += g.c) {
            const T* in = x + src + std::ptrdiff_t(p);
            simd::map([](auto a, auto b) { return a + b; }, out, in, out, g.c);
          }
        });
        const T inv = T(1) / T(window_count(g, oy, ox));
        for (std::size_t i = 0; i < g.c; ++i) out[i] *= inv;
      }
}

// dx must be zeroed first (windows may overlap).
template <class T>
void avg_pool_backward(const conv_geometry& g, const T* dy, T* dx, std::size_t n) {
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t oy = 0; oy < g.oh; ++oy)
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        const T* d = dy + ((s * g.oh + oy) * g.ow + ox) * g.c;
        const T inv = T(1) / T(window_count(g, oy, ox));
        for_each_window_run(g, s, oy, ox, [&](std::size_t, std::ptrdiff_t src, std::size_t k) {
          if (src < 0) return;
          for (std::size_t p = 0; p < k; p += g.c) {
            T* out = dx + src + std::ptrdiff_t(p);
            simd::map([inv](auto a, auto b) { return a + b * inv; }, out, d, out, g.c);
          }
        });
      }
}

// Global pooling: (n, positions, c) -> (n, c).
template <class T>
void global_pool(bool max, std::size_t positions, std::size_t c, const T* x, T* y, std::size_t n) {
  for (std::size_t s = 0; s < n; ++s) {
    T* out = y + s * c;
    const T* in = x + s * positions * c;
    std::copy(in, in + c, out);
    for (std::size_t p = 1; p < positions; ++p)
      for (std::size_t i = 0; i < c; ++i)
        out[i] = max ? std::max(out[i], in[p * c + i]) : out[i] + in[p * c + i];
    if (!max)
      for (std::size_t i = 0; i < c; ++i) out[i] /= T(positions);
  }
}

// Writes every element of dx (no zeroing needed).
template <class T>
void global_pool_backward(bool max, std::size_t positions, std::size_t c, const T* x, const T* y,
                          const T* dy, T* dx, std::size_t n) {
  for (std::size_t s = 0; s < n; ++s) {
    const T* in = x + s * positions * c;
    T* out = dx + s * positions * c;
    const T* d = dy + s * c;
    if (!max) {
      for (std::size_t p = 0; p < positions; ++p)
        for (std::size_t i = 0; i < c; ++i) out[p * c + i] = d[i] / T(positions);
      continue;
    }
    std::fill(out, out + positions * c, T(0));
    for (std::size_t i = 0; i < c; ++i)
      for (std::size_t p = 0; p < positions; ++p)
        if (in[p * c + i] == y[s * c + i]) {
          out[p * c + i] = d[i];
          break;
        }
  }
}

}  // namespace ketl::detail
