// Keras's other compile() arguments. They stand among the metrics, in any
// order, so that compile() keeps Keras's (optimizer, loss, metrics) shape:
//
//   model.compile("adam", losses::mse, metrics::mae,
//                 ketl::temporal,                          // sample_weight_mode="temporal"
//                 ketl::weighted_metrics(metrics::mae),    // weighted_metrics=["mae"]
//                 ketl::target_tensors(y));                // target_tensors=[y]
//
// For a model with several outputs, the loss may be ketl::per_output(l1, l2)
// (loss=[l1, l2]), and ketl::loss_weights(1.0, 0.2) stands among the metrics.
//
// ketl::labels<Shape<...>> (target_shape.hpp) is ketl's own: the labels'
// static shape, checked against the loss and metrics at compile time.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/hana/tuple.hpp>

#include "ketl/array_ref.hpp"
#include "ketl/collective.hpp"
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

// metrics={"out": [...]}: metrics for output K alone, after the metrics
// every output has. Give it once per output that has its own; a metric is
// a ketl metric, its Keras name, or a std::vector<metrics::AnyMetric>.
//   model.compile("adam", ketl::per_output(losses::categorical_crossentropy, losses::mse),
//                 ketl::metrics_for<0>(metrics::accuracy), ketl::metrics_for<1>(metrics::mae));
// weighted_metrics_for<K>(...) is the same for weighted_metrics={"out": [...]}.
template <std::size_t K, bool Weighted, class... M>
struct MetricsFor {
  static constexpr std::size_t output = K;
  static constexpr bool weighted = Weighted;
  boost::hana::tuple<M...> metrics;
};
template <std::size_t K, class... M>
MetricsFor<K, false, M...> metrics_for(M... m) {
  return {boost::hana::make_tuple(std::move(m)...)};
}
template <std::size_t K, class... M>
MetricsFor<K, true, M...> weighted_metrics_for(M... m) {
  return {boost::hana::make_tuple(std::move(m)...)};
}

// target_tensors=[y]: the targets, bound at compile time, so that fit(x),
// evaluate(x), train_on_batch(x) and test_on_batch(x) need no y. The model
// keeps its own copy (move the array in to avoid one); one per output.
template <class... A>
struct TargetTensors {
  std::tuple<A...> ys;
};
template <class... A>
TargetTensors<A...> target_tensors(A... ys) {
  static_assert(sizeof...(A) > 0 && (ArrayLike<A> && ...),
                "ketl::target_tensors: give one array of targets per output");
  return {{std::move(ys)...}};
}

// loss_weights=[1.0, 0.2]: the total loss is sum(w_k * loss_k), in output order.
template <std::size_t N>
struct LossWeights {
  std::array<double, N> w;
};
template <class... W>
LossWeights<sizeof...(W)> loss_weights(W... w) {
  static_assert((std::is_arithmetic_v<W> && ...), "ketl::loss_weights: give one number per output");
  return {{static_cast<double>(w)...}};
}

// loss=[loss_a, loss_b]: one loss per output, in output order.
template <class... L>
struct PerOutput {
  std::tuple<L...> losses;
};
template <class... L>
PerOutput<L...> per_output(L... losses) {
  return {{std::move(losses)...}};
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
inline constexpr bool is_metrics_for = false;
template <std::size_t K, bool W, class... M>
inline constexpr bool is_metrics_for<MetricsFor<K, W, M...>> = true;
template <class A>
inline constexpr bool is_target_tensors = false;
template <class... A>
inline constexpr bool is_target_tensors<TargetTensors<A...>> = true;
template <class A>
inline constexpr bool is_loss_weights = false;
template <std::size_t N>
inline constexpr bool is_loss_weights<LossWeights<N>> = true;
template <class A>
inline constexpr bool is_per_output = false;
template <class... L>
inline constexpr bool is_per_output<PerOutput<L...>> = true;

// An argument of compile() that is an option, not a metric.
template <class A>
inline constexpr bool is_compile_option =
    is_labels<A> || std::is_same_v<A, Temporal> || is_weighted_metrics<A> || is_metrics_for<A> ||
    is_target_tensors<A> || is_loss_weights<A> || is_data_parallel<A>;
}  // namespace detail

}  // namespace ketl
