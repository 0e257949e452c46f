// Dense<units, Activation, T>: activation(x . kernel + bias) on the last axis
// of any rank, as Keras does: (N, T, F) becomes (N, T, units) with one
// (F, units) kernel shared across the leading axes.
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
#include "ketl/detail/gemm.hpp"
#include "ketl/initializers.hpp"
#include "ketl/layer.hpp"

namespace ketl {

template <std::size_t Units, ActivationFunction Act = Linear, class T = float>
class Dense : public callable_layer<Dense<Units, Act, T>> {
  static_assert(Units > 0, "ketl::Dense: units must be positive");
  static_assert(std::is_floating_point_v<T>,
                "ketl::Dense: the element type must be floating point");

 public:
  using value_type = T;
  using activation_type = Act;
  static constexpr std::string_view class_name = "Dense";
  // Keras 2.2.4's supports_masking: a masked input's mask passes on.
  static constexpr bool supports_masking = true;
  static constexpr std::size_t units = Units;

  // Keras's keyword arguments, in Keras's order.
  struct Options {
    Act activation{};
    Initializer kernel_initializer = initializers::glorot_uniform();
    Initializer bias_initializer = initializers::zeros();
    std::string name = {};  // Keras's name= (empty: dense_1, dense_2, ...)
  };

  Dense() = default;
  explicit Dense(Act activation) { opt_.activation = activation; }
  explicit Dense(Options opt) : opt_(std::move(opt)) {}

  template <class In>
  static constexpr bool accepts = true;
  template <class In>
  static constexpr void check_input() {}
  template <class In>
  using output_shape = with_last_t<In, Units>;
  template <class In>
  static constexpr std::size_t param_count = In::last* Units + Units;
  template <class In>
  static constexpr std::size_t scratch_per_sample = 0;

  template <class In>
  void build(Random& rng) {
    constexpr std::size_t F = In::last;
    fan_in_ = F;
    kernel_.assign(F * Units, T(0));
    bias_.assign(Units, T(0));
    dkernel_.assign(F * Units, T(0));
    dbias_.assign(Units, T(0));
    opt_.kernel_initializer.fill(std::span<T>(kernel_), F, Units, rng);
    opt_.bias_initializer.fill(std::span<T>(bias_), Units, Units, rng);
  }

  template <class In>
  void forward(const T* x, T* y, std::size_t n, Pass<T>&) {
    constexpr std::size_t F = In::last;
    const std::size_t rows = n * In::outer;
    // Bias and an elementwise activation are the GEMM's epilogue: the
    // output goes to memory once. Softmax needs whole rows, so it follows.
    if constexpr (ElementwiseActivation<Act>) {
      detail::gemm_parallel(rows, Units, F, x, F, std::size_t{1}, kernel_.data(), Units, y, Units,
                            false, detail::bias_activation<Act, T>{bias_.data(), opt_.activation});
    } else {
      detail::gemm_parallel(rows, Units, F, x, F, std::size_t{1}, kernel_.data(), Units, y, Units,
                            false, detail::bias_activation<Linear, T>{bias_.data(), {}});
      activate(opt_.activation, y, y, rows, Units);
    }
  }

  template <class In>
  void backward(const T* x, const T* y, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    constexpr std::size_t F = In::last;
    const std::size_t rows = n * In::outer;
    // One pass turns dy into dL/dz and sums the bias gradient. A shared
    // layer's later uses add to the gradients of its earlier ones.
    const bool acc = pass.accumulate_weight_grads;
    detail::activation_backward_with_bias(opt_.activation, y, dy, dbias_.data(), rows, Units, pass);
    // dkernel = x^T . dz, read through strides rather than a transposed copy.
    detail::gemm_parallel(F, Units, rows, x, std::size_t{1}, F, dy, Units, dkernel_.data(), Units,
                          acc);
    if (dx) {
      // dx = dz . kernel^T, the kernel's panels transposed as they are used.
      detail::gemm_bt_parallel(rows, F, Units, dy, Units, std::size_t{1}, kernel_.data(), Units, dx,
                               F, false);
    }
  }

  template <class Fn>
  void for_each_weight(Fn&& f) {
    f(WeightRef<T>{"kernel", kernel_, dkernel_, {fan_in_, Units}});
    f(WeightRef<T>{"bias", bias_, dbias_, {Units}});
  }

  std::span<T> kernel() { return kernel_; }
  std::span<T> bias() { return bias_; }
  std::span<const T> kernel() const { return kernel_; }
  std::span<const T> bias() const { return bias_; }
  const Act& activation() const { return opt_.activation; }
  std::string_view name() const { return opt_.name; }
  const Options& options() const { return opt_; }

 private:
  Options opt_{};
  std::size_t fan_in_ = 0;
  std::vector<T> kernel_, bias_, dkernel_, dbias_;
};

namespace detail {
template <std::size_t Units, class T>
inline constexpr bool ends_in_softmax<Dense<Units, Softmax, T>> = true;
}  // namespace detail

}  // namespace ketl
