// ketl's register-blocked SIMD GEMM over raw pointers, C = A' * B (+ C),
// with an epilogue on each finished block: the kernels are in
// detail/gemm_isa_body.ipp (compiled here for the program's own arch, over
// xsimd), the run-time choice of a wider arch for float in
// detail/gemm_dispatch.hpp; this header adds the entry points, the
// two-thread split and the transpose.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include "ketl/detail/gemm_dispatch.hpp"
#include "ketl/detail/gemm_epilogue.hpp"
#include "ketl/detail/simd.hpp"
#include "ketl/detail/thread_pool.hpp"
#include "ketl/threads.hpp"

namespace ketl::detail {

namespace gemm_native {
// The vector ops of the program's own arch, through xsimd.
template <class T>
struct xsimd_ops {
  using value_type = T;
  using type = simd::batch<T>;
  static constexpr std::size_t width = type::size;
  // 32 vector registers with AVX-512, 16 below it.
  static constexpr std::size_t regs = width * sizeof(T) >= 64 ? 32 : 16;
  static type load(const T* p) { return type::load_unaligned(p); }
  static void store(T* p, type v) { v.store_unaligned(p); }
  static type zero() { return type(T(0)); }
  static type splat(T x) { return type(x); }
  static type add(type a, type b) { return a + b; }
  static type fma(type a, type b, type c) { return xsimd::fma(a, b, c); }
};
#include "ketl/detail/gemm_isa_body.ipp"
}  // namespace gemm_native

// Rows per register block of the 2-vector panel, on the program's own arch.
template <class T>
inline constexpr std::size_t gemm_block_rows = gemm_native::rows<gemm_native::xsimd_ops<T>, 2>;

// The kernel: C = A' * B (+ C when accumulate), then the epilogue. float
// goes to a wider arch's copy when the CPU has one the program's flags do
// not reach.
template <class T>
void gemm(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
          std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc, bool accumulate,
          const block_epilogue<T>& epi) {
  if constexpr (std::is_same_v<T, float>) {
    if (const sgemm_fn f = sgemm_for(active_gemm_isa())) {
      f(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate, epi);
      return;
    }
  }
  gemm_native::gemm<gemm_native::xsimd_ops<T>>(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, accumulate,
                                               epi);
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

// C = A' * Bt^T (+ C), then the epilogue, for a B given as its transpose
// Bt (n x k, row stride ldt): each column panel is transposed right before
// use (gemm_bt in detail/gemm_isa_body.ipp).
template <class T>
void gemm_bt(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
             std::size_t a_cs, const T* bt, std::size_t ldt, T* c, std::size_t ldc, bool accumulate,
             const block_epilogue<T>& epi = {}) {
  if constexpr (std::is_same_v<T, float>) {
    if (const sgemm_fn f = sgemm_bt_for(active_gemm_isa())) {
      f(m, n, k, a, a_rs, a_cs, bt, ldt, c, ldc, accumulate, epi);
      return;
    }
  }
  gemm_native::gemm_bt<gemm_native::xsimd_ops<T>>(m, n, k, a, a_rs, a_cs, bt, ldt, c, ldc,
                                                  accumulate, epi);
}

// Runs part(i0, i1, j0, j1) over C's rows [i0, i1) and columns [j0, j1) on
// ketl::num_threads() threads when the m x n x k product is large enough to
// pay, else once over the whole: the rows (or, when there are too few row
// blocks to balance, the columns) are split into equal parts on whole
// register blocks, so each element is computed by the same instructions as
// in one call, and the result is the same bit for bit. Rows first: each
// thread then streams only its share of A (the input batch), where a column
// split makes every thread read all of it; the weight gradient (784 rows)
// ran 1.4x faster on two threads split by columns, about 1.7x split by
// rows, when the second core was free.
template <class T, class Part>
void split_gemm(std::size_t m, std::size_t n, std::size_t k, const Part& part) {
  // Below about a million multiply-adds, waking a helper costs more than
  // the half it takes over.
  constexpr std::size_t min_work = std::size_t{1} << 20;
  const std::size_t threads = num_threads();
  constexpr std::size_t panel = 2 * simd::width<T>;
  if (threads < 2 || m * n * k < min_work) {
    part(std::size_t{0}, m, std::size_t{0}, n);
    return;
  }
  constexpr std::size_t block = gemm_block_rows<T>;
  const std::size_t blocks = (m + block - 1) / block;
  if (blocks < 8 * threads && n >= threads * panel) {
    const std::size_t panels = (n + panel - 1) / panel;
    auto columns = [&](std::size_t i) {
      const std::size_t j0 = std::min(n, panels * i / threads * panel);
      const std::size_t j1 = std::min(n, panels * (i + 1) / threads * panel);
      if (j1 > j0) part(std::size_t{0}, m, j0, j1);
    };
    thread_pool::instance().run(threads, columns);
  } else {
    auto rows = [&](std::size_t i) {
      const std::size_t i0 = std::min(m, blocks * i / threads * block);
      const std::size_t i1 = std::min(m, blocks * (i + 1) / threads * block);
      if (i1 > i0) part(i0, i1, std::size_t{0}, n);
    };
    thread_pool::instance().run(threads, rows);
  }
}

// gemm on ketl::num_threads() threads when it is large enough to pay.
template <class T>
void gemm_parallel(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
                   std::size_t a_cs, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                   bool accumulate, const block_epilogue<T>& epi) {
  split_gemm<T>(m, n, k, [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) {
    // A part's columns start at j0: the epilogue is told C's own column.
    block_epilogue<T> shifted = epi;
    shifted.j_base += j0;
    gemm(i1 - i0, j1 - j0, k, a + i0 * a_rs, a_rs, a_cs, b + j0, ldb, c + i0 * ldc + j0, ldc,
         accumulate, shifted);
  });
}

// gemm_bt on ketl::num_threads() threads when it is large enough to pay.
template <class T>
void gemm_bt_parallel(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t a_rs,
                      std::size_t a_cs, const T* bt, std::size_t ldt, T* c, std::size_t ldc,
                      bool accumulate) {
  split_gemm<T>(m, n, k, [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) {
    gemm_bt(i1 - i0, j1 - j0, k, a + i0 * a_rs, a_rs, a_cs, bt + j0 * ldt, ldt, c + i0 * ldc + j0,
            ldc, accumulate);
  });
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

// A B operand copied once into column panels of P = 2 vectors, each k x P
// and contiguous, for GEMMs that read the same B many times: a recurrent
// layer's kernel, once per timestep. gemm would otherwise pack a B whose
// rows sit a multiple of 256 bytes apart again at every call (a tenth of an
// LSTM epoch); a panel's rows are P apart, which gemm reads in place.
template <class T>
struct packed_b {
  static constexpr std::size_t P = 2 * simd::width<T>;
  std::vector<T> panels;
  const T* source = nullptr;  // the columns past the last whole panel are read here
  std::size_t k = 0, n = 0, ldb = 0, wide = 0;

  void pack(const T* b, std::size_t rows, std::size_t cols, std::size_t ld) {
    source = b, k = rows, n = cols, ldb = ld, wide = cols / P * P;
    if (panels.size() < k * wide) panels.resize(k * wide);
    for (std::size_t j = 0; j < wide; j += P)
      for (std::size_t p = 0; p < k; ++p)
        std::copy_n(b + p * ldb + j, P, panels.data() + j * k + p * P);
  }
};

// C (m x n) (+)= A' * B for a packed B, its panels shared out among the
// threads as gemm_parallel's columns are.
template <class T>
void gemm_parallel(std::size_t m, const T* a, std::size_t a_rs, std::size_t a_cs,
                   const packed_b<T>& b, T* c, std::size_t ldc, bool accumulate) {
  constexpr std::size_t P = packed_b<T>::P, min_work = std::size_t{1} << 20;
  const std::size_t panels = b.wide / P, n = b.n, k = b.k;
  auto columns = [&](std::size_t p0, std::size_t p1, bool rest) {
    for (std::size_t p = p0; p < p1; ++p)
      gemm(m, P, k, a, a_rs, a_cs, b.panels.data() + p * P * k, P, c + p * P, ldc, accumulate);
    if (rest && b.wide < n)
      gemm(m, n - b.wide, k, a, a_rs, a_cs, b.source + b.wide, b.ldb, c + b.wide, ldc, accumulate);
  };
  const std::size_t threads = num_threads();
  if (threads < 2 || m * n * k < min_work || panels < threads) {
    columns(0, panels, true);
    return;
  }
  auto part = [&](std::size_t i) {
    columns(panels * i / threads, panels * (i + 1) / threads, i + 1 == threads);
  };
  thread_pool::instance().run(threads, part);
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
