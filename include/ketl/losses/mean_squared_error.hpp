// mean_squared_error (mse): mean((y_pred - y_true)^2) over the last axis.
#pragma once

#include "ketl/loss.hpp"

namespace ketl::losses {

inline constexpr struct mean_squared_error final : detail::rowwise<mean_squared_error> {
  static constexpr std::string_view name = "mean_squared_error";
  template <class T>
  T row(const T* yt, const T* yp, std::size_t cols, T* grad, T scale) const {
    T s = 0;
    const T g = T(2) * scale / T(cols);
    for (std::size_t j = 0; j < cols; ++j) {
      const T d = yp[j] - yt[j];
      s += d * d;
      if (grad) grad[j] = g * d;
    }
    return s / T(cols);
  }
} mean_squared_error;

inline constexpr const auto& mse = mean_squared_error;

}  // namespace ketl::losses
