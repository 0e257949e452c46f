// Multiply: the elementwise product of its inputs, of one shape (Keras's merge.Multiply).
#pragma once

#include <cstddef>
#include <string_view>

#include "ketl/detail/elementwise_merge.hpp"

namespace ketl {

struct Multiply : detail::elementwise_merge<Multiply> {
  static constexpr std::string_view class_name = "Multiply";
  using elementwise_merge::elementwise_merge;

  template <class T>
  static T combine(const T* v, std::size_t k) {
    T p = v[0];
    for (std::size_t i = 1; i < k; ++i) p *= v[i];
    return p;
  }
  // d/dx_i is the product of the others (computed as such, so a zero
  // input does not divide).
  template <class T>
  static void gradient(const T* v, std::size_t k, T, T dy, T* d) {
    for (std::size_t i = 0; i < k; ++i) {
      T p = dy;
      for (std::size_t j = 0; j < k; ++j)
        if (j != i) p *= v[j];
      d[i] = p;
    }
  }
};

}  // namespace ketl
