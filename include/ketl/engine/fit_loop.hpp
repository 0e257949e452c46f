// The engine's array paths: fit (Keras's fit_loop), evaluate (test_loop),
// predict, and the *_on_batch calls, for any Network with any number of
// inputs and outputs. Members of engine::trainer (engine/trainer.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "ketl/build_check.hpp"
#include "ketl/denormals.hpp"
#include "ketl/engine/epoch_log.hpp"
#include "ketl/engine/rank_sync.hpp"
#include "ketl/engine/trainer.hpp"
#include "ketl/progbar.hpp"

namespace ketl::engine {

template <Network Net>
auto trainer<Net>::standardize(std::string_view what, const Arrays& x, const Arrays& y,
                               const Arrays& sw, const ClassWeight& cw) const -> dataset {
  const auto& c = state();
  dataset d;
  d.n = check_x(what, x);
  const std::size_t ny = detail::check_count_and_rows(what, y, output_count, "target", "target");
  const auto names = net_.output_names();
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (detail::check_target<output_shape_t<Net, K>, T>(what, y[K], c.outputs[K]->target, names[K],
                                                     c.outputs[K]->loss_name),
     ...);
  }
  (std::make_index_sequence<output_count>{});
  if (ny != d.n)
    throw shape_error(
        "Input arrays should have the same number of samples as target arrays. Found " +
        std::to_string(d.n) + " input samples and " + std::to_string(ny) + " target samples." +
        detail::where(what));
  if (d.n == 0) throw value_error("ketl: " + std::string(what) + ": x is empty (0 samples)");
  if (!sw.empty() && sw.size() != output_count)
    throw value_error("ketl: " + std::string(what) +
                      ": sample_weight must hold one array per "
                      "output (" +
                      std::to_string(output_count) + "), got " + std::to_string(sw.size()));
  if (!cw.empty() && cw.size() != output_count)
    throw value_error("ketl: " + std::string(what) +
                      ": class_weight must hold one map per "
                      "output (" +
                      std::to_string(output_count) + "), got " + std::to_string(cw.size()));
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    ((d.w[K] = detail::standardize_weights<T, output_shape_t<Net, K>>(
          d.n, y[K], sw.empty() ? ArrayView{} : sw[K], cw.for_output(K), c.temporal)),
     ...);
  }
  (std::make_index_sequence<output_count>{});
  d.x = x;
  d.y = y;
  return d;
}

template <Network Net>
auto trainer<Net>::gather(const dataset& d, const std::size_t* idx, std::size_t first,
                          std::size_t m, bool training) -> gathered {
  if constexpr (fixed_batch > 0) check_fixed_batch("a batch", m, m);
  auto& c = *compiled_;
  net_.reserve(m);
  input_ptrs xp{};
  bool finite = true;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using E = input_value_t<Net, I>;
          bool ok = true;
          const bool check = training && check_numerics_ && std::is_floating_point_v<E>;
          xp[I] =
              detail::rows_as<E>(d.x[I], idx, first, m, std::get<I>(xbuf_), check ? &ok : nullptr);
          finite &= ok;
        }(),
        ...);
  }
  (std::make_index_sequence<input_count>{});
  target_ptrs yp{}, wp{};
  std::array<double, output_count> denom{};
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (
        [&] {
          using Out = output_shape_t<Net, K>;
          yp[K] = detail::rows_as<T>(d.y[K], idx, first, m, ybuf_[K]);
          const std::size_t ww = detail::weight_width<Out>(c.temporal);
          const T* w = nullptr;
          if (!d.w[K].empty()) {
            const T* all = d.w[K].data();
            if (!idx) {
              w = all + first * ww;
            } else {
              if (wbuf_[K].size() < m * ww) wbuf_[K].resize(m * ww);
              for (std::size_t i = 0; i < m; ++i)
                std::copy_n(all + idx[i] * ww, ww, wbuf_[K].begin() + std::ptrdiff_t(i * ww));
              w = wbuf_[K].data();
            }
          }
          wp[K] = detail::row_weights<T, Out>(w, m, c.temporal, rowbuf_[K]);
          denom[K] = detail::nonzero(w, m * ww);
        }(),
        ...);
  }
  (std::make_index_sequence<output_count>{});
  return {xp, yp, wp, denom, finite};
}

template <Network Net>
void trainer<Net>::step_on(const dataset& d, const std::size_t* idx, std::size_t first,
                           std::size_t m, bool training, double* out) {
  const gathered b = gather(d, idx, first, m, training);
  if (training)
    train_rows(b.x, b.y, b.w, b.denom, m, out, b.finite);
  else
    test_rows(b.x, b.y, b.w, b.denom, m, out);
}

template <Network Net>
std::vector<double> trainer<Net>::train_batch(const Arrays& x, const Arrays& y, const Arrays& sw,
                                              const ClassWeight& cw, std::string_view what) {
  require_compiled();
  if (const auto on_ranks = compiled_->paths.train_batch) return on_ranks(this, x, y, sw, cw, what);
  const dataset d = standardize(what, x, y, sw, cw);
  std::vector<double> out(compiled_->names.size());
  step_on(d, nullptr, 0, d.n, true, out.data());
  return out;
}

template <Network Net>
std::vector<double> trainer<Net>::test_batch(const Arrays& x, const Arrays& y, const Arrays& sw,
                                             std::string_view what) {
  require_compiled();
  if (const auto on_ranks = compiled_->paths.test_batch) return on_ranks(this, x, y, sw, what);
  const dataset d = standardize(what, x, y, sw, {});
  std::vector<double> out(compiled_->names.size());
  step_on(d, nullptr, 0, d.n, false, out.data());
  return out;
}

template <Network Net>
std::vector<double> trainer<Net>::evaluate_arrays(const Arrays& x, const Arrays& y,
                                                  const EvaluateOptions<T>& o) {
  require_compiled();
  if (const auto on_ranks = compiled_->paths.evaluate) return on_ranks(this, x, y, o);
  return evaluate_checked(x, y, o);
}

template <Network Net>
template <bool OnRanks>
std::vector<double> trainer<Net>::evaluate_checked(const Arrays& x, const Arrays& y,
                                                   const EvaluateOptions<T>& o) {
  const dataset d = standardize("evaluate", x, y, o.sample_weight, {});
  if (o.steps && o.batch_size) throw value_error("If steps is set, the `batch_size` must be None.");
  if (o.steps == std::size_t{0}) throw value_error("ketl: evaluate: steps must be positive");
  if (o.batch_size == std::size_t{0})
    throw value_error("ketl: evaluate: batch_size must be positive");
  if (o.verbose < 0 || o.verbose > 2)
    throw value_error("ketl: evaluate: verbose must be 0, 1 or 2");
  const std::size_t bs = batch_or_default(o.batch_size);
  check_fixed_batch("evaluate", o.steps ? d.n : bs, d.n);
  if constexpr (OnRanks) {
    if (o.steps) throw value_error("ketl: evaluate: steps is not supported with DataParallel");
    return test_parallel(d, bs);
  }
  return test_loop(d, bs, o.verbose, o.steps.value_or(0));
}

template <Network Net>
void trainer<Net>::check_fixed_batch(std::string_view what, std::size_t batch_size, std::size_t n) {
  if constexpr (fixed_batch > 0) {
    const std::string b = std::to_string(fixed_batch);
    if (batch_size != fixed_batch)
      throw value_error("ketl: " + std::string(what) + ": the model's batch size is fixed at " + b +
                        " (Input<...>::batch<" + b + ">); got batch_size " +
                        std::to_string(batch_size));
    if (n % fixed_batch != 0)
      throw value_error("ketl: " + std::string(what) +
                        ": In a stateful network, you should only pass inputs with a number of "
                        "samples that can be divided by the batch size (" +
                        b + "). Found: " + std::to_string(n) + " samples");
  }
}

// Keras's test_loop: batch values weighted by batch size. In steps mode
// (steps > 0) each step takes the whole arrays, and the values are the
// mean over steps, as Keras's for data tensors.
template <Network Net>
std::vector<double> trainer<Net>::test_loop(const dataset& d, std::size_t batch_size, int verbose,
                                            std::size_t steps) {
  const std::size_t n = d.n;
  const std::size_t bs = steps ? n : std::min(batch_size, n);
  const std::size_t batches = steps ? steps : (n + bs - 1) / bs;
  std::vector<double> vals(compiled_->names.size()), sums(vals.size());
  std::unique_ptr<Progbar> bar;
  if (verbose)
    bar = std::make_unique<Progbar>(static_cast<long>(steps ? steps : n),
                                    Progbar::Options{.verbose = verbose});
  for (std::size_t b = 0; b < batches; ++b) {
    const std::size_t start = steps ? 0 : b * bs;
    const std::size_t m = std::min(bs, n - start);
    step_on(d, nullptr, start, m, false, vals.data());
    const double size = steps ? 1.0 : double(m);
    for (std::size_t k = 0; k < vals.size(); ++k) sums[k] += vals[k] * size;
    if (bar) bar->update(static_cast<long>(steps ? b + 1 : start + m));
  }
  for (auto& v : sums) v /= double(steps ? steps : n);
  return sums;
}

template <Network Net>
History trainer<Net>::fit_arrays(Arrays x, Arrays y, const FitOptions<T>& o) {
  require_compiled();
  if (const auto on_ranks = compiled_->paths.fit) return on_ranks(this, x, y, o);
  return fit_checked(x, y, o);
}

template <Network Net>
template <bool OnRanks>
History trainer<Net>::fit_checked(const Arrays& x, const Arrays& y, const FitOptions<T>& o) {
  dataset d = standardize("fit", x, y, o.sample_weight, o.class_weight);
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
  const bool temporal = compiled_->temporal;

  // Validation: validation_data wins; else the last fraction, before shuffling.
  dataset v;
  if (o.validation_data) {
    v = standardize("fit's validation_data", o.validation_data->x, o.validation_data->y,
                    o.validation_data->sample_weight, {});
  } else if (o.validation_split > 0) {
    const std::size_t n = d.n;
    const auto split_at = static_cast<std::size_t>(double(n) * (1.0 - o.validation_split));
    if (split_at == 0 || split_at == n)
      throw value_error("ketl: fit: validation_split " + std::to_string(o.validation_split) +
                        " leaves " + (split_at == 0 ? "no training" : "no validation") +
                        " samples out of " + std::to_string(n));
    v.n = n - split_at;
    v.x = detail::slice_rows(d.x, split_at, v.n);
    v.y = detail::slice_rows(d.y, split_at, v.n);
    d.x = detail::slice_rows(d.x, 0, split_at);
    d.y = detail::slice_rows(d.y, 0, split_at);
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (
          [&] {
            if (d.w[K].empty()) return;
            const std::size_t ww = detail::weight_width<output_shape_t<Net, K>>(temporal);
            v.w[K].assign(d.w[K].begin() + std::ptrdiff_t(split_at * ww), d.w[K].end());
            d.w[K].resize(split_at * ww);
          }(),
          ...);
    }
    (std::make_index_sequence<output_count>{});
    d.n = split_at;
  }
  const bool validate = v.n > 0;
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
  if constexpr (fixed_batch > 0) {
    // Every batch, training and validation, has the fixed size, before any runs.
    check_fixed_batch("fit", steps ? d.n : batch_or_default(o.batch_size), d.n);
    if (validate)
      check_fixed_batch("fit's validation", val_steps ? v.n : batch_or_default(o.batch_size), v.n);
  }

  if constexpr (OnRanks) return fit_parallel(d, v, o, validate);

  handle model(*this);
  for (const auto& cb : o.callbacks) cb.set_model(model);
  std::ostream& os = model.out();
  ketl::detail::warn_if_slow_build(os);
  const auto& names = compiled_->names;
  const std::size_t n = d.n;
  const std::size_t batch_size = batch_or_default(o.batch_size);
  const std::size_t bs = steps ? n : std::min(batch_size, n);
  const std::size_t batches = steps ? steps : (n + bs - 1) / bs;
  const std::size_t target = steps ? steps : n;  // what the bar and BaseLogger count
  net_.reserve(bs);
  std::vector<double> batch_vals(names.size());
  std::vector<std::size_t> index =
      ketl::detail::as_ketl_error("ketl: fit: the index of " + std::to_string(n) + " samples",
                                  [&] { return std::vector<std::size_t>(n); });
  std::iota(index.begin(), index.end(), std::size_t{0});
  History h;
  Logs logs;
  const bool batch_hooks = std::any_of(o.callbacks.begin(), o.callbacks.end(),
                                       [](const CallbackRef& cb) { return cb.has_batch_hooks(); });
  for (const auto& cb : o.callbacks) cb.on_train_begin(logs);
  if (o.verbose && validate)
    os << "Train on " << n << " samples, validate on " << v.n << " samples\n";
  for (int epoch = o.initial_epoch; epoch < o.epochs && !model.stop_training; ++epoch) {
    Logs epoch_logs;
    for (const auto& cb : o.callbacks) cb.on_epoch_begin(epoch, epoch_logs);
    detail::epoch_log log(names, o.callbacks, batch_hooks, epoch, o.epochs, o.verbose, target, os);
    // Steps mode takes the arrays whole: shuffling has no effect, as in Keras.
    if (steps == 0 && o.shuffle.mode == Shuffle::Mode::on) {
      net_.rng().shuffle(index.begin(), index.end());
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
      step_on(d, index.data() + start, 0, m, true, batch_vals.data());
      seen += size;
      log.end_batch(batch, double(size), batch_vals, seen);
      if (model.stop_training) {
        epoch_done = seen == target;
        break;
      }
    }
    // Keras validates at the end of an epoch's last batch only.
    if (validate && epoch_done) {
      const auto val = test_loop(v, batch_size, 0, val_steps);
      for (std::size_t k = 0; k < names.size(); ++k) epoch_logs["val_" + names[k]] = val[k];
    }
    log.end_epoch(epoch, epoch_logs, seen, h);
  }
  for (const auto& cb : o.callbacks) cb.on_train_end(logs);
  return h;
}

// Keras's batch_shuffle: whole batches change places; the tail of a last,
// partial batch stays at the end, unshuffled.
template <Network Net>
void trainer<Net>::batch_shuffle(std::vector<std::size_t>& index, std::size_t bs) {
  const std::size_t batches = index.size() / bs;
  std::vector<std::size_t> order(batches);
  std::iota(order.begin(), order.end(), std::size_t{0});
  net_.rng().shuffle(order.begin(), order.end());
  std::vector<std::size_t> out;
  out.reserve(index.size());
  for (std::size_t b : order)
    out.insert(out.end(), index.begin() + std::ptrdiff_t(b * bs),
               index.begin() + std::ptrdiff_t((b + 1) * bs));
  out.insert(out.end(), index.begin() + std::ptrdiff_t(batches * bs), index.end());
  index = std::move(out);
}

template <Network Net>
auto trainer<Net>::make_outputs(std::size_t n) -> predict_result {
  predict_result r;
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (
        [&] {
          using Out = output_shape_t<Net, K>;
          std::array<std::size_t, Out::rank + 1> shape{};
          shape[0] = n;
          std::copy(Out::dims.begin(), Out::dims.end(), shape.begin() + 1);
          detail::result_part<K>(r) = ketl::detail::as_ketl_error(
              "ketl: predict: the outputs of " + std::to_string(n) + " samples",
              [&] { return output_array<K>(shape); });
        }(),
        ...);
  }
  (std::make_index_sequence<output_count>{});
  return r;
}

template <Network Net>
template <class F>
void trainer<Net>::predict_rows(const Arrays& x, std::size_t first, std::size_t m, F&& fn) {
  if constexpr (fixed_batch > 0) check_fixed_batch("a batch", m, m);
  const ketl::detail::denormal_scope flush;
  net_.reserve(m);
  input_ptrs xp{};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((xp[I] = detail::rows_as<input_value_t<Net, I>>(x[I], nullptr, first, m, std::get<I>(xbuf_))),
     ...);
  }
  (std::make_index_sequence<input_count>{});
  net_.forward(xp.data(), m, false);
  for (std::size_t k = 0; k < output_count; ++k) fn(k, net_.output(k));
}

template <Network Net>
auto trainer<Net>::predict_arrays(const Arrays& x, const PredictOptions& o) -> predict_result {
  const std::size_t n = check_x("predict", x);
  if (o.batch_size == std::size_t{0})
    throw value_error("ketl: predict: batch_size must be positive");
  const std::size_t batch_size = batch_or_default(o.batch_size);
  check_fixed_batch("predict", batch_size, n);
  predict_result out = make_outputs(n);
  if (n == 0) return out;
  // DataParallel: each rank predicts its part of the rows, and every rank
  // gets them all (engine/parallel_fit.hpp).
  if (const auto on_ranks = compiled_ ? compiled_->paths.predict : nullptr) {
    on_ranks(this, x, o, &out);
    return out;
  }
  predict_part(x, o, 0, n, out);
  return out;
}

// Rows [lo, hi) of x's outputs into out's rows [lo, hi).
template <Network Net>
void trainer<Net>::predict_part(const Arrays& x, const PredictOptions& o, std::size_t lo,
                                std::size_t hi, predict_result& out) {
  const std::size_t n = hi - lo;
  if (n == 0) return;
  const std::size_t bs = std::min(batch_or_default(o.batch_size), n);
  std::unique_ptr<Progbar> bar;
  if (o.verbose)
    bar = std::make_unique<Progbar>(static_cast<long>(n), Progbar::Options{.verbose = o.verbose});
  for (std::size_t start = lo; start < hi; start += bs) {
    const std::size_t m = std::min(bs, hi - start);
    predict_rows(x, start, m, [&](std::size_t k, const T* y) {
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((k == K ? (void)std::copy(
                       y, y + m * output_shape_t<Net, K>::size,
                       detail::result_part<K>(out).data() + start * output_shape_t<Net, K>::size)
                 : void()),
         ...);
      }
      (std::make_index_sequence<output_count>{});
    });
    if (bar) bar->update(static_cast<long>(start + m - lo));
  }
}

}  // namespace ketl::engine
