// Moving W consecutive rows of `cols` values to column-major "lanes" layout
// (lanes[j * W + l] = rows[l * cols + j]) and back: what a loss or metric
// kernel does to each block of rows so that a reduction over the last axis
// becomes lane-wise arithmetic.
//
// With AVX-512 and float (W = 16) a block goes through 16 x 16 tiles held in
// registers, 64 shuffles per tile with masked loads or stores for a ragged
// last tile. The element-by-element loops it replaces cost 2.5x as much on
// the way in, and the per-column scatter it replaces on the way out was
// slower still (docs/benchmarks.md, issue 3). With AVX2 and float (W = 8)
// the same goes through 8 x 8 tiles, 24 shuffles each; a ragged row is
// loaded with a masked load and stored through a small buffer, since AMD's
// masked stores are microcoded. Other architectures and element types keep
// the plain loops.
#pragma once

#include <cstddef>
#include <type_traits>

#include "ketl/detail/simd.hpp"
#include "ketl/detail/transpose8.hpp"

namespace ketl::detail {

#if XSIMD_WITH_AVX512F
template <class A, class T>
inline constexpr bool tile16_transpose =
    std::is_same_v<T, float>&& std::is_base_of_v<xsimd::avx512f, A>;

// With 8 or more columns, a ragged tile's row may run on into the next row
// and no further, so only the block's last row needs a masked load or
// store: on AMD's Zen those split cache lines slowly.
inline std::size_t unmasked_rows(std::size_t cols) { return cols >= 8 ? 15 : 0; }
inline __mmask16 first_lanes(std::size_t n) { return static_cast<__mmask16>((1u << n) - 1u); }

// r[0..15] = the transpose of r[0..15], rows to columns.
inline void transpose16(__m512 (&r)[16]) {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // Per 128-bit lane q, u[4i + k] now holds column 4q + k of rows 4i..4i+3.
  __m512 u[16];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    u[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  // Gather lane q of u[k], u[4 + k], u[8 + k], u[12 + k] into column 4q + k.
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    const __m512 x0 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0x88);
    const __m512 y0 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0xDD);
    const __m512 x1 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0x88);
    const __m512 y1 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0xDD);
    r[k] = _mm512_shuffle_f32x4(x0, x1, 0x88);
    r[8 + k] = _mm512_shuffle_f32x4(x0, x1, 0xDD);
    r[4 + k] = _mm512_shuffle_f32x4(y0, y1, 0x88);
    r[12 + k] = _mm512_shuffle_f32x4(y0, y1, 0xDD);
  }
}
#endif

#if XSIMD_WITH_AVX2
template <class A, class T>
inline constexpr bool tile8_transpose =
    std::is_same_v<T, float>&& std::is_base_of_v<xsimd::avx2, A>&& xsimd::batch<T, A>::size == 8;

// Lanes [0, n) set, for _mm256_maskload_ps.
inline __m256i first_lanes8(std::size_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#endif

// With 8 or more columns, a ragged 8-wide tile's row may also run on into
// the next row and no further: only the last row of 8 needs care.
inline std::size_t unmasked_rows8(std::size_t cols) { return cols >= 8 ? 7 : 0; }

// lanes[j * W + l] = rows[l * cols + j], for the W rows of a block; lanes is
// aligned to 64 bytes.
template <class A, class T>
inline void rows_to_lanes(const T* rows, std::size_t cols, T* lanes) {
  constexpr std::size_t W = xsimd::batch<T, A>::size;
  if (cols == 1) {  // integer labels, say: already one value per lane
    for (std::size_t l = 0; l < W; ++l) lanes[l] = rows[l];
    return;
  }
#if XSIMD_WITH_AVX512F
  if constexpr (tile16_transpose<A, T>) {
    const std::size_t plain_rows = unmasked_rows(cols);
    for (std::size_t j0 = 0; j0 < cols; j0 += 16) {
      const std::size_t n = cols - j0 < 16 ? cols - j0 : 16;
      const __mmask16 m = first_lanes(n);
      __m512 r[16];
      std::size_t l = 0;
      for (; l < plain_rows; ++l) r[l] = _mm512_loadu_ps(rows + l * cols + j0);
      for (; l < 16; ++l) r[l] = _mm512_maskz_loadu_ps(m, rows + l * cols + j0);
      transpose16(r);
      // A fixed count: with n, GCC 12 stores r to the stack and calls memcpy.
#pragma GCC unroll 16
      for (std::size_t c = 0; c < 16; ++c)
        if (c < n) _mm512_store_ps(lanes + (j0 + c) * 16, r[c]);
    }
    return;
  }
#endif
#if XSIMD_WITH_AVX2
  if constexpr (tile8_transpose<A, T>) {
    const std::size_t plain_rows = unmasked_rows8(cols);
    for (std::size_t j0 = 0; j0 < cols; j0 += 8) {
      const std::size_t n = cols - j0 < 8 ? cols - j0 : 8;
      const __m256i m = first_lanes8(n);
      __m256 r[8];
      std::size_t l = 0;
      for (; l < (n == 8 ? 8 : plain_rows); ++l) r[l] = _mm256_loadu_ps(rows + l * cols + j0);
      for (; l < 8; ++l) r[l] = _mm256_maskload_ps(rows + l * cols + j0, m);
      transpose8(r);
#pragma GCC unroll 8
      for (std::size_t c = 0; c < 8; ++c)
        if (c < n) _mm256_store_ps(lanes + (j0 + c) * 8, r[c]);
    }
    return;
  }
#endif
  for (std::size_t l = 0; l < W; ++l)
    for (std::size_t j = 0; j < cols; ++j) lanes[j * W + l] = rows[l * cols + j];
}

// The way back: rows[l * cols + j] = lanes[j * W + l].
template <class A, class T>
inline void lanes_to_rows(const T* lanes, std::size_t cols, T* rows) {
  constexpr std::size_t W = xsimd::batch<T, A>::size;
#if XSIMD_WITH_AVX512F
  if constexpr (tile16_transpose<A, T>) {
    // Tiles right to left, rows top to bottom: a ragged tile's row spills
    // into the next row's first columns, which a later store rewrites.
    const std::size_t tiles = (cols + 15) / 16;
    const std::size_t plain_rows = unmasked_rows(cols);
    for (std::size_t t = tiles; t-- > 0;) {
      const std::size_t j0 = t * 16, n = cols - j0 < 16 ? cols - j0 : 16;
      __m512 r[16];
#pragma GCC unroll 16
      for (std::size_t c = 0; c < 16; ++c)
        r[c] = c < n ? _mm512_load_ps(lanes + (j0 + c) * 16) : _mm512_setzero_ps();
      transpose16(r);
      const __mmask16 m = first_lanes(n);
      std::size_t l = 0;
      for (; l < plain_rows; ++l) _mm512_storeu_ps(rows + l * cols + j0, r[l]);
      for (; l < 16; ++l) _mm512_mask_storeu_ps(rows + l * cols + j0, m, r[l]);
    }
    return;
  }
#endif
#if XSIMD_WITH_AVX2
  if constexpr (tile8_transpose<A, T>) {
    // The AVX-512 order, right to left and top to bottom, for the same reason.
    const std::size_t tiles = (cols + 7) / 8;
    const std::size_t plain_rows = unmasked_rows8(cols);
    for (std::size_t t = tiles; t-- > 0;) {
      const std::size_t j0 = t * 8, n = cols - j0 < 8 ? cols - j0 : 8;
      __m256 r[8];
#pragma GCC unroll 8
      for (std::size_t c = 0; c < 8; ++c)
        r[c] = c < n ? _mm256_load_ps(lanes + (j0 + c) * 8) : _mm256_setzero_ps();
      transpose8(r);
      std::size_t l = 0;
      for (; l < (n == 8 ? 8 : plain_rows); ++l) _mm256_storeu_ps(rows + l * cols + j0, r[l]);
      for (; l < 8; ++l) {
        alignas(32) float row[8];
        _mm256_store_ps(row, r[l]);
        for (std::size_t c = 0; c < n; ++c) rows[l * cols + j0 + c] = row[c];
      }
    }
    return;
  }
#endif
  for (std::size_t l = 0; l < W; ++l)
    for (std::size_t j = 0; j < cols; ++j) rows[l * cols + j] = lanes[j * W + l];
}

}  // namespace ketl::detail
