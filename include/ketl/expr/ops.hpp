// The operations of the DSL: arithmetic, Keras's backend (K.*) functions,
// reductions, and how each one differentiates.
//
// Builders simplify with the `zero` and `one` types (0 + e is e, 1 * e is e,
// 0 * e is 0), so that derivatives stay small types.
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>

#include "ketl/detail/fast_log.hpp"
#include "ketl/detail/simd.hpp"
#include "ketl/expr/nodes.hpp"

namespace ketl::expr {

template <class E>
inline constexpr bool is_zero = std::is_same_v<std::remove_cvref_t<E>, zero>;
template <class E>
inline constexpr bool is_one = std::is_same_v<std::remove_cvref_t<E>, one>;

// A number where an expression is expected becomes a constant.
template <class X>
concept Operand = Expression<X> || std::is_arithmetic_v<X>;

template <Operand X>
constexpr auto lift(X x) {
  if constexpr (Expression<X>)
    return x;
  else
    return constant{static_cast<double>(x)};
}
template <Operand X>
using lifted = decltype(lift(std::declval<X>()));

// ---- the operations' functors ---------------------------------------------

// Each functor has one generic body for a scalar T and an xsimd batch V.
namespace fn {
using ketl::detail::simd::max;
using ketl::detail::simd::min;
using ketl::detail::simd::select;
template <class V>
V one_if(const auto& c) {
  return ketl::detail::simd::select(c, V(1), V(0));  // qualified: ADL would also find xsimd::select
}
}  // namespace fn

// clang-format off
struct add_op { template <class V> V operator()(V a, V b) const { return a + b; } };
struct sub_op { template <class V> V operator()(V a, V b) const { return a - b; } };
struct mul_op { template <class V> V operator()(V a, V b) const { return a * b; } };
struct div_op { template <class V> V operator()(V a, V b) const { return a / b; } };
struct pow_op { template <class V> V operator()(V a, V b) const { return xsimd::pow(a, b); } };
struct maximum_op { template <class V> V operator()(V a, V b) const { return fn::select(a < b, b, a); } };
struct minimum_op { template <class V> V operator()(V a, V b) const { return fn::select(b < a, b, a); } };
struct greater_op { template <class V> V operator()(V a, V b) const { return fn::one_if<V>(a > b); } };
struct greater_equal_op { template <class V> V operator()(V a, V b) const { return fn::one_if<V>(a >= b); } };
struct less_op { template <class V> V operator()(V a, V b) const { return fn::one_if<V>(a < b); } };
struct less_equal_op { template <class V> V operator()(V a, V b) const { return fn::one_if<V>(a <= b); } };
struct equal_op { template <class V> V operator()(V a, V b) const { return fn::one_if<V>(a == b); } };
struct not_equal_op { template <class V> V operator()(V a, V b) const { return fn::one_if<V>(a != b); } };

struct neg_op { template <class V> V operator()(V a) const { return -a; } };
struct abs_op { template <class V> V operator()(V a) const { return xsimd::abs(a); } };
struct square_op { template <class V> V operator()(V a) const { return a * a; } };
struct sqrt_op { template <class V> V operator()(V a) const { return xsimd::sqrt(a); } };
struct exp_op { template <class V> V operator()(V a) const { return xsimd::exp(a); } };
// Float batches take the division-free log (detail/fast_log.hpp).
struct log_op {
  template <class V> V operator()(V a) const { return xsimd::log(a); }
  template <class A> xsimd::batch<float, A> operator()(xsimd::batch<float, A> a) const { return ketl::detail::fast_log(a); }
};
struct log1p_op { template <class V> V operator()(V a) const { return xsimd::log1p(a); } };
struct tanh_op { template <class V> V operator()(V a) const { return xsimd::tanh(a); } };
struct sigmoid_op { template <class V> V operator()(V a) const { return V(1) / (V(1) + xsimd::exp(-a)); } };
// log(1 + e^a), without overflow for large a.
struct softplus_op {
  template <class V> V operator()(V a) const { return fn::max(V(0), a) + xsimd::log1p(xsimd::exp(-xsimd::abs(a))); }
};
struct sign_op {
  template <class V> V operator()(V a) const { return fn::select(a > V(0), V(1), fn::select(a < V(0), V(-1), V(0))); }
};
// Half to even, as tf.round.
struct round_op { template <class V> V operator()(V a) const { return xsimd::nearbyint(a); } };
// K.cast to floatx: the identity on values that are already floating point.
struct cast_op { template <class V> V operator()(V a) const { return a; } };
// Gradient stops here (K.stop_gradient).
struct stop_gradient_op { template <class V> V operator()(V a) const { return a; } };
// clang-format on

// ---- reductions ------------------------------------------------------------
// Each returns the row's value (one per lane for a lanes_ref).

struct sum_op {
  template <class A, class Ctx>
  static value_of<Ctx> run(const A& a, const Ctx& r) {
    value_of<Ctx> s(0);
    for (std::size_t j = 0; j < r.cols; ++j) s += a.at(r, j);
    return s;
  }
};
struct mean_op {
  template <class A, class Ctx>
  static value_of<Ctx> run(const A& a, const Ctx& r) {
    using V = value_of<Ctx>;
    return sum_op::run(a, r) / V(static_cast<ketl::detail::scalar_of<V>>(r.cols));
  }
};
struct max_op {
  template <class A, class Ctx>
  static value_of<Ctx> run(const A& a, const Ctx& r) {
    auto m = a.at(r, 0);
    for (std::size_t j = 1; j < r.cols; ++j) m = fn::max(m, a.at(r, j));
    return m;
  }
};
struct min_op {
  template <class A, class Ctx>
  static value_of<Ctx> run(const A& a, const Ctx& r) {
    auto m = a.at(r, 0);
    for (std::size_t j = 1; j < r.cols; ++j) m = fn::min(m, a.at(r, j));
    return m;
  }
};
// The first index of the largest value, as tf.argmax on ties.
struct argmax_op {
  template <class A, class Ctx>
  static value_of<Ctx> run(const A& a, const Ctx& r) {
    using V = value_of<Ctx>;
    V best(0);
    V m = a.at(r, 0);
    for (std::size_t j = 1; j < r.cols; ++j) {
      const V v = a.at(r, j);
      const auto higher = v > m;
      m = fn::select(higher, v, m);
      best = fn::select(higher, V(static_cast<ketl::detail::scalar_of<V>>(j)), best);
    }
    return best;
  }
};

// ---- builders, with simplification ------------------------------------------

template <Operand A, Operand B>
constexpr auto add(A a_, B b_) {
  auto a = lift(a_);
  auto b = lift(b_);
  if constexpr (is_zero<decltype(a)>)
    return b;
  else if constexpr (is_zero<decltype(b)>)
    return a;
  else
    return binary<add_op, decltype(a), decltype(b)>{a, b};
}
template <Operand A>
constexpr auto neg(A a_) {
  auto a = lift(a_);
  if constexpr (is_zero<decltype(a)>)
    return zero{};
  else
    return unary<neg_op, decltype(a)>{a};
}
template <Operand A, Operand B>
constexpr auto sub(A a_, B b_) {
  auto a = lift(a_);
  auto b = lift(b_);
  if constexpr (is_zero<decltype(b)>)
    return a;
  else if constexpr (is_zero<decltype(a)>)
    return neg(b);
  else
    return binary<sub_op, decltype(a), decltype(b)>{a, b};
}
template <Operand A, Operand B>
constexpr auto mul(A a_, B b_) {
  auto a = lift(a_);
  auto b = lift(b_);
  if constexpr (is_zero<decltype(a)> || is_zero<decltype(b)>)
    return zero{};
  else if constexpr (is_one<decltype(a)>)
    return b;
  else if constexpr (is_one<decltype(b)>)
    return a;
  else
    return binary<mul_op, decltype(a), decltype(b)>{a, b};
}
template <Operand A, Operand B>
constexpr auto div(A a_, B b_) {
  auto a = lift(a_);
  auto b = lift(b_);
  if constexpr (is_zero<decltype(a)>)
    return zero{};
  else if constexpr (is_one<decltype(b)>)
    return a;
  else
    return binary<div_op, decltype(a), decltype(b)>{a, b};
}
template <class Op, Operand A, Operand B>
constexpr auto make_binary(A a, B b) {
  return binary<Op, lifted<A>, lifted<B>>{lift(a), lift(b)};
}
template <class Op, Operand A>
constexpr auto make_unary(A a) {
  return unary<Op, lifted<A>>{lift(a), Op{}};
}

// clang-format off
template <Operand A, Operand B> requires(Expression<A> || Expression<B>)
constexpr auto operator+(A a, B b) { return add(a, b); }
template <Operand A, Operand B> requires(Expression<A> || Expression<B>)
constexpr auto operator-(A a, B b) { return sub(a, b); }
template <Operand A, Operand B> requires(Expression<A> || Expression<B>)
constexpr auto operator*(A a, B b) { return mul(a, b); }
template <Operand A, Operand B> requires(Expression<A> || Expression<B>)
constexpr auto operator/(A a, B b) { return div(a, b); }
template <Expression A> constexpr auto operator-(A a) { return neg(a); }
template <Operand A, Operand B> requires(Expression<A> || Expression<B>)
constexpr auto operator>(A a, B b) { return make_binary<greater_op>(a, b); }
template <Operand A, Operand B> requires(Expression<A> || Expression<B>)
constexpr auto operator>=(A a, B b) { return make_binary<greater_equal_op>(a, b); }
template <Operand A, Operand B> requires(Expression<A> || Expression<B>)
constexpr auto operator<(A a, B b) { return make_binary<less_op>(a, b); }
template <Operand A, Operand B> requires(Expression<A> || Expression<B>)
constexpr auto operator<=(A a, B b) { return make_binary<less_equal_op>(a, b); }
// clang-format on

}  // namespace ketl::expr
