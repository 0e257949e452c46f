// compile(): from Keras's arguments to one output_step per output
// (trainer<Net>::compile is defined here).
//
// The loss is a loss object, one named at run time (losses::get, or its
// name as a string), or ketl::per_output(...) with one per output. Metrics
// apply to every output. What can be checked at compile time is (shapes,
// targets, one-unit outputs); the rest is checked here at run time, before
// anything in the model changes.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/hana/for_each.hpp>

#include "ketl/compile_options.hpp"
#include "ketl/detail/xtensor.hpp"
#include "ketl/engine/network.hpp"
#include "ketl/engine/trainer.hpp"
#include "ketl/engine/output_step.hpp"
#include "ketl/names.hpp"
#include "ketl/optimizers.hpp"
#include "ketl/target_shape.hpp"

namespace ketl::engine {

// What compile() leaves for fit and evaluate.
template <class T>
struct compiled_state {
  std::vector<std::unique_ptr<output_step<T>>> outputs;
  std::vector<double> loss_weights;
  std::vector<std::string> names;           // metrics_names(): loss, [<out>_loss...], metrics
  std::vector<std::size_t> first_value;     // where output k's metrics start in names
  std::vector<std::vector<double>> values;  // one output's pass writes here
  std::unique_ptr<ketl::detail::optimizer_runner<T>> optimizer;
  bool temporal = false;                     // ketl::temporal: (N, T) sample weights
  std::vector<xt::xarray<T>> bound_targets;  // ketl::target_tensors, one per output
  // As compile() was given them, for Keras's training_config.
  std::vector<std::string> metric_config, weighted_metric_config;
  // metrics_for<K>'s and weighted_metrics_for<K>'s, per output.
  std::vector<std::vector<std::string>> output_metric_config, output_weighted_metric_config;
  bool loss_weights_given = false;
  // ketl::DataParallel: the ranks that train this model together, or none.
  DataParallel parallel;
  // The calls' data-parallel paths, set by compile() only when it is given
  // a DataParallel (trainer::use_ranks, engine/parallel_fit.hpp), so that a
  // model compiled without one never instantiates them. Each takes the
  // trainer as its first argument.
  struct {
    History (*fit)(void*, const Arrays&, const Arrays&, const FitOptions<T>&) = nullptr;
    std::vector<double> (*evaluate)(void*, const Arrays&, const Arrays&,
                                    const EvaluateOptions<T>&) = nullptr;
    std::vector<double> (*train_batch)(void*, const Arrays&, const Arrays&, const Arrays&,
                                       const ClassWeight&, std::string_view) = nullptr;
    std::vector<double> (*test_batch)(void*, const Arrays&, const Arrays&, const Arrays&,
                                      std::string_view) = nullptr;
    void (*predict)(void*, const Arrays&, const PredictOptions&, void* out) = nullptr;
    History (*fit_source)(void*, ketl::detail::source<T>&, const FitGeneratorOptions<T>&) = nullptr;
    std::vector<double> (*evaluate_source)(void*, ketl::detail::source<T>&,
                                           std::optional<std::size_t>, std::size_t, std::size_t,
                                           int, const char*) = nullptr;
  } paths;
};

namespace detail {

// A loss given as a name is looked up as Keras's losses.get.
template <class L>
auto as_loss(const L& l) {
  if constexpr (std::is_convertible_v<const L&, std::string_view> && !LossFunction<L>)
    return losses::get(std::string_view(l));
  else
    return l;
}
// A metric given as a name is looked up as Keras's metrics.get.
template <class M>
auto as_metric(const M& m) {
  if constexpr (std::is_convertible_v<const M&, std::string_view>)
    return metrics::get(std::string_view(m));
  else
    return m;
}

// Output K's loss: the one loss, or K-th of per_output(...).
template <std::size_t K, class L>
const auto& loss_of(const L& l) {
  if constexpr (is_per_output<L>)
    return std::get<K>(l.losses);
  else
    return l;
}

// ketl::labels<S>'s S among compile()'s arguments, or void.
template <bool Any, class... Args>
struct labels_or_void {
  using type = void;
};
template <class... Args>
struct labels_or_void<true, Args...> {
  using type = typename ketl::detail::labels_in<Args...>::shape;
};

// A metric's target against the static labels ("acc" resolves later and
// reads y_true as the loss does, so the loss's check covers it).
template <class Y, class Out, class M>
constexpr bool labels_fit_metric() {
  if constexpr (requires { M::target; })
    return target_shape_check<M, Y, Out>::fit;
  else
    return true;
}

template <class Loss, class Out, class M>
constexpr bool metric_target_fits() {
  using R = resolved_t<Loss, Out, M>;
  if constexpr (is_metric_list<R> || is_any_metric<R>)
    return true;  // checked at run time
  else
    return R::metric_type::target == Loss::target;
}

// The step of output K for a loss object: checked at compile time.
template <Network N, std::size_t K, class Labels, class Loss, class... M>
std::unique_ptr<output_step<typename N::value_type>> typed_output_step(const Loss& loss,
                                                                       const M&... metrics) {
  using Out = output_shape_t<N, K>;
  static_assert(expression_fits_output<Loss, Out>());
  static_assert((expression_fits_output<unweighted_t<M>, Out>() && ...));
  if constexpr (requires { Loss::needs_several_classes; })
    static_assert(!(Loss::needs_several_classes && Out::last == 1),
                  "ketl::compile: this loss needs one output unit per class, but the model has a "
                  "one-unit output: use binary_crossentropy for two classes, or "
                  "sparse_categorical_crossentropy with integer labels");
  static_assert((metric_target_fits<Loss, Out, unweighted_t<M>>() && ...),
                "ketl::compile: every metric must read y_true as the loss does (one-hot targets or "
                "integer labels, not both)");
  if constexpr (!std::is_void_v<Labels>) {
    static_assert(target_shape_check<Loss, Labels, Out>::fit);
    static_assert((labels_fit_metric<Labels, Out, unweighted_t<M>>() && ...));
  }
  return make_output_step<typename N::value_type, Out, N::output_ends_in_softmax[K]>(loss,
                                                                                     metrics...);
}

// The step of output K for a loss named at run time: one step type per
// loss type, the checks at run time.
template <Network N, std::size_t K, class Labels, class... M>
std::unique_ptr<output_step<typename N::value_type>> named_output_step(const losses::AnyLoss& loss,
                                                                       const M&... metrics) {
  using Out = output_shape_t<N, K>;
  return std::visit(
      [&](const auto& l) {
        using Loss = std::remove_cvref_t<decltype(l)>;
        if constexpr (requires { Loss::needs_several_classes; })
          if (Loss::needs_several_classes && Out::last == 1)
            throw value_error(
                "ketl: compile: " + std::string(l.name()) +
                " needs one output unit per class, but the model has a one-unit output: use "
                "binary_crossentropy for two classes, or sparse_categorical_crossentropy "
                "with integer labels");
        if constexpr (!std::is_void_v<Labels>) {
          const std::vector<std::size_t> got(Labels::dims.begin(), Labels::dims.end());
          const std::vector<std::size_t> out(Out::dims.begin(), Out::dims.end());
          if (!target_fits<Loss::target>(got, out))
            throw shape_error("ketl: compile: " + std::string(l.name()) +
                              " cannot take y_true of shape " + shape_string(got) +
                              " against y_pred of shape " + shape_string(out));
        }
        return make_output_step<typename N::value_type, Out, N::output_ends_in_softmax[K]>(
            l, metrics...);
      },
      loss);
}

template <Network N, std::size_t K, class Labels, class Loss, class... M>
std::unique_ptr<output_step<typename N::value_type>> output_step_for(const Loss& loss,
                                                                     const M&... metrics) {
  const auto l = as_loss(loss);
  using L = std::remove_cvref_t<decltype(l)>;
  std::unique_ptr<output_step<typename N::value_type>> step;
  if constexpr (LossFunction<L>)
    step = typed_output_step<N, K, Labels>(l, metrics...);
  else
    step = named_output_step<N, K, Labels>(l, metrics...);
  for (const auto& m : step->metric_targets)
    if (m.second != step->target)
      throw value_error("ketl: compile: metric " + m.first +
                        " reads y_true differently from the loss " + step->loss_name +
                        " (one-hot targets against integer labels)");
  return step;
}

}  // namespace detail

// Keras's metrics_names: "loss", then "<out>_loss" for each output when
// there are several, then each output's metrics ("<out>_<metric>" when
// there are several outputs).
template <class T>
void name_values(compiled_state<T>& c, const std::vector<std::string>& output_names) {
  const std::size_t k_count = c.outputs.size();
  c.names = {"loss"};
  if (k_count > 1)
    for (const auto& o : output_names) c.names.push_back(o + "_loss");
  c.first_value.clear();
  c.values.clear();
  for (std::size_t k = 0; k < k_count; ++k) {
    c.first_value.push_back(c.names.size());
    for (const auto& m : c.outputs[k]->metric_names)
      c.names.push_back(k_count > 1 ? output_names[k] + "_" + m : m);
    c.values.emplace_back(1 + c.outputs[k]->metric_names.size());
  }
}

template <Network Net>
template <class Opt, class Loss, class... Args>
void trainer<Net>::compile(Opt optimizer, const Loss& loss, Args... args) {
  // A model that does not fit together has said why (its shape checks);
  // compiling it would only add errors.
  if constexpr (requires { Net::well_formed; })
    if constexpr (!Net::well_formed) return;
  namespace hana = boost::hana;
  constexpr bool temporal = (std::is_same_v<Args, Temporal> || ...);
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    static_assert(!temporal || ((output_shape_t<Net, K>::rank >= 2) && ...),
                  "ketl::compile: timestep-wise sample weighting (ketl::temporal, Keras's "
                  "sample_weight_mode=\"temporal\") is restricted to outputs that are at least "
                  "3D, (N, T, ...), i.e. that have a time dimension");
  }
  (std::make_index_sequence<output_count>{});
  static_assert((ketl::detail::is_labels<Args> + ... + 0) <= 1,
                "ketl::compile: give ketl::labels<...> at most once");
  static_assert((ketl::detail::is_target_tensors<Args> + ... + 0) <= 1,
                "ketl::compile: give ketl::target_tensors(...) at most once");
  static_assert((ketl::detail::is_loss_weights<Args> + ... + 0) <= 1,
                "ketl::compile: give ketl::loss_weights(...) at most once");
  if constexpr (ketl::detail::is_per_output<Loss>)
    static_assert(std::tuple_size_v<decltype(loss.losses)> == output_count,
                  "ketl::per_output: give one loss per output of the model");
  static_assert(LossFunction<Loss> || std::is_same_v<Loss, losses::AnyLoss> ||
                    std::is_convertible_v<const Loss&, std::string_view> ||
                    ketl::detail::is_per_output<Loss>,
                "ketl::compile: the loss must be a ketl loss (losses::categorical_crossentropy), "
                "its Keras name (\"categorical_crossentropy\"), losses::get(name), or "
                "ketl::per_output(...) with one per output");

  static_assert(!(fixed_batch > 0 && (ketl::detail::is_data_parallel<Args> || ...)),
                "ketl: a model with a fixed batch size (a stateful model) cannot train with "
                "DataParallel: each rank takes a part of every global batch");
  const auto all = hana::make_tuple(args...);
  const auto plain = hana::transform(
      hana::remove_if(
          all, [](auto a) { return hana::bool_c<ketl::detail::is_compile_option<decltype(a)>>; }),
      [](auto m) { return detail::as_metric(m); });
  const auto weighted = hana::flatten(hana::transform(
      hana::filter(
          all, [](auto a) { return hana::bool_c<ketl::detail::is_weighted_metrics<decltype(a)>>; }),
      [](auto wm) {
        return hana::transform(wm.metrics, [](auto m) {
          auto r = detail::as_metric(m);
          return ketl::detail::weighted<decltype(r)>{r};
        });
      }));
  // (weighted_)metrics_for<K>(...): output K's own metrics, after the
  // shared plain (or weighted) ones.
  auto own = [&]<std::size_t K, bool W>(std::integral_constant<std::size_t, K>,
                                        std::bool_constant<W>) {
    const auto mine = hana::filter(all, [](auto a) {
      using A = decltype(a);
      if constexpr (ketl::detail::is_metrics_for<A>)
        return hana::bool_c < A::output == K && A::weighted == W > ;
      else
        return hana::false_c;
    });
    return hana::flatten(hana::transform(mine, [](auto mf) {
      return hana::transform(mf.metrics, [](auto m) {
        auto r = detail::as_metric(m);
        if constexpr (W)
          return ketl::detail::weighted<decltype(r)>{r};
        else
          return r;
      });
    }));
  };
  (
      [&] {
        if constexpr (ketl::detail::is_metrics_for<Args>)
          static_assert(Args::output < output_count,
                        "ketl::metrics_for<K>: K must be one of the model's outputs");
      }(),
      ...);
  std::vector<std::string> metric_config, weighted_config;
  // Only what is a metric has a name; anything else fails below, saying so.
  auto config = [](std::vector<std::string>& to, const auto& m) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(m)>, std::vector<metrics::AnyMetric>>)
      for (const auto& x : m) to.emplace_back(x.name());
    else if constexpr (requires { m.name(); })
      to.emplace_back(m.name());
  };
  hana::for_each(plain, [&](const auto& m) { config(metric_config, m); });
  hana::for_each(weighted, [&](const auto& m) { config(weighted_config, m.metric); });

  using Labels =
      typename detail::labels_or_void<(ketl::detail::is_labels<Args> || ...), Args...>::type;

  auto c = std::make_unique<compiled_state<T>>();
  c->temporal = temporal;
  c->loss_weights.assign(output_count, 1.0);
  c->metric_config = std::move(metric_config);
  c->weighted_metric_config = std::move(weighted_config);
  c->output_metric_config.resize(output_count);
  c->output_weighted_metric_config.resize(output_count);
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (hana::for_each(own(std::integral_constant<std::size_t, K>{}, std::false_type{}),
                    [&](const auto& m) { config(c->output_metric_config[K], m); }),
     ...);
    (hana::for_each(own(std::integral_constant<std::size_t, K>{}, std::true_type{}),
                    [&](const auto& m) { config(c->output_weighted_metric_config[K], m.metric); }),
     ...);
  }
  (std::make_index_sequence<output_count>{});
  (
      [&](const auto& a) {
        using A = std::remove_cvref_t<decltype(a)>;
        if constexpr (ketl::detail::is_loss_weights<A>) {
          static_assert(std::tuple_size_v<decltype(A::w)> == output_count,
                        "ketl::loss_weights: give one weight per output of the model");
          for (std::size_t k = 0; k < output_count; ++k) {
            if (!(a.w[k] >= 0) || !std::isfinite(a.w[k]))
              throw value_error("ketl: compile: loss_weights must be finite and >= 0");
            c->loss_weights[k] = a.w[k];
          }
          c->loss_weights_given = true;
        } else if constexpr (ketl::detail::is_data_parallel<A>) {
          if (!a.group) throw value_error("ketl: compile: DataParallel has no group of ranks");
          c->parallel = a;
          use_ranks(*c);
        } else if constexpr (ketl::detail::is_target_tensors<A>) {
          detail::check_y_ranks<Net, decltype(a.ys)>();
          std::apply([&](const auto&... y) { (c->bound_targets.push_back(xt::xarray<T>(y)), ...); },
                     a.ys);
        }
      }(args),
      ...);
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (hana::unpack(hana::concat(hana::concat(plain, own(std::integral_constant<std::size_t, K>{},
                                                       std::false_type{})),
                               hana::concat(weighted, own(std::integral_constant<std::size_t, K>{},
                                                          std::true_type{}))),
                  [&](const auto&... ms) {
                    c->outputs.push_back(
                        detail::output_step_for<Net, K, Labels>(detail::loss_of<K>(loss), ms...));
                  }),
     ...);
  }
  (std::make_index_sequence<output_count>{});
  name_values(*c, net_.output_names());
  // As Keras, compile() fixes which weights train: a layer frozen (or
  // unfrozen) later takes effect at the next compile().
  net_.refresh_trainable();
  c->optimizer = ketl::detail::optimizer_for<T>(optimizer, net_.trainable_weights());
  if (!c->bound_targets.empty()) {
    // The bound targets against the outputs, before the model changes.
    const Arrays y = bound_arrays(*c);
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (detail::check_target<output_shape_t<Net, K>, T>(
           "compile (target_tensors)", y[K], c->outputs[K]->target, net_.output_names()[K],
           c->outputs[K]->loss_name),
       ...);
    }
    (std::make_index_sequence<output_count>{});
  }
  compiled_ = std::move(c);
}

}  // namespace ketl::engine
