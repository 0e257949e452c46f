// What Dense and the convolutions do around their GEMM: the forward
// epilogue act(z + bias) and, backward, dy -> dL/dz with the bias gradient
// in the same pass. Their output rows are (rows, units) either way.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "ketl/activations.hpp"
#include "ketl/detail/gemm_epilogue.hpp"
#include "ketl/detail/simd.hpp"
#include "ketl/layer.hpp"

namespace ketl::detail {

// The GEMM epilogue: act(v + bias[j]). A named type, so that every layer
// with the same activation shares one instantiation. Erased, the bias goes
// to the kernels' accumulators and only the activation runs on each
// finished block (none for Linear); called directly, it does both.
template <class Act, class T>
struct bias_activation {
  const T* bias;
  Act act;
  template <class V>
  V operator()(V v, std::size_t j) const {
    if constexpr (std::is_arithmetic_v<V>)
      return act.apply(v + bias[j]);
    else
      return act.apply(v + V::load_unaligned(bias + j));
  }
  block_epilogue<T> erased() const {
    block_epilogue<T> e;
    e.bias = bias;
    if constexpr (!std::is_same_v<Act, Linear>) e.apply = &apply_activation, e.epi = this;
    return e;
  }

 private:
  static void apply_activation(const void* self, T* c, std::size_t ldc, std::size_t rows,
                               std::size_t cols, std::size_t) {
    const Act& act = static_cast<const bias_activation*>(self)->act;
    using V = simd::batch<T>;
    constexpr std::size_t W = V::size;
    for (std::size_t r = 0; r < rows; ++r, c += ldc) {
      std::size_t j = 0;
      for (; j + W <= cols; j += W) act.apply(V::load_unaligned(c + j)).store_unaligned(c + j);
      for (; j < cols; ++j) c[j] = act.apply(c[j]);
    }
  }
};

// dy (rows, units) becomes dL/dz in place: the activation's derivative,
// unless the loss already gave dL/dz (pass.grad_before_activation). The
// bias gradient db (null: no bias) is summed in the same pass, added to
// its value when pass.accumulate_weight_grads (a shared layer's later use).
template <class Act, class T>
void activation_backward_with_bias(const Act& act, const T* y, T* dy, T* db, std::size_t rows,
                                   std::size_t units, const Pass<T>& pass) {
  if (db && !pass.accumulate_weight_grads) std::fill(db, db + units, T(0));
  if constexpr (ElementwiseActivation<Act>) {
    if (!pass.grad_before_activation) {
      for (std::size_t r = 0; r < rows; ++r) {
        if (db)
          simd::zip_update<T>(
              [&](const auto& yv, auto& dv, auto& bv) {
                dv = dv * act.derivative(yv);
                bv = bv + dv;
              },
              units, y + r * units, dy + r * units, db);
        else
          simd::zip_update<T>([&](const auto& yv, auto& dv) { dv = dv * act.derivative(yv); },
                              units, y + r * units, dy + r * units);
      }
      return;
    }
  }
  if (!pass.grad_before_activation) activate_backward(act, y, dy, dy, rows, units);
  if (db)
    for (std::size_t r = 0; r < rows; ++r)
      simd::map([](auto a, auto b) { return a + b; }, db, dy + r * units, db, units);
}

}  // namespace ketl::detail
