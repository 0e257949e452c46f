// What Conv1D and Conv2D share: their weights and the run-time part, for a
// geometry fixed at compile time. Forward is im2col, then one GEMM against
// the kernel as Keras stores it, with the bias and an elementwise
// activation as the GEMM's epilogue (as Dense). Backward, chunk by chunk:
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
#include <type_traits>
#include <vector>

#include "ketl/activations.hpp"
#include "ketl/detail/bias_activation.hpp"
#include "ketl/detail/conv_geometry.hpp"
#include "ketl/detail/gemm.hpp"
#include "ketl/detail/im2col.hpp"
#include "ketl/detail/thread_pool.hpp"
#include "ketl/threads.hpp"
#include "ketl/initializers.hpp"
#include "ketl/layer.hpp"

namespace ketl::detail {

// Derived (Conv1D, Conv2D) gives, for each input shape it takes,
// `geometry<In>` (a conv_geometry) and `kernel_shape<In>()` (Keras's).
template <class Derived, std::size_t Filters, class Act, class T, bool UseBias>
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
  // The layer protocol's compile-time and run-time parts for input In.
  template <class In>
  static constexpr std::size_t param_count = Derived::template geometry<In>.window() * Filters +
                                             (UseBias ? Filters : 0);
  template <class In>
  static constexpr std::size_t scratch_per_sample = 0;  // im2col has its own buffer
  template <class In>
  void build(Random& rng) {
    build_at<Derived::template geometry<In>>(Derived::template kernel_shape<In>(), rng);
  }
  template <class In>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    forward_at<Derived::template geometry<In>>(x, y, n, pass);
  }
  template <class In>
  void backward(const T* x, const T* y, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    backward_at<Derived::template geometry<In>>(x, y, dy, dx, n, pass);
  }

  template <conv_geometry G>
  void build_at(std::vector<std::size_t> kernel_shape, Random& rng) {
    constexpr std::size_t K = G.window();
    kernel_shape_ = std::move(kernel_shape);
    kernel_.assign(K * Filters, T(0));
    dkernel_.assign(K * Filters, T(0));
    kernel_t_.assign(K * Filters, T(0));
    bias_.assign(Filters, T(0));
    dbias_.assign(Filters, T(0));
    col_.assign(G.reads_input_as_is() ? 0 : chunk<G> * G.oh * G.ow * K, T(0));
    dk_parts_.clear();
    // Keras's fans for a convolution: the receptive field times the channels.
    const std::size_t field = G.kh * G.kw;
    opt_.kernel_initializer.fill(std::span<T>(kernel_), K, field * Filters, rng);
    if constexpr (UseBias) opt_.bias_initializer.fill(std::span<T>(bias_), Filters, Filters, rng);
  }

  template <conv_geometry G>
  void forward_at(const T* x, T* y, std::size_t n, Pass<T>&) {
    constexpr std::size_t K = G.window(), in = G.h * G.w * G.c, out = G.oh * G.ow;
    // Bias and an elementwise activation are the GEMM's epilogue; a softmax
    // needs whole rows, so it follows. The typed epilogue outlives the
    // erased one that points at it.
    using typed_epilogue = std::conditional_t<ElementwiseActivation<Act>, bias_activation<Act, T>,
                                              bias_activation<Linear, T>>;
    const typed_epilogue typed = [&] {
      if constexpr (ElementwiseActivation<Act>)
        return typed_epilogue{bias_.data(), opt_.activation};
      else
        return typed_epilogue{bias_.data(), {}};
    }();
    const block_epilogue<T> epi = erase_epilogue<T>(typed);
    for_chunks<G>(n, [&](std::size_t s0, std::size_t m, T* col, std::size_t, bool split, bool) {
      const T* a = x + s0 * in;
      if constexpr (!G.reads_input_as_is()) {
        im2col(G, a, col, m);
        a = col;
      }
      gemm_maybe_parallel(split, m * out, Filters, K, a, K, std::size_t{1}, kernel_.data(), Filters,
                          y + s0 * out * Filters, Filters, false, epi);
    });
    if constexpr (!ElementwiseActivation<Act>) activate(opt_.activation, y, y, n * out, Filters);
  }

  template <conv_geometry G>
  void backward_at(const T* x, const T* y, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t K = G.window(), in = G.h * G.w * G.c, out = G.oh * G.ow;
    constexpr std::size_t part_size = K * Filters + Filters;  // a part's dK, then its db
    if (dx && n) transpose(kernel_.data(), K, Filters, kernel_t_.data());
    // Part p sums its chunks' dK and db in its own buffer (part 0 in
    // dkernel_ and dbias_ themselves), added up after the parts: a fixed
    // order for a thread count.
    const std::size_t parts =
        for_chunks<G>(n, [&](std::size_t s0, std::size_t m, T* col_buf, std::size_t part,
                             bool split, bool first_of_part) {
          T* dk = part == 0 ? dkernel_.data() : dk_parts_.data() + (part - 1) * part_size;
          T* db = part == 0 ? dbias_.data() : dk + K * Filters;
          Pass<T> chunk_pass = pass;
          chunk_pass.accumulate_weight_grads =
              part == 0 ? pass.accumulate_weight_grads || !first_of_part : !first_of_part;
          // dy becomes dL/dz for these rows, and their bias gradient is summed.
          T* dz = dy + s0 * out * Filters;
          activation_backward_with_bias(opt_.activation, y + s0 * out * Filters, dz,
                                        UseBias ? db : nullptr, m * out, Filters, chunk_pass);
          const T* col = x + s0 * in;
          if constexpr (!G.reads_input_as_is()) {
            im2col(G, col, col_buf, m);
            col = col_buf;
          }
          gemm_maybe_parallel(split, K, Filters, m * out, col, std::size_t{1}, K, dz, Filters, dk,
                              Filters, chunk_pass.accumulate_weight_grads, block_epilogue<T>{});
          if (!dx) return;
          T* dxs = dx + s0 * in;
          if constexpr (G.reads_input_as_is()) {
            gemm_maybe_parallel(split, m * out, K, Filters, dz, Filters, std::size_t{1},
                                kernel_t_.data(), K, dxs, K, false, block_epilogue<T>{});
          } else {
            gemm_maybe_parallel(split, m * out, K, Filters, dz, Filters, std::size_t{1},
                                kernel_t_.data(), K, col_buf, K, false, block_epilogue<T>{});
            std::fill(dxs, dxs + m * in, T(0));
            col2im_add(G, col_buf, dxs, m);
          }
        });
    if (n == 0 && !pass.accumulate_weight_grads) {
      std::fill(dkernel_.begin(), dkernel_.end(), T(0));
      std::fill(dbias_.begin(), dbias_.end(), T(0));
    }
    auto add = [](auto a, auto b) { return a + b; };
    for (std::size_t p = 1; p < parts; ++p) {
      const T* part = dk_parts_.data() + (p - 1) * part_size;
      simd::map(add, dkernel_.data(), part, dkernel_.data(), K * Filters);
      if constexpr (UseBias)
        simd::map(add, dbias_.data(), part + K * Filters, dbias_.data(), Filters);
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
  const Options& options() const { return opt_; }

 private:
  // Threads share a batch by parts: part p takes an equal share of the
  // samples, in chunks, with its own im2col buffer and single-threaded
  // GEMMs, so the copies run on every thread too. With one chunk (or one
  // thread) the chunk's GEMMs split instead.
  template <conv_geometry G>
  static std::size_t parts_of(std::size_t n) {
    const std::size_t chunks = (n + chunk<G> - 1) / chunk<G>;
    return std::max<std::size_t>(1, std::min(num_threads(), chunks));
  }

  // f(first sample, samples, im2col buffer, part, split the GEMMs?, first
  // chunk of its part?) for each chunk; returns the number of parts.
  template <conv_geometry G, class F>
  std::size_t for_chunks(std::size_t n, F&& f) {
    constexpr std::size_t per = G.oh * G.ow * G.window();
    const std::size_t parts = parts_of<G>(n);
    if (!G.reads_input_as_is() && col_.size() < parts * chunk<G> * per)
      col_.resize(parts * chunk<G> * per);  // grows once for a thread count
    if (dk_parts_.size() < (parts - 1) * (G.window() + 1) * Filters)
      dk_parts_.resize((parts - 1) * (G.window() + 1) * Filters);
    if (parts < 2) {
      for (std::size_t s0 = 0; s0 < n; s0 += chunk<G>)
        f(s0, std::min(chunk<G>, n - s0), col_.data(), std::size_t{0}, true, s0 == 0);
      return 1;
    }
    auto part = [&](std::size_t p) {
      T* col = col_.data() + (G.reads_input_as_is() ? 0 : p * chunk<G> * per);
      const std::size_t begin = n * p / parts, end = n * (p + 1) / parts;
      for (std::size_t s0 = begin; s0 < end; s0 += chunk<G>)
        f(s0, std::min(chunk<G>, end - s0), col, p, false, s0 == begin);
    };
    thread_pool::instance().run(parts, part);
    return parts;
  }

  static void gemm_maybe_parallel(bool split, std::size_t m, std::size_t n, std::size_t k,
                                  const T* a, std::size_t a_rs, std::size_t a_cs, const T* b,
                                  std::size_t ldb, T* c, std::size_t ldc, bool acc,
                                  const block_epilogue<T>& epi) {
    if (split)
      gemm_parallel(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, acc, epi);
    else
      gemm(m, n, k, a, a_rs, a_cs, b, ldb, c, ldc, acc, epi);
  }

  Options opt_{};
  std::vector<std::size_t> kernel_shape_;
  // Without a bias, bias_ stays zeros for the shared epilogue and is no weight.
  std::vector<T> kernel_, bias_, dkernel_, dbias_, kernel_t_;
  std::vector<T> col_;       // each part's chunk: its im2col matrix, then its dcol
  std::vector<T> dk_parts_;  // dK and db of parts 1, 2, ...
};

}  // namespace ketl::detail
