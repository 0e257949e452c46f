// An 8 x 8 float transpose in AVX registers (24 shuffles), compiled for AVX
// by a target attribute: it serves the loss engine's lanes layout on an
// AVX2 build (detail/lanes_transpose.hpp) and the GEMM's packing of a
// transposed B in every AVX2 or AVX-512 copy of the kernels, including the
// run-time dispatched ones of a baseline build (detail/gemm_dispatch.hpp).
#pragma once

#include <cstddef>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define KETL_HAS_TRANSPOSE8 1
#include "ketl/detail/intrinsics.hpp"

namespace ketl::detail {

// r[0..7] = the transpose of r[0..7], rows to columns.
__attribute__((target("avx"))) inline void transpose8(__m256 (&r)[8]) {
  __m256 t[8], u[8];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // Per 128-bit half h, u[4i + k] now holds column 4h + k of rows 4i..4i+3.
#pragma GCC unroll 2
  for (int i = 0; i < 2; ++i) {
    u[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    r[k] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x20);
    r[4 + k] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x31);
  }
}

// dst[j * ldd + i] = src[i * lds + j] for i, j in [0, 8).
__attribute__((target("avx"))) inline void transpose8(const float* src, std::size_t lds, float* dst,
                                                      std::size_t ldd) {
  __m256 r[8];
#pragma GCC unroll 8
  for (std::size_t i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * lds);
  transpose8(r);
#pragma GCC unroll 8
  for (std::size_t j = 0; j < 8; ++j) _mm256_storeu_ps(dst + j * ldd, r[j]);
}

}  // namespace ketl::detail
#else
#define KETL_HAS_TRANSPOSE8 0
#endif
