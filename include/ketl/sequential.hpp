// Sequential<L...>: a typed pack of layers, Keras's Sequential model.
//
// The first entry is Input<d...>. Each later layer's input shape is the
// previous layer's output shape, computed and checked at compile time
// (detail/shape_chain.hpp). Layers own their weights; the model owns every
// batch buffer (activations, gradients, scratch), sized once for the largest
// batch it has seen, so a training step allocates nothing after the first.
#pragma once

#include <algorithm>
#include <cmath>
#include <array>
#include <cstddef>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/hana/concat.hpp>
#include <boost/hana/drop_back.hpp>
#include <boost/hana/filter.hpp>
#include <boost/hana/flatten.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/remove_if.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>

#include "ketl/detail/layer_names.hpp"
#include "ketl/detail/shape_chain.hpp"
#include "ketl/detail/softmax_crossentropy.hpp"
#include "ketl/detail/xtensor.hpp"
#include "ketl/error.hpp"
#include "ketl/array_ref.hpp"
#include "ketl/callback.hpp"
#include "ketl/compile_options.hpp"
#include "ketl/data_source.hpp"
#include "ketl/detail/batch_queue.hpp"
#include "ketl/detail/finite.hpp"
#include "ketl/fit_options.hpp"
#include "ketl/generator_options.hpp"
#include "ketl/history.hpp"
#include "ketl/io/npz.hpp"
#include "ketl/layer.hpp"
#include "ketl/loss.hpp"
#include "ketl/losses/binary_crossentropy.hpp"
#include "ketl/losses/categorical_crossentropy.hpp"
#include "ketl/metrics/accuracy.hpp"
#include "ketl/names.hpp"
#include "ketl/optimizers.hpp"
#include "ketl/progbar.hpp"
#include "ketl/random.hpp"
#include "ketl/target_shape.hpp"

// The compile error for a source whose items are of the wrong type.
#define KETL_SOURCE_MESSAGE(call)                                                       \
  "ketl::" call                                                                         \
  ": the source must be a Sequence (size() and operator[](i)) or a generator "          \
  "(a callable, or an input range) whose items are (x, y) or (x, y, sample_weight): a " \
  "std::tuple or std::pair of xt::xtensor of the model's element type"

namespace ketl {

namespace detail {
struct keep_weights_t {};

template <std::size_t... I, class F>
constexpr void for_each_index(std::index_sequence<I...>, F&& f) {
  (f(std::integral_constant<std::size_t, I>{}), ...);
}

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

// Keras 2.2.4's rule for "acc" and "ce": binary for a one-unit output or a
// binary loss, sparse for a sparse loss, categorical otherwise.
template <class Loss, class Out, class M>
auto resolve_metric(const M& m) {
  constexpr bool binary = Out::last == 1 || std::is_same_v<Loss, losses::BinaryCrossentropy>;
  constexpr bool sparse = Loss::target == Target::sparse_labels;
  if constexpr (is_weighted<M>) {
    // One of weighted_metrics: resolved as a plain metric, named "weighted_<name>".
    auto r = resolve_metric<Loss, Out>(m.metric);
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
}  // namespace detail

template <Layer... L>
class Sequential {
  using start_shape = typename detail::start_shape<L...>::type;
  static_assert(!std::is_same_v<start_shape, detail::invalid_shape>,
                "ketl::Sequential: the first layer must be ketl::Input<d...>, which sets the "
                "model's input shape");
  using outputs = typename detail::chain<0, start_shape, L...>::outputs;

  template <Layer...>
  friend class Sequential;

 public:
  using value_type = typename detail::common_value_type<layer_value_type_t<L>...>::type;
  using T = value_type;
  static constexpr std::size_t depth = sizeof...(L);  // Input included
  static constexpr bool well_formed =
      !std::is_same_v<typename detail::at<depth - 1, outputs>::type, detail::invalid_shape>;

  // The output shape of layer I (layer 0 is the Input) and the shape it takes.
  template <std::size_t I>
  using output_shape_of = typename detail::at<I, outputs>::type;
  template <std::size_t I>
  using input_shape_of = output_shape_of<(I == 0 ? 0 : I - 1)>;
  using input_shape = output_shape_of<0>;
  using output_shape = output_shape_of<depth - 1>;

  template <std::size_t I>
  using layer_type = std::tuple_element_t<I, std::tuple<L...>>;

 private:
  static constexpr std::array<std::size_t, depth> param_counts() {
    if constexpr (!well_formed) {
      return {};
    } else {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::size_t, depth>{
            layer_type<I>::template param_count<input_shape_of<I>>...};
      }
      (std::make_index_sequence<depth>{});
    }
  }
  static constexpr std::array<std::size_t, depth> out_sizes() {
    if constexpr (!well_formed) {
      return {};
    } else {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::size_t, depth>{output_shape_of<I>::size...};
      }
      (std::make_index_sequence<depth>{});
    }
  }
  static constexpr std::array<std::size_t, depth> scratch_sizes() {
    if constexpr (!well_formed) {
      return {};
    } else {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::size_t, depth>{
            layer_type<I>::template scratch_per_sample<input_shape_of<I>>...};
      }
      (std::make_index_sequence<depth>{});
    }
  }

 public:
  // Parameter counts, as summary() prints them, known at compile time.
  static constexpr std::array<std::size_t, depth> layer_param_counts = param_counts();
  static constexpr std::size_t param_count =
      std::accumulate(layer_param_counts.begin(), layer_param_counts.end(), std::size_t{0});
  static constexpr std::size_t trainable_param_count = param_count;
  static constexpr std::size_t non_trainable_param_count = 0;

  explicit Sequential(L... layers)
      : layers_(std::move(layers)...), rng_(detail::next_model_seed()) {
    build_from(0);
  }

  // Copies share nothing: the copy has its own weights and buffers and must
  // be compiled again, as a Keras model made by clone_model.
  Sequential(const Sequential& o) : layers_(o.layers_), rng_(o.rng_) { collect_weights(); }
  Sequential& operator=(const Sequential& o) {
    if (this != &o) *this = Sequential(o);
    return *this;
  }
  Sequential(Sequential&&) noexcept = default;
  Sequential& operator=(Sequential&&) noexcept = default;
  ~Sequential() = default;

  // model.add(layer): a new model type with one more layer. The existing
  // layers keep their weights; the new one is built for its input shape.
  template <Layer N>
  Sequential<L..., N> add(N layer) const {
    return boost::hana::unpack(layers_, [&](const auto&... ls) {
      return Sequential<L..., N>(detail::keep_weights_t{}, rng_, depth, ls..., std::move(layer));
    });
  }

  // model.pop(): a new model type without the last layer.
  auto pop() const {
    if constexpr (depth > 1) {
      return boost::hana::unpack(boost::hana::drop_back(layers_), [&](const auto&... ls) {
        return Sequential<std::remove_cvref_t<decltype(ls)>...>(detail::keep_weights_t{}, rng_,
                                                                depth - 1, ls...);
      });
    } else {
      static_assert(depth > 1, "ketl::Sequential::pop: there is no layer to pop, only the Input");
      return *this;
    }
  }

  template <std::size_t I>
  auto& layer() {
    return boost::hana::at_c<I>(layers_);
  }
  template <std::size_t I>
  const auto& layer() const {
    return boost::hana::at_c<I>(layers_);
  }

  // Keras's automatic name of layer I (1-based classes: dense_1, dense_2, ...).
  std::string layer_name(std::size_t i) const { return names()[i]; }

  std::span<const WeightRef<T>> weights() const { return weights_; }
  Random& rng() { return rng_; }

  // ---- compile ----------------------------------------------------------

  // compile(optimizer, loss, metrics..., options...): builds the training
  // step for exactly these types, so the hot loop has no per-element
  // dispatch. The loss is a loss object or one named at run time
  // (ketl::losses::get("mse")); the step is built for its exact type either
  // way, and the checks below then run at run time.
  //
  // Keras's other arguments stand among the metrics (compile_options.hpp):
  // ketl::temporal, ketl::weighted_metrics(...), ketl::target_tensors(y),
  // and ketl::labels<Shape<...>>, the labels' static shape, checked here
  // against the loss, every metric and the output.
  template <class Opt, class Loss, class... Args>
  requires(LossFunction<Loss> ||
           std::is_same_v<Loss, losses::AnyLoss>) void compile(Opt optimizer, const Loss& loss,
                                                               Args... args) {
    static_assert(well_formed, "ketl::Sequential::compile: the layer pack does not fit together");
    namespace hana = boost::hana;
    constexpr bool temporal = (std::is_same_v<Args, Temporal> || ...);
    static_assert(!temporal || output_shape::rank >= 2,
                  "ketl::compile: timestep-wise sample weighting (ketl::temporal, Keras's "
                  "sample_weight_mode=\"temporal\") is restricted to outputs that are at least 3D, "
                  "(N, T, ...), i.e. that have a time dimension");
    static_assert((detail::is_labels<Args> + ... + 0) <= 1,
                  "ketl::compile: give ketl::labels<...> at most once");
    static_assert((detail::is_target_tensors<Args> + ... + 0) <= 1,
                  "ketl::compile: give ketl::target_tensors(...) at most once");
    const auto all = hana::make_tuple(args...);
    const auto plain = hana::remove_if(
        all, [](auto a) { return hana::bool_c<detail::is_compile_option<decltype(a)>>; });
    const auto weighted = hana::flatten(hana::transform(
        hana::filter(all,
                     [](auto a) { return hana::bool_c<detail::is_weighted_metrics<decltype(a)>>; }),
        [](auto wm) {
          return hana::transform(wm.metrics,
                                 [](auto m) { return detail::weighted<decltype(m)>{m}; });
        }));
    const auto metrics = hana::concat(plain, weighted);

    compile_config cfg;
    cfg.temporal = temporal;
    (
        [&](const auto& a) {
          using A = std::remove_cvref_t<decltype(a)>;
          if constexpr (detail::is_target_tensors<A>) {
            static_assert(std::is_same_v<typename decltype(a.y)::value_type, T>,
                          "ketl::target_tensors: the targets must have the model's element type");
            static_assert_ranks<input_shape::rank + 1, A::rank>();
            cfg.targets = a.y;
          }
        }(args),
        ...);

    if constexpr ((detail::is_labels<Args> || ...)) {
      using Y = typename detail::labels_in<Args...>::shape;
      if constexpr (LossFunction<Loss>) {
        static_assert(target_shape_check<Loss, Y, output_shape>::fit);
        hana::unpack(metrics, [](auto... ms) {
          static_assert((labels_fit_metric<Y, detail::unweighted_t<decltype(ms)>>() && ...));
        });
      } else {
        const std::vector<std::size_t> got(Y::dims.begin(), Y::dims.end());
        const std::vector<std::size_t> out(output_shape::dims.begin(), output_shape::dims.end());
        std::visit(
            [&](const auto& l) {
              if (!detail::target_fits<std::remove_cvref_t<decltype(l)>::target>(got, out))
                throw shape_error("ketl: compile: " + std::string(l.name()) +
                                  " cannot take y_true of shape " + shape_string(got) +
                                  " against y_pred of shape " + shape_string(out));
            },
            loss);
      }
    }
    hana::unpack(metrics, [&](const auto&... ms) {
      if constexpr (LossFunction<Loss>)
        compile_typed(std::move(optimizer), loss, std::move(cfg), ms...);
      else
        compile_named(std::move(optimizer), loss, std::move(cfg), ms...);
    });
  }

 private:
  // What compile()'s options leave for fit and evaluate.
  struct compile_config {
    bool temporal = false;
    std::optional<xt::xarray<T>> targets = std::nullopt;
  };

  template <class Opt, class Loss, class... M>
  void compile_typed(Opt optimizer, const Loss& loss, compile_config cfg, const M&... metrics) {
    static_assert(detail::expression_fits_output<Loss, output_shape>());
    static_assert((detail::expression_fits_output<detail::unweighted_t<M>, output_shape>() && ...));
    if constexpr (requires { Loss::needs_several_classes; })
      static_assert(!(Loss::needs_several_classes && output_shape::last == 1),
                    "ketl::compile: this loss needs one output unit per class, but the model has a "
                    "one-unit output: use binary_crossentropy for two classes, or "
                    "sparse_categorical_crossentropy with integer labels");
    static_assert(
        (metric_target_fits<Loss, detail::unweighted_t<M>>() && ...),
        "ketl::compile: every metric must read y_true as the loss does (one-hot targets or "
        "integer labels, not both)");
    compile_checked(std::move(optimizer), loss, std::move(cfg), metrics...);
  }

  // A metric's target against the static labels ("acc" resolves later and
  // reads y_true as the loss does, so the loss's check covers it).
  template <class Y, class M>
  static constexpr bool labels_fit_metric() {
    if constexpr (requires { M::target; })
      return target_shape_check<M, Y, output_shape>::fit;
    else
      return true;
  }

  template <class Opt, class... M>
  void compile_named(Opt optimizer, const losses::AnyLoss& loss, compile_config cfg,
                     const M&... metrics) {
    std::visit(
        [&](const auto& l) {
          using Loss = std::remove_cvref_t<decltype(l)>;
          if constexpr (requires { Loss::needs_several_classes; })
            if (Loss::needs_several_classes && output_shape::last == 1)
              throw value_error(
                  "ketl: compile: " + std::string(l.name()) +
                  " needs one output unit per class, but the model has a one-unit output: use "
                  "binary_crossentropy for two classes, or sparse_categorical_crossentropy "
                  "with integer labels");
          compile_checked(optimizer, l, std::move(cfg), metrics...);
        },
        loss);
  }

 public:
  bool compiled() const { return step_ != nullptr; }

  // The compiled optimizer: its Keras name, and its learning rate, which
  // callbacks (LearningRateScheduler, ReduceLROnPlateau) read and set.
  std::string_view optimizer_name() const {
    require_compiled();
    return optimizer_->name();
  }
  double learning_rate() const {
    require_compiled();
    return optimizer_->get_lr();
  }
  void set_learning_rate(double lr) {
    require_compiled();
    detail::check_hyper(optimizer_->name(), "the learning rate", lr, 0);
    optimizer_->set_lr(lr);
  }
  std::int64_t iterations() const {
    require_compiled();
    return optimizer_->iterations();
  }

  // check_numerics (on by default): fit, train_on_batch and the generator
  // methods check every input batch for NaN and infinities (fused with the
  // gather that copies a shuffled batch, so it costs one extra read at
  // most), and the output's gradient after the loss. Such a batch makes no
  // update and reports a NaN loss, which TerminateOnNaN acts on.
  void set_check_numerics(bool on) { check_numerics_ = on; }
  bool check_numerics() const { return check_numerics_; }

  // "loss" first, then the metrics in the order given to compile().
  std::vector<std::string> metrics_names() const {
    require_compiled();
    return step_->names;
  }

  // ---- fit / evaluate / predict -----------------------------------------

  template <std::size_t RX, std::size_t RY>
  History fit(const xt::xtensor<T, RX>& x, const xt::xtensor<T, RY>& y,
              const FitOptions<T>& o = {}) {
    static_assert_ranks<RX, RY>();
    refuse_y_if_bound("fit");
    return fit_arrays(ArrayRef<T>(x), ArrayRef<T>(y), o);
  }
  // With the targets bound by ketl::target_tensors(y) in compile().
  template <std::size_t RX>
  History fit(const xt::xtensor<T, RX>& x, const FitOptions<T>& o = {}) {
    static_assert_ranks<RX, output_shape::rank + 1>();
    return fit_arrays(ArrayRef<T>(x), bound_targets("fit"), o);
  }

  // Loss and metrics, sample-weighted over the batches, in metrics_names() order.
  template <std::size_t RX, std::size_t RY>
  std::vector<double> evaluate(const xt::xtensor<T, RX>& x, const xt::xtensor<T, RY>& y,
                               const EvaluateOptions<T>& o = {}) {
    static_assert_ranks<RX, RY>();
    refuse_y_if_bound("evaluate");
    return evaluate_arrays(ArrayRef<T>(x), ArrayRef<T>(y), o);
  }
  template <std::size_t RX>
  std::vector<double> evaluate(const xt::xtensor<T, RX>& x, const EvaluateOptions<T>& o = {}) {
    static_assert_ranks<RX, output_shape::rank + 1>();
    return evaluate_arrays(ArrayRef<T>(x), bound_targets("evaluate"), o);
  }

  // One gradient update on one batch; the loss and metrics of the forward
  // pass that made it (before the update), as Keras's train_on_batch.
  template <std::size_t RX, std::size_t RY>
  std::vector<double> train_on_batch(const xt::xtensor<T, RX>& x, const xt::xtensor<T, RY>& y,
                                     ArrayRef<T> sample_weight = {},
                                     const std::map<int, double>& class_weight = {}) {
    static_assert_ranks<RX, RY>();
    refuse_y_if_bound("train_on_batch");
    return train_batch(ArrayRef<T>(x), ArrayRef<T>(y), sample_weight, class_weight);
  }
  // With the targets bound by ketl::target_tensors(y) in compile().
  template <std::size_t RX>
  std::vector<double> train_on_batch(const xt::xtensor<T, RX>& x) {
    static_assert_ranks<RX, output_shape::rank + 1>();
    return train_batch(ArrayRef<T>(x), bound_targets("train_on_batch"), {}, {});
  }

  template <std::size_t RX, std::size_t RY>
  std::vector<double> test_on_batch(const xt::xtensor<T, RX>& x, const xt::xtensor<T, RY>& y,
                                    ArrayRef<T> sample_weight = {}) {
    static_assert_ranks<RX, RY>();
    refuse_y_if_bound("test_on_batch");
    return test_batch(ArrayRef<T>(x), ArrayRef<T>(y), sample_weight);
  }
  template <std::size_t RX>
  std::vector<double> test_on_batch(const xt::xtensor<T, RX>& x) {
    static_assert_ranks<RX, output_shape::rank + 1>();
    return test_batch(ArrayRef<T>(x), bound_targets("test_on_batch"), {});
  }

 private:
  std::vector<double> evaluate_arrays(const ArrayRef<T>& xr, const ArrayRef<T>& yr,
                                      const EvaluateOptions<T>& o) {
    require_compiled();
    const std::size_t n = check_arrays("evaluate", xr, yr);
    if (o.steps && o.batch_size)
      throw value_error("If steps is set, the `batch_size` must be None.");
    if (o.steps == std::size_t{0}) throw value_error("ketl: evaluate: steps must be positive");
    if (o.batch_size == std::size_t{0})
      throw value_error("ketl: evaluate: batch_size must be positive");
    if (o.verbose < 0 || o.verbose > 2)
      throw value_error("ketl: evaluate: verbose must be 0, 1 or 2");
    const auto w = sample_weights(n, yr, o.sample_weight, {});
    return test_loop(xr, yr, w, n, o.batch_size.value_or(32), o.verbose, o.steps.value_or(0));
  }

  std::vector<double> train_batch(const ArrayRef<T>& xr, const ArrayRef<T>& yr,
                                  const ArrayRef<T>& sample_weight,
                                  const std::map<int, double>& class_weight) {
    require_compiled();
    const std::size_t n = check_arrays("train_on_batch", xr, yr);
    const auto w = sample_weights(n, yr, sample_weight, class_weight);
    reserve(n);
    std::vector<double> out(step_->names.size());
    const bool finite = !check_numerics_ || detail::all_finite(xr.data, n * input_shape::size);
    train_rows(xr.data, yr.data, w.empty() ? nullptr : w.data(), n, out.data(), finite);
    return out;
  }

  std::vector<double> test_batch(const ArrayRef<T>& xr, const ArrayRef<T>& yr,
                                 const ArrayRef<T>& sample_weight) {
    require_compiled();
    const std::size_t n = check_arrays("test_on_batch", xr, yr);
    const auto w = sample_weights(n, yr, sample_weight, {});
    reserve(n);
    std::vector<double> out(step_->names.size());
    test_rows(xr.data, yr.data, w.empty() ? nullptr : w.data(), n, out.data());
    return out;
  }

  // The targets bound by ketl::target_tensors, for the calls that take no y.
  ArrayRef<T> bound_targets(std::string_view what) const {
    require_compiled();
    if (!bound_y_)
      throw value_error("ketl: " + std::string(what) +
                        ": no y was given, and compile() bound no targets (pass y, or "
                        "ketl::target_tensors(y) to compile())");
    return ArrayRef<T>(*bound_y_);
  }
  // Keras refuses y for a model whose targets are bound ("expected no data").
  void refuse_y_if_bound(std::string_view what) const {
    if (bound_y_)
      throw value_error("ketl: " + std::string(what) +
                        ": this model's targets were bound by ketl::target_tensors in compile(), "
                        "so it takes no y: call " +
                        std::string(what) + "(x, ...)");
  }

 public:
  template <std::size_t RX>
  xt::xtensor<T, output_shape::rank + 1> predict_on_batch(const xt::xtensor<T, RX>& x) {
    return predict(x, {.batch_size = std::max<std::size_t>(x.shape()[0], 1), .verbose = 0});
  }

  template <std::size_t RX>
  xt::xtensor<T, output_shape::rank + 1> predict(const xt::xtensor<T, RX>& x,
                                                 const PredictOptions& o = {}) {
    static_assert(well_formed, "ketl::Sequential::predict: the layer pack does not fit together");
    const std::size_t n = check_x("predict", ArrayRef<T>(x));
    if (o.batch_size == 0) throw value_error("ketl: predict: batch_size must be positive");
    std::array<std::size_t, output_shape::rank + 1> shape{};
    shape[0] = n;
    std::copy(output_shape::dims.begin(), output_shape::dims.end(), shape.begin() + 1);
    xt::xtensor<T, output_shape::rank + 1> out(shape);
    if (n == 0) return out;
    const std::size_t bs = std::min(o.batch_size, n);
    reserve(bs);
    std::unique_ptr<Progbar> bar;
    if (o.verbose)
      bar = std::make_unique<Progbar>(static_cast<long>(n), Progbar::Options{.verbose = o.verbose});
    for (std::size_t start = 0; start < n; start += bs) {
      const std::size_t m = std::min(bs, n - start);
      const T* y = forward(x.data() + start * input_shape::size, m, false);
      std::copy(y, y + m * output_shape::size, out.data() + start * output_shape::size);
      if (bar) bar->update(static_cast<long>(start + m));
    }
    return out;
  }

  // Keras's Sequential.predict_proba: predict (Keras warns when the outputs
  // fall outside [0, 1]; ketl leaves that to the caller).
  template <std::size_t RX>
  xt::xtensor<T, output_shape::rank + 1> predict_proba(const xt::xtensor<T, RX>& x,
                                                       const PredictOptions& o = {}) {
    return predict(x, o);
  }

  // Keras's predict_classes: argmax over the last axis, or for a one-unit
  // output (p > 0.5), which keeps the (N, 1) shape as Keras's does.
  template <std::size_t RX>
  auto predict_classes(const xt::xtensor<T, RX>& x, const PredictOptions& o = {}) {
    const auto p = predict(x, o);
    if constexpr (output_shape::last == 1) {
      xt::xtensor<int, output_shape::rank + 1> out(p.shape());
      for (std::size_t i = 0; i < p.size(); ++i) out.data()[i] = p.data()[i] > T(0.5) ? 1 : 0;
      return out;
    } else {
      std::array<std::size_t, output_shape::rank> shape{};
      std::copy(p.shape().begin(), p.shape().end() - 1, shape.begin());
      xt::xtensor<int, output_shape::rank> out(shape);
      constexpr std::size_t C = output_shape::last;
      for (std::size_t r = 0; r < out.size(); ++r) {
        const T* row = p.data() + r * C;
        out.data()[r] = static_cast<int>(std::max_element(row, row + C) - row);
      }
      return out;
    }
  }

  // ---- generators -------------------------------------------------------

  // Keras's fit_generator: the source is a Sequence or a generator whose
  // items are (x, y) or (x, y, sample_weight) (data_source.hpp); workers
  // threads fill a queue of at most max_queue_size batches while the model
  // trains. An lvalue source is borrowed, a temporary moved in.
  template <class S>
  History fit_generator(S&& source, const FitGeneratorOptions<T>& o = {}) {
    if constexpr (!TrainingSource<std::remove_cvref_t<S>, T>) {
      static_assert(TrainingSource<std::remove_cvref_t<S>, T>,
                    KETL_SOURCE_MESSAGE("fit_generator"));
      return {};
    } else {
      auto src = detail::make_source<T>(std::forward<S>(source));
      return fit_source(*src, o);
    }
  }

  // Keras's evaluate_generator: loss and metrics in metrics_names() order,
  // the batches' values weighted by their sizes.
  template <class S>
  std::vector<double> evaluate_generator(S&& source, const EvaluateGeneratorOptions& o = {}) {
    if constexpr (!TrainingSource<std::remove_cvref_t<S>, T>) {
      static_assert(TrainingSource<std::remove_cvref_t<S>, T>,
                    KETL_SOURCE_MESSAGE("evaluate_generator"));
      return {};
    } else {
      auto src = detail::make_source<T>(std::forward<S>(source));
      return evaluate_source(*src, o.steps, o.workers, o.max_queue_size, o.verbose,
                             "evaluate_generator");
    }
  }

  // Keras's predict_generator: the outputs of `steps` batches, concatenated.
  // Items may be x alone, or carry y (which is not used).
  template <class S>
  xt::xtensor<T, output_shape::rank + 1> predict_generator(S&& source,
                                                           const PredictGeneratorOptions& o = {}) {
    if constexpr (!DataSource<std::remove_cvref_t<S>, T>) {
      static_assert(DataSource<std::remove_cvref_t<S>, T>,
                    KETL_SOURCE_MESSAGE("predict_generator") " (or x alone)");
      return {};
    } else {
      auto src = detail::make_source<T>(std::forward<S>(source));
      return predict_source(*src, o);
    }
  }

  // ---- weights ----------------------------------------------------------

  // Every weight in Keras's order and layout (a Dense kernel is (in, units)).
  std::vector<xt::xarray<T>> get_weights() const {
    std::vector<xt::xarray<T>> out;
    for (const auto& w : weights_) {
      xt::xarray<T> a = xt::xarray<T>::from_shape(w.shape);
      std::copy(w.value.begin(), w.value.end(), a.begin());
      out.push_back(std::move(a));
    }
    return out;
  }

  // Replaces every weight; checks the count and every shape first, so a
  // mismatch changes nothing.
  void set_weights(const std::vector<xt::xarray<T>>& arrays) {
    std::vector<std::vector<std::size_t>> shapes;
    std::vector<std::string> where;
    for (std::size_t i = 0; i < arrays.size(); ++i) {
      shapes.emplace_back(arrays[i].shape().begin(), arrays[i].shape().end());
      where.push_back("array " + std::to_string(i));
    }
    check_weight_shapes(shapes, where);
    for (std::size_t i = 0; i < arrays.size(); ++i)
      std::copy(arrays[i].begin(), arrays[i].end(), weights_[i].value.begin());
  }

  // NumPy's .npz: one array per weight, named "<layer>/kernel" and
  // "<layer>/bias" after Keras's automatic layer names.
  void save_weights(const std::string& path) const {
    std::vector<io::NpzEntry<T>> entries;
    for (std::size_t i = 0; i < weights_.size(); ++i)
      entries.push_back({weight_names_[i], weights_[i].shape, weights_[i].value.data()});
    io::save_npz(path, entries);
  }

  // Reads an .npz written by save_weights (or by numpy.savez with the same
  // names). Every name and shape is checked before any weight changes.
  void load_weights(const std::string& path) {
    const auto arrays = io::load_npz(path);
    std::vector<std::vector<std::size_t>> shapes;
    std::vector<std::string> where;
    for (const auto& name : weight_names_) {
      const auto it = arrays.find(name);
      if (it == arrays.end()) {
        std::string have;
        for (const auto& [k, v] : arrays) have += (have.empty() ? "" : ", ") + k;
        throw value_error("ketl: load_weights: " + path + " has no array " + name +
                          " (it has: " + have + ")");
      }
      shapes.push_back(it->second.shape);
      where.push_back(path + ":" + name);
    }
    if (arrays.size() != weight_names_.size())
      throw value_error("ketl: load_weights: " + path + " holds " + std::to_string(arrays.size()) +
                        " arrays, but the model has " + std::to_string(weight_names_.size()) +
                        " weights");
    check_weight_shapes(shapes, where);
    for (std::size_t i = 0; i < weight_names_.size(); ++i) {
      const auto& v = arrays.at(weight_names_[i]).values;
      std::transform(v.begin(), v.end(), weights_[i].value.begin(), [](double d) { return T(d); });
    }
  }

  // ---- summary ----------------------------------------------------------

  // Keras 2.2.4's print_summary for Sequential models (line_length 65).
  void summary(std::ostream& os = std::cout) const {
    static_assert(well_formed, "ketl::Sequential::summary: the layer pack does not fit together");
    constexpr std::size_t positions[] = {29, 55, 65};
    auto row = [&](const std::string(&fields)[3]) {
      std::string line;
      for (std::size_t i = 0; i < 3; ++i) {
        if (i > 0) line = line.substr(0, line.size() - 1) + ' ';
        line += fields[i];
        line = line.substr(0, positions[i]);
        line += std::string(positions[i] - line.size(), ' ');
      }
      os << line << '\n';
    };
    auto with_commas = [](std::size_t v) {  // Python's '{:,}'
      const std::string digits = std::to_string(v);
      std::string s;
      for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
        s += digits[i];
      }
      return s;
    };
    const auto layer_names = names();
    const std::array<std::string, depth> classes{std::string(L::class_name)...};
    const auto shapes = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<std::string, depth>{shape_string<output_shape_of<I>>(true)...};
    }
    (std::make_index_sequence<depth>{});
    os << std::string(65, '_') << '\n';
    row({"Layer (type)", "Output Shape", "Param #"});
    os << std::string(65, '=') << '\n';
    for (std::size_t i = 1; i < depth; ++i) {
      row({layer_names[i] + " (" + classes[i] + ")", shapes[i],
           std::to_string(layer_param_counts[i])});
      os << std::string(65, i + 1 < depth ? '_' : '=') << '\n';
    }
    if (depth == 1) os << std::string(65, '=') << '\n';
    os << "Total params: " << with_commas(param_count) << '\n';
    os << "Trainable params: " << with_commas(trainable_param_count) << '\n';
    os << "Non-trainable params: " << with_commas(non_trainable_param_count) << '\n';
    os << std::string(65, '_') << '\n';
  }

  // ---- the batch engine, used by the compiled step -----------------------

  // Runs every layer on n samples; returns the output buffer.
  const T* forward(const T* x, std::size_t n, bool training) {
    reserve(n);
    const T* cur = x;
    detail::for_each_index(std::make_index_sequence<depth - 1>{}, [&](auto k) {
      constexpr std::size_t I = decltype(k)::value + 1;
      T* out = act(I);
      Pass<T> pass{training, &rng_, scratch(I)};
      layer<I>().template forward<input_shape_of<I>>(cur, out, n, pass);
      cur = out;
    });
    return cur;
  }

  // dL/d(output) for the last forward pass; the compiled step writes it.
  T* output_grad() { return grad_a_.data(); }

  // Back-propagates output_grad() through every layer, filling weight grads.
  // With grad_before_activation, output_grad() holds dL/dz of the last
  // layer's activation input (the fused softmax + cross-entropy gradient).
  void backward(const T* x, std::size_t n, bool grad_before_activation = false) {
    T* dy = grad_a_.data();
    T* dx = grad_b_.data();
    detail::for_each_index(std::make_index_sequence<depth - 1>{}, [&](auto k) {
      constexpr std::size_t I = depth - 1 - decltype(k)::value;
      const T* in = I == 1 ? x : act(I - 1);
      Pass<T> pass{true, &rng_, scratch(I), grad_before_activation && I == depth - 1};
      layer<I>().template backward<input_shape_of<I>>(in, act(I), dy, I == 1 ? nullptr : dx, n,
                                                      pass);
      std::swap(dy, dx);
    });
  }

 private:
  template <class... Ls>
  Sequential(detail::keep_weights_t, const Random& rng, std::size_t built, Ls&&... layers)
      : layers_(std::forward<Ls>(layers)...), rng_(rng) {
    build_from(built);
  }

  template <class Loss, class M>
  static constexpr bool metric_target_fits() {
    using R = decltype(detail::resolve_metric<Loss, output_shape>(std::declval<const M&>()));
    if constexpr (detail::is_any_metric<R>)
      return true;  // checked at run time
    else
      return R::metric_type::target == Loss::target;
  }

  template <class Opt, class Loss, class... M>
  void compile_checked(Opt optimizer, const Loss& loss, compile_config cfg, const M&... metrics) {
    auto runner = detail::optimizer_for<T>(optimizer, std::span<const WeightRef<T>>(weights_));
    auto step = std::make_unique<
        step_impl<Loss, decltype(detail::resolve_metric<Loss, output_shape>(metrics))...>>(
        loss, detail::resolve_metric<Loss, output_shape>(metrics)...);
    for (const auto& m : step->metric_targets)
      if (m.second != Loss::target)
        throw value_error("ketl: compile: metric " + m.first +
                          " reads y_true differently from the loss " + std::string(loss.name()) +
                          " (one-hot targets against integer labels)");
    if (cfg.targets) check_y("compile (target_tensors)", ArrayRef<T>(*cfg.targets), *step);
    // Only now: a failed compile keeps the model as it was.
    step_ = std::move(step);
    optimizer_ = std::move(runner);
    temporal_ = cfg.temporal;
    bound_y_ = std::move(cfg.targets);
  }

  void build_from(std::size_t first_new) {
    if constexpr (well_formed) {
      detail::for_each_index(std::make_index_sequence<depth>{}, [&](auto k) {
        constexpr std::size_t I = decltype(k)::value;
        if (I >= first_new) layer<I>().template build<input_shape_of<I>>(rng_);
      });
    }
    collect_weights();
  }

  void collect_weights() {
    weights_.clear();
    weight_names_.clear();
    const auto layer_names = names();
    std::size_t i = 0;
    boost::hana::for_each(layers_, [&](auto& l) {
      l.for_each_weight([&](WeightRef<T> w) {
        weight_names_.push_back(layer_names[i] + "/" + std::string(w.name));
        weights_.push_back(std::move(w));
      });
      ++i;
    });
  }

  // Checks that arrays of these shapes can replace the weights; throws otherwise.
  void check_weight_shapes(const std::vector<std::vector<std::size_t>>& shapes,
                           const std::vector<std::string>& where) const {
    if (shapes.size() != weights_.size())
      throw value_error("ketl: the model has " + std::to_string(weights_.size()) +
                        " weights, but " + std::to_string(shapes.size()) + " arrays were given");
    for (std::size_t i = 0; i < shapes.size(); ++i)
      if (shapes[i] != weights_[i].shape)
        throw shape_error("ketl: weight " + weight_names_[i] + " has shape " +
                          shape_string(weights_[i].shape) + ", but " + where[i] + " has shape " +
                          shape_string(shapes[i]));
  }

  std::array<std::string, depth> names() const {
    std::array<std::string, depth> out;
    std::map<std::string, int> counts;
    const std::array<std::string_view, depth> classes{L::class_name...};
    for (std::size_t i = 0; i < depth; ++i) {
      const std::string base = detail::to_snake_case(classes[i]);
      out[i] = base + "_" + std::to_string(++counts[base]);
    }
    return out;
  }

  // Grows the batch buffers to n samples; never shrinks them.
  void reserve(std::size_t n) {
    if (n <= capacity_) return;
    static constexpr auto sizes = out_sizes();
    static constexpr auto scratch_per = scratch_sizes();
    std::size_t total = 0, biggest = 0, scratch_total = 0;
    std::array<std::size_t, depth> act_off{}, scratch_off{};
    for (std::size_t i = 0; i < depth; ++i) {
      act_off[i] = total * n;
      total += sizes[i];
      biggest = std::max(biggest, sizes[i]);
      scratch_off[i] = scratch_total * n;
      scratch_total += scratch_per[i];
    }
    // All or nothing: a failed allocation leaves the buffers as they were.
    detail::as_ketl_error(
        "ketl: the buffers for a batch of " + std::to_string(n) + " samples", [&] {
          std::vector<T> acts(total * n), ga(biggest * n), gb(biggest * n),
              scratch(scratch_total * n), xb(input_shape::size * n), yb(output_shape::size * n);
          acts_.swap(acts), grad_a_.swap(ga), grad_b_.swap(gb);
          scratch_.swap(scratch), xbatch_.swap(xb), ybatch_.swap(yb);
        });
    act_off_ = act_off, scratch_off_ = scratch_off;
    capacity_ = n;
  }
  T* act(std::size_t i) { return acts_.data() + act_off_[i]; }
  T* scratch(std::size_t i) { return scratch_.data() + scratch_off_[i]; }

  void require_compiled() const {
    if (!step_) throw not_compiled_error("ketl: you must compile your model before using it");
  }

  std::string input_name() const { return names()[depth > 1 ? 1 : 0] + "_input"; }

  template <std::size_t RX, std::size_t RY>
  static constexpr void static_assert_ranks() {
    static_assert(RX == input_shape::rank + 1,
                  "ketl: x must have one axis for the samples plus the axes of the model's "
                  "Input shape");
    static_assert(RY == output_shape::rank + 1 || RY == output_shape::rank,
                  "ketl: y must have one axis for the samples plus the axes of the model's output "
                  "shape (or all but the last, for integer labels)");
  }

  // " (in fit's validation_data)" when `what` is the validation data, so
  // that Keras's message says which arrays it was about.
  static std::string where(std::string_view what) {
    return what.find("validation_data") == std::string_view::npos
               ? std::string()
               : " (in " + std::string(what) + ")";
  }

  std::size_t check_x(std::string_view what, const ArrayRef<T>& x) const {
    const std::vector<std::size_t> got(x.shape.begin() + (x.shape.empty() ? 0 : 1), x.shape.end());
    if (x.shape.size() != input_shape::rank + 1 ||
        !std::equal(got.begin(), got.end(), input_shape::dims.begin()))
      throw shape_error("Error when checking input: expected " + input_name() + " to have shape " +
                        shape_string<input_shape>() + " but got array with shape " +
                        shape_string(got) + where(what));
    return x.shape[0];
  }

  // Keras's _standardize_user_data checks, before anything changes.
  std::size_t check_arrays(std::string_view what, const ArrayRef<T>& x,
                           const ArrayRef<T>& y) const {
    const std::size_t n = check_x(what, x);
    check_y(what, y, *step_);
    if (y.shape[0] != n)
      throw shape_error(
          "Input arrays should have the same number of samples as target arrays. Found " +
          std::to_string(n) + " input samples and " + std::to_string(y.shape[0]) +
          " target samples." + where(what));
    if (n == 0) throw value_error("ketl: " + std::string(what) + ": x is empty (0 samples)");
    return n;
  }

  // The targets against the output and the loss compiled in `step`: their
  // shape, and for integer labels, that each is a class of the output.
  template <class Step>
  void check_y(std::string_view what, const ArrayRef<T>& y, const Step& step) const {
    const std::vector<std::size_t> got(y.shape.begin() + (y.shape.empty() ? 0 : 1), y.shape.end());
    const std::vector<std::size_t> out(output_shape::dims.begin(), output_shape::dims.end());
    const bool sparse = step.target == Target::sparse_labels;
    const bool fits =
        sparse ? detail::target_fits<Target::sparse_labels>(got, out)
               : detail::target_fits<Target::same_shape>(got, out) ||
                     (got.empty() && output_shape::size == 1);  // (N,) for (None, 1), as Keras
    if (!fits || y.shape.empty()) {
      std::string msg = "Error when checking target: expected " + names()[depth - 1] +
                        " to have shape " +
                        (sparse ? shape_string(std::vector<std::size_t>(out.begin(), out.end() - 1))
                                : shape_string(out)) +
                        " but got array with shape " + shape_string(got);
      if (!sparse && got.size() + 1 == out.size())
        msg += ". " + step.loss_name +
               " expects targets of the output's shape, such as one-hot rows (see "
               "ketl::utils::to_categorical); for integer class labels, use "
               "sparse_categorical_crossentropy";
      throw shape_error(msg + where(what));
    }
    if (sparse) {
      const T classes = T(output_shape::last);
      for (std::size_t i = 0; i < y.size(); ++i) {
        const T v = y.data[i];
        if (!(v >= T(0) && v < classes && v == std::floor(v)))
          throw value_error("ketl: " + step.loss_name + ": label " + std::to_string(double(v)) +
                            " is not an integer class in [0, " +
                            std::to_string(output_shape::last) + ")" + where(what));
      }
    }
  }

  // Weights per sample: 1, or T (the output's time axis) with ketl::temporal.
  std::size_t weight_width() const {
    if constexpr (output_shape::rank >= 2)
      return temporal_ ? output_shape::dims[0] : 1;
    else
      return 1;
  }

  // Keras's standardize_weights: weight_width() weights per sample from
  // sample_weight and class_weight; empty when neither is given. Where both
  // are, they multiply (Keras 2.3; 2.2 dropped class_weight with a warning).
  std::vector<T> sample_weights(std::size_t n, const ArrayRef<T>& y, const ArrayRef<T>& sw,
                                const std::map<int, double>& class_weight) const {
    std::vector<T> w;
    if (!sw.empty()) {
      const std::size_t ww = weight_width();
      if (temporal_ && sw.shape.size() != 2)
        throw value_error("Found a sample_weight array with shape " + shape_string(sw.shape) +
                          ". In order to use timestep-wise sample weighting, you should pass a "
                          "2D sample_weight array.");
      if (!temporal_ && sw.shape.size() == 2)
        throw value_error(
            "Found a sample_weight array with shape " + shape_string(sw.shape) +
            ". In order to use timestep-wise sample weighting, you should pass a 2D "
            "sample_weight array and specify sample_weight_mode=\"temporal\" in compile() "
            "(in ketl: ketl::temporal among compile()'s arguments).");
      const std::vector<std::size_t> want =
          temporal_ ? std::vector<std::size_t>{n, ww} : std::vector<std::size_t>{n};
      if (sw.shape != want)
        throw value_error("Found a sample_weight array with shape " + shape_string(sw.shape) +
                          " for an input with shape " + shape_string(want) +
                          ". sample_weight cannot be broadcast.");
      w.assign(sw.data, sw.data + n * ww);
      for (T v : w)
        if (!(v >= T(0)) || !std::isfinite(double(v)))
          throw value_error("ketl: sample_weight values must be finite and >= 0");
    }
    if (!class_weight.empty()) {
      // Keras's rule is on y's rank; on the output's here, so that integer
      // labels of a (T, C) output, (N, T), are refused as (N, T, C) would be.
      if (output_shape::rank >= 2)
        throw value_error("class_weight not supported for 3+ dimensional targets.");
      for (const auto& [cls, cw] : class_weight)
        if (!(cw >= 0) || !std::isfinite(cw))
          throw value_error("ketl: class_weight values must be finite and >= 0; class " +
                            std::to_string(cls) + " has " + std::to_string(cw));
      const std::size_t width = y.row_size();
      if (w.empty()) w.assign(n, T(1));
      std::vector<int> missing;
      for (std::size_t i = 0; i < n; ++i) {
        const T* row = y.data + i * width;
        const int cls = width > 1 ? int(std::max_element(row, row + width) - row) : int(row[0]);
        const auto it = class_weight.find(cls);
        if (it == class_weight.end()) {
          if (std::find(missing.begin(), missing.end(), cls) == missing.end())
            missing.push_back(cls);
          continue;
        }
        w[i] *= T(it->second);
      }
      if (!missing.empty()) {
        std::sort(missing.begin(), missing.end());
        std::string list;
        for (int c : missing) list += (list.empty() ? "" : ", ") + std::to_string(c);
        throw value_error("`class_weight` must contain all classes in the data. The classes {" +
                          list + "} exist in the data but not in `class_weight`.");
      }
    }
    return w;
  }

  // One training step on n contiguous samples with optional per-sample
  // weights: Keras 2.2.4's loss, sum(w * l) / count_nonzero(w).
  // w: weight_width() weights per sample, or null. A batch whose x is not
  // all finite (x_finite false) makes no step: its loss and metrics are
  // NaN, as Keras's would be, so TerminateOnNaN sees it.
  void train_rows(const T* x, const T* y, const T* w, std::size_t n, double* out,
                  bool x_finite = true) {
    if (!x_finite) {
      std::fill(out, out + step_->names.size(), std::numeric_limits<double>::quiet_NaN());
      return;
    }
    step_->train(*this, x, y, n, out, row_weights(w, n), nonzero(w, n * weight_width()));
  }
  void test_rows(const T* x, const T* y, const T* w, std::size_t n, double* out) {
    step_->test(*this, x, y, n, out, row_weights(w, n), nonzero(w, n * weight_width()));
  }
  // Each weight spread over the output rows it covers (a sample's, or a
  // time step's), as Keras averages the per-row losses under one weight
  // before weighting them.
  const T* row_weights(const T* w, std::size_t n) {
    if (!w) return nullptr;
    const std::size_t weights = n * weight_width();
    const std::size_t per = output_shape::outer / weight_width();
    if (per == 1) return w;
    row_w_.resize(weights * per);
    for (std::size_t i = 0; i < weights; ++i)
      std::fill_n(row_w_.begin() + std::ptrdiff_t(i * per), per, w[i] / T(per));
    return row_w_.data();
  }
  static double nonzero(const T* w, std::size_t n) {
    if (!w) return double(n);
    return double(std::count_if(w, w + n, [](T v) { return v != T(0); }));
  }

  // Keras's test_loop: batch values weighted by batch size. In steps mode
  // (steps > 0) each step takes the whole arrays, and the values are the
  // mean over steps, as Keras's for data tensors.
  std::vector<double> test_loop(const ArrayRef<T>& x, const ArrayRef<T>& y, const std::vector<T>& w,
                                std::size_t n, std::size_t batch_size, int verbose,
                                std::size_t steps = 0, std::ostream* os = &std::cerr) {
    const std::size_t bs = steps ? n : std::min(batch_size, n);
    const std::size_t batches = steps ? steps : (n + bs - 1) / bs;
    reserve(bs);
    std::vector<double> vals(step_->names.size()), sums(vals.size());
    std::unique_ptr<Progbar> bar;
    if (verbose)
      bar = std::make_unique<Progbar>(static_cast<long>(steps ? steps : n),
                                      Progbar::Options{.verbose = verbose, .out = os});
    const std::size_t xw = x.row_size(), yw = y.row_size(), ww = weight_width();
    for (std::size_t b = 0; b < batches; ++b) {
      const std::size_t start = steps ? 0 : b * bs;
      const std::size_t m = std::min(bs, n - start);
      test_rows(x.data + start * xw, y.data + start * yw,
                w.empty() ? nullptr : w.data() + start * ww, m, vals.data());
      const double size = steps ? 1.0 : double(m);
      for (std::size_t k = 0; k < vals.size(); ++k) sums[k] += vals[k] * size;
      if (bar) bar->update(static_cast<long>(steps ? b + 1 : start + m));
    }
    for (auto& v : sums) v /= double(steps ? steps : n);
    return sums;
  }

  // Keras's BaseLogger, ProgbarLogger and History around one epoch of fit
  // or fit_generator: batch hooks, the batch-size-weighted epoch means, the
  // bar (counting samples or steps), and the epoch's end.
  class epoch_log {
   public:
    epoch_log(const std::vector<std::string>& names, const std::vector<CallbackRef>& callbacks,
              bool batch_hooks, int epoch, int epochs, int verbose, std::size_t target,
              std::ostream& os)
        : names_(names),
          callbacks_(callbacks),
          batch_hooks_(batch_hooks),
          target_(target),
          totals_(names.size()) {
      if (verbose) {
        os << "Epoch " << epoch + 1 << '/' << epochs << '\n';
        bar_ = std::make_unique<Progbar>(static_cast<long>(target),
                                         Progbar::Options{.verbose = verbose, .out = &os});
      }
    }
    // Batch logs are a map: built only for callbacks with batch hooks, so
    // that a plain fit allocates nothing per step here.
    void begin_batch(int index, double size) {
      if (!batch_hooks_) return;
      batch_logs_ = {{"batch", double(index)}, {"size", size}};
      for (const auto& c : callbacks_) c.on_batch_begin(index, batch_logs_);
    }
    // size: the batch's weight in the epoch means; counted: what the bar has
    // counted so far (samples or steps).
    void end_batch(int index, double size, const std::vector<double>& vals, std::size_t counted) {
      weight_ += size;
      for (std::size_t k = 0; k < names_.size(); ++k) {
        totals_[k] += vals[k] * size;
        if (batch_hooks_) batch_logs_[names_[k]] = vals[k];
      }
      if (batch_hooks_)
        for (const auto& c : callbacks_) c.on_batch_end(index, batch_logs_);
      // The last batch's values wait for the epoch's own.
      if (bar_) {
        values_.clear();
        for (std::size_t k = 0; k < names_.size(); ++k) values_.emplace_back(names_[k], vals[k]);
        if (counted < target_) bar_->update(static_cast<long>(counted), values_);
      }
    }
    // epoch_logs already holds the val_ values, if any.
    void end_epoch(int epoch, Logs& epoch_logs, std::size_t counted, History& h) {
      for (std::size_t k = 0; k < names_.size(); ++k) {
        const double v = weight_ > 0 ? totals_[k] / weight_ : 0.0;
        epoch_logs[names_[k]] = v;
        if (bar_) values_.emplace_back(names_[k], v);
      }
      if (bar_) {
        for (const auto& n : names_)
          if (const auto it = epoch_logs.find("val_" + n); it != epoch_logs.end())
            values_.emplace_back(it->first, it->second);
        bar_->update(static_cast<long>(counted), values_);
      }
      for (const auto& c : callbacks_) c.on_epoch_end(epoch, epoch_logs);
      // History is the last callback, so it sees what the others added ("lr").
      h.epoch.push_back(epoch);
      for (const auto& [k, v] : epoch_logs) h.history[k].push_back(v);
    }

   private:
    const std::vector<std::string>& names_;
    const std::vector<CallbackRef>& callbacks_;
    bool batch_hooks_;
    std::size_t target_;
    std::vector<double> totals_;
    double weight_ = 0;
    std::unique_ptr<Progbar> bar_;
    Progbar::Values values_;
    Logs batch_logs_;
  };

  // ---- the generator loops (one instantiation per model, any source) ----

  // How many batches: given, or a Sequence's size(); Keras's message otherwise.
  static std::size_t source_steps(const detail::source<T>& src, std::optional<std::size_t> steps,
                                  const char* name) {
    if (!steps && !src.is_sequence())
      throw value_error(
          std::string("`") + name +
          "=None` is only valid for a generator based on the `keras.utils.Sequence` "
          "class (in ketl: a Sequence, with size() and operator[]). Please specify `" +
          name + "` or use a Sequence.");
    const std::size_t n = steps ? *steps : src.length();
    if (n == 0)
      throw value_error(std::string("ketl: ") + name +
                        (steps ? " must be positive" : ": the Sequence is empty (size() is 0)"));
    return n;
  }

  // The queue over a source: a Sequence's batches in `order` (reshuffled
  // each pass when shuffle is on), or a generator's in call order.
  struct source_queue {
    std::vector<std::size_t> order;
    std::unique_ptr<detail::batch_queue<T>> queue;
    source_queue(detail::source<T>& src, std::size_t workers, std::size_t capacity, bool shuffle,
                 Random& rng) {
      if (capacity == 0) throw value_error("ketl: max_queue_size must be positive");
      const bool seq = src.is_sequence();
      const std::size_t len = seq ? src.length() : 0;
      order.resize(len);
      std::iota(order.begin(), order.end(), std::size_t{0});
      if (shuffle) rng.shuffle(order.begin(), order.end());
      auto produce = [this, &src, seq, len](std::size_t ticket) {
        return src.fetch(seq ? order[ticket % len] : ticket);
      };
      auto between = [this, &src, shuffle, &rng] {
        src.on_epoch_end();
        if (shuffle) rng.shuffle(order.begin(), order.end());
      };
      queue = detail::as_ketl_error(
          "ketl: starting " + std::to_string(workers) + " workers with a queue of " +
              std::to_string(capacity) + " batches",
          [&] {
            return std::make_unique<detail::batch_queue<T>>(
                typename detail::batch_queue<T>::config{
                    .workers = workers, .capacity = capacity, .serial = !seq, .pass_length = len},
                produce, seq ? std::function<void()>(between) : std::function<void()>());
          });
    }
  };

  History fit_source(detail::source<T>& src, const FitGeneratorOptions<T>& o) {
    require_compiled();
    if (o.epochs < 0) throw value_error("ketl: fit_generator: epochs must be >= 0");
    if (o.initial_epoch < 0) throw value_error("ketl: fit_generator: initial_epoch must be >= 0");
    if (o.verbose < 0 || o.verbose > 2)
      throw value_error("ketl: fit_generator: verbose must be 0, 1 or 2");
    const std::size_t steps = source_steps(src, o.steps_per_epoch, "steps_per_epoch");

    // Validation: arrays, checked now; or a source, read on this thread.
    const ValidationData<T>* val_arrays = nullptr;
    detail::source<T>* val_source = nullptr;
    std::size_t val_steps = 0, vn = 0;
    std::vector<T> vw;
    if (o.validation_data) {
      if ((val_arrays = o.validation_data->arrays())) {
        vn = check_arrays("fit_generator's validation_data", val_arrays->x, val_arrays->y);
        vw = sample_weights(vn, val_arrays->y, val_arrays->sample_weight, {});
      } else {
        val_source = o.validation_data->source();
        val_steps = source_steps(*val_source, o.validation_steps, "validation_steps");
      }
    }

    source_queue sq(src, o.workers, o.max_queue_size, o.shuffle, rng_);
    auto& queue = *sq.queue;
    handle model(*this);
    for (const auto& c : o.callbacks) c.set_model(model);
    std::ostream& os = model.out();
    const auto& names = step_->names;
    History h;
    Logs logs;
    const bool batch_hooks = std::any_of(o.callbacks.begin(), o.callbacks.end(),
                                         [](const CallbackRef& c) { return c.has_batch_hooks(); });
    for (const auto& c : o.callbacks) c.on_train_begin(logs);
    std::size_t last_batch_size = 32;
    for (int epoch = o.initial_epoch; epoch < o.epochs && !model.stop_training; ++epoch) {
      Logs epoch_logs;
      for (const auto& c : o.callbacks) c.on_epoch_begin(epoch, epoch_logs);
      // The bar counts steps; BaseLogger weighs batches by their size.
      epoch_log log(names, o.callbacks, batch_hooks, epoch, o.epochs, o.verbose, steps, os);
      std::size_t done = 0;
      bool ran_out = false;
      while (done < steps) {
        auto batch = queue.get();
        if (!batch) {
          os << "ketl: fit_generator: the generator ended after " << done << " of the " << steps
             << " steps of epoch " << epoch + 1
             << "; training stops here. A finite generator must yield steps_per_epoch * epochs "
                "batches ("
             << steps * std::size_t(o.epochs - o.initial_epoch) << " here).\n";
          ran_out = true;
          model.stop_training = true;
          break;
        }
        const int index = static_cast<int>(done);
        const std::size_t m = batch->size();
        if (m == 0)
          throw value_error(
              "ketl: fit_generator: the source gave an empty batch (0 samples) at "
              "step " +
              std::to_string(done) + " of epoch " + std::to_string(epoch + 1));
        log.begin_batch(index, double(m));
        const auto vals = train_batch(batch->x, batch->y, batch->sample_weight, o.class_weight);
        ++done;
        last_batch_size = m;
        log.end_batch(index, double(m), vals, done);
        if (model.stop_training) break;
      }
      if (done == 0) break;  // the source ran out before this epoch began
      if (done == steps && o.validation_data) {
        const auto v = val_arrays
                           ? test_loop(val_arrays->x, val_arrays->y, vw, vn, last_batch_size, 0)
                           : evaluate_source(*val_source, val_steps, 0, 1, 0,
                                             "fit_generator's validation_data");
        for (std::size_t k = 0; k < names.size(); ++k) epoch_logs["val_" + names[k]] = v[k];
      }
      log.end_epoch(epoch, epoch_logs, done, h);
      if (ran_out) break;
    }
    queue.finish();
    for (const auto& c : o.callbacks) c.on_train_end(logs);
    return h;
  }

  // The loop of evaluate_generator and predict_generator: f(batch) on
  // `steps` batches (a Sequence's size() when unset), the bar counting steps.
  template <class F>
  void for_each_source_batch(detail::source<T>& src, std::optional<std::size_t> steps_opt,
                             std::size_t workers, std::size_t capacity, int verbose,
                             const char* what, F&& f) {
    if (verbose < 0 || verbose > 2) throw value_error("ketl: verbose must be 0, 1 or 2");
    const std::size_t steps = source_steps(src, steps_opt, "steps");
    source_queue sq(src, workers, capacity, false, rng_);
    std::unique_ptr<Progbar> bar;
    if (verbose)
      bar =
          std::make_unique<Progbar>(static_cast<long>(steps), Progbar::Options{.verbose = verbose});
    for (std::size_t s = 0; s < steps; ++s) {
      auto batch = sq.queue->get();
      if (!batch)
        throw value_error(std::string("ketl: ") + what + ": the generator ended after " +
                          std::to_string(s) + " of " + std::to_string(steps) + " steps");
      f(*batch);
      if (bar) bar->update(static_cast<long>(s + 1));
    }
    sq.queue->finish();
  }

  std::vector<double> evaluate_source(detail::source<T>& src, std::optional<std::size_t> steps,
                                      std::size_t workers, std::size_t capacity, int verbose,
                                      const char* what) {
    require_compiled();
    std::vector<double> sums(step_->names.size());
    std::size_t seen = 0;
    for_each_source_batch(src, steps, workers, capacity, verbose, what, [&](const Batch<T>& b) {
      if (b.size() == 0)
        throw value_error("ketl: " + std::string(what) +
                          ": the source gave an empty batch (0 samples)");
      const auto vals = test_batch(b.x, b.y, b.sample_weight);
      for (std::size_t k = 0; k < sums.size(); ++k) sums[k] += vals[k] * double(b.size());
      seen += b.size();
    });
    for (auto& v : sums) v /= double(seen);
    return sums;
  }

  xt::xtensor<T, output_shape::rank + 1> predict_source(detail::source<T>& src,
                                                        const PredictGeneratorOptions& o) {
    static_assert(well_formed, "ketl::Sequential::predict_generator: the layer pack does not fit");
    std::vector<T> all;
    std::size_t rows = 0;
    for_each_source_batch(src, o.steps, o.workers, o.max_queue_size, o.verbose, "predict_generator",
                          [&](const Batch<T>& b) {
                            const std::size_t m = check_x("predict_generator", b.x);
                            if (m) {
                              const T* y = forward(b.x.data, m, false);
                              all.insert(all.end(), y, y + m * output_shape::size);
                            }
                            rows += m;
                          });
    std::array<std::size_t, output_shape::rank + 1> shape{};
    shape[0] = rows;
    std::copy(output_shape::dims.begin(), output_shape::dims.end(), shape.begin() + 1);
    xt::xtensor<T, output_shape::rank + 1> out(shape);
    std::copy(all.begin(), all.end(), out.data());
    return out;
  }

  // What callbacks see of this model during fit.
  class handle final : public ModelHandle {
   public:
    explicit handle(Sequential& m) : m_(m) {}
    double learning_rate() const override { return m_.learning_rate(); }
    void set_learning_rate(double lr) override { m_.set_learning_rate(lr); }
    std::vector<std::vector<double>> weight_snapshot() const override {
      std::vector<std::vector<double>> s;
      for (const auto& w : m_.weights_) s.emplace_back(w.value.begin(), w.value.end());
      return s;
    }
    void restore_weights(const std::vector<std::vector<double>>& s) override {
      for (std::size_t i = 0; i < s.size() && i < m_.weights_.size(); ++i)
        std::transform(s[i].begin(), s[i].end(), m_.weights_[i].value.begin(),
                       [](double v) { return T(v); });
    }
    void save_weights(const std::string& path) const override { m_.save_weights(path); }
    std::ostream& out() override { return *out_; }
    void set_output(std::ostream& os) override { out_ = &os; }

   private:
    Sequential& m_;
    std::ostream* out_ = &std::cerr;
  };

  History fit_arrays(ArrayRef<T> x, ArrayRef<T> y, const FitOptions<T>& o) {
    require_compiled();
    std::size_t n = check_arrays("fit", x, y);
    // Steps mode (Keras's for data tensors): each step trains on the whole
    // arrays, steps_per_epoch times an epoch.
    const std::size_t steps = o.steps_per_epoch.value_or(0);
    if (o.steps_per_epoch) {
      if (o.batch_size)
        throw value_error("If steps_per_epoch is set, the `batch_size` must be None.");
      if (steps == 0) throw value_error("ketl: fit: steps_per_epoch must be positive");
    }
    if (o.batch_size == std::size_t{0}) throw value_error("ketl: fit: batch_size must be positive");
    if (o.epochs < 0) throw value_error("ketl: fit: epochs must be >= 0");
    if (o.initial_epoch < 0) throw value_error("ketl: fit: initial_epoch must be >= 0");
    if (o.verbose < 0 || o.verbose > 2) throw value_error("ketl: fit: verbose must be 0, 1 or 2");
    if (!(o.validation_split >= 0.0 && o.validation_split < 1.0))
      throw value_error("ketl: fit: validation_split must be in [0, 1), got " +
                        std::to_string(o.validation_split));
    std::vector<T> w = sample_weights(n, y, o.sample_weight, o.class_weight);

    // Validation: validation_data wins; else the last fraction, before shuffling.
    ArrayRef<T> vx, vy;
    std::vector<T> vw;
    std::size_t vn = 0;
    if (o.validation_data) {
      vx = o.validation_data->x;
      vy = o.validation_data->y;
      vn = check_arrays("fit's validation_data", vx, vy);
      vw = sample_weights(vn, vy, o.validation_data->sample_weight, {});
    } else if (o.validation_split > 0) {
      const auto split_at = static_cast<std::size_t>(double(n) * (1.0 - o.validation_split));
      if (split_at == 0 || split_at == n)
        throw value_error("ketl: fit: validation_split " + std::to_string(o.validation_split) +
                          " leaves " + (split_at == 0 ? "no training" : "no validation") +
                          " samples out of " + std::to_string(n));
      vn = n - split_at;
      vx = x, vy = y;
      vx.data += split_at * x.row_size(), vy.data += split_at * y.row_size();
      vx.shape[0] = vn, vy.shape[0] = vn;
      if (!w.empty()) {
        vw.assign(w.begin() + std::ptrdiff_t(split_at * weight_width()), w.end());
        w.resize(split_at * weight_width());
      }
      n = split_at;
      x.shape[0] = n, y.shape[0] = n;
    }
    const bool validate = vn > 0;
    const std::size_t val_steps = o.validation_steps.value_or(0);
    if (o.validation_steps) {
      if (!o.steps_per_epoch)
        throw value_error(
            "Can only use `validation_steps` when doing step-wise training, i.e. "
            "`steps_per_epoch` must be set.");
      if (val_steps == 0) throw value_error("ketl: fit: validation_steps must be positive");
      if (!validate)
        throw value_error(
            "ketl: fit: validation_steps is set, but there is nothing to validate on: give "
            "validation_data or validation_split");
    } else if (validate && o.steps_per_epoch) {
      throw value_error(
          "Must specify `validation_steps` to perform validation when doing step-wise training.");
    }
    const std::size_t ww = weight_width();

    handle model(*this);
    for (const auto& c : o.callbacks) c.set_model(model);
    std::ostream& os = model.out();
    const auto& names = step_->names;
    const std::size_t batch_size = o.batch_size.value_or(32);
    const std::size_t bs = steps ? n : std::min(batch_size, n);
    const std::size_t batches = steps ? steps : (n + bs - 1) / bs;
    const std::size_t target = steps ? steps : n;  // what the bar and BaseLogger count
    reserve(bs);
    std::vector<double> batch_vals(names.size());
    std::vector<std::size_t> index(n);
    std::iota(index.begin(), index.end(), std::size_t{0});
    std::vector<T> wbatch(w.empty() ? 0 : bs * ww);
    History h;
    Logs logs;
    const bool batch_hooks = std::any_of(o.callbacks.begin(), o.callbacks.end(),
                                         [](const CallbackRef& c) { return c.has_batch_hooks(); });
    for (const auto& c : o.callbacks) c.on_train_begin(logs);
    if (o.verbose && validate)
      os << "Train on " << n << " samples, validate on " << vn << " samples\n";
    for (int epoch = o.initial_epoch; epoch < o.epochs && !model.stop_training; ++epoch) {
      Logs epoch_logs;
      for (const auto& c : o.callbacks) c.on_epoch_begin(epoch, epoch_logs);
      epoch_log log(names, o.callbacks, batch_hooks, epoch, o.epochs, o.verbose, target, os);
      // Steps mode takes the arrays whole: shuffling has no effect, as in Keras.
      if (steps == 0 && o.shuffle.mode == Shuffle::Mode::on) {
        rng_.shuffle(index.begin(), index.end());
      } else if (steps == 0 && o.shuffle.mode == Shuffle::Mode::batch) {
        batch_shuffle(index, bs);
      }
      std::size_t seen = 0;
      bool epoch_done = true;
      for (std::size_t b = 0; b < batches; ++b) {
        const int batch = static_cast<int>(b);
        const std::size_t start = steps ? 0 : b * bs;
        const std::size_t m = std::min(bs, n - start);
        const std::size_t size = steps ? 1 : m;  // Keras's logs["size"]: 1 per step in steps mode
        log.begin_batch(batch, double(size));
        bool finite = true;
        const T* xb = rows(x, index, start, m, xbatch_, check_numerics_ ? &finite : nullptr);
        const T* yb = rows(y, index, start, m, ybatch_);
        const T* wb = nullptr;
        if (!w.empty()) {
          for (std::size_t i = 0; i < m; ++i)
            std::copy_n(w.begin() + std::ptrdiff_t(index[start + i] * ww), ww,
                        wbatch.begin() + std::ptrdiff_t(i * ww));
          wb = wbatch.data();
        }
        train_rows(xb, yb, wb, m, batch_vals.data(), finite);
        seen += size;
        log.end_batch(batch, double(size), batch_vals, seen);
        if (model.stop_training) {
          epoch_done = seen == target;
          break;
        }
      }
      // Keras validates at the end of an epoch's last batch only.
      if (validate && epoch_done) {
        const auto v = test_loop(vx, vy, vw, vn, batch_size, 0, val_steps);
        for (std::size_t k = 0; k < names.size(); ++k) epoch_logs["val_" + names[k]] = v[k];
      }
      log.end_epoch(epoch, epoch_logs, seen, h);
    }
    for (const auto& c : o.callbacks) c.on_train_end(logs);
    return h;
  }

  // Keras's batch_shuffle: whole batches change places; the tail of a
  // last, partial batch stays at the end, unshuffled.
  void batch_shuffle(std::vector<std::size_t>& index, std::size_t bs) {
    const std::size_t batches = index.size() / bs;
    std::vector<std::size_t> order(batches);
    std::iota(order.begin(), order.end(), std::size_t{0});
    rng_.shuffle(order.begin(), order.end());
    std::vector<std::size_t> out;
    out.reserve(index.size());
    for (std::size_t b : order)
      out.insert(out.end(), index.begin() + std::ptrdiff_t(b * bs),
                 index.begin() + std::ptrdiff_t((b + 1) * bs));
    out.insert(out.end(), index.begin() + std::ptrdiff_t(batches * bs), index.end());
    index = std::move(out);
  }

  // The rows index[start, start+m) of a, contiguous: a pointer into a when
  // they already are, else gathered into buf. With finite, also whether
  // every value is finite: checked in the gather's own pass, or in one
  // read-only pass when the rows are used in place.
  static const T* rows(const ArrayRef<T>& a, const std::vector<std::size_t>& index,
                       std::size_t start, std::size_t m, std::vector<T>& buf,
                       bool* finite = nullptr) {
    const std::size_t w = a.row_size();
    if (index[start] + m - 1 < a.rows() && index[start + m - 1] == index[start] + m - 1 &&
        std::is_sorted(index.begin() + static_cast<std::ptrdiff_t>(start),
                       index.begin() + static_cast<std::ptrdiff_t>(start + m))) {
      const T* p = a.data + index[start] * w;
      if (finite) *finite = detail::all_finite(p, m * w);
      return p;
    }
    bool ok = true;
    for (std::size_t i = 0; i < m; ++i) {
      const T* src = a.data + index[start + i] * w;
      if (finite)
        ok &= detail::copy_checked(src, w, buf.data() + i * w);
      else
        std::copy(src, src + w, buf.data() + i * w);
    }
    if (finite) *finite = ok;
    return buf.data();
  }

  // ---- the compiled step ------------------------------------------------

  struct step_base {
    std::vector<std::string> names;
    std::string loss_name;
    Target target = Target::same_shape;
    virtual ~step_base() = default;
    // w: per-row weights (or null), denom: the weighted loss's divisor.
    virtual void train(Sequential& m, const T* x, const T* y, std::size_t n, double* out,
                       const T* w, double denom) = 0;
    virtual void test(Sequential& m, const T* x, const T* y, std::size_t n, double* out, const T* w,
                      double denom) = 0;
  };

  template <class Loss, class... M>
  struct step_impl final : step_base {
    template <class X>
    static auto kernel_for(const X& x) {
      if constexpr (detail::is_weighted<X>)
        return detail::weighted_metric_kernel<decltype(kernel_for(x.metric))>{kernel_for(x.metric)};
      else if constexpr (std::is_same_v<X, metrics::AnyMetric>)
        return x.template make_kernel<T>();
      else
        return detail::make_metric_kernel(x);
    }
    template <class N>
    static auto kernel_of(const N& m) {
      return kernel_for(m.metric);
    }

    decltype(detail::make_loss_kernel(std::declval<const Loss&>())) loss;
    Loss loss_fn;                                    // its options (from_logits, ...)
    std::array<T, output_shape::last> exact_grad{};  // one row's dL/dp, for fused_output_grad
    std::tuple<M...> metric_objects;                 // erased kernels point into these
    std::tuple<decltype(kernel_of(std::declval<const M&>()))...> metrics;
    std::vector<std::pair<std::string, Target>> metric_targets;

    // A metric's reported names: its own, or each of a value set's.
    template <class N>
    void push_names(const N& m) {
      if constexpr (!detail::is_any_metric<N>) {
        const auto& metric = detail::unweighted_metric(m.metric);
        using E = std::remove_cvref_t<decltype(metric.expression())>;
        if constexpr (detail::is_value_set<E>::value) {
          const std::string prefix =
              detail::is_weighted<typename N::metric_type> ? "weighted_" : "";
          for (auto n : metric.expression().names) this->names.push_back(prefix + std::string(n));
          return;
        }
      }
      this->names.push_back(m.name);
    }

    step_impl(const Loss& l, const M&... ms)
        : loss(detail::make_loss_kernel(l)),
          loss_fn(l),
          metric_objects(ms...),
          metrics(std::apply([](const auto&... m) { return std::make_tuple(kernel_of(m)...); },
                             metric_objects)) {
      this->names.push_back("loss");
      (push_names(ms), ...);
      (metric_targets.emplace_back(ms.name, ms.target()), ...);
      this->loss_name = std::string(l.name());
      this->target = Loss::target;
    }

    using row_type = expr::row_ref<T>;

    void outputs(const T* yp, const T* yt, std::size_t n, T* grad, double* out, const T* w,
                 double denom) {
      constexpr std::size_t cols = output_shape::last;
      constexpr std::size_t yt_cols = Loss::target == Target::sparse_labels ? 1 : cols;
      detail::fused_pass(loss, metrics, yt, yp, n * output_shape::outer, cols, yt_cols, grad, out,
                         w, denom);
    }

    void train(Sequential& m, const T* x, const T* y, std::size_t n, double* out, const T* w,
               double denom) override {
      const T* yp = m.forward(x, n, true);
      bool fused = false;
      if constexpr (softmax_crossentropy) fused = !loss_fn.from_logits;
      outputs(yp, y, n, fused ? nullptr : m.output_grad(), out, w, denom);
      // A non-finite loss can only poison the weights: the update is skipped
      // (Keras applies it), so that TerminateOnNaN stops with them intact.
      if (!std::isfinite(out[0])) return;
      if constexpr (softmax_crossentropy)
        if (fused) fused_output_grad(yp, y, n, m.output_grad(), w, denom);
      // A finite loss can still have an infinite gradient (sqrt at 0 in a
      // custom loss): no update either, and the loss is reported as NaN.
      if (m.check_numerics_ && !detail::all_finite(m.output_grad(), n * output_shape::size)) {
        out[0] = std::numeric_limits<double>::quiet_NaN();
        return;
      }
      m.backward(x, n, fused);
      m.optimizer_->step(m.weights_);
    }

    // (sparse_)categorical_crossentropy on a softmax output: dL/dz in closed
    // form (detail/softmax_crossentropy.hpp), the derived gradient only for
    // rows near the clip bounds.
    static constexpr bool softmax_crossentropy =
        detail::ends_in_softmax<layer_type<depth - 1>> &&
        (std::is_same_v<Loss, losses::CategoricalCrossentropy> ||
         std::is_same_v<Loss, losses::SparseCategoricalCrossentropy>);
    void fused_output_grad(const T* yp, const T* y, std::size_t n, T* dz, const T* w,
                           double denom) {
      constexpr std::size_t cols = output_shape::last;
      constexpr bool sparse = Loss::target == Target::sparse_labels;
      constexpr std::size_t yt_cols = sparse ? 1 : cols;
      const std::size_t rows = n * output_shape::outer;
      const double divisor = w ? denom : double(rows);
      const T scale = divisor > 0 ? T(1.0 / divisor) : T(0);
      detail::softmax_crossentropy_grad(
          y, yp, rows, cols, sparse, loss_fn.label_smoothing, scale, w, dz,
          [&](std::size_t r, T s) {
            const row_type row{y + r * yt_cols, yp + r * cols, cols, yt_cols};
            loss.row(row, exact_grad.data(), s);
            detail::softmax_vjp_row(yp + r * cols, exact_grad.data(), cols, dz + r * cols);
          });
    }
    void test(Sequential& m, const T* x, const T* y, std::size_t n, double* out, const T* w,
              double denom) override {
      const T* yp = m.forward(x, n, false);
      outputs(yp, y, n, nullptr, out, w, denom);
    }
  };

  boost::hana::tuple<L...> layers_;
  Random rng_;
  std::vector<WeightRef<T>> weights_;
  std::unique_ptr<step_base> step_;
  std::vector<std::string> weight_names_;  // "dense_1/kernel", ...
  bool temporal_ = false;                  // ketl::temporal: (N, T) sample weights
  bool check_numerics_ = true;
  std::optional<xt::xarray<T>> bound_y_;  // ketl::target_tensors
  std::unique_ptr<detail::optimizer_runner<T>> optimizer_;

  std::size_t capacity_ = 0;
  std::array<std::size_t, depth> act_off_{}, scratch_off_{};
  std::vector<T> acts_, grad_a_, grad_b_, scratch_, xbatch_, ybatch_, row_w_;
};

}  // namespace ketl

#undef KETL_SOURCE_MESSAGE
