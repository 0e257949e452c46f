// What Conv1D and Conv2D share: their weights and the run-time part, for a
// geometry fixed at compile time. Forward is im2col, then one GEMM against
// the kernel as Keras stores it, with the bias and an elementwise
// activation as the GEMM's epilogue (as Dense). Backward:
//   dz     = dy * act'(y), db = sum of dz over rows  (one pass)
//   dK     = col^T . dz                               (col read through strides)
//   dcol   = dz . K^T, then col2im adds it into dx    (only when dx is wanted)
// The batch goes through in chunks of samples whose im2col matrix holds
// about 2^18 elements, in the layer's own buffer (made once, at build): a
// whole batch's matrix would be kh*kw times the input (340 MB for the Keras
// guide's VGG-like net at batch 32), and a small one stays in L2 between
// im2col and the GEMM that reads it. Backward builds each chunk's matrix
// again (a copy, cheap beside the GEMMs), then reuses it for dcol.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ketl/activations.hpp"
#include "ketl/detail/bias_activation.hpp"
#include "ketl/detail/conv_geometry.hpp"
#include "ketl/detail/gemm.hpp"
#include "ketl/detail/im2col.hpp"
#include "ketl/initializers.hpp"
#include "ketl/layer.hpp"

namespace ketl::detail {

template <std::size_t Filters, class Act, class T, bool UseBias>
class conv_core {
 public:
  // Keras's keyword arguments that do not change shapes, in Keras's order.
  struct Options {
    Act activation{};
    Initializer kernel_initializer = initializers::glorot_uniform();
    Initializer bias_initializer = initializers::zeros();
    std::string name = {};
  };

  conv_core() = default;
  explicit conv_core(Act activation) { opt_.activation = activation; }
  explicit conv_core(Options opt) : opt_(std::move(opt)) {}

  // Samples per chunk: an im2col matrix of about 2^18 elements, at least one sample.
  template <conv_geometry G>
  static constexpr std::size_t chunk = std::max<std::size_t>(1, (std::size_t{1} << 18) /
                                                                    (G.oh * G.ow * G.window()));

  // kernel_shape is Keras's: (kh, kw, in, filters) or (k, in, filters).
  template <conv_geometry G>
  void build(std::vector<std::size_t> kernel_shape, Random& rng) {
    constexpr std::size_t K = G.window();
    kernel_shape_ = std::move(kernel_shape);
    kernel_.assign(K * Filters, T(0));
    dkernel_.assign(K * Filters, T(0));
    kernel_t_.assign(K * Filters, T(0));
    bias_.assign(Filters, T(0));
    dbias_.assign(Filters, T(0));
    col_.assign(G.reads_input_as_is() ? 0 : chunk<G> * G.oh * G.ow * K, T(0));
    // Keras's fans for a convolution: the receptive field times the channels.
    const std::size_t field = G.kh * G.kw;
    opt_.kernel_initializer.fill(std::span<T>(kernel_), K, field * Filters, rng);
    if constexpr (UseBias) opt_.bias_initializer.fill(std::span<T>(bias_), Filters, Filters, rng);
  }

  template <conv_geometry G>
  void forward(const T* x, T* y, std::size_t n, Pass<T>&) {
    constexpr std::size_t K = G.window(), in = G.h * G.w * G.c, out = G.oh * G.ow;
    for (std::size_t s0 = 0; s0 < n; s0 += chunk<G>) {
      const std::size_t m = std::min(chunk<G>, n - s0), rows = m * out;
      const T* a = x + s0 * in;
      if constexpr (!G.reads_input_as_is()) {
        im2col(G, a, col_.data(), m);
        a = col_.data();
      }
      T* dst = y + s0 * out * Filters;
      if constexpr (ElementwiseActivation<Act>)
        gemm_parallel(rows, Filters, K, a, K, std::size_t{1}, kernel_.data(), Filters, dst, Filters,
                      false, bias_activation<Act, T>{bias_.data(), opt_.activation});
      else
        gemm_parallel(rows, Filters, K, a, K, std::size_t{1}, kernel_.data(), Filters, dst, Filters,
                      false, bias_activation<Linear, T>{bias_.data(), {}});
    }
    if constexpr (!ElementwiseActivation<Act>) activate(opt_.activation, y, y, n * out, Filters);
  }

  template <conv_geometry G>
  void backward(const T* x, const T* y, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t K = G.window(), in = G.h * G.w * G.c, out = G.oh * G.ow;
    activation_backward_with_bias(opt_.activation, y, dy, UseBias ? dbias_.data() : nullptr,
                                  n * out, Filters, pass);
    if (n == 0 && !pass.accumulate_weight_grads) std::fill(dkernel_.begin(), dkernel_.end(), T(0));
    if (dx && n) transpose(kernel_.data(), K, Filters, kernel_t_.data());
    for (std::size_t s0 = 0; s0 < n; s0 += chunk<G>) {
      const std::size_t m = std::min(chunk<G>, n - s0), rows = m * out;
      const T* col = x + s0 * in;
      if constexpr (!G.reads_input_as_is()) {
        im2col(G, col, col_.data(), m);
        col = col_.data();
      }
      const T* dz = dy + s0 * out * Filters;
      // dK = col^T . dz; the chunks after the first add to it.
      gemm_parallel(K, Filters, rows, col, std::size_t{1}, K, dz, Filters, dkernel_.data(), Filters,
                    pass.accumulate_weight_grads || s0 > 0);
      if (!dx) continue;
      T* dxs = dx + s0 * in;
      if constexpr (G.reads_input_as_is()) {
        gemm_parallel(rows, K, Filters, dz, Filters, std::size_t{1}, kernel_t_.data(), K, dxs, K,
                      false);
      } else {
        gemm_parallel(rows, K, Filters, dz, Filters, std::size_t{1}, kernel_t_.data(), K,
                      col_.data(), K, false);
        std::fill(dxs, dxs + m * in, T(0));
        col2im_add(G, col_.data(), dxs, m);
      }
    }
  }

  template <class Fn>
  void for_each_weight(Fn&& f) {
    f(WeightRef<T>{"kernel", kernel_, dkernel_, kernel_shape_});
    if constexpr (UseBias) f(WeightRef<T>{"bias", bias_, dbias_, {Filters}});
  }

  std::span<T> kernel() { return kernel_; }
  std::span<const T> kernel() const { return kernel_; }
  // Empty when use_bias is false.
  std::span<T> bias() { return UseBias ? std::span<T>(bias_) : std::span<T>(); }
  std::span<const T> bias() const {
    return UseBias ? std::span<const T>(bias_) : std::span<const T>();
  }
  const Act& activation() const { return opt_.activation; }
  std::string_view name() const { return opt_.name; }

 private:
  Options opt_{};
  std::vector<std::size_t> kernel_shape_;
  // Without a bias, bias_ stays zeros for the shared epilogue and is no weight.
  std::vector<T> kernel_, bias_, dkernel_, dbias_, kernel_t_;
  std::vector<T> col_;  // one chunk's im2col matrix, then its dcol
};

}  // namespace ketl::detail
