// to_categorical (keras/utils/np_utils.py): integer labels to one-hot rows.
//   - labels are truncated to integers;
//   - num_classes = 0 means max(label) + 1;
//   - the result has shape input_shape + (num_classes,), except that a
//     trailing axis of 1 is dropped when the input has more than one axis.
// A 1-D input gives an xtensor<float, 2>. Higher ranks give an xarray,
// because whether the trailing 1 is dropped depends on the data's shape.
// A label < 0 or >= num_classes throws (numpy would wrap -1 to the last
// class; see docs/keras-differences.md).
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "ketl/detail/xtensor.hpp"
#include "ketl/error.hpp"

namespace ketl::utils {

namespace detail {
template <class E>
std::vector<std::size_t> class_indices(const E* data, std::size_t n, std::size_t& num_classes) {
  std::vector<std::size_t> idx(n);
  long long max_label = -1;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(data[i]);
    if (!std::isfinite(v)) throw value_error("ketl: to_categorical: label is not a finite number");
    const long long label = static_cast<long long>(v);  // truncates, as np.array(y, dtype='int')
    if (label < 0)
      throw value_error("ketl: to_categorical: label " + std::to_string(label) + " is negative");
    idx[i] = static_cast<std::size_t>(label);
    max_label = std::max(max_label, label);
  }
  if (num_classes == 0) num_classes = static_cast<std::size_t>(max_label + 1);
  if (n != 0 && num_classes > std::size_t(-1) / sizeof(float) / n)
    throw value_error("ketl: to_categorical: " + std::to_string(n) + " labels x " +
                      std::to_string(num_classes) +
                      " classes overflow any array (the largest "
                      "label is " +
                      std::to_string(max_label) + ")");
  for (std::size_t i = 0; i < n; ++i)
    if (idx[i] >= num_classes)
      throw value_error("ketl: to_categorical: label " + std::to_string(idx[i]) +
                        " is out of range for num_classes=" + std::to_string(num_classes));
  return idx;
}

// The one-hot array, or a ketl::resource_error naming its size.
template <class F>
auto allocate(F&& make, std::size_t n, std::size_t num_classes) {
  ketl::detail::check_allocation(n * num_classes * sizeof(float),
                                 "ketl: to_categorical: " + std::to_string(n) + " labels x " +
                                     std::to_string(num_classes) + " classes");
  return ketl::detail::as_ketl_error(
      "ketl: to_categorical: " + std::to_string(n) + " labels x " + std::to_string(num_classes) +
          " classes (" + std::to_string(double(n) * double(num_classes) * 4e-9) + " GB)",
      std::forward<F>(make));
}

template <class Out>
void fill_one_hot(Out& out, const std::vector<std::size_t>& idx, std::size_t num_classes) {
  std::fill(out.begin(), out.end(), 0.0f);
  for (std::size_t i = 0; i < idx.size(); ++i) out.data()[i * num_classes + idx[i]] = 1.0f;
}
}  // namespace detail

template <class E>
xt::xtensor<float, 2> to_categorical(const xt::xtensor<E, 1>& y, std::size_t num_classes = 0) {
  auto idx = detail::class_indices(y.data(), y.size(), num_classes);
  auto out = detail::allocate(
      [&] {
        return xt::xtensor<float, 2>::from_shape({y.size(), num_classes});
      },
      y.size(), num_classes);
  detail::fill_one_hot(out, idx, num_classes);
  return out;
}

template <class E>
xt::xarray<float> to_categorical(const xt::xarray<E>& y, std::size_t num_classes = 0) {
  auto idx = detail::class_indices(y.data(), y.size(), num_classes);
  std::vector<std::size_t> shape(y.shape().begin(), y.shape().end());
  if (shape.size() > 1 && shape.back() == 1) shape.pop_back();
  shape.push_back(num_classes);
  auto out =
      detail::allocate([&] { return xt::xarray<float>::from_shape(shape); }, y.size(), num_classes);
  detail::fill_one_hot(out, idx, num_classes);
  return out;
}

template <class E, std::size_t R>
requires(R > 1) xt::xarray<float> to_categorical(const xt::xtensor<E, R>& y,
                                                 std::size_t num_classes = 0) {
  xt::xarray<E> a(y);
  return to_categorical(a, num_classes);
}

}  // namespace ketl::utils
