// What the window poolings (MaxPooling1D/2D, AveragePooling1D/2D) share:
// the compile-time shape checks and the run-time part, over one 2D window
// (the 1D layers have one row). The public layers add their Keras names.
#pragma once

#include <algorithm>
#include <cstddef>

#include "ketl/detail/conv_geometry.hpp"
#include "ketl/detail/pooling.hpp"
#include "ketl/detail/thread_pool.hpp"
#include "ketl/threads.hpp"
#include "ketl/layer.hpp"
#include "ketl/spatial.hpp"

namespace ketl::detail {

// f(first sample, samples) over the batch, split between the threads when
// the batch is large enough to pay for waking them (as gemm_parallel).
template <class F>
void over_samples(std::size_t n, std::size_t per_sample, F&& f) {
  const std::size_t parts = std::min(num_threads(), n);
  if (parts < 2 || n * per_sample < (std::size_t{1} << 16)) {
    f(std::size_t{0}, n);
    return;
  }
  auto part = [&](std::size_t p) {
    const std::size_t s0 = n * p / parts, s1 = n * (p + 1) / parts;
    if (s1 > s0) f(s0, s1 - s0);
  };
  thread_pool::instance().run(parts, part);
}

enum class pool_kind { max, average };

// Rank is the sample rank: 3 for (rows, cols, channels), 2 for (steps,
// channels). Strides of 0 have been replaced by the pool size.
template <pool_kind Kind, std::size_t Rank, std::size_t PH, std::size_t PW, std::size_t SH,
          std::size_t SW, padding_mode P>
struct window_pool : stateless_layer {
  static_assert(PH > 0 && PW > 0, "ketl: a pooling's size must be positive");
  static_assert(P != causal, "ketl: a pooling's padding must be valid or same");
  using stateless_layer::stateless_layer;

  using window_type = std::conditional_t<Rank == 3, window<PH, PW>, window<PW>>;

  template <class In>
  static constexpr bool accepts = [] {
    if constexpr (In::rank != Rank)
      return false;
    else
      return window_fits_input<window_type, In, P>::value;
  }();

  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == Rank,
                  "ketl: this pooling takes channels-last samples of rank 3 (rows, cols, "
                  "channels) for the 2D layers, of rank 2 (steps, channels) for the 1D ones");
    if constexpr (In::rank == Rank)
      static_assert(window_fits_input<window_type, In, P>::value,
                    "ketl: the pooling window is larger than its input; padding = valid needs "
                    "pool size <= input along each axis");
  }

  template <class In>
  static constexpr conv_geometry geometry = [] {
    if constexpr (!accepts<In>)
      return conv_geometry{};
    else if constexpr (Rank == 3)
      return make_geometry(In::dims[0], In::dims[1], In::dims[2], PH, PW, SH, SW, 1, 1, P);
    else
      return make_geometry(1, In::dims[0], In::dims[1], 1, PW, 1, SW, 1, 1, P);
  }();

  template <class In>
  using output_shape =
      std::conditional_t<Rank == 3, Shape<geometry<In>.oh, geometry<In>.ow, geometry<In>.c>,
                         Shape<geometry<In>.ow, geometry<In>.c>>;

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>&) {
    using Out = output_shape<In>;
    over_samples(n, In::size, [&](std::size_t s0, std::size_t m) {
      if constexpr (Kind == pool_kind::max)
        max_pool(geometry<In>, x + s0 * In::size, y + s0 * Out::size, m);
      else
        avg_pool(geometry<In>, x + s0 * In::size, y + s0 * Out::size, m);
    });
  }
  template <class In, class T>
  void backward(const T* x, const T* y, T* dy, T* dx, std::size_t n, Pass<T>&) {
    if (!dx) return;
    using Out = output_shape<In>;
    over_samples(n, In::size, [&](std::size_t s0, std::size_t m) {
      T* d = dx + s0 * In::size;
      std::fill(d, d + m * In::size, T(0));
      if constexpr (Kind == pool_kind::max)
        max_pool_backward(geometry<In>, x + s0 * In::size, y + s0 * Out::size, dy + s0 * Out::size,
                          d, m);
      else
        avg_pool_backward(geometry<In>, dy + s0 * Out::size, d, m);
    });
  }
};

template <pool_kind Kind, pool2d S>
using window_pool_2d =
    window_pool<Kind, 3, S.size[0], S.size[1], S.strides[0] ? S.strides[0] : S.size[0],
                S.strides[1] ? S.strides[1] : S.size[1], S.padding>;
template <pool_kind Kind, pool1d S>
using window_pool_1d =
    window_pool<Kind, 2, 1, S.size, 1, S.strides ? S.strides : S.size, S.padding>;

// Global pooling over every position of a channels-last sample of rank Rank.
template <bool Max, std::size_t Rank>
struct global_pool_layer : stateless_layer {
  using stateless_layer::stateless_layer;
  template <class In>
  static constexpr bool accepts = In::rank == Rank;
  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == Rank,
                  "ketl: global pooling takes channels-last samples of rank 3 (rows, cols, "
                  "channels) for the 2D layers, of rank 2 (steps, channels) for the 1D ones");
  }
  template <class In>
  using output_shape = Shape<In::last>;

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>&) {
    global_pool(Max, In::outer, In::last, x, y, n);
  }
  template <class In, class T>
  void backward(const T* x, const T* y, T* dy, T* dx, std::size_t n, Pass<T>&) {
    if (dx) global_pool_backward(Max, In::outer, In::last, x, y, dy, dx, n);
  }
};

}  // namespace ketl::detail
