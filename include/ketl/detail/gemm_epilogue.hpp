// What ketl's GEMM does to each finished register block of C: Dense's bias
// and activation, erased to one function pointer so that every layer, and
// every instruction set's copy of the kernels, shares it.
#pragma once

#include <cstddef>

#include "ketl/detail/simd.hpp"

namespace ketl::detail {

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
  // A bias row added to C before apply: the kernels start their
  // accumulators from it instead of zero, which saves a load, an add and a
  // store per element of C (docs/benchmarks.md: 1.8% of a W1 epoch).
  const T* bias = nullptr;
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

// An epilogue that erases itself (bias_activation: its bias goes to the
// kernels, its activation to apply) says so with erased().
template <class T, class Epi>
block_epilogue<T> erase_epilogue(const Epi& epi) {
  if constexpr (requires { epi.erased(); })
    return epi.erased();
  else
    return {&apply_epilogue<T, Epi>, &epi, 0};
}

}  // namespace ketl::detail
