// ArrayRef<T>: a borrowed, read-only view of an xtensor array (its data and
// shape), so that fit()'s options can take arrays of any rank, such as
// validation data and sample weights, without copying them.
#pragma once

#include <cstddef>
#include <vector>

namespace ketl {

template <class T>
struct ArrayRef {
  const T* data = nullptr;
  std::vector<std::size_t> shape;

  ArrayRef() = default;
  // From any xtensor container with contiguous row-major storage.
  template <class A>
  requires requires(const A& a) {
    { a.data() } -> std::convertible_to<const T*>;
    a.shape();
  }
  ArrayRef(const A& a) : data(a.data()), shape(a.shape().begin(), a.shape().end()) {}  // NOLINT

  bool empty() const { return data == nullptr; }
  std::size_t rows() const { return shape.empty() ? 0 : shape[0]; }
  std::size_t size() const {
    std::size_t n = 1;
    for (auto d : shape) n *= d;
    return shape.empty() ? 0 : n;
  }
  // Elements per row (per sample).
  std::size_t row_size() const { return rows() ? size() / rows() : 0; }
};

}  // namespace ketl
