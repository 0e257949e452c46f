// The protocol a loss follows inside a compiled model.
//
// A loss works on rows: one row is one sample's values along the last axis
// (for (N, T, C) outputs, N*T rows of C). For each row it returns Keras's
// per-row loss and, when asked, writes scale * d(loss)/d(y_pred) into grad.
// The training step calls it once per row in a single pass over the batch.
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>

#include "ketl/detail/xtensor.hpp"
#include "ketl/error.hpp"
#include "ketl/shape.hpp"

namespace ketl {

template <class L>
concept LossFunction = requires(const L& l, const float* y, float* g, std::size_t cols) {
  { L::name } -> std::convertible_to<std::string_view>;
  { l.row(y, y, cols, g, 1.0f) } -> std::convertible_to<float>;
};

template <class M>
concept MetricFunction = requires(const M& m, const float* y, std::size_t cols) {
  { M::name } -> std::convertible_to<std::string_view>;
  { m.row(y, y, cols) } -> std::convertible_to<float>;
};

namespace detail {
template <class A, class B>
void require_same_shape(std::string_view what, const A& y_true, const B& y_pred) {
  if (y_true.shape() != y_pred.shape())
    throw shape_error(std::string("ketl: ") + std::string(what) + ": y_true has shape " +
                      shape_string(y_true.shape()) + " but y_pred has shape " +
                      shape_string(y_pred.shape()));
}

// Standalone use, as Keras's losses: per-row values over the last axis, so
// (N, C) arrays give shape (N,) and (N, T, C) give (N, T).
template <class Derived>
struct rowwise {
  template <class T, std::size_t R>
  xt::xtensor<T, R - 1> operator()(const xt::xtensor<T, R>& y_true,
                                   const xt::xtensor<T, R>& y_pred) const {
    static_assert(R >= 2, "ketl: losses and metrics take (samples, ..., classes) arrays");
    require_same_shape(Derived::name, y_true, y_pred);
    std::array<std::size_t, R - 1> out_shape;
    std::copy(y_pred.shape().begin(), y_pred.shape().end() - 1, out_shape.begin());
    xt::xtensor<T, R - 1> out(out_shape);
    const std::size_t cols = y_pred.shape()[R - 1];
    const auto& self = static_cast<const Derived&>(*this);
    for (std::size_t r = 0; r < out.size(); ++r) {
      if constexpr (LossFunction<Derived>)
        out.data()[r] = self.row(y_true.data() + r * cols, y_pred.data() + r * cols, cols,
                                 static_cast<T*>(nullptr), T(0));
      else
        out.data()[r] = self.row(y_true.data() + r * cols, y_pred.data() + r * cols, cols);
    }
    return out;
  }
};
}  // namespace detail

}  // namespace ketl
