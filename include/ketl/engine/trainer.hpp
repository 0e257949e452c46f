// trainer<Net>: the training engine, Keras's Model on top of a Network.
//
// Every model type is a Network (engine/network.hpp) plus this engine:
// ketl::Sequential is trainer<models::sequential_network<L...>>, and the
// functional ketl::Model is trainer<models::functional_network<...>>. It
// holds what compile() builds (one output_step per output, the optimizer),
// the batch buffers of the data path, and Keras's training API:
//
//   compile                          here
//   the training and test steps      here (train_rows, test_rows)
//   fit, evaluate, predict, *_on_batch   engine/fit_loop.hpp
//   the generator methods            engine/generator_loops.hpp
//   weights and weight files         engine/weight_io.hpp
//
// The path from fit() to a kernel: fit -> fit_arrays (fit_loop.hpp) ->
// train_rows (here) -> Net::forward -> a layer's forward -> detail::gemm.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/concat.hpp>
#include <boost/hana/filter.hpp>
#include <boost/hana/flatten.hpp>
#include <boost/hana/remove_if.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>

#include "ketl/array_ref.hpp"
#include "ketl/callback.hpp"
#include "ketl/compile_options.hpp"
#include "ketl/data_source.hpp"
#include "ketl/detail/finite.hpp"
#include "ketl/detail/xtensor.hpp"
#include "ketl/engine/call_checks.hpp"
#include "ketl/engine/data.hpp"
#include "ketl/engine/keras_weights.hpp"
#include "ketl/engine/network.hpp"
#include "ketl/engine/output_mask.hpp"
#include "ketl/engine/sample_weights.hpp"
#include "ketl/error.hpp"
#include "ketl/fit_options.hpp"
#include "ketl/generator_options.hpp"
#include "ketl/history.hpp"
#include "ketl/optimizers.hpp"

namespace ketl::engine {

template <class T>
struct compiled_state;  // engine/compile.hpp

namespace detail {
template <class N, class Seq>
struct predict_result_of;
template <class N, std::size_t... K>
struct predict_result_of<N, std::index_sequence<K...>> {
  using type = std::conditional_t<
      sizeof...(K) == 1, xt::xtensor<typename N::value_type, output_shape_t<N, 0>::rank + 1>,
      std::tuple<xt::xtensor<typename N::value_type, output_shape_t<N, K>::rank + 1>...>>;
};

// Output K of predict's result (the array itself for one output).
template <std::size_t K, class R>
auto& result_part(R& r) {
  if constexpr (requires { std::tuple_size<R>::value; })
    return std::get<K>(r);
  else
    return r;
}

template <class N, class Seq>
struct input_buffers_of;
template <class N, std::size_t... I>
struct input_buffers_of<N, std::index_sequence<I...>> {
  using type = std::tuple<std::vector<input_value_t<N, I>>...>;
};
}  // namespace detail

template <Network Net>
class trainer {
 public:
  using network_type = Net;
  using value_type = typename Net::value_type;
  using T = value_type;
  static constexpr std::size_t input_count = engine::input_count<Net>;
  static constexpr std::size_t output_count = engine::output_count<Net>;
  // predict's result: an array, or a tuple of them for several outputs.
  template <std::size_t K>
  using output_array = xt::xtensor<T, output_shape_t<Net, K>::rank + 1>;
  using predict_result =
      typename detail::predict_result_of<Net, std::make_index_sequence<output_count>>::type;

  explicit trainer(Net net) : net_(std::move(net)) {}
  // Copies share nothing: the copy has its own weights and buffers and must
  // be compiled again, as a Keras model made by clone_model.
  trainer(const trainer& o) : net_(o.net_), check_numerics_(o.check_numerics_) {}
  trainer& operator=(const trainer& o) {
    if (this != &o) *this = trainer(o);
    return *this;
  }
  trainer(trainer&&) noexcept = default;
  trainer& operator=(trainer&&) noexcept = default;
  ~trainer() = default;

  Net& network() { return net_; }
  const Net& network() const { return net_; }

  // ---- compile ----------------------------------------------------------

  // compile(optimizer, loss, metrics..., options...): builds each output's
  // step for exactly these types, so the hot loop has no per-element
  // dispatch. Keras's other arguments stand among the metrics
  // (compile_options.hpp): ketl::temporal, ketl::weighted_metrics(...),
  // ketl::target_tensors(y...), ketl::loss_weights(...), and
  // ketl::labels<Shape<...>>, the labels' static shape. A failed compile
  // leaves the model as it was.
  template <class Opt, class Loss, class... Args>
  void compile(Opt optimizer, const Loss& loss, Args... args);

  bool compiled() const { return compiled_ != nullptr; }
  // What compile() built, for the model-file writers and readers
  // (io/keras_training.hpp). Throws when not compiled.
  const compiled_state<T>& compilation() const { return state(); }
  compiled_state<T>& compilation() { return const_cast<compiled_state<T>&>(state()); }
  std::string_view optimizer_name() const { return state().optimizer->name(); }
  double learning_rate() const { return state().optimizer->get_lr(); }
  void set_learning_rate(double lr) {
    ketl::detail::check_hyper(state().optimizer->name(), "the learning rate", lr, 0);
    compiled_->optimizer->set_lr(lr);
  }
  std::int64_t iterations() const { return state().optimizer->iterations(); }
  // "loss" first, then each output's loss and metrics, as Keras names them.
  std::vector<std::string> metrics_names() const { return state().names; }

  // check_numerics (on by default): fit, train_on_batch and the generator
  // methods check every input batch for NaN and infinities (fused with the
  // gather that copies a shuffled batch, so it costs one extra read at
  // most), and the outputs' gradients after the loss. Such a batch makes no
  // update and reports a NaN loss, which TerminateOnNaN acts on.
  void set_check_numerics(bool on) { check_numerics_ = on; }
  bool check_numerics() const { return check_numerics_; }

  // ---- fit / evaluate / predict (engine/fit_loop.hpp) --------------------

  template <ArraysLike X, ArraysLike Y>
  History fit(const X& x, const Y& y, const FitOptions<T>& o = {}) {
    detail::check_x_ranks<Net, X>();
    detail::check_y_ranks<Net, Y>();
    refuse_y_if_bound("fit");
    return fit_arrays(Arrays(x), Arrays(y), o);
  }
  // With the targets bound by ketl::target_tensors in compile().
  template <ArraysLike X>
  History fit(const X& x, const FitOptions<T>& o = {}) {
    detail::check_x_ranks<Net, X>();
    return fit_arrays(Arrays(x), bound_targets("fit"), o);
  }

  // Loss and metrics, sample-weighted over the batches, in metrics_names() order.
  template <ArraysLike X, ArraysLike Y>
  std::vector<double> evaluate(const X& x, const Y& y, const EvaluateOptions<T>& o = {}) {
    detail::check_x_ranks<Net, X>();
    detail::check_y_ranks<Net, Y>();
    refuse_y_if_bound("evaluate");
    return evaluate_arrays(Arrays(x), Arrays(y), o);
  }
  template <ArraysLike X>
  std::vector<double> evaluate(const X& x, const EvaluateOptions<T>& o = {}) {
    detail::check_x_ranks<Net, X>();
    return evaluate_arrays(Arrays(x), bound_targets("evaluate"), o);
  }

  // One gradient update on one batch; the loss and metrics of the forward
  // pass that made it (before the update), as Keras's train_on_batch.
  template <ArraysLike X, ArraysLike Y>
  std::vector<double> train_on_batch(const X& x, const Y& y, Arrays sample_weight = {},
                                     const ClassWeight& class_weight = {}) {
    detail::check_x_ranks<Net, X>();
    detail::check_y_ranks<Net, Y>();
    refuse_y_if_bound("train_on_batch");
    return train_batch(Arrays(x), Arrays(y), sample_weight, class_weight, "train_on_batch");
  }
  template <ArraysLike X>
  std::vector<double> train_on_batch(const X& x) {
    detail::check_x_ranks<Net, X>();
    return train_batch(Arrays(x), bound_targets("train_on_batch"), {}, {}, "train_on_batch");
  }

  template <ArraysLike X, ArraysLike Y>
  std::vector<double> test_on_batch(const X& x, const Y& y, Arrays sample_weight = {}) {
    detail::check_x_ranks<Net, X>();
    detail::check_y_ranks<Net, Y>();
    refuse_y_if_bound("test_on_batch");
    return test_batch(Arrays(x), Arrays(y), sample_weight, "test_on_batch");
  }
  template <ArraysLike X>
  std::vector<double> test_on_batch(const X& x) {
    detail::check_x_ranks<Net, X>();
    return test_batch(Arrays(x), bound_targets("test_on_batch"), {}, "test_on_batch");
  }

  // The outputs for x: an array, or a std::tuple of arrays for several
  // outputs (auto [a, b] = model.predict(...)).
  template <ArraysLike X>
  predict_result predict(const X& x, const PredictOptions& o = {}) {
    detail::check_x_ranks<Net, X>();
    return predict_arrays(Arrays(x), o);
  }
  template <ArraysLike X>
  predict_result predict_on_batch(const X& x) {
    const Arrays a(x);
    return predict(
        x, {.batch_size = std::max<std::size_t>(a.empty() ? 1 : a[0].rows(), 1), .verbose = 0});
  }

  // ---- generators (engine/generator_loops.hpp) ---------------------------

  template <class S>
  History fit_generator(S&& source, const FitGeneratorOptions<T>& o = {});
  template <class S>
  std::vector<double> evaluate_generator(S&& source, const EvaluateGeneratorOptions& o = {});
  template <class S>
  predict_result predict_generator(S&& source, const PredictGeneratorOptions& o = {});

  // ---- weights (engine/weight_io.hpp) ------------------------------------

  // Every weight (Keras's model.weights), and those compile() gave the
  // optimizer (Keras's model.trainable_weights once compiled).
  std::span<const WeightRef<T>> weights() const { return net_.weights(); }
  std::span<const WeightRef<T>> trainable_weights() const { return net_.trainable_weights(); }
  std::vector<xt::xarray<T>> get_weights() const;
  void set_weights(const std::vector<xt::xarray<T>>& arrays);
  // The format follows the extension: .h5/.hdf5 is Keras's (with
  // ketl/io/keras_h5.hpp included), anything else NumPy's .npz.
  void save_weights(const std::string& path) const;
  void load_weights(const std::string& path, const load_options& options = {});

  // Keras's model.reset_states(): each stateful layer's next batch starts
  // from zeros; a no-op in a model without one.
  void reset_states() {
    if constexpr (requires { net_.reset_states(); }) net_.reset_states();
  }

  void summary(std::ostream& os = std::cout) const { net_.summary(os); }
  Random& rng() { return net_.rng(); }

 protected:
  Net net_;

 private:
  // Input<d...>::batch<N>'s N: every batch has exactly N rows; 0: any.
  static constexpr std::size_t fixed_batch = engine::fixed_batch_size<Net>();
  // An unset batch_size: the fixed one, else Keras's 32.
  static std::size_t batch_or_default(std::optional<std::size_t> b) {
    return b.value_or(fixed_batch ? fixed_batch : 32);
  }
  // Before a call runs: its batch size and its rows fit the fixed batch.
  static void check_fixed_batch(std::string_view what, std::size_t batch_size, std::size_t n);
  using input_ptrs = std::array<const void*, input_count>;
  using target_ptrs = std::array<const T*, output_count>;

  const compiled_state<T>& state() const {
    if (!compiled_) throw not_compiled_error("ketl: you must compile your model before using it");
    return *compiled_;
  }
  void require_compiled() const { (void)state(); }

  // ---- the steps -----------------------------------------------------------

  // The steps, in engine/train_step.hpp. Per output: a mask the output
  // carries after forward, folded into its row weights and denominator.
  using per_output = std::array<double, output_count>;
  std::array<bool, output_count> fold_masks(std::size_t n, target_ptrs& w, per_output& denom);
  // What output k's loss divides by: its denominator when weighted, else its rows.
  static double divisor(std::size_t k, std::size_t n, const target_ptrs& w, const per_output& d) {
    return w[k] ? d[k] : double(n * output_outers[k]);
  }
  // Each output's fused pass: the loss, the outputs' losses and the
  // metrics into out, and with grads each output's gradient; share scales
  // each output's loss and gradient (data-parallel training).
  void output_passes(std::size_t n, const target_ptrs& y, const target_ptrs& w,
                     const per_output& denom, const std::array<bool, output_count>& masked,
                     bool grads, double* out, const per_output* share = nullptr);
  // Forward, the passes and backward: false when no update is to be made.
  template <class Sync>
  bool forward_backward(const input_ptrs& x, const target_ptrs& y, target_ptrs w, per_output denom,
                        std::size_t n, double* out, bool x_finite, Sync&& sync);
  void train_rows(const input_ptrs& x, const target_ptrs& y, target_ptrs w, per_output denom,
                  std::size_t n, double* out, bool x_finite);
  void test_rows(const input_ptrs& x, const target_ptrs& y, target_ptrs w, per_output denom,
                 std::size_t n, double* out);

  // Per output: its values per sample, its rows per sample, its first axis
  // (the time steps of a masked sequence).
  static constexpr auto output_sizes = engine::per_output<Net>([](auto s) { return s.size; });
  static constexpr auto output_outers = engine::per_output<Net>([](auto s) { return s.outer; });
  static constexpr auto output_firsts = engine::per_output<Net>([](auto s) { return s.dims[0]; });
  static constexpr std::size_t output_size(std::size_t k) { return output_sizes[k]; }

  // ---- the data path (engine/fit_loop.hpp) ---------------------------------

  // The arrays of one fit, evaluate or *_on_batch call, checked, with each
  // output's standardized weights.
  struct dataset {
    Arrays x, y;
    std::array<std::vector<T>, output_count> w;
    std::size_t n = 0;
  };
  dataset standardize(std::string_view what, const Arrays& x, const Arrays& y, const Arrays& sw,
                      const ClassWeight& cw) const;
  std::size_t check_x(std::string_view what, const Arrays& x) const {
    return detail::check_inputs<Net>(what, x, net_.input_names());
  }
  // The rows idx[0, m) of d (or rows first.. when idx is null) in the
  // batch buffers, with their targets, row weights and denominators.
  struct gathered {
    input_ptrs x;
    target_ptrs y, w;
    per_output denom;
    bool finite;
  };
  gathered gather(const dataset& d, const std::size_t* idx, std::size_t first, std::size_t m,
                  bool training);
  // The same, then a training or test step on them.
  void step_on(const dataset& d, const std::size_t* idx, std::size_t first, std::size_t m,
               bool training, double* out);

  History fit_arrays(Arrays x, Arrays y, const FitOptions<T>& o);
  template <bool OnRanks = false>
  History fit_checked(const Arrays& x, const Arrays& y, const FitOptions<T>& o);
  std::vector<double> evaluate_arrays(const Arrays& x, const Arrays& y,
                                      const EvaluateOptions<T>& o);
  template <bool OnRanks = false>
  std::vector<double> evaluate_checked(const Arrays& x, const Arrays& y,
                                       const EvaluateOptions<T>& o);
  std::vector<double> test_loop(const dataset& d, std::size_t batch_size, int verbose,
                                std::size_t steps = 0);
  std::vector<double> train_batch(const Arrays& x, const Arrays& y, const Arrays& sw,
                                  const ClassWeight& cw, std::string_view what);
  std::vector<double> test_batch(const Arrays& x, const Arrays& y, const Arrays& sw,
                                 std::string_view what);
  predict_result predict_arrays(const Arrays& x, const PredictOptions& o);
  void predict_part(const Arrays& x, const PredictOptions& o, std::size_t lo, std::size_t hi,
                    predict_result& out);
  // Runs fn(k, output k's rows) over every batch of x, for predict.
  template <class F>
  void predict_rows(const Arrays& x, std::size_t first, std::size_t m, F&& fn);
  static predict_result make_outputs(std::size_t n);
  void batch_shuffle(std::vector<std::size_t>& index, std::size_t bs);

  // The targets bound by ketl::target_tensors, for the calls that take no y.
  Arrays bound_targets(std::string_view what) const {
    if (!state().bound_targets.empty()) return bound_arrays(*compiled_);
    throw value_error("ketl: " + std::string(what) +
                      ": no y was given, and compile() bound no targets (pass y, or "
                      "ketl::target_tensors(y) to compile())");
  }
  static Arrays bound_arrays(const compiled_state<T>& c) {
    std::vector<ArrayView> v;
    for (const auto& t : c.bound_targets) v.emplace_back(t);
    return Arrays(std::move(v));
  }
  // Keras refuses y for a model whose targets are bound ("expected no data").
  void refuse_y_if_bound(std::string_view what) const {
    if (compiled_ && !compiled_->bound_targets.empty())
      throw value_error("ketl: " + std::string(what) +
                        ": this model's targets were bound by ketl::target_tensors in compile(), "
                        "so it takes no y: call " +
                        std::string(what) + "(x, ...)");
  }

  // ---- data-parallel training (engine/parallel_fit.hpp) -------------------
  // Points c's paths at the data-parallel calls: compile() does, when given
  // a DataParallel, so that only then are they instantiated.
  static void use_ranks(compiled_state<T>& c);
  // f() on every rank of compile()'s DataParallel group: a failure on one
  // rank becomes a distributed_error on every rank.
  template <class F>
  auto on_all_ranks(F&& f);
  History fit_parallel(const dataset& d, const dataset& v, const FitOptions<T>& o, bool validate);
  void broadcast_model();
  // One global step: this rank's rows of it, with `before` and `after`
  // rows held by the ranks before and after it.
  void parallel_step(const dataset& d, const std::size_t* idx, std::size_t first, std::size_t m,
                     std::size_t before, std::size_t after, double* out);
  // The test loop over the ranks' rows (own: each rank's d is its own, as
  // test_on_batch's), every rank getting the values over all of them.
  std::vector<double> test_parallel(const dataset& d, std::size_t batch_size, bool own = false);
  void refer_to_fused(std::span<const WeightRef<T>> trainable);
  std::vector<T> fused_;                  // the gradients' fusion buffer (one allreduce a step)
  std::vector<WeightRef<T>> fused_refs_;  // the trainable weights, gradients in fused_
  std::vector<double> sync_vals_;         // a step's loss and metrics, summed over the ranks
  double last_rows_ = 0;                  // the last parallel step's rows over all ranks

  // ---- generators (engine/generator_loops.hpp) -----------------------------
  class handle;
  struct source_queue;
  History fit_source(ketl::detail::source<T>& src, const FitGeneratorOptions<T>& o);
  template <bool OnRanks = false>
  History fit_source_checked(ketl::detail::source<T>& src, const FitGeneratorOptions<T>& o);
  std::vector<double> evaluate_source_checked(ketl::detail::source<T>& src,
                                              std::optional<std::size_t> steps, std::size_t workers,
                                              std::size_t capacity, int verbose, const char* what);
  std::vector<double> evaluate_source(ketl::detail::source<T>& src,
                                      std::optional<std::size_t> steps, std::size_t workers,
                                      std::size_t capacity, int verbose, const char* what);
  template <class F>
  void for_each_source_batch(ketl::detail::source<T>& src, std::optional<std::size_t> steps,
                             std::size_t workers, std::size_t capacity, int verbose,
                             const char* what, F&& f);

  std::unique_ptr<compiled_state<T>> compiled_;
  bool check_numerics_ = true;
  // The batch buffers: each input's rows in its element type, each output's
  // targets, weights and row weights. They grow once and are reused.
  typename detail::input_buffers_of<Net, std::make_index_sequence<input_count>>::type xbuf_;
  std::array<std::vector<T>, output_count> ybuf_, wbuf_, rowbuf_;
  std::array<masked_weights<T>, output_count> masks_;  // a masked output's row weights
};

}  // namespace ketl::engine

#include "ketl/engine/compile.hpp"
#include "ketl/engine/train_step.hpp"
#include "ketl/engine/fit_loop.hpp"
#include "ketl/engine/generator_loops.hpp"
#include "ketl/engine/weight_io.hpp"
#include "ketl/engine/parallel_fit.hpp"
