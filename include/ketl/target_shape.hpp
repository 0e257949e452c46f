// Static target shapes: the concept TargetFor<Fn, YTrue, YPred> says whether
// a loss or metric takes y_true of per-sample shape YTrue against y_pred of
// shape YPred, and the checks compile() runs with it.
//
// Where the label shape is known at compile time, say so with
// ketl::labels<Shape<...>> among compile()'s arguments:
//
//   model.compile(SGD{}, losses::categorical_crossentropy, metrics::accuracy,
//                 ketl::labels<Shape<10>>);
//
// A mismatch then fails to compile, naming the loss and both shapes. The
// same rule is checked at run time, on the arrays fit() and evaluate() get.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>

#include "ketl/expr/nodes.hpp"
#include "ketl/loss.hpp"
#include "ketl/shape.hpp"

namespace ketl {

// The per-sample shape of the labels a model will be trained on.
template <StaticShape S>
struct Labels {
  using shape = S;
};
template <StaticShape S>
inline constexpr Labels<S> labels{};

namespace detail {
template <class T>
inline constexpr bool is_labels = false;
template <class S>
inline constexpr bool is_labels<Labels<S>> = true;

template <class... M>
struct labels_in;
template <class S, class... M>
struct labels_in<Labels<S>, M...> {
  using shape = S;
};
template <class First, class... M>
struct labels_in<First, M...> : labels_in<M...> {};

// The rule of detail::target_fits, on static shapes: the same shape, or for
// integer labels y_pred's shape without its last axis (a trailing 1 allowed).
template <Target target, class YTrue, class YPred>
constexpr bool static_target_fits() {
  constexpr auto t = YTrue::dims;
  constexpr auto p = YPred::dims;
  if constexpr (target == Target::same_shape) {
    if constexpr (YTrue::rank != YPred::rank) {
      return false;
    } else {
      for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i] != p[i]) return false;
      return true;
    }
  } else {
    // Without a last axis left, a label is Shape<1>.
    const bool trailing_one = YTrue::rank == YPred::rank && YTrue::last == 1;
    if (!(YTrue::rank + 1 == YPred::rank || trailing_one || YPred::rank == 1)) return false;
    if (YPred::rank == 1) return YTrue::rank == 1 && YTrue::last == 1;
    for (std::size_t i = 0; i + 1 < p.size(); ++i)
      if (t[i] != p[i]) return false;
    return true;
  }
}
}  // namespace detail

template <class Fn, class YTrue, class YPred>
concept TargetFor = StaticShape<YTrue> && StaticShape<YPred> && requires {
  Fn::target;
} && detail::static_target_fits<Fn::target, YTrue, YPred>();

// Instantiated by compile(); the template arguments name the loss or metric
// and both shapes in the compiler's "in instantiation of" line.
template <class Fn, class YTrue, class YPred>
struct target_shape_check {
  static constexpr bool fit = TargetFor<Fn, YTrue, YPred>;
  static_assert(fit,
                "ketl::compile: the loss or metric Fn cannot take y_true of shape YTrue against "
                "y_pred of shape YPred (same shape for one-hot targets; YPred without its last "
                "axis for the sparse_* family's integer labels)");
};

// A custom expression with a per_class term of shape Term, on a model
// whose output is YPred.
template <class Fn, class Term, class YPred>
struct expression_shape_check {
  static constexpr bool fit = Term::last == YPred::last;
  static_assert(fit,
                "ketl::compile: the expression of Fn has a term of shape Term, which cannot meet "
                "y_pred of shape YPred");
};

namespace detail {
// Checks Fn's expression against the model's output shape; true if it fits.
template <class Fn, class YPred>
constexpr bool expression_fits_output() {
  if constexpr (requires(const Fn& f) { f.expression(); }) {
    using E = std::remove_cvref_t<decltype(std::declval<const Fn&>().expression())>;
    constexpr std::size_t n = expr::columns_of<E>;
    if constexpr (n != 0 && n != YPred::last)
      return expression_shape_check<Fn, Shape<n>, YPred>::fit;
  }
  return true;
}
}  // namespace detail

}  // namespace ketl
