// The gradient of (sparse_)categorical_crossentropy through a softmax
// output, dL/dz (z: the softmax's input), in closed form.
//
// Keras's loss is -sum(t * log(clip(p / sum(p), eps, 1 - eps))). Where no
// p is clipped, and p sums to 1 as a softmax's does, the chain rule through
// the log, the normalisation and the softmax collapses to
//     dL/dz = p * sum(t) - t
// (p - t for one-hot or integer labels). That form reads each row once and
// replaces the derived gradient's tree of reductions and the softmax's own
// backward pass. A row with a p near the clip bounds is not in that case:
// `exact_row` takes it through the derived gradient and the softmax's
// Jacobian, so the result is the exact gradient for every row.
#pragma once

#include <cstddef>

namespace ketl::detail {

// rows of cols; t (y_true) is integer labels (one per row) when sparse.
// label_smoothing replaces t by t * (1 - ls) + ls / cols, as the losses do.
// Row r's gradient is scaled by scale * w[r] (or scale without weights).
template <class T, class ExactRow>
void softmax_crossentropy_grad(const T* t, const T* p, std::size_t rows, std::size_t cols,
                               bool sparse, double label_smoothing, T scale, const T* w, T* dz,
                               ExactRow&& exact_row) {
  // Twice Keras's epsilon: p this close to the bounds may be clipped.
  const T lo = T(2e-7), hi = T(1) - T(2e-7);
  const T keep = T(1.0 - label_smoothing);
  const T spread = T(label_smoothing / double(cols));
  for (std::size_t r = 0; r < rows; ++r, p += cols, dz += cols) {
    const T s = w ? scale * w[r] : scale;
    bool inside = true;
    for (std::size_t j = 0; j < cols; ++j) inside &= p[j] > lo && p[j] < hi;
    if (!inside) {
      exact_row(r, s);
    } else if (sparse) {
      // One-hot targets sum to 1, smoothed or not.
      const std::size_t label = static_cast<std::size_t>(t[r]);
      for (std::size_t j = 0; j < cols; ++j) dz[j] = s * (p[j] - spread);
      dz[label] -= s * keep;
    } else {
      const T* tr = t + r * cols;
      T sum = 0;
      for (std::size_t j = 0; j < cols; ++j) sum += tr[j];
      const T total = keep * sum + T(label_smoothing);
      for (std::size_t j = 0; j < cols; ++j) dz[j] = s * (p[j] * total - (keep * tr[j] + spread));
    }
  }
}

// dL/dz of a softmax output from dL/dp (g), for one row: p * (g - p . g).
template <class T>
void softmax_vjp_row(const T* p, const T* g, std::size_t cols, T* dz) {
  T dot = 0;
  for (std::size_t j = 0; j < cols; ++j) dot += p[j] * g[j];
  for (std::size_t j = 0; j < cols; ++j) dz[j] = p[j] * (g[j] - dot);
}

}  // namespace ketl::detail
