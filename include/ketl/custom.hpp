// A user's own loss or metric, written as Keras users write theirs:
//
//   auto mean_pred = ketl::custom_metric("mean_pred", [](auto /*y_true*/, auto y_pred) {
//     return ketl::expr::mean(y_pred);
//   });
//   auto my_mse = ketl::custom_loss("my_mse", [](auto y_true, auto y_pred) {
//     using namespace ketl::expr;
//     return mean(square(y_pred - y_true));
//   });
//
// The lambda is called once, on the symbolic y_true and y_pred, and returns
// an expression; ketl differentiates it at compile time. For integer labels
// (the sparse_* family), pass Target::sparse_labels and use
// expr::sparse_label / expr::one_hot_labels for y_true.
#pragma once

#include <string>
#include <utility>

#include "ketl/loss.hpp"

namespace ketl {

template <class F, Target T = Target::same_shape>
struct CustomLoss {
  std::string label;
  F f;
  static constexpr Target target = T;
  std::string_view name() const { return label; }
  auto expression() const { return f(expr::y_true, expr::y_pred); }
  KETL_PER_SAMPLE_CALL
};

template <Target T = Target::same_shape, class F>
auto custom_loss(std::string name, F f) {
  using E = decltype(f(expr::y_true, expr::y_pred));
  static_assert(expr::Expression<E>,
                "ketl::custom_loss: the function must return an expression of y_true, y_pred");
  static_assert(expr::kind_of<E> == expr::kind::row,
                "ketl::custom_loss: a loss gives one value per sample: reduce the last axis "
                "(mean, sum, max, ...)");
  return CustomLoss<F, T>{std::move(name), std::move(f)};
}

namespace detail {
template <class E>
struct metric_value_check {
  static_assert(expr::Expression<E>,
                "ketl::custom_metric: the function must return an expression of y_true, y_pred");
  static_assert(expr::kind_of<E> == expr::kind::row || expr::kind_of<E> == expr::kind::batch,
                "ketl::custom_metric: a metric gives one value per sample or per batch: reduce the "
                "last axis (mean, sum, ...) or the batch (batch_sum, batch_mean)");
};
template <class... E>
struct metric_value_check<expr::value_set<E...>> : metric_value_check<E>... {};
}  // namespace detail

// A metric gives one value per sample (averaged over the batch, as Keras
// does), one per batch (built with batch_sum / batch_mean), or several named
// ones with expr::values("a", e1, "b", e2), the counterpart of a Keras metric
// returning a dict; each value is then reported under its own name.
template <Target T = Target::same_shape, class F>
auto custom_metric(std::string name, F f) {
  using E = decltype(f(expr::y_true, expr::y_pred));
  [[maybe_unused]] detail::metric_value_check<E> checked;
  return CustomLoss<F, T>{std::move(name), std::move(f)};
}

}  // namespace ketl
