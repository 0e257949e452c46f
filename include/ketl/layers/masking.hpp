// Masking(mask_value): Keras's Masking on (timesteps, features) samples. A
// step whose every feature equals mask_value is padding: its mask value is
// 0, its output is zeros, and the recurrent layers after it skip it (they
// keep the state and the output of the step before; detail/masking.hpp).
//
//   auto model = ketl::Sequential{ketl::Input<20, 8>{}, ketl::Masking{0.0f},
//                                 ketl::LSTM<32>{}, ketl::Dense<1, ketl::Sigmoid>{}};
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "ketl/layer.hpp"

namespace ketl {

struct Masking : stateless_layer, callable_layer<Masking> {
  static constexpr std::string_view class_name = "Masking";
  static constexpr bool makes_mask = true;
  static constexpr bool supports_masking = true;

  struct Options {
    float mask_value = 0.0f;
    std::string name = {};
  };
  Masking() = default;
  explicit Masking(float mask_value) : mask_value_(mask_value) {}
  explicit Masking(Options o)
      : stateless_layer(LayerOptions{std::move(o.name)}), mask_value_(o.mask_value) {}
  float mask_value() const { return mask_value_; }

  // A mask over the timesteps: the recurrent layers read (timesteps,
  // features) samples.
  template <class In>
  static constexpr bool accepts = In::rank == 2;
  template <class In>
  static constexpr void check_input() {
    static_assert(In::rank == 2,
                  "ketl::Masking masks the timesteps of (timesteps, features) samples: give it a "
                  "rank-2 shape");
  }
  template <class In>
  using output_shape = In;
  // The mask it makes, (n, timesteps), at the start of its scratch.
  template <class In>
  static constexpr std::size_t scratch_per_sample = In::dims[0];

  template <class In, class T>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t F = In::dims[1];
    const T v = T(mask_value_);
    for (std::size_t r = 0; r < n * In::dims[0]; ++r) {
      const T* row = x + r * F;
      const bool keep = std::any_of(row, row + F, [v](T e) { return e != v; });
      pass.scratch[r] = keep ? T(1) : T(0);
      if (keep)
        std::copy_n(row, F, y + r * F);
      else
        std::fill_n(y + r * F, F, T(0));
    }
  }
  template <class In, class T>
  void backward(const T*, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    if (!dx) return;
    constexpr std::size_t F = In::dims[1];
    for (std::size_t r = 0; r < n * In::dims[0]; ++r)
      for (std::size_t f = 0; f < F; ++f) dx[r * F + f] = dy[r * F + f] * pass.scratch[r];
  }

 private:
  float mask_value_ = 0.0f;
};

}  // namespace ketl
