// What SpatialDropout1D/2D share: Keras's dropout with noise_shape (N, 1,
// C) or (N, 1, 1, C), so a channel is kept or dropped for the whole
// sample, scaled by 1 / (1 - rate) when kept.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "ketl/error.hpp"
#include "ketl/layer.hpp"

namespace ketl::detail {

template <std::size_t Rank>
struct spatial_dropout_layer : stateless_layer {
  spatial_dropout_layer(float rate, LayerOptions o) : stateless_layer(std::move(o)), rate_(rate) {
    if (!(rate >= 0.0f && rate < 1.0f))
      throw value_error("ketl: SpatialDropout rate must be in [0, 1), got " + std::to_string(rate));
  }
  float rate() const { return rate_; }

  template <class In>
  static constexpr bool accepts = In::rank == Rank;
  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == Rank,
                  "ketl: SpatialDropout2D takes (rows, cols, channels) samples, SpatialDropout1D "
                  "(steps, channels)");
  }
  template <class In>
  using output_shape = In;
  // One mask value per channel, kept from forward to backward.
  template <class In>
  static constexpr std::size_t scratch_per_sample = In::last;

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    if (!pass.training || rate_ == 0.0f) {
      std::copy(x, x + n * In::size, y);
      return;
    }
    const T scale = T(1) / (T(1) - T(rate_));
    // Every sample's channel mask first, in the order one process draws them.
    pass.rng->block(n * In::last, [&](std::size_t i) {
      pass.scratch[i] = pass.rng->uniform() >= rate_ ? scale : T(0);
    });
    for (std::size_t s = 0; s < n; ++s) {
      const T* m = pass.scratch + s * In::last;
      for (std::size_t p = 0; p < In::outer; ++p) {
        const std::size_t at = (s * In::outer + p) * In::last;
        for (std::size_t i = 0; i < In::last; ++i) y[at + i] = x[at + i] * m[i];
      }
    }
  }
  template <class In, class T>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    if (!dx) return;
    if (!pass.training || rate_ == 0.0f) {
      std::copy(dy, dy + n * In::size, dx);
      return;
    }
    for (std::size_t s = 0; s < n; ++s) {
      const T* m = pass.scratch + s * In::last;
      for (std::size_t p = 0; p < In::outer; ++p) {
        const std::size_t at = (s * In::outer + p) * In::last;
        for (std::size_t i = 0; i < In::last; ++i) dx[at + i] = dy[at + i] * m[i];
      }
    }
  }

 private:
  float rate_;
};

}  // namespace ketl::detail
