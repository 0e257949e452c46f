// Maximum: the elementwise maximum of its inputs, of one shape (Keras's
// merge.Maximum). The gradient goes to the first input that holds the
// maximum, as TensorFlow's maximum folded left to right gives it.
#pragma once

#include <cstddef>
#include <string_view>

#include "ketl/detail/elementwise_merge.hpp"

namespace ketl {

struct Maximum : detail::elementwise_merge<Maximum> {
  static constexpr std::string_view class_name = "Maximum";
  using elementwise_merge::elementwise_merge;

  template <class T>
  static std::size_t pick(const T* v, std::size_t k) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < k; ++i)
      if (v[i] > v[best] || v[i] != v[i]) best = i;  // a NaN wins: it passes on
    return best;
  }
  template <class T>
  static T combine(const T* v, std::size_t k) {
    return v[pick(v, k)];
  }
  template <class T>
  static void gradient(const T* v, std::size_t k, T, T dy, T* d) {
    const std::size_t best = pick(v, k);
    for (std::size_t i = 0; i < k; ++i) d[i] = i == best ? dy : T(0);
  }
};

}  // namespace ketl
