// Losses and metrics called on arrays, as Keras's functions are:
//
//   auto per_sample = ketl::losses::mse(y_true, y_pred);          // (N, C) -> (N,)
//   auto acc = ketl::metrics::sparse_categorical_accuracy(labels, y_pred);  // int labels
//   double p = ketl::metrics::precision(y_true, y_pred);          // a batch-wise value
//   double l = ketl::reduce_mean(ketl::losses::mse, y_true, y_pred);
//
// y_true may hold any numeric element type (integer labels, uint8): it is
// converted to y_pred's. Arrays of any rank Keras takes: the last axis is
// the one reduced, so a rank-1 pair gives one value, as in Keras.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "ketl/detail/xtensor.hpp"
#include "ketl/error.hpp"
#include "ketl/loss.hpp"

namespace ketl {

namespace detail {
// y_true as y_pred's element type (a copy only when the types differ).
template <class T, class A>
decltype(auto) as_element_type(const A& a) {
  if constexpr (std::is_same_v<typename A::value_type, T>)
    return (a);
  else
    return xt::xtensor<T, A::rank>(xt::cast<T>(a));
}

template <class F, class YT, class YP>
void check_target_shape(const F& f, const YT& y_true, const YP& y_pred) {
  const auto yt_shape = shape_of(y_true), yp_shape = shape_of(y_pred);
  if (!target_fits<F::target>(yt_shape, yp_shape))
    throw shape_error(
        "ketl: " + std::string(f.name()) + ": y_true has shape " + shape_string(yt_shape) +
        " but y_pred has shape " + shape_string(yp_shape) +
        (F::target == Target::sparse_labels
             ? ", which needs integer labels of shape " +
                   shape_string(std::vector<std::size_t>(yp_shape.begin(), yp_shape.end() - 1))
             : std::string()));
  // A per_class term fixes the last axis (expr::columns_of).
  constexpr std::size_t fixed = expr::columns_of<std::remove_cvref_t<decltype(f.expression())>>;
  if (fixed != 0 && fixed != yp_shape.back())
    throw shape_error("ketl: " + std::string(f.name()) + ": the expression has a term of shape (" +
                      std::to_string(fixed) + ",) but y_pred has shape " + shape_string(yp_shape));
}
}  // namespace detail

// The per-sample values Keras's loss or metric function returns, for two
// arrays: (N, C) gives (N,), (N, T, C) gives (N, T), and (N,) gives one value.
template <class F, class TT, class T, std::size_t RT, std::size_t RP>
requires(LossFunction<F> || MetricFunction<F>) xt::xtensor<T, RP - 1> per_sample(
    const F& f, const xt::xtensor<TT, RT>& y_true_any, const xt::xtensor<T, RP>& y_pred) {
  static_assert(RP >= 1, "ketl: losses and metrics take arrays with at least one axis");
  static_assert(!detail::is_value_set<std::remove_cvref_t<decltype(f.expression())>>::value,
                "ketl: a metric with several values has no single per-sample value");
  static_assert(expr::kind_of<decltype(f.expression())> == expr::kind::row,
                "ketl: a batch-wise metric has no per-sample values; call it for its batch "
                "value: ketl::batch_value(metric, y_true, y_pred), or metric(y_true, y_pred)");
  const auto& y_true = detail::as_element_type<T>(y_true_any);
  detail::check_target_shape(f, y_true, y_pred);
  const auto yp_shape = detail::shape_of(y_pred);
  std::array<std::size_t, RP - 1> out_shape{};
  if constexpr (RP > 1) std::copy(yp_shape.begin(), yp_shape.end() - 1, out_shape.begin());
  auto out = xt::xtensor<T, RP - 1>::from_shape(out_shape);
  const std::size_t cols = yp_shape.back();
  const std::size_t yt_cols = F::target == Target::sparse_labels ? 1 : cols;
  for (std::size_t r = 0; r < out.size(); ++r) {
    const expr::row_ref<T> row{y_true.data() + r * yt_cols, y_pred.data() + r * cols, cols,
                               yt_cols};
    if constexpr (LossFunction<F>) {
      auto k = detail::make_loss_kernel(f);
      out.data()[r] = k.row(row, static_cast<T*>(nullptr), T(0));
    } else {
      auto e = f.expression();
      e.prepare(row);
      out.data()[r] = e.at(row, 0);
    }
  }
  return out;
}

// A batch-wise metric's value (precision, recall, fbeta_score, fmeasure)
// over every element of two arrays of any rank; a per-sample metric's
// mean over the samples.
template <class F, class TT, class T, std::size_t RT, std::size_t RP>
requires MetricFunction<F>
double batch_value(const F& f, const xt::xtensor<TT, RT>& y_true_any,
                   const xt::xtensor<T, RP>& y_pred) {
  static_assert(RP >= 1, "ketl: metrics take arrays with at least one axis");
  const auto& y_true = detail::as_element_type<T>(y_true_any);
  detail::check_target_shape(f, y_true, y_pred);
  const std::size_t cols = RP == 0 ? 1 : y_pred.shape()[RP - 1];
  const std::size_t rows = cols ? y_pred.size() / cols : 0;
  const std::size_t yt_cols = F::target == Target::sparse_labels ? 1 : cols;
  auto k = detail::make_metric_kernel(f);
  k.begin();
  k.add_rows(y_true.data(), y_pred.data(), rows, cols, yt_cols);
  return k.template result<T>();
}

// Keras's scalar: the mean of the per-sample values, or with weights,
// sum(l * w) / count_nonzero(w) as Keras 2.2.4's weighted_masked_objective.
template <class F, class TT, class T, std::size_t RT, std::size_t RP>
requires LossFunction<F>
double reduce_mean(const F& f, const xt::xtensor<TT, RT>& y_true, const xt::xtensor<T, RP>& y_pred,
                   const xt::xtensor<T, 1>* sample_weight = nullptr) {
  const auto per = per_sample(f, y_true, y_pred);
  if constexpr (RP == 1) {
    if (sample_weight)
      throw shape_error("ketl: sample_weight needs arrays with a samples axis and a last axis");
    return static_cast<double>(per());
  } else {
    const std::size_t n = per.shape()[0], inner = n ? per.size() / n : 0;
    if (!sample_weight) {
      double s = 0;
      for (auto v : per) s += static_cast<double>(v);
      return per.size() ? s / double(per.size()) : 0.0;
    }
    if (sample_weight->size() != n)
      throw shape_error("ketl: sample_weight has " + std::to_string(sample_weight->size()) +
                        " values for " + std::to_string(n) + " samples");
    double s = 0, nonzero = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double row = 0;
      for (std::size_t t = 0; t < inner; ++t) row += static_cast<double>(per.data()[i * inner + t]);
      const double w = static_cast<double>((*sample_weight)(i));
      s += row / double(inner) * w;
      nonzero += w != 0;
    }
    return nonzero ? s / nonzero : 0.0;
  }
}

}  // namespace ketl

// Keras's call syntax for a loss or metric type: f(y_true, y_pred) gives the
// per-sample values (a batch-wise metric's: its batch value). A member, so
// that the types stay aggregates (a base class would break designated
// initializers such as Huber{.delta = 2}).
#define KETL_PER_SAMPLE_CALL                                                                 \
  template <class TT_, class T_, std::size_t RT_, std::size_t RP_>                           \
  auto operator()(const xt::xtensor<TT_, RT_>& y_true_, const xt::xtensor<T_, RP_>& y_pred_) \
      const {                                                                                \
    return ::ketl::per_sample(*this, y_true_, y_pred_);                                      \
  }
#define KETL_BATCH_VALUE_CALL                                                                  \
  template <class TT_, class T_, std::size_t RT_, std::size_t RP_>                             \
  double operator()(const xt::xtensor<TT_, RT_>& y_true_, const xt::xtensor<T_, RP_>& y_pred_) \
      const {                                                                                  \
    return ::ketl::batch_value(*this, y_true_, y_pred_);                                       \
  }
