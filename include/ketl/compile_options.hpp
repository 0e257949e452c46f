// Keras's other compile() arguments. They stand among the metrics, in any
// order, so that compile() keeps Keras's (optimizer, loss, metrics) shape:
//
//   model.compile("adam", losses::mse, metrics::mae,
//                 ketl::temporal,                          // sample_weight_mode="temporal"
//                 ketl::weighted_metrics(metrics::mae),    // weighted_metrics=["mae"]
//                 ketl::target_tensors(y));                // target_tensors=[y]
//
// ketl::labels<Shape<...>> (target_shape.hpp) is ketl's own: the labels'
// static shape, checked against the loss and metrics at compile time.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/hana/tuple.hpp>

#include "ketl/detail/xtensor.hpp"
#include "ketl/target_shape.hpp"

namespace ketl {

// sample_weight_mode="temporal": sample weights of shape (N, T), one per
// sample and time step, for outputs of shape (N, T, ...). The output's rank
// is checked when compile() is instantiated.
struct Temporal {};
inline constexpr Temporal temporal{};

// weighted_metrics=[...]: metrics weighted by sample_weight and
// class_weight as the loss is, reported after the plain metrics with the
// prefix "weighted_".
template <class... M>
struct WeightedMetrics {
  boost::hana::tuple<M...> metrics;
};
template <class... M>
WeightedMetrics<M...> weighted_metrics(M... m) {
  return {boost::hana::make_tuple(std::move(m)...)};
}

// target_tensors=[y]: the targets, bound at compile time, so that fit(x),
// evaluate(x), train_on_batch(x) and test_on_batch(x) need no y. The model
// keeps its own copy (move the array in to avoid one).
template <class T, std::size_t R>
struct TargetTensors {
  static constexpr std::size_t rank = R;
  xt::xtensor<T, R> y;
};
template <class T, std::size_t R>
TargetTensors<T, R> target_tensors(xt::xtensor<T, R> y) {
  return {std::move(y)};
}

namespace detail {
// One metric of weighted_metrics, as compile() carries it.
template <class M>
struct weighted {
  M metric;
};
template <class M>
inline constexpr bool is_weighted = false;
template <class M>
inline constexpr bool is_weighted<weighted<M>> = true;

template <class M>
struct unweighted {
  using type = M;
};
template <class M>
struct unweighted<weighted<M>> {
  using type = M;
};
template <class M>
using unweighted_t = typename unweighted<M>::type;

template <class M>
const auto& unweighted_metric(const M& m) {
  if constexpr (is_weighted<M>)
    return m.metric;
  else
    return m;
}

template <class A>
inline constexpr bool is_weighted_metrics = false;
template <class... M>
inline constexpr bool is_weighted_metrics<WeightedMetrics<M...>> = true;
template <class A>
inline constexpr bool is_target_tensors = false;
template <class T, std::size_t R>
inline constexpr bool is_target_tensors<TargetTensors<T, R>> = true;

// An argument of compile() that is an option, not a metric.
template <class A>
inline constexpr bool is_compile_option =
    is_labels<A> || std::is_same_v<A, Temporal> || is_weighted_metrics<A> || is_target_tensors<A>;
}  // namespace detail

}  // namespace ketl
