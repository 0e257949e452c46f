// Keras's backend for losses and metrics (K.* in keras/backend), as
// expression builders: ketl::expr::sum(square(y_pred - y_true)), etc.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <utility>

#include "ketl/expr/ops.hpp"

namespace ketl::expr {

// K.epsilon(): the fuzz factor in Keras's clipping.
constexpr double epsilon() { return 1e-7; }

// The bounds are kept in float too, as constant's value.
struct clip_op {
  double lo, hi;
  float lo_single = static_cast<float>(lo), hi_single = static_cast<float>(hi);
  template <class V>
  V operator()(V a) const {
    using S = ketl::detail::scalar_of<V>;
    // a second: a NaN passes through, as tf.clip_by_value's does.
    if constexpr (std::is_same_v<S, float>)
      return fn::min(V(hi_single), fn::max(V(lo_single), a));
    else
      return fn::min(V(static_cast<S>(hi)), fn::max(V(static_cast<S>(lo)), a));
  }
};

// clang-format off
template <Operand A> constexpr auto abs(A a) { return make_unary<abs_op>(a); }
template <Operand A> constexpr auto square(A a) { return make_unary<square_op>(a); }
template <Operand A> constexpr auto sqrt(A a) { return make_unary<sqrt_op>(a); }
template <Operand A> constexpr auto exp(A a) { return make_unary<exp_op>(a); }
template <Operand A> constexpr auto log(A a) { return make_unary<log_op>(a); }
template <Operand A> constexpr auto log1p(A a) { return make_unary<log1p_op>(a); }
template <Operand A> constexpr auto tanh(A a) { return make_unary<tanh_op>(a); }
template <Operand A> constexpr auto sigmoid(A a) { return make_unary<sigmoid_op>(a); }
template <Operand A> constexpr auto softplus(A a) { return make_unary<softplus_op>(a); }
template <Operand A> constexpr auto sign(A a) { return make_unary<sign_op>(a); }
template <Operand A> constexpr auto round(A a) { return make_unary<round_op>(a); }
template <Operand A> constexpr auto cast(A a) { return make_unary<cast_op>(a); }
template <Operand A> constexpr auto stop_gradient(A a) { return make_unary<stop_gradient_op>(a); }
template <Operand A> constexpr auto clip(A a, double lo, double hi) {
  return unary<clip_op, lifted<A>>{lift(a), clip_op{lo, hi}};
}
template <Operand A, Operand B> constexpr auto pow(A a, B b) { return make_binary<pow_op>(a, b); }
template <Operand A, Operand B> constexpr auto maximum(A a, B b) { return make_binary<maximum_op>(a, b); }
template <Operand A, Operand B> constexpr auto minimum(A a, B b) { return make_binary<minimum_op>(a, b); }
template <Operand A, Operand B> constexpr auto equal(A a, B b) { return make_binary<equal_op>(a, b); }
template <Operand A, Operand B> constexpr auto not_equal(A a, B b) { return make_binary<not_equal_op>(a, b); }
template <Operand A, Operand B> constexpr auto greater(A a, B b) { return make_binary<greater_op>(a, b); }
template <Operand A, Operand B> constexpr auto greater_equal(A a, B b) { return make_binary<greater_equal_op>(a, b); }
template <Operand A, Operand B> constexpr auto less(A a, B b) { return make_binary<less_op>(a, b); }
template <Operand A, Operand B> constexpr auto less_equal(A a, B b) { return make_binary<less_equal_op>(a, b); }

// K.switch / tf.where: a where c is non-zero, else b.
template <Operand C, Operand A, Operand B> constexpr auto where(C c, A a, B b) {
  return where_node<lifted<C>, lifted<A>, lifted<B>>{lift(c), lift(a), lift(b)};
}
template <Operand C, Operand A, Operand B> constexpr auto switch_(C c, A a, B b) { return where(c, a, b); }

// Reductions over the last axis: one value per sample.
template <Expression A> constexpr auto sum(A a) { return reduce<sum_op, A>{a}; }
template <Expression A> constexpr auto mean(A a) { return reduce<mean_op, A>{a}; }
template <Expression A> constexpr auto max(A a) { return reduce<max_op, A>{a}; }
template <Expression A> constexpr auto min(A a) { return reduce<min_op, A>{a}; }
template <Expression A> constexpr auto argmax(A a) { return reduce<argmax_op, A>{a}; }
// clang-format on

// in_top_k(predictions, targets, k): is the target class among the k best?
template <Expression P, Expression Target>
constexpr auto in_top_k(P p, Target t, std::size_t k) {
  return in_top_k_node<P, Target>{p, t, k};
}

// tf.nn.l2_normalize over the last axis: x / sqrt(max(sum(x^2), 1e-12)).
template <Expression A>
constexpr auto l2_normalize(A a) {
  return a / sqrt(maximum(sum(square(a)), 1e-12));
}

// Reductions over the whole batch, for batch-wise metrics.
template <Operand A>
constexpr auto batch_sum(A a) {
  return batch_sum_node<lifted<A>>{lift(a)};
}
template <Expression A>
constexpr auto batch_mean(A a) {
  if constexpr (kind_of<A> == kind::elem)
    return batch_sum(a) / batch_sum(ones{});
  else
    return batch_sum(a) / batch_sum(1.0);
}

// Several named values from one metric, the counterpart of a Keras metric
// that returns a dict: values("mean_pred", mean(y_pred), "max_pred", max(y_pred)).
template <class... E>
struct value_set {
  static constexpr std::size_t count = sizeof...(E);
  std::array<std::string_view, sizeof...(E)> names;
  std::tuple<E...> exprs;
};
namespace detail {
template <class... Args, std::size_t... I>
constexpr auto make_value_set(std::tuple<Args...> args, std::index_sequence<I...>) {
  return value_set<std::remove_cvref_t<decltype(lift(std::get<2 * I + 1>(args)))>...>{
      {std::string_view(std::get<2 * I>(args))...}, {lift(std::get<2 * I + 1>(args))...}};
}
}  // namespace detail
template <class... Args>
constexpr auto values(Args... args) {
  static_assert(sizeof...(Args) % 2 == 0 && sizeof...(Args) > 0,
                "ketl::expr::values takes name, expression pairs: values(\"a\", e1, \"b\", e2)");
  return detail::make_value_set(std::tuple<Args...>(args...),
                                std::make_index_sequence<sizeof...(Args) / 2>{});
}

template <class... E>
inline constexpr std::size_t columns_of<value_set<E...>> = shared_columns<E...>();

// A constant value per class, such as class weights in a loss:
// sum(per_class({1.0, 2.0, 0.5}) * y_true * log(y_pred)). Its length is the
// one static last axis in an expression: compile() checks it against y_pred.
template <std::size_t N>
constexpr auto per_class(const double (&v)[N]) {
  std::array<double, N> a{};
  for (std::size_t i = 0; i < N; ++i) a[i] = v[i];
  return row_constant<N>(a);
}

// The sparse_* family's y_true: one integer class label per sample.
inline constexpr label sparse_label{};
inline constexpr one_hot_label one_hot_labels{};

}  // namespace ketl::expr
