// The leaves of an expression: y_true and y_pred, the constants, the class
// count, per-class constants and the integer label. Each has nothing to
// prepare and reads its value from the context.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "ketl/detail/simd.hpp"
#include "ketl/expr/context.hpp"
#include "ketl/expr/node.hpp"

namespace ketl::expr {

// ---- leaves ---------------------------------------------------------------

// What every leaf shares: no children, nothing to prepare.
template <class Leaf>
struct leaf {
  template <class F>
  void each(F&& f) {
    f(static_cast<Leaf&>(*this));
  }
  template <class Ctx>
  void prepare(const Ctx&) {}
};

struct y_true_t : leaf<y_true_t> {
  static constexpr kind node_kind = kind::elem;
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    return r.truth(j);
  }
};
struct y_pred_t : leaf<y_pred_t> {
  static constexpr kind node_kind = kind::elem;
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    return r.pred(j);
  }
};

// The placeholders a loss or metric is written with.
inline constexpr y_true_t y_true{};
inline constexpr y_pred_t y_pred{};

// Constants: zero and one are types, so that derivatives simplify as they
// are built; any other value is a `constant`.
struct zero : leaf<zero> {
  static constexpr kind node_kind = kind::scalar;
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    return value_of<Ctx>(0);
  }
};
struct one : leaf<one> {
  static constexpr kind node_kind = kind::scalar;
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    return value_of<Ctx>(1);
  }
};
// The value is kept in float too: a float loop then broadcasts it from
// memory instead of converting it at every use.
struct constant : leaf<constant> {
  static constexpr kind node_kind = kind::scalar;
  double value = 0;
  float single = 0;
  constexpr constant() = default;
  constexpr explicit constant(double v) : value(v), single(static_cast<float>(v)) {}
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    using S = detail::scalar_of<value_of<Ctx>>;
    if constexpr (std::is_same_v<S, float>)
      return value_of<Ctx>(single);
    else
      return value_of<Ctx>(static_cast<S>(value));
  }
};
// The number of classes, C: what mean() divides by.
struct cols : leaf<cols> {
  static constexpr kind node_kind = kind::scalar;
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t) const {
    return value_of<Ctx>(static_cast<detail::scalar_of<value_of<Ctx>>>(r.cols));
  }
};
// A column of ones: the count an elementwise batch mean divides by.
struct ones : leaf<ones> {
  static constexpr kind node_kind = kind::elem;
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    return value_of<Ctx>(1);
  }
};

// A constant row of N values, one per class (class weights, say): the one
// leaf whose last axis is fixed, so it is checked against y_pred's.
template <std::size_t N>
struct row_constant : leaf<row_constant<N>> {
  static constexpr kind node_kind = kind::elem;
  std::array<double, N> values{};
  constexpr explicit row_constant(const std::array<double, N>& v) : values(v) {}
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t j) const {
    return value_of<Ctx>(static_cast<detail::scalar_of<value_of<Ctx>>>(values[j]));
  }
};

// y_true as integer class labels, one per row (the sparse_* family).
struct label : leaf<label> {
  static constexpr kind node_kind = kind::row;
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t) const {
    return r.label();
  }
};
// one_hot(label): 1 at the label's column.
struct one_hot_label : leaf<one_hot_label> {
  static constexpr kind node_kind = kind::elem;
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    using V = value_of<Ctx>;
    return detail::simd::select(r.label() == V(static_cast<detail::scalar_of<V>>(j)), V(1), V(0));
  }
};

}  // namespace ketl::expr
