// Add: the sum of its inputs, all of one shape (Keras's merge.Add).
#pragma once

#include <cstddef>
#include <string_view>

#include "ketl/detail/elementwise_merge.hpp"

namespace ketl {

struct Add : detail::elementwise_merge<Add> {
  static constexpr std::string_view class_name = "Add";
  using elementwise_merge::elementwise_merge;

  template <class T>
  static T combine(const T* v, std::size_t k) {
    T s = v[0];
    for (std::size_t i = 1; i < k; ++i) s += v[i];
    return s;
  }
  template <class T>
  static void gradient(const T*, std::size_t k, T, T dy, T* d) {
    for (std::size_t i = 0; i < k; ++i) d[i] = dy;
  }
};

}  // namespace ketl
