// The engine's side of the user's arrays: Keras's checks with Keras's
// messages (_standardize_user_data), and the per-batch gather that turns
// rows of any element type into the contiguous, typed rows the network
// reads, checking finiteness in the same pass (check_numerics).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ketl/array_ref.hpp"
#include "ketl/detail/finite.hpp"
#include "ketl/engine/network.hpp"
#include "ketl/error.hpp"
#include "ketl/loss.hpp"
#include "ketl/shape.hpp"

namespace ketl::engine::detail {
using namespace ketl::detail;

// " (in fit's validation_data)" when `what` is the validation data, so that
// Keras's message says which arrays it was about.
inline std::string where(std::string_view what) {
  return what.find("validation_data") == std::string_view::npos ? std::string()
                                                                : " (in " + std::string(what) + ")";
}

inline std::vector<std::size_t> feature_shape(const ArrayView& a) {
  return std::vector<std::size_t>(a.shape.begin() + (a.shape.empty() ? 0 : 1), a.shape.end());
}

template <class S>
std::vector<std::size_t> dims_of() {
  return std::vector<std::size_t>(S::dims.begin(), S::dims.end());
}

template <class List>
struct shapes_of;
template <class... S>
struct shapes_of<type_list<S...>> {
  static std::vector<std::vector<std::size_t>> get() { return {dims_of<S>()...}; }
};

// The arrays given for a model's inputs (or its outputs' targets): as many as
// it has, with the same number of rows. Returns the number of rows.
inline std::size_t check_count_and_rows(std::string_view what, const Arrays& a,
                                        std::size_t expected, const char* kind, const char* label) {
  if (a.size() != expected) {
    throw value_error("Error when checking model " + std::string(kind) +
                      ": the list of arrays that you are passing to your model is not the size "
                      "the model expected. Expected to see " +
                      std::to_string(expected) + " array(s), but instead got " +
                      std::to_string(a.size()) + where(what));
  }
  for (std::size_t i = 1; i < a.size(); ++i)
    if (a[i].rows() != a[0].rows() || a[i].shape.empty()) {
      std::string shapes;
      for (const auto& v : a) shapes += (shapes.empty() ? "" : ", ") + shape_string(v.shape);
      throw shape_error("All " + std::string(label) +
                        " arrays should have the same number of samples. Got array shapes: [" +
                        shapes + "]" + where(what));
    }
  return a.empty() ? 0 : a[0].rows();
}

// A hint when an image or sequence came channels-first: the expected
// shape with its last axis moved to the front.
template <class Want, class Got>
std::string channels_hint(const Want& want, const Got& got) {
  if (want.size() < 2 || got.size() != want.size() || got[0] != want[want.size() - 1] ||
      got[0] == want[0])
    return "";
  for (std::size_t i = 1; i < got.size(); ++i)
    if (got[i] != want[i - 1]) return "";
  return " (ketl is channels_last, as Keras's default data_format: move the channels axis "
         "last)";
}

// An integer input's array: integers (a float array is refused, where
// Keras's feed would truncate it), each in [0, limit), checked before any
// batch runs, so a bad index changes nothing and names its row.
inline void check_indices(const ArrayView& a, const std::string& name, std::size_t limit,
                          std::string_view what) {
  if (is_floating(a.dtype))
    throw value_error("Error when checking input: expected " + name +
                      " to hold integers (token indices) but got an array of " +
                      std::string(dtype_name(a.dtype)) + where(what));
  visit_dtype(a.dtype, [&](auto e) {
    using E = decltype(e);
    if constexpr (std::is_integral_v<E>) {
      const E* p = a.as<E>();
      const std::size_t width = a.row_size();
      for (std::size_t i = 0, size = a.size(); i < size; ++i) {
        const bool negative = std::is_signed_v<E> && p[i] < E(0);
        if (negative || static_cast<std::uint64_t>(p[i]) >= limit)
          throw value_error("ketl: Embedding: index " + std::to_string(p[i]) + " in row " +
                            std::to_string(i / width) + " (position " + std::to_string(i % width) +
                            ") of " + name + " is outside [0, " + std::to_string(limit) + ")" +
                            where(what));
      }
    }
  });
}

// Every input's array against its shape and element type; returns n.
template <Network N>
std::size_t check_inputs(std::string_view what, const Arrays& x,
                         const std::vector<std::string>& names) {
  const std::size_t n = check_count_and_rows(what, x, input_count<N>, "input", "input");
  const auto shapes = shapes_of<typename N::input_shapes>::get();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          const auto got = feature_shape(x[I]);
          if (x[I].shape.empty() || got != shapes[I])
            throw shape_error("Error when checking input: expected " + names[I] +
                              " to have shape " + shape_string(shapes[I]) +
                              " but got array with shape " + shape_string(got) +
                              channels_hint(shapes[I], got) + where(what));
          if constexpr (is_index_shape<input_shape_t<N, I>>)
            check_indices(x[I], names[I], index_limit<N, I>(), what);
        }(),
        ...);
  }
  (std::make_index_sequence<input_count<N>>{});
  return n;
}

// The targets of output k against its shape and what its loss reads, and
// for integer labels, that each is a class of the output.
template <class Out, class T>
void check_target(std::string_view what, const ArrayView& y, Target target,
                  const std::string& output_name, const std::string& loss_name) {
  const auto got = feature_shape(y);
  const auto out = dims_of<Out>();
  const bool sparse = target == Target::sparse_labels;
  const bool fits = sparse ? target_fits<Target::sparse_labels>(got, out)
                           : target_fits<Target::same_shape>(got, out) ||
                                 (got.empty() && Out::size == 1);  // (N,) for (None, 1), as Keras
  if (!fits || y.shape.empty()) {
    std::string msg = "Error when checking target: expected " + output_name + " to have shape " +
                      (sparse ? shape_string(std::vector<std::size_t>(out.begin(), out.end() - 1))
                              : shape_string(out)) +
                      " but got array with shape " + shape_string(got);
    if (!sparse && got.size() + 1 == out.size())
      msg += ". " + loss_name +
             " expects targets of the output's shape, such as one-hot rows (see "
             "ketl::utils::to_categorical); for integer class labels, use "
             "sparse_categorical_crossentropy";
    throw shape_error(msg + where(what));
  }
  if (sparse) {
    visit_dtype(y.dtype, [&](auto e) {
      using E = decltype(e);
      const E* p = y.as<E>();
      const double classes = double(Out::last);
      for (std::size_t i = 0, size = y.size(); i < size; ++i) {
        const double v = double(p[i]);
        if (!(v >= 0 && v < classes && v == std::floor(v)))
          throw value_error("ketl: " + loss_name + ": label " + std::to_string(v) +
                            " is not an integer class in [0, " + std::to_string(Out::last) + ")" +
                            where(what));
      }
    });
  }
}

// n rows of `width` values of a, starting at the rows idx[0..n) (or at
// first, consecutive, when idx is null), as E: a pointer into a when it
// already holds E and the rows are consecutive, else converted into buf
// (which grows once). With finite, also whether every value is finite,
// checked in the same pass.
template <class E>
const E* rows_as(const ArrayView& a, const std::size_t* idx, std::size_t first, std::size_t n,
                 std::vector<E>& buf, bool* finite = nullptr) {
  const std::size_t width = a.row_size();
  bool consecutive = idx == nullptr;
  if (idx) {
    consecutive = true;
    for (std::size_t i = 1; i < n && consecutive; ++i) consecutive = idx[i] == idx[0] + i;
    first = idx[0];
  }
  bool ok = true;
  if (consecutive && a.dtype == dtype_of<E>) {
    const E* p = a.as<E>() + first * width;
    if constexpr (std::is_floating_point_v<E>)
      if (finite) ok = all_finite(p, n * width);
    if (finite) *finite = ok;
    return p;
  }
  if (buf.size() < n * width) buf.resize(n * width);
  visit_dtype(a.dtype, [&](auto s) {
    using S = decltype(s);
    const S* src = a.as<S>();
    for (std::size_t i = 0; i < n; ++i) {
      const S* row = src + (idx ? idx[i] : first + i) * width;
      E* to = buf.data() + i * width;
      if constexpr (std::is_same_v<S, E>) {
        if constexpr (std::is_floating_point_v<E>)
          if (finite) {
            ok &= copy_checked(row, width, to);
            continue;
          }
        std::memcpy(to, row, width * sizeof(E));
      } else {
        for (std::size_t j = 0; j < width; ++j) to[j] = static_cast<E>(row[j]);
        if constexpr (std::is_floating_point_v<E> && std::is_floating_point_v<S>)
          if (finite) ok &= all_finite(to, width);
      }
    }
  });
  if (finite) *finite = ok;
  return buf.data();
}

// The same array with its rows [first, first + n).
inline ArrayView slice_rows(ArrayView a, std::size_t first, std::size_t n) {
  const std::size_t bytes = visit_dtype(a.dtype, [](auto e) { return sizeof(e); });
  a.data = static_cast<const char*>(a.data) + first * a.row_size() * bytes;
  a.shape[0] = n;
  return a;
}
inline Arrays slice_rows(const Arrays& a, std::size_t first, std::size_t n) {
  Arrays out = a;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = slice_rows(a[i], first, n);
  return out;
}

}  // namespace ketl::engine::detail
