// Dropout(rate): inverted dropout, as Keras's K.dropout. In training each
// unit is kept with probability 1 - rate and scaled by 1 / (1 - rate); at
// inference it is the identity. Masks come from the model's seeded Random.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "ketl/error.hpp"
#include "ketl/layer.hpp"

namespace ketl {

struct Dropout : stateless_layer, callable_layer<Dropout> {
  static constexpr std::string_view class_name = "Dropout";
  // Keras 2.2.4's supports_masking: a masked input's mask passes on.
  static constexpr bool supports_masking = true;

  // Keras silently ignores a rate outside (0, 1); tf.keras rejects it, and so do we.
  explicit Dropout(float rate, LayerOptions o = {}) : stateless_layer(std::move(o)), rate_(rate) {
    if (!(rate >= 0.0f && rate < 1.0f))
      throw value_error("ketl: Dropout rate must be in [0, 1), got " + std::to_string(rate));
  }
  float rate() const { return rate_; }

  template <class In>
  static constexpr bool accepts = true;
  template <class In>
  static constexpr void check_input() {}
  template <class In>
  using output_shape = In;
  // The mask, kept from forward to backward.
  template <class In>
  static constexpr std::size_t scratch_per_sample = In::size;

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    const std::size_t count = n * In::size;
    if (!pass.training || rate_ == 0.0f) {
      std::copy(x, x + count, y);
      return;
    }
    const T scale = T(1) / (T(1) - T(rate_));
    pass.rng->block(count, [&](std::size_t i) {
      const T m = pass.rng->uniform() >= rate_ ? scale : T(0);
      pass.scratch[i] = m;
      y[i] = x[i] * m;
    });
  }
  template <class In, class T>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    if (!dx) return;
    const std::size_t count = n * In::size;
    if (!pass.training || rate_ == 0.0f) {
      std::copy(dy, dy + count, dx);
      return;
    }
    for (std::size_t i = 0; i < count; ++i) dx[i] = dy[i] * pass.scratch[i];
  }

 private:
  float rate_;
};

}  // namespace ketl
