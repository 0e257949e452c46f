// ketl's register-blocked SIMD GEMM over raw pointers.
//
// C(m x n) = epi(A'(m x k) * B(k x n)  [+ C when accumulate])
//   A'(i, p) = a[i * a_rs + p * a_cs]  (strides cover both A and A^T, so NN and TN share it)
//   B(p, j)  = b[p * ldb + j]          (row-major)
//   C(i, j)  = c[i * ldc + j]
// The micro-kernel keeps MR x NV vectors of C in registers while it walks k;
// k is blocked so that the B panel stays in L1. An epilogue (Dense's bias
// and activation) runs on each finished register block while it is still
// in L1, so the output goes to memory once. Only outputs narrower than a vector
// are packed (a zero-padded B panel): at the MLP's shapes, packing A cost
// more than it saved (docs/benchmarks.md).
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "ketl/detail/simd.hpp"
#include "ketl/detail/thread_pool.hpp"
#include "ketl/threads.hpp"

namespace ketl::detail {

// The register block is unrolled by pragma, not left to the optimiser:
// g++ and clang++ at -O2 kept acc[][] in memory and ran at half speed.
template <std::size_t MR, std::size_t NV, class T>
inline void gemm_micro(std::size_t k, const T* a, std::size_t a_rs, std::size_t a_cs, const T* b,
                       std::size_t ldb, T* c, std::size_t ldc, bool accumulate) {
  using V = simd::batch<T>;
  constexpr std::size_t W = V::size;
  V acc[MR][NV];
#pragma GCC unroll 32
  for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v)
      acc[r][v] = accumulate ? V::load_unaligned(c + r * ldc + v * W) : V(T(0));
  for (std::size_t p = 0; p < k; ++p) {
    V bv[NV];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) bv[v] = V::load_unaligned(b + p * ldb + v * W);
#pragma GCC unroll 32
    for (std::size_t r = 0; r < MR; ++r) {
      const V ar(a[r * a_rs + p * a_cs]);
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NV; ++v) acc[r][v] = xsimd::fma(ar, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 32
  for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) acc[r][v].store_unaligned(c + r * ldc + v * W);
}

// An epilogue is a callable epi(v, j): v an xsimd batch (or a scalar) of a
// row of C starting at C's column j; it returns what C holds there.
// The kernels see it erased to one function pointer called per finished
// block, so every layer shares one set of micro-kernels whatever its
// epilogue (a per-type epilogue tripled the 50-layer model's compile time).
template <class T>
struct block_epilogue {
  // rows x cols of C at c (row stride ldc), whose first column is C's j0.
  void (*apply)(const void* epi, T* c, std::size_t ldc, std::size_t rows, std::size_t cols,
                std::size_t j0) = nullptr;
  const void* epi = nullptr;
  std::size_t j_base = 0;  // added to every column: a thread's part starts there
  void operator()(T* c, std::size_t ldc, std::size_t rows, std::size_t cols, std::size_t j0) const {
    if (apply) apply(epi, c, ldc, rows, cols, j_base + j0);
  }
};

template <class T, class Epi>
void apply_epilogue(const void* e, T* c, std::size_t ldc, std::size_t rows, std::size_t cols,
                    std::size_t j0) {
  using V = simd::batch<T>;
  constexpr std::size_t W = V::size;
  const Epi& epi = *static_cast<const Epi*>(e);
  for (std::size_t r = 0; r < rows; ++r, c += ldc) {
    std::size_t j = 0;
    for (; j + W <= cols; j += W) epi(V::load_unaligned(c + j), j0 + j).store_unaligned(c + j);
    for (; j < cols; ++j) c[j] = epi(c[j], j0 + j);
  }
}

template <class T, class Epi>
block_epilogue<T> erase_epilogue(const Epi& epi) {
  return {&apply_epilogue<T, Epi>, &epi, 0};
}

// Rows per micro-kernel call for a panel of NV vectors: MR x NV
// accumulators plus NV vectors of B and one of A fit the register file
// (16 vector registers below AVX-512, 32 with it).
template <class T, std::size_t NV>
inline constexpr std::size_t gemm_rows = NV == 1 ? 8 : (simd::width<T> * sizeof(T) >= 64 ? 12 : 6);

// Rows [0, m) of one column panel of NV vectors, in row blocks of MR; the
// panel starts at C's column j0. With finish, each block gets the epilogue
// right after its store, while it is in L1.
template <std::size_t NV, class T>
inline void gemm_panel(std::size_t m, std::size_t k, const T* a, std::size_t a_rs, std::size_t a_cs,
                       const T* b, std::size_t ldb, T* c, std::size_t ldc, bool accumulate,
                       const block_epilogue<T>& epi, std::size_t j0, bool finish) {
  constexpr std::size_t MR = gemm_rows<T, NV>;
  constexpr std::size_t cols = NV * simd::width<T>;
  // Pointers walk with the loops: indexing with i * stride after inlining
  // made GCC 12 warn of overflow (-Waggressive-loop-optimizations).
  const std::size_t blocks = m / MR, tail = m % MR;
  for (std::size_t blk = 0; blk < blocks; ++blk, a += MR * a_rs, c += MR * ldc) {
    gemm_micro<MR, NV>(k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate);
    if (finish) epi(c, ldc, MR, cols, j0);
  }
  // The tail in blocks of 8, 4, then 1 row: a batch of 32 leaves 8 rows,
  // which one 8-row block takes at nearly the full kernel's rate.
  if (tail >= 8) {
    gemm_micro<8, NV>(k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate);
    if (finish) epi(c, ldc, 8, cols, j0);
    a += 8 * a_rs, c += 8 * ldc;
  }
  for (std::size_t r = 0; r < tail % 8 / 4; ++r, a += 4 * a_rs, c += 4 * ldc) {
    gemm_micro<4, NV>(k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate);
    if (finish) epi(c, ldc, 4, cols, j0);
  }
  for (std::size_t r = 0; r < tail % 4; ++r, a += a_rs, c += ldc) {
    gemm_micro<1, NV>(k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate);
    if (finish) epi(c, ldc, 1, cols, j0);
  }
}

// The last cols < W columns (all of them for a 10-unit output): B's
// columns are copied into a zero-padded panel one vector wide and C's rows
// computed there by the vector kernel, then copied back. The scratch is
// per thread and grows once, so a training step allocates nothing here.
template <class T>
void gemm_narrow_tail(std::size_t m, std::size_t cols, std::size_t k, const T* a, std::size_t a_rs,
                      std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                      bool accumulate, const block_epilogue<T>& epi, std::size_t j0, bool finish) {
  constexpr std::size_t W = simd::width<T>;
  thread_local std::vector<T> scratch;
  if (scratch.size() < (k + m) * W) scratch.resize((k + m) * W);
  T* bpad = scratch.data();
  T* cpad = bpad + k * W;
  for (std::size_t p = 0; p < k; ++p) {
    std::copy(b + p * ldb, b + p * ldb + cols, bpad + p * W);
    std::fill(bpad + p * W + cols, bpad + (p + 1) * W, T(0));
  }
  if (accumulate)
    for (std::size_t i = 0; i < m; ++i) std::copy(c + i * ldc, c + i * ldc + cols, cpad + i * W);
  gemm_panel<1>(m, k, a, a_rs, a_cs, bpad, W, cpad, W, accumulate, block_epilogue<T>{}, 0, false);
  for (std::size_t i = 0; i < m; ++i) std::copy(cpad + i * W, cpad + i * W + cols, c + i * ldc);
  // The epilogue runs on the real columns only (a bias has no padding).
  if (finish) epi(c, ldc, m, cols, j0);
}

// The kernel: C = A' * B (+ C when accumulate), then the epilogue.
template <class T>
void gemm(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
          std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc, bool accumulate,
          const block_epilogue<T>& epi) {
  constexpr std::size_t W = simd::width<T>;
  constexpr std::size_t KC = 256;
  if (k == 0) {
    if (!accumulate)
      for (std::size_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, T(0));
    epi(c, ldc, m, n, 0);
    return;
  }
  for (std::size_t p0 = 0; p0 < k; p0 += KC) {
    const std::size_t kc = std::min(KC, k - p0);
    const bool acc = accumulate || p0 > 0;
    const bool finish = p0 + kc == k;
    const T* ap = a + p0 * a_cs;
    const T* bp = b + p0 * ldb;
    std::size_t j = 0;
    for (; j + 2 * W <= n; j += 2 * W)
      gemm_panel<2>(m, kc, ap, a_rs, a_cs, bp + j, ldb, c + j, ldc, acc, epi, j, finish);
    for (; j + W <= n; j += W)
      gemm_panel<1>(m, kc, ap, a_rs, a_cs, bp + j, ldb, c + j, ldc, acc, epi, j, finish);
    if (j < n)
      gemm_narrow_tail(m, n - j, kc, ap, a_rs, a_cs, bp + j, ldb, c + j, ldc, acc, epi, j, finish);
  }
}

// gemm with an epilogue of any type (none by default).
template <class T, class Epi>
void gemm(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
          std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc, bool accumulate,
          const Epi& epi) {
  gemm(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, erase_epilogue<T>(epi));
}
template <class T>
void gemm(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
          std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc, bool accumulate) {
  gemm(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, block_epilogue<T>{});
}

// gemm on ketl::num_threads() threads when it is large enough to pay: the
// rows (or, when there are too few row blocks to balance, the columns) are
// split into equal parts on whole register blocks, so each element is
// computed by the same instructions as in gemm, and the result is the same
// bit for bit. Rows first: each thread then streams only its share of A
// (the input batch), where a column split makes every thread read all of
// it; the weight gradient (784 rows) ran 1.4x faster on two threads split
// by columns, about 1.7x split by rows, when the second core was free.
template <class T>
void gemm_parallel(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
                   std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                   bool accumulate, const block_epilogue<T>& epi) {
  // Below about a million multiply-adds, waking a helper costs more than
  // the half it takes over.
  constexpr std::size_t min_work = std::size_t{1} << 20;
  const std::size_t threads = num_threads();
  constexpr std::size_t panel = 2 * simd::width<T>;
  if (threads < 2 || m * n * k < min_work) {
    gemm(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, epi);
    return;
  }
  constexpr std::size_t block = gemm_rows<T, 2>;
  const std::size_t blocks = (m + block - 1) / block;
  if (blocks < 8 * threads && n >= threads * panel) {
    const std::size_t panels = (n + panel - 1) / panel;
    auto part = [&](std::size_t i) {
      const std::size_t j0 = std::min(n, panels * i / threads * panel);
      const std::size_t j1 = std::min(n, panels * (i + 1) / threads * panel);
      // The part's columns start at j0: the epilogue is told C's own column.
      block_epilogue<T> shifted = epi;
      shifted.j_base += j0;
      if (j1 > j0)
        gemm(m, j1 - j0, k, a, a_rs, a_cs, b + j0, ldb, c + j0, ldc, accumulate, shifted);
    };
    thread_pool::instance().run(threads, part);
  } else {
    auto part = [&](std::size_t i) {
      const std::size_t i0 = std::min(m, blocks * i / threads * block);
      const std::size_t i1 = std::min(m, blocks * (i + 1) / threads * block);
      if (i1 > i0)
        gemm(i1 - i0, n, k, a + i0 * a_rs, a_rs, a_cs, b, ldb, c + i0 * ldc, ldc, accumulate, epi);
    };
    thread_pool::instance().run(threads, part);
  }
}
template <class T, class Epi>
void gemm_parallel(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
                   std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                   bool accumulate, const Epi& epi) {
  gemm_parallel(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, erase_epilogue<T>(epi));
}
template <class T>
void gemm_parallel(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
                   std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                   bool accumulate) {
  gemm_parallel(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, block_epilogue<T>{});
}

// dst (cols x rows) = src (rows x cols)^T. Whole 8 x 8 tiles go through a
// fixed-size block the compiler keeps in registers (1.8x the speed of
// 32 x 32 tiles with run-time bounds, for Dense's 784 x 128 kernel); the
// ragged right and bottom edges go element by element. Tiles go along dst's
// rows, so dst is written as 8 sequential streams: in a training step dst
// is cold, and going along src's rows instead made a 256 x 128 kernel's
// transpose a fifth of bench_train_epoch's time.
template <class T>
void transpose(const T* src, std::size_t rows, std::size_t cols, T* dst) {
  constexpr std::size_t B = 8;
  const std::size_t rb = rows / B * B, cb = cols / B * B;
  for (std::size_t j0 = 0; j0 < cb; j0 += B)
    for (std::size_t i0 = 0; i0 < rb; i0 += B) {
      T tile[B][B];
#pragma GCC unroll 8
      for (std::size_t i = 0; i < B; ++i)
#pragma GCC unroll 8
        for (std::size_t j = 0; j < B; ++j) tile[j][i] = src[(i0 + i) * cols + j0 + j];
#pragma GCC unroll 8
      for (std::size_t j = 0; j < B; ++j)
#pragma GCC unroll 8
        for (std::size_t i = 0; i < B; ++i) dst[(j0 + j) * rows + i0 + i] = tile[j][i];
    }
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = i < rb ? cb : 0; j < cols; ++j) dst[j * rows + i] = src[i * cols + j];
}

}  // namespace ketl::detail
