// Symbolic differentiation of a loss with respect to y_pred, at compile time.
//
// gradient(L) is an elementwise expression G with G_j = dL/dy_pred_j for
// one row. It is built by reverse mode over the expression's type:
// back(E, W) returns the gradient of sum_j W_j * E_j, where W, the upstream
// weight, has E's kind. A row-valued child of an elementwise node is
// broadcast along the row, so its weight is the row sum of the per-column
// weights. Derivatives of the non-smooth functions follow TensorFlow's
// (relu-like maximum gives the left branch on ties, clip passes its bounds).
#pragma once

#include <cstdint>

#include "ketl/expr/backend.hpp"
#include "ketl/expr/memo.hpp"

namespace ketl::expr {

template <class E, class W>
constexpr auto back(const E& e, const W& w, std::uint32_t& memos);

namespace detail {
// The weight handed to child X of a node of kind K.
template <kind K, class X, class W>
constexpr auto to_child(const X& x, const W& w, std::uint32_t& memos) {
  if constexpr (is_zero<W> || kind_of<X> == kind::batch) {
    return zero{};
  } else if constexpr (K == kind::elem && kind_of<X> == kind::row) {
    if constexpr (kind_of<W> == kind::elem)
      return back(x, sum(w), memos);
    else
      return back(x, mul(w, cols{}), memos);  // a broadcast weight summed over C columns
  } else {
    return back(x, w, memos);
  }
}

// Whether y_pred reaches E's value through something differentiable.
template <class E>
inline constexpr bool has_gradient = [] {
  std::uint32_t none = 0;
  return !is_zero<decltype(back(std::declval<const E&>(), one{}, none))>;
}();

// The weight W handed to two children that both pass it on: kept in a
// memo, so that it is computed once per column, when W is more than a leaf.
template <class W>
inline constexpr bool worth_a_memo = kind_of<W> == kind::elem && !std::is_empty_v<W>;
template <class W>
inline constexpr bool worth_a_memo<memo<W>> = false;
template <class W, bool Shared>
constexpr auto shared_weight(const W& w, std::uint32_t& memos) {
  if constexpr (Shared && worth_a_memo<W>)
    return memo<W>{w, memos++};
  else
    return w;
}

// The gradient through two children of a node of kind K, each weighted by
// W times its partial (pa, pb), with W shared when both pass it on.
template <kind K, class A, class B, class W, class PA, class PB>
constexpr auto to_children(const A& a, const B& b, const W& w, const PA& pa, const PB& pb,
                           std::uint32_t& memos) {
  constexpr bool both = has_gradient<A> && has_gradient<B>;
  const auto v = shared_weight<W, both>(w, memos);
  return add(to_child<K>(a, mul(v, pa), memos), to_child<K>(b, mul(v, pb), memos));
}

template <class Op, class A>
constexpr auto unary_derivative(const unary<Op, A>& u) {
  const auto& a = u.a;
  if constexpr (std::is_same_v<Op, neg_op>)
    return constant{-1.0};
  else if constexpr (std::is_same_v<Op, abs_op>)
    return sign(a);
  else if constexpr (std::is_same_v<Op, square_op>)
    return mul(2.0, a);
  else if constexpr (std::is_same_v<Op, sqrt_op>)
    return div(0.5, sqrt(a));
  else if constexpr (std::is_same_v<Op, exp_op>)
    return exp(a);
  else if constexpr (std::is_same_v<Op, log_op>)
    return div(one{}, a);
  else if constexpr (std::is_same_v<Op, log1p_op>)
    return div(one{}, add(one{}, a));
  else if constexpr (std::is_same_v<Op, tanh_op>)
    return sub(one{}, square(tanh(a)));
  else if constexpr (std::is_same_v<Op, sigmoid_op>)
    return mul(sigmoid(a), sub(one{}, sigmoid(a)));
  else if constexpr (std::is_same_v<Op, softplus_op>)
    return sigmoid(a);
  else if constexpr (std::is_same_v<Op, cast_op>)
    return one{};
  else if constexpr (std::is_same_v<Op, clip_op>)
    return mul(greater_equal(a, u.op.lo), less_equal(a, u.op.hi));
  else  // sign, round, stop_gradient: flat almost everywhere
    return zero{};
}

// d(a op b)/da and d(a op b)/db.
template <class Op, class A, class B>
constexpr auto partial_a(const binary<Op, A, B>& n) {
  const auto& a = n.a;
  const auto& b = n.b;
  if constexpr (std::is_same_v<Op, add_op> || std::is_same_v<Op, sub_op>)
    return one{};
  else if constexpr (std::is_same_v<Op, mul_op>)
    return b;
  else if constexpr (std::is_same_v<Op, div_op>)
    return div(one{}, b);
  else if constexpr (std::is_same_v<Op, pow_op>)
    return mul(b, pow(a, sub(b, one{})));
  else if constexpr (std::is_same_v<Op, maximum_op>)
    return greater_equal(a, b);
  else if constexpr (std::is_same_v<Op, minimum_op>)
    return less_equal(a, b);
  else
    return zero{};  // comparisons
}
template <class Op, class A, class B>
constexpr auto partial_b(const binary<Op, A, B>& n) {
  const auto& a = n.a;
  const auto& b = n.b;
  if constexpr (std::is_same_v<Op, add_op>)
    return one{};
  else if constexpr (std::is_same_v<Op, sub_op>)
    return constant{-1.0};
  else if constexpr (std::is_same_v<Op, mul_op>)
    return a;
  else if constexpr (std::is_same_v<Op, div_op>)
    return neg(mul(div(a, b), div(one{}, b)));  // a / b is the node's value; 1 / b often a row's
  else if constexpr (std::is_same_v<Op, pow_op>)
    return mul(log(a), pow(a, b));
  else if constexpr (std::is_same_v<Op, maximum_op>)
    return less(a, b);
  else if constexpr (std::is_same_v<Op, minimum_op>)
    return greater(a, b);
  else
    return zero{};
}

template <class E>
struct is_unary : std::false_type {};
template <class Op, class A>
struct is_unary<unary<Op, A>> : std::true_type {};
template <class E>
struct is_binary : std::false_type {};
template <class Op, class A, class B>
struct is_binary<binary<Op, A, B>> : std::true_type {};
template <class E>
struct is_where : std::false_type {};
template <class C, class A, class B>
struct is_where<where_node<C, A, B>> : std::true_type {};
template <class E>
struct reduce_traits {
  static constexpr bool value = false;
};
template <class Op, class A>
struct reduce_traits<reduce<Op, A>> {
  static constexpr bool value = true;
  using op = Op;
};
}  // namespace detail

template <class E, class W>
constexpr auto back(const E& e, const W& w, std::uint32_t& memos) {
  constexpr kind K = kind_of<E>;
  if constexpr (is_zero<W>) {
    return zero{};
  } else if constexpr (std::is_same_v<E, y_pred_t>) {
    return w;
  } else if constexpr (detail::is_unary<E>::value) {
    return detail::to_child<K>(e.a, mul(w, detail::unary_derivative(e)), memos);
  } else if constexpr (detail::is_binary<E>::value) {
    return detail::to_children<K>(e.a, e.b, w, detail::partial_a(e), detail::partial_b(e), memos);
  } else if constexpr (detail::is_where<E>::value) {
    if constexpr (kind_of<decltype(e.c)> != kind::elem) {
      // One branch for the whole row (from_logits, say): pick its gradient,
      // so the other branch's inf or NaN never meets a zero weight.
      return where(e.c, detail::to_child<K>(e.a, w, memos), detail::to_child<K>(e.b, w, memos));
    } else {
      return detail::to_children<K>(e.a, e.b, w, not_equal(e.c, 0.0), equal(e.c, 0.0), memos);
    }
  } else if constexpr (detail::reduce_traits<E>::value) {
    using Op = typename detail::reduce_traits<E>::op;
    if constexpr (std::is_same_v<Op, sum_op>) {
      return back(e.a, w, memos);
    } else if constexpr (std::is_same_v<Op, mean_op>) {
      return back(e.a, div(w, cols{}), memos);
    } else if constexpr (std::is_same_v<Op, max_op> || std::is_same_v<Op, min_op>) {
      // Shared equally among the columns that attain the extreme.
      const auto hit = equal(e.a, reduce<Op, std::remove_cvref_t<decltype(e.a)>>{e.a});
      return back(e.a, mul(w, div(hit, sum(hit))), memos);
    } else {
      return zero{};  // argmax
    }
  } else {
    return zero{};  // y_true, constants, labels, in_top_k, batch values
  }
}

// dL/dy_pred as an elementwise expression, for a loss L with one value per row.
template <Expression L>
constexpr auto gradient(const L& loss) {
  std::uint32_t memos = 0;  // each memo's id, unique within this gradient
  return back(loss, one{}, memos);
}

}  // namespace ketl::expr
