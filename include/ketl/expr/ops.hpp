// The operations of the DSL: arithmetic, Keras's backend (K.*) functions,
// reductions, and how each one differentiates.
//
// Builders simplify with the `zero` and `one` types (0 + e is e, 1 * e is e,
// 0 * e is 0), so that derivatives stay small types.
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>

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

// clang-format off
struct add_op { template <class T> T operator()(T a, T b) const { return a + b; } };
struct sub_op { template <class T> T operator()(T a, T b) const { return a - b; } };
struct mul_op { template <class T> T operator()(T a, T b) const { return a * b; } };
struct div_op { template <class T> T operator()(T a, T b) const { return a / b; } };
struct pow_op { template <class T> T operator()(T a, T b) const { return std::pow(a, b); } };
struct maximum_op { template <class T> T operator()(T a, T b) const { return a < b ? b : a; } };
struct minimum_op { template <class T> T operator()(T a, T b) const { return b < a ? b : a; } };
struct greater_op { template <class T> T operator()(T a, T b) const { return a > b ? T(1) : T(0); } };
struct greater_equal_op { template <class T> T operator()(T a, T b) const { return a >= b ? T(1) : T(0); } };
struct less_op { template <class T> T operator()(T a, T b) const { return a < b ? T(1) : T(0); } };
struct less_equal_op { template <class T> T operator()(T a, T b) const { return a <= b ? T(1) : T(0); } };
struct equal_op { template <class T> T operator()(T a, T b) const { return a == b ? T(1) : T(0); } };
struct not_equal_op { template <class T> T operator()(T a, T b) const { return a != b ? T(1) : T(0); } };

struct neg_op { template <class T> T operator()(T a) const { return -a; } };
struct abs_op { template <class T> T operator()(T a) const { return std::abs(a); } };
struct square_op { template <class T> T operator()(T a) const { return a * a; } };
struct sqrt_op { template <class T> T operator()(T a) const { return std::sqrt(a); } };
struct exp_op { template <class T> T operator()(T a) const { return std::exp(a); } };
struct log_op { template <class T> T operator()(T a) const { return std::log(a); } };
struct log1p_op { template <class T> T operator()(T a) const { return std::log1p(a); } };
struct tanh_op { template <class T> T operator()(T a) const { return std::tanh(a); } };
struct sigmoid_op { template <class T> T operator()(T a) const { return T(1) / (T(1) + std::exp(-a)); } };
// log(1 + e^a), without overflow for large a.
struct softplus_op {
  template <class T> T operator()(T a) const { return (a > T(0) ? a : T(0)) + std::log1p(std::exp(-std::abs(a))); }
};
struct sign_op { template <class T> T operator()(T a) const { return a > T(0) ? T(1) : (a < T(0) ? T(-1) : T(0)); } };
// Half to even, as tf.round.
struct round_op { template <class T> T operator()(T a) const { return std::nearbyint(a); } };
// K.cast to floatx: the identity on values that are already floating point.
struct cast_op { template <class T> T operator()(T a) const { return a; } };
// Gradient stops here (K.stop_gradient).
struct stop_gradient_op { template <class T> T operator()(T a) const { return a; } };
// clang-format on

// ---- reductions ------------------------------------------------------------

struct sum_op {
  template <class T, class A>
  static T run(const A& a, const row_ref<T>& r) {
    T s = 0;
    for (std::size_t j = 0; j < r.cols; ++j) s += a.at(r, j);
    return s;
  }
};
struct mean_op {
  template <class T, class A>
  static T run(const A& a, const row_ref<T>& r) {
    return sum_op::run(a, r) / T(r.cols);
  }
};
struct max_op {
  template <class T, class A>
  static T run(const A& a, const row_ref<T>& r) {
    T m = a.at(r, 0);
    for (std::size_t j = 1; j < r.cols; ++j) m = std::max(m, a.at(r, j));
    return m;
  }
};
struct min_op {
  template <class T, class A>
  static T run(const A& a, const row_ref<T>& r) {
    T m = a.at(r, 0);
    for (std::size_t j = 1; j < r.cols; ++j) m = std::min(m, a.at(r, j));
    return m;
  }
};
// The first index of the largest value, as tf.argmax on ties.
struct argmax_op {
  template <class T, class A>
  static T run(const A& a, const row_ref<T>& r) {
    std::size_t best = 0;
    T m = a.at(r, 0);
    for (std::size_t j = 1; j < r.cols; ++j)
      if (a.at(r, j) > m) m = a.at(r, j), best = j;
    return T(best);
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
