// Keras's standardize_weights, per output: the weights of each sample (or,
// with ketl::temporal, of each sample and time step) from sample_weight and
// class_weight, checked with Keras's messages; and how a batch's weights
// reach the loss (spread over the rows each covers, and the count of
// non-zero weights that divides the weighted loss).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ketl/array_ref.hpp"
#include "ketl/error.hpp"
#include "ketl/shape.hpp"

namespace ketl::engine::detail {

// Weights per sample of an output: 1, or T (its time axis) when temporal.
template <class Out>
constexpr std::size_t weight_width(bool temporal) {
  if constexpr (Out::rank >= 2)
    return temporal ? Out::dims[0] : 1;
  else
    return 1;
}

// Empty when neither sample_weight nor class_weight is given. Where both
// are, they multiply (Keras 2.3; 2.2 dropped class_weight with a warning).
template <class T, class Out>
std::vector<T> standardize_weights(std::size_t n, const ArrayView& y, const ArrayView& sw,
                                   const std::map<int, double>& class_weight, bool temporal) {
  std::vector<T> w;
  if (!sw.empty()) {
    const std::size_t ww = weight_width<Out>(temporal);
    if (temporal && sw.shape.size() != 2)
      throw value_error("Found a sample_weight array with shape " + shape_string(sw.shape) +
                        ". In order to use timestep-wise sample weighting, you should pass a "
                        "2D sample_weight array.");
    if (!temporal && sw.shape.size() == 2)
      throw value_error(
          "Found a sample_weight array with shape " + shape_string(sw.shape) +
          ". In order to use timestep-wise sample weighting, you should pass a 2D "
          "sample_weight array and specify sample_weight_mode=\"temporal\" in compile() "
          "(in ketl: ketl::temporal among compile()'s arguments).");
    const std::vector<std::size_t> want =
        temporal ? std::vector<std::size_t>{n, ww} : std::vector<std::size_t>{n};
    if (sw.shape != want)
      throw value_error("Found a sample_weight array with shape " + shape_string(sw.shape) +
                        " for an input with shape " + shape_string(want) +
                        ". sample_weight cannot be broadcast.");
    w.resize(n * ww);
    visit_dtype(sw.dtype, [&](auto e) {
      using E = decltype(e);
      std::transform(sw.as<E>(), sw.as<E>() + n * ww, w.begin(), [](E v) { return T(v); });
    });
    for (T v : w)
      if (!(v >= T(0)) || !std::isfinite(double(v)))
        throw value_error("ketl: sample_weight values must be finite and >= 0");
  }
  if (!class_weight.empty()) {
    for (const auto& [cls, cw] : class_weight)
      if (!(cw >= 0) || !std::isfinite(cw))
        throw value_error("ketl: class_weight values must be finite and >= 0; class " +
                          std::to_string(cls) + " has " + std::to_string(cw));
    // Keras's rule is on y's rank; on the output's here, so that integer
    // labels of a (T, C) output, (N, T), are refused as (N, T, C) would be.
    if (Out::rank >= 2) throw value_error("class_weight not supported for 3+ dimensional targets.");
    const std::size_t width = y.row_size();
    if (w.empty()) w.assign(n, T(1));
    std::vector<int> missing;
    visit_dtype(y.dtype, [&](auto e) {
      using E = decltype(e);
      for (std::size_t i = 0; i < n; ++i) {
        const E* row = y.as<E>() + i * width;
        const int cls = width > 1 ? int(std::max_element(row, row + width) - row) : int(row[0]);
        const auto it = class_weight.find(cls);
        if (it == class_weight.end()) {
          if (std::find(missing.begin(), missing.end(), cls) == missing.end())
            missing.push_back(cls);
          continue;
        }
        w[i] *= T(it->second);
      }
    });
    if (!missing.empty()) {
      std::sort(missing.begin(), missing.end());
      std::string list;
      for (int c : missing) list += (list.empty() ? "" : ", ") + std::to_string(c);
      throw value_error("`class_weight` must contain all classes in the data. The classes {" +
                        list + "} exist in the data but not in `class_weight`.");
    }
  }
  return w;
}

// Each weight spread over the output rows it covers (a sample's, or a time
// step's), as Keras averages the per-row losses under one weight before
// weighting them; buf grows once. w: weight_width weights per sample.
template <class T, class Out>
const T* row_weights(const T* w, std::size_t n, bool temporal, std::vector<T>& buf) {
  if (!w) return nullptr;
  const std::size_t ww = weight_width<Out>(temporal);
  const std::size_t weights = n * ww;
  const std::size_t per = Out::outer / ww;
  if (per == 1) return w;
  if (buf.size() < weights * per) buf.resize(weights * per);
  for (std::size_t i = 0; i < weights; ++i)
    std::fill_n(buf.begin() + std::ptrdiff_t(i * per), per, w[i] / T(per));
  return buf.data();
}

// The weighted loss's divisor: Keras 2.2.4's count of non-zero weights.
template <class T>
double nonzero(const T* w, std::size_t n) {
  if (!w) return double(n);
  return double(std::count_if(w, w + n, [](T v) { return v != T(0); }));
}

}  // namespace ketl::engine::detail
