// The generator methods (Keras's training_generator.py): fit_generator,
// evaluate_generator and predict_generator over a Sequence or a generator,
// with worker threads filling a queue (detail/batch_queue.hpp). The source
// is erased behind one virtual call per batch, so these loops are compiled
// once per model, whatever the source's type. Members of engine::trainer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <iostream>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "ketl/build_check.hpp"
#include "ketl/detail/batch_queue.hpp"
#include "ketl/engine/epoch_log.hpp"
#include "ketl/engine/rank_sync.hpp"
#include "ketl/engine/trainer.hpp"

// The compile error for a source whose items are of the wrong type.
#define KETL_SOURCE_MESSAGE(call)                                                       \
  "ketl::" call                                                                         \
  ": the source must be a Sequence (size() and operator[](i)) or a generator "          \
  "(a callable, or an input range) whose items are (x, y) or (x, y, sample_weight): a " \
  "std::tuple or std::pair of arrays (std::tuples of arrays for several inputs or outputs)"

namespace ketl::engine {

// What callbacks see of the model during fit.
template <Network Net>
class trainer<Net>::handle final : public ModelHandle {
 public:
  explicit handle(trainer& m) : m_(m) {}
  double learning_rate() const override { return m_.learning_rate(); }
  void set_learning_rate(double lr) override { m_.set_learning_rate(lr); }
  std::vector<std::vector<double>> weight_snapshot() const override {
    std::vector<std::vector<double>> s;
    for (const auto& w : m_.net_.weights()) s.emplace_back(w.value.begin(), w.value.end());
    return s;
  }
  void restore_weights(const std::vector<std::vector<double>>& s) override {
    const auto weights = m_.net_.weights();
    for (std::size_t i = 0; i < s.size() && i < weights.size(); ++i)
      std::transform(s[i].begin(), s[i].end(), weights[i].value.begin(),
                     [](double v) { return T(v); });
  }
  void save_weights(const std::string& path) const override { m_.save_weights(path); }
  std::ostream& out() override { return *out_; }
  void set_output(std::ostream& os) override { out_ = &os; }

 private:
  trainer& m_;
  std::ostream* out_ = &std::cerr;
};

namespace detail {
// How many batches: given, or a Sequence's size(); Keras's message otherwise.
template <class T>
std::size_t source_steps(const ketl::detail::source<T>& src, std::optional<std::size_t> steps,
                         const char* name) {
  if (!steps && !src.is_sequence())
    throw value_error(std::string("`") + name +
                      "=None` is only valid for a generator based on the `keras.utils.Sequence` "
                      "class (in ketl: a Sequence, with size() and operator[]). Please specify `" +
                      name + "` or use a Sequence.");
  const std::size_t n = steps ? *steps : src.length();
  if (n == 0)
    throw value_error(std::string("ketl: ") + name +
                      (steps ? " must be positive" : ": the Sequence is empty (size() is 0)"));
  return n;
}
}  // namespace detail

// The queue over a source: a Sequence's batches in `order` (reshuffled
// each pass when shuffle is on), or a generator's in call order.
template <Network Net>
struct trainer<Net>::source_queue {
  std::vector<std::size_t> order;
  std::unique_ptr<ketl::detail::batch_queue<T>> queue;
  // rank, ranks: data-parallel training reads a Sequence's batches
  // rank, rank + ranks, ... of each (shuffled) pass: its share of them.
  source_queue(ketl::detail::source<T>& src, std::size_t workers, std::size_t capacity,
               bool shuffle, Random& rng, std::size_t rank = 0, std::size_t ranks = 1) {
    if (capacity == 0) throw value_error("ketl: max_queue_size must be positive");
    const bool seq = src.is_sequence();
    const std::size_t all = seq ? src.length() : 0, len = all / ranks;
    if (seq && len == 0)
      throw value_error("ketl: the Sequence has " + std::to_string(all) +
                        " batches, fewer than the " + std::to_string(ranks) + " ranks");
    order.resize(all);
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (shuffle) rng.shuffle(order.begin(), order.end());
    auto produce = [this, &src, seq, len, rank, ranks](std::size_t ticket) {
      return src.fetch(seq ? order[ticket % len * ranks + rank] : ticket);
    };
    auto between = [this, &src, shuffle, &rng] {
      src.on_epoch_end();
      if (shuffle) rng.shuffle(order.begin(), order.end());
    };
    queue = ketl::detail::as_ketl_error(
        "ketl: starting " + std::to_string(workers) + " workers with a queue of " +
            std::to_string(capacity) + " batches",
        [&] {
          return std::make_unique<ketl::detail::batch_queue<T>>(
              typename ketl::detail::batch_queue<T>::config{
                  .workers = workers, .capacity = capacity, .serial = !seq, .pass_length = len},
              produce, seq ? std::function<void()>(between) : std::function<void()>());
        });
  }
};

template <Network Net>
template <class S>
History trainer<Net>::fit_generator(S&& source, const FitGeneratorOptions<T>& o) {
  if constexpr (!TrainingSource<std::remove_cvref_t<S>, T>) {
    static_assert(TrainingSource<std::remove_cvref_t<S>, T>, KETL_SOURCE_MESSAGE("fit_generator"));
    return {};
  } else {
    auto src = ketl::detail::make_source<T>(std::forward<S>(source), input_count);
    return fit_source(*src, o);
  }
}

template <Network Net>
template <class S>
std::vector<double> trainer<Net>::evaluate_generator(S&& source,
                                                     const EvaluateGeneratorOptions& o) {
  if constexpr (!TrainingSource<std::remove_cvref_t<S>, T>) {
    static_assert(TrainingSource<std::remove_cvref_t<S>, T>,
                  KETL_SOURCE_MESSAGE("evaluate_generator"));
    return {};
  } else {
    auto src = ketl::detail::make_source<T>(std::forward<S>(source), input_count);
    return evaluate_source(*src, o.steps, o.workers, o.max_queue_size, o.verbose,
                           "evaluate_generator");
  }
}

// Keras's predict_generator: the outputs of `steps` batches, concatenated.
// Items may be x alone, or carry y (which is not used).
template <Network Net>
template <class S>
auto trainer<Net>::predict_generator(S&& source, const PredictGeneratorOptions& o)
    -> predict_result {
  if constexpr (!DataSource<std::remove_cvref_t<S>, T>) {
    static_assert(DataSource<std::remove_cvref_t<S>, T>,
                  KETL_SOURCE_MESSAGE("predict_generator") " (or x alone)");
    return {};
  } else {
    auto src = ketl::detail::make_source<T>(std::forward<S>(source), input_count);
    std::array<std::vector<T>, output_count> all;
    std::size_t rows = 0;
    for_each_source_batch(*src, o.steps, o.workers, o.max_queue_size, o.verbose,
                          "predict_generator", [&](const Batch<T>& b) {
                            const std::size_t m = check_x("predict_generator", b.x);
                            if (m)
                              predict_rows(b.x, 0, m, [&](std::size_t k, const T* y) {
                                all[k].insert(all[k].end(), y, y + m * output_size(k));
                              });
                            rows += m;
                          });
    predict_result out = make_outputs(rows);
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (std::copy(all[K].begin(), all[K].end(), detail::result_part<K>(out).data()), ...);
    }
    (std::make_index_sequence<output_count>{});
    return out;
  }
}

template <Network Net>
History trainer<Net>::fit_source(ketl::detail::source<T>& src, const FitGeneratorOptions<T>& o) {
  require_compiled();
  if (const auto on_ranks = compiled_->paths.fit_source) return on_ranks(this, src, o);
  return fit_source_checked(src, o);
}

// Under DataParallel each rank reads its own source (a Sequence: its share
// of the batches, see source_queue), every step is global, and the ranks
// agree on the steps and on stopping (docs/distributed.md).
template <Network Net>
template <bool OnRanks>
History trainer<Net>::fit_source_checked(ketl::detail::source<T>& src,
                                         const FitGeneratorOptions<T>& o) {
  Collective* par = OnRanks ? compiled_->parallel.group.get() : nullptr;
  if (o.epochs < 0) throw value_error("ketl: fit_generator: epochs must be >= 0");
  if (o.initial_epoch < 0) throw value_error("ketl: fit_generator: initial_epoch must be >= 0");
  if (o.verbose < 0 || o.verbose > 2)
    throw value_error("ketl: fit_generator: verbose must be 0, 1 or 2");
  std::size_t steps = detail::source_steps(src, o.steps_per_epoch, "steps_per_epoch");
  bool sync_batches = false;  // DataParallel: a sync after each batch, for a stop
  const std::size_t rank = par ? std::size_t(par->rank()) : 0,
                    ranks = par ? std::size_t(par->size()) : 1;
  if (par) {
    // A Sequence gives each rank its share of its batches; then the fewest steps everywhere.
    if (!o.steps_per_epoch && src.is_sequence()) steps = std::max<std::size_t>(steps / ranks, 1);
    // And whether any rank's callbacks have batch hooks: all sync after each batch.
    double most[2] = {
        -double(steps),
        double(std::any_of(o.callbacks.begin(), o.callbacks.end(),
                           [](const CallbackRef& c) { return c.has_batch_hooks(); }))};
    detail::rank_sync(*par).header(false);
    par->max(most, 2);
    steps = std::size_t(-most[0]);
    sync_batches = most[1] > 0;
    if constexpr (OnRanks) broadcast_model();  // and so one shuffle of the Sequence everywhere
  }

  // Validation: arrays, checked now; or a source, read on this thread.
  const ValidationData<T>* val_arrays = nullptr;
  ketl::detail::source<T>* val_source = nullptr;
  std::size_t val_steps = 0;
  dataset v;
  if (o.validation_data) {
    if ((val_arrays = o.validation_data->arrays())) {
      v = standardize("fit_generator's validation_data", val_arrays->x, val_arrays->y,
                      val_arrays->sample_weight, {});
    } else {
      val_source = o.validation_data->source();
      val_steps = detail::source_steps(*val_source, o.validation_steps, "validation_steps");
    }
  }

  source_queue sq(src, o.workers, o.max_queue_size, o.shuffle, net_.rng(), rank, ranks);
  auto& queue = *sq.queue;
  handle model(*this);
  const auto callbacks = detail::rank_callbacks(o.callbacks, rank);
  for (const auto& c : callbacks) c.set_model(model);
  const int verbose = rank == 0 ? o.verbose : 0;
  std::ostream& os = model.out();
  if (rank == 0) ketl::detail::warn_if_slow_build(os);
  const auto& names = compiled_->names;
  History h;
  Logs logs;
  const bool batch_hooks = std::any_of(callbacks.begin(), callbacks.end(),
                                       [](const CallbackRef& c) { return c.has_batch_hooks(); });
  // A stop asked on any rank, heard on every rank.
  const auto agree_stop = [&] {
    if (par && detail::rank_sync(*par).header(model.stop_training)) model.stop_training = true;
  };
  for (const auto& c : callbacks) c.on_train_begin(logs);
  std::size_t last_batch_size = 32;
  for (int epoch = o.initial_epoch; epoch < o.epochs && !model.stop_training; ++epoch) {
    Logs epoch_logs;
    for (const auto& c : callbacks) c.on_epoch_begin(epoch, epoch_logs);
    // The bar counts steps; BaseLogger weighs batches by their size.
    detail::epoch_log log(names, callbacks, batch_hooks, epoch, o.epochs, verbose, steps, os);
    std::size_t done = 0;
    bool ran_out = false;
    while (done < steps) {
      auto batch = queue.get();
      if (!batch && par)  // the other ranks would wait for this one's next step
        throw value_error("ketl: fit_generator: the generator ended after " + std::to_string(done) +
                          " of the " + std::to_string(steps) + " steps of epoch " +
                          std::to_string(epoch + 1));
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
            "ketl: fit_generator: the source gave an empty batch (0 samples) at step " +
            std::to_string(done) + " of epoch " + std::to_string(epoch + 1));
      log.begin_batch(index, double(m));
      const auto vals =
          train_batch(batch->x, batch->y, batch->sample_weight, o.class_weight, "fit_generator");
      ++done;
      last_batch_size = m;
      const double size = par ? last_rows_ : double(m);  // the global batch's rows
      log.end_batch(index, size, vals, done);
      if (sync_batches) agree_stop();
      if (model.stop_training) break;
    }
    if (done == 0) break;  // the source ran out before this epoch began
    if (done == steps && o.validation_data) {
      const auto on_arrays = [&] {
        if constexpr (OnRanks)
          return test_parallel(v, last_batch_size);
        else
          return test_loop(v, last_batch_size, 0);
      };
      const auto val = val_arrays ? on_arrays()
                                  : evaluate_source(*val_source, val_steps, 0, 1, 0,
                                                    "fit_generator's validation_data");
      for (std::size_t k = 0; k < names.size(); ++k) epoch_logs["val_" + names[k]] = val[k];
    }
    log.end_epoch(epoch, epoch_logs, done, h);
    if (ran_out) break;
    agree_stop();
  }
  queue.finish();
  for (const auto& c : callbacks) c.on_train_end(logs);
  return h;
}

// The loop of evaluate_generator and predict_generator: f(batch) on
// `steps` batches (a Sequence's size() when unset), the bar counting steps.
template <Network Net>
template <class F>
void trainer<Net>::for_each_source_batch(ketl::detail::source<T>& src,
                                         std::optional<std::size_t> steps_opt, std::size_t workers,
                                         std::size_t capacity, int verbose, const char* what,
                                         F&& f) {
  if (verbose < 0 || verbose > 2) throw value_error("ketl: verbose must be 0, 1 or 2");
  std::size_t steps = detail::source_steps(src, steps_opt, "steps");
  // Under DataParallel, a Sequence's batches rank, rank + size, ...
  const Collective* par = compiled_ ? compiled_->parallel.group.get() : nullptr;
  const std::size_t rank = par ? std::size_t(par->rank()) : 0;
  const std::size_t ranks = par ? std::size_t(par->size()) : 1;
  if (par && !steps_opt && src.is_sequence()) steps = std::max<std::size_t>(steps / ranks, 1);
  if (rank) verbose = 0;
  source_queue sq(src, workers, capacity, false, net_.rng(), rank, ranks);
  std::unique_ptr<Progbar> bar;
  if (verbose)
    bar = std::make_unique<Progbar>(static_cast<long>(steps), Progbar::Options{.verbose = verbose});
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

template <Network Net>
std::vector<double> trainer<Net>::evaluate_source(ketl::detail::source<T>& src,
                                                  std::optional<std::size_t> steps,
                                                  std::size_t workers, std::size_t capacity,
                                                  int verbose, const char* what) {
  require_compiled();
  if (const auto on_ranks = compiled_->paths.evaluate_source)
    return on_ranks(this, src, steps, workers, capacity, verbose, what);
  return evaluate_source_checked(src, steps, workers, capacity, verbose, what);
}

template <Network Net>
std::vector<double> trainer<Net>::evaluate_source_checked(ketl::detail::source<T>& src,
                                                          std::optional<std::size_t> steps,
                                                          std::size_t workers, std::size_t capacity,
                                                          int verbose, const char* what) {
  std::vector<double> sums(compiled_->names.size());
  double seen_rows = 0;
  for_each_source_batch(src, steps, workers, capacity, verbose, what, [&](const Batch<T>& b) {
    if (b.size() == 0)
      throw value_error("ketl: " + std::string(what) +
                        ": the source gave an empty batch (0 samples)");
    const auto vals = test_batch(b.x, b.y, b.sample_weight, what);
    // Under DataParallel each step's values are over every rank's batch.
    const double rows = compiled_->parallel.group ? last_rows_ : double(b.size());
    for (std::size_t k = 0; k < sums.size(); ++k) sums[k] += vals[k] * rows;
    seen_rows += rows;
  });
  for (auto& v : sums) v /= seen_rows;
  return sums;
}

}  // namespace ketl::engine

#undef KETL_SOURCE_MESSAGE
