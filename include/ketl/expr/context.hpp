// The contexts an expression is evaluated in: row_ref<T> is one row of
// y_true and y_pred with scalar values; lanes_ref<T, Arch> is W rows, one per
// SIMD lane, transposed once so that column j is one aligned load.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ketl/detail/lanes_transpose.hpp"
#include "ketl/detail/simd.hpp"

namespace ketl::expr {

// One row of y_true and y_pred, in element type T.
template <class T>
struct row_ref {
  using value_type = T;
  const T* yt;
  const T* yp;
  std::size_t cols;     // y_pred's last axis
  std::size_t yt_cols;  // y_true's last axis: cols, or 1 for integer labels
  T pred(std::size_t j) const { return yp[j]; }
  T truth(std::size_t j) const { return yt[j]; }
  T label() const { return yt[0]; }
};

inline thread_local std::uint64_t lanes_blocks_made = 0;  // lanes_ref ids, per thread

// W consecutive rows, one per lane of an xsimd batch of architecture A. The
// block is transposed once into column-major scratch (cols * W for y_pred,
// yt_cols * W for y_true), so that reading column j is one aligned load.
template <class T, class A = detail::simd::arch>
struct lanes_ref {
  using value_type = xsimd::batch<T, A>;
  static constexpr std::size_t width = value_type::size;
  const T* yt;
  const T* yp;
  std::size_t cols;
  std::size_t yt_cols;
  const T* tp;  // y_pred, column-major: tp[j * width + lane]
  const T* tt;  // y_true, column-major
  // Which block this is, on this thread: a shared reduction computed for
  // it once is not computed again by its other copies.
  std::uint64_t id;

  // scratch holds (cols + yt_cols) * width elements, aligned to 64 bytes.
  lanes_ref(const T* t, const T* p, std::size_t c, std::size_t tc, T* scratch)
      : yt(t),
        yp(p),
        cols(c),
        yt_cols(tc),
        tp(scratch),
        tt(scratch + c * width),
        id(++lanes_blocks_made) {
    detail::rows_to_lanes<A>(p, c, scratch);
    detail::rows_to_lanes<A>(t, tc, scratch + c * width);
  }
  value_type pred(std::size_t j) const { return value_type::load_aligned(tp + j * width); }
  value_type truth(std::size_t j) const { return value_type::load_aligned(tt + j * width); }
  value_type label() const { return value_type::load_aligned(tt); }
};

template <class Ctx>
using value_of = typename Ctx::value_type;

}  // namespace ketl::expr
