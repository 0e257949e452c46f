// One output's compiled loss, its gradient and its metrics.
//
// compile() builds an output_step for each output of the model, for exactly
// its loss type, its resolved metric types and its shape, so that one
// fused pass (detail::fused_pass) computes the loss, writes dL/dy_pred and
// accumulates every metric, with nothing dispatched per element. The steps
// are erased behind output_step<T>: a batch costs one virtual call per
// output, and a loss named at run time instantiates one step per loss type
// per output, not per combination of outputs.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ketl/compile_options.hpp"
#include "ketl/detail/fused_pass.hpp"
#include "ketl/detail/softmax_crossentropy.hpp"
#include "ketl/losses/binary_crossentropy.hpp"
#include "ketl/losses/categorical_crossentropy.hpp"
#include "ketl/metrics/accuracy.hpp"
#include "ketl/names.hpp"

namespace ketl::engine {

namespace detail {
using namespace ketl::detail;

// A metric with the name Keras reports it under ("acc" for "accuracy").
template <class M>
struct named_metric {
  using metric_type = M;
  M metric;
  std::string name;
  Target target() const {
    using U = unweighted_t<M>;
    if constexpr (std::is_same_v<U, metrics::AnyMetric>)
      return unweighted_metric(metric).runtime_target();
    else
      return U::target;
  }
};

// Metrics named at run time, as many as a file's training_config lists:
// std::vector<metrics::AnyMetric> among compile()'s metrics (or inside
// weighted_metrics), each resolved and named as one AnyMetric is.
template <bool Weighted>
struct named_metric_list {
  using metric_type = std::conditional_t<Weighted, weighted<std::vector<metrics::AnyMetric>>,
                                         std::vector<metrics::AnyMetric>>;
  std::vector<named_metric<metrics::AnyMetric>> items;
};
template <class N>
inline constexpr bool is_metric_list = false;
template <bool Weighted>
inline constexpr bool is_metric_list<named_metric_list<Weighted>> = true;

// Their kernels, one erased kernel each: the fused pass hands them the
// batch after its walk over the rows, and they report one value each.
template <class T>
struct metric_list_kernel {
  std::vector<metrics::AnyMetric::kernel<T>> parts;
  std::size_t count() const { return parts.size(); }
  void begin() {
    for (auto& k : parts) k.begin();
  }
  void add_rows(const T* yt, const T* yp, std::size_t n, std::size_t cols, std::size_t yt_cols,
                const T* w = nullptr) {
    for (auto& k : parts) k.add_rows(yt, yp, n, cols, yt_cols, w);
  }
  void set_divisor(double d) {
    for (auto& k : parts) k.set_divisor(d);
  }
  template <class>
  void results(double* out) {
    for (std::size_t i = 0; i < parts.size(); ++i) out[i] = parts[i].template result<T>();
  }
};

// Keras 2.2.4's rule for "acc" and "ce": binary for a one-unit output or a
// binary loss, sparse for a sparse loss, categorical otherwise.
template <class Loss, bool OneUnit, class M>
auto resolve_metric(const M& m) {
  constexpr bool binary = OneUnit || std::is_same_v<Loss, losses::BinaryCrossentropy>;
  constexpr bool sparse = Loss::target == Target::sparse_labels;
  if constexpr (std::is_same_v<M, std::vector<metrics::AnyMetric>>) {
    named_metric_list<false> list;
    for (const auto& x : m) list.items.push_back(resolve_metric<Loss, OneUnit>(x));
    return list;
  } else if constexpr (is_weighted<M> &&
                       std::is_same_v<unweighted_t<M>, std::vector<metrics::AnyMetric>>) {
    named_metric_list<true> list;
    for (const auto& x : m.metric) {
      list.items.push_back(resolve_metric<Loss, OneUnit>(x));
      list.items.back().name = "weighted_" + list.items.back().name;
    }
    return list;
  } else if constexpr (is_weighted<M>) {
    // One of weighted_metrics: resolved as a plain metric, named "weighted_<name>".
    auto r = resolve_metric<Loss, OneUnit>(m.metric);
    using R = typename decltype(r)::metric_type;
    return named_metric<weighted<R>>{{std::move(r.metric)}, "weighted_" + r.name};
  } else if constexpr (std::is_same_v<M, metrics::accuracy_tag>) {
    if constexpr (binary)
      return named_metric<metrics::BinaryAccuracy>{{}, "acc"};
    else if constexpr (sparse)
      return named_metric<metrics::SparseCategoricalAccuracy>{{}, "acc"};
    else
      return named_metric<metrics::CategoricalAccuracy>{{}, "acc"};
  } else if constexpr (std::is_same_v<M, metrics::crossentropy_tag>) {
    if constexpr (binary)
      return named_metric<losses::BinaryCrossentropy>{{}, "ce"};
    else if constexpr (sparse)
      return named_metric<losses::SparseCategoricalCrossentropy>{{}, "ce"};
    else
      return named_metric<losses::CategoricalCrossentropy>{{}, "ce"};
  } else if constexpr (std::is_same_v<M, metrics::AnyMetric>) {
    // A metric named at run time: "acc" and "ce" resolve here, as above.
    using A = metrics::AnyMetric::Alias;
    if (m.alias() == A::accuracy) {
      if constexpr (binary)
        return named_metric<M>{metrics::AnyMetric(metrics::binary_accuracy), "acc"};
      else if constexpr (sparse)
        return named_metric<M>{metrics::AnyMetric(metrics::sparse_categorical_accuracy), "acc"};
      else
        return named_metric<M>{metrics::AnyMetric(metrics::categorical_accuracy), "acc"};
    }
    if (m.alias() == A::crossentropy) {
      if constexpr (binary)
        return named_metric<M>{metrics::AnyMetric(losses::binary_crossentropy), "ce"};
      else if constexpr (sparse)
        return named_metric<M>{metrics::AnyMetric(losses::sparse_categorical_crossentropy), "ce"};
      else
        return named_metric<M>{metrics::AnyMetric(losses::categorical_crossentropy), "ce"};
    }
    return named_metric<M>{m, std::string(m.name())};
  } else {
    static_assert(MetricFunction<M>, "ketl::compile: a metric must be a ketl metric");
    return named_metric<M>{m, std::string(m.name())};
  }
}

template <class M>
inline constexpr bool is_any_metric =
    std::is_same_v<unweighted_t<typename M::metric_type>, metrics::AnyMetric>;

template <class Loss, class Out, class M>
using resolved_t = decltype(resolve_metric<Loss, Out::last == 1>(std::declval<const M&>()));
}  // namespace detail

// What the engine sees of one output's step.
template <class T>
struct output_step {
  std::string loss_name;
  Target target = Target::same_shape;
  // The names of the metric values, in order (a value set gives several).
  std::vector<std::string> metric_names;
  std::vector<std::pair<std::string, Target>> metric_targets;
  // dL/dz of a softmax output in closed form (detail/softmax_crossentropy.hpp):
  // pass() then writes no gradient, and softmax_grad() writes dL/dz.
  bool fuses_softmax = false;

  virtual ~output_step() = default;
  // Over n samples: out[0] the mean loss (sum(w l) / denom when weighted),
  // out[1 + i] metric value i; grad (unless null) gets grad_weight * dL/dy.
  // A masked output's plain metrics weigh rows by mw, over mdenom.
  virtual void pass(const T* yp, const T* yt, std::size_t n, T* grad, double* out, const T* w,
                    double denom, double grad_weight, const T* mw = nullptr, double mdenom = 0) = 0;
  virtual void softmax_grad(const T* yp, const T* yt, std::size_t n, T* dz, const T* w,
                            double denom, double grad_weight) = 0;
};

// An output ending in a softmax when Softmax, with loss Loss and metrics M
// (each a detail::named_metric). Its shape is a run-time value, not a
// template argument: the kernels take the row width at run time anyway, and
// so every output with the same loss and metrics shares one step type. A
// program that compiles losses by name instantiates the 15 losses' steps
// once, not once per output shape (they were most of a test file's
// compile time, docs/benchmarks.md).
template <class T, bool Softmax, class Loss, class... M>
struct output_step_impl final : output_step<T> {
  template <class X>
  static auto kernel_for(const X& x) {
    if constexpr (ketl::detail::is_weighted<X>)
      return ketl::detail::weighted_metric_kernel<decltype(kernel_for(x.metric))>{
          kernel_for(x.metric)};
    else if constexpr (std::is_same_v<X, metrics::AnyMetric>)
      return x.template make_kernel<T>();
    else
      return ketl::detail::make_metric_kernel(x);
  }
  template <class N>
  static auto kernel_of(const N& m) {
    if constexpr (detail::is_metric_list<N>) {
      detail::metric_list_kernel<T> k;
      for (const auto& x : m.items) k.parts.push_back(x.metric.template make_kernel<T>());
      if constexpr (ketl::detail::is_weighted<typename N::metric_type>)
        return ketl::detail::weighted_metric_kernel<detail::metric_list_kernel<T>>{std::move(k)};
      else
        return k;
    } else {
      return kernel_for(m.metric);
    }
  }

  decltype(ketl::detail::make_loss_kernel(std::declval<const Loss&>())) loss;
  Loss loss_fn;                     // its options (from_logits, ...)
  std::size_t cols;                 // the output's last axis
  std::size_t outer;                // rows per sample (a temporal output's steps)
  std::size_t yt_cols;              // y_true's row: 1 for integer labels
  std::vector<T> exact_grad;        // one row's dL/dp, for softmax_grad
  std::tuple<M...> metric_objects;  // erased kernels point into these
  std::tuple<decltype(kernel_of(std::declval<const M&>()))...> metrics;

  static constexpr bool softmax_crossentropy =
      Softmax && (std::is_same_v<Loss, losses::CategoricalCrossentropy> ||
                  std::is_same_v<Loss, losses::SparseCategoricalCrossentropy>);

  // A metric's reported names: its own, or each of a value set's.
  template <class N>
  void push_names(const N& m) {
    if constexpr (detail::is_metric_list<N>) {
      for (const auto& x : m.items) this->metric_names.push_back(x.name);
    } else {
      if constexpr (!detail::is_any_metric<N>) {
        const auto& metric = ketl::detail::unweighted_metric(m.metric);
        using E = std::remove_cvref_t<decltype(metric.expression())>;
        if constexpr (ketl::detail::is_value_set<E>::value) {
          const std::string prefix =
              ketl::detail::is_weighted<typename N::metric_type> ? "weighted_" : "";
          for (auto n : metric.expression().names)
            this->metric_names.push_back(prefix + std::string(n));
          return;
        }
      }
      this->metric_names.push_back(m.name);
    }
  }
  template <class N>
  void push_targets(const N& m) {
    if constexpr (detail::is_metric_list<N>)
      for (const auto& x : m.items) this->metric_targets.emplace_back(x.name, x.target());
    else
      this->metric_targets.emplace_back(m.name, m.target());
  }

  output_step_impl(const Loss& l, std::size_t last, std::size_t rows_per_sample, const M&... ms)
      : loss(ketl::detail::make_loss_kernel(l)),
        loss_fn(l),
        cols(last),
        outer(rows_per_sample),
        yt_cols(Loss::target == Target::sparse_labels ? 1 : last),
        exact_grad(last),
        metric_objects(ms...),
        metrics(std::apply([](const auto&... m) { return std::make_tuple(kernel_of(m)...); },
                           metric_objects)) {
    (push_names(ms), ...);
    (push_targets(ms), ...);
    this->loss_name = std::string(l.name());
    this->target = Loss::target;
    if constexpr (softmax_crossentropy) this->fuses_softmax = !loss_fn.from_logits;
  }

  void pass(const T* yp, const T* yt, std::size_t n, T* grad, double* out, const T* w, double denom,
            double grad_weight, const T* mw, double mdenom) override {
    ketl::detail::fused_pass(loss, metrics, yt, yp, n * outer, cols, yt_cols, grad, out, w, denom,
                             grad_weight, mw, mdenom);
  }

  // (sparse_)categorical_crossentropy on a softmax output: dL/dz in closed
  // form, the derived gradient only for rows near the clip bounds.
  void softmax_grad(const T* yp, const T* y, std::size_t n, T* dz, const T* w, double denom,
                    double grad_weight) override {
    if constexpr (softmax_crossentropy) {
      constexpr bool sparse = Loss::target == Target::sparse_labels;
      const std::size_t rows = n * outer;
      const double divisor = w ? denom : double(rows);
      const T scale = divisor > 0 ? T(grad_weight / divisor) : T(0);
      ketl::detail::softmax_crossentropy_grad(
          y, yp, rows, cols, sparse, loss_fn.label_smoothing, scale, w, dz,
          [&](std::size_t r, T s) {
            const expr::row_ref<T> row{y + r * yt_cols, yp + r * cols, cols, yt_cols};
            loss.row(row, exact_grad.data(), s);
            ketl::detail::softmax_vjp_row(yp + r * cols, exact_grad.data(), cols, dz + r * cols);
          });
    }
  }
};

// The step for output shape Out of loss l and metrics ms (unresolved:
// "acc" and "ce" resolve here against the loss and the output).
template <class T, class Out, bool Softmax, class Loss, class... M>
std::unique_ptr<output_step<T>> make_output_step(const Loss& l, const M&... ms) {
  return std::make_unique<output_step_impl<T, Softmax, Loss, detail::resolved_t<Loss, Out, M>...>>(
      l, Out::last, Out::outer, detail::resolve_metric<Loss, Out::last == 1>(ms)...);
}

}  // namespace ketl::engine
