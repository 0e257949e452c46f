// Subtract: its first input minus its second, of one shape (Keras's merge.Subtract).
#pragma once

#include <cstddef>
#include <string_view>

#include "ketl/detail/elementwise_merge.hpp"

namespace ketl {

struct Subtract : detail::elementwise_merge<Subtract, 2, 2> {
  static constexpr std::string_view class_name = "Subtract";
  using elementwise_merge::elementwise_merge;

  template <class T>
  static T combine(const T* v, std::size_t) {
    return v[0] - v[1];
  }
  template <class T>
  static void gradient(const T*, std::size_t, T, T dy, T* d) {
    d[0] = dy;
    d[1] = -dy;
  }
};

}  // namespace ketl
