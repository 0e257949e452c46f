// Data-parallel training, Horovod's recipe, on the ranks of compile()'s
// ketl::DataParallel group (docs/distributed.md). Members of
// engine::trainer (engine/trainer.hpp); the engine sees the ranks only
// through ketl::Collective, so nothing here needs MPI.
//
// A step on every rank: gather this rank's rows of the global batch;
// forward; (A) one small allreduce of each output's loss divisor, so each
// rank scales its loss and gradient to its share of the global batch's;
// the passes and backward; (B) one small allreduce of the loss and
// metrics; (C) one allreduce of every gradient, packed in one buffer, with
// the non-trainable state (BatchNormalization's moving statistics) that
// is averaged; then the same optimizer step everywhere. The result is the
// step one process would take on the global batch.
//
// Every sync point starts with a header (detail::rank_sync), so a rank
// that fails anywhere is heard of at the others' next sync point.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "ketl/build_check.hpp"
#include "ketl/collective.hpp"
#include "ketl/denormals.hpp"
#include "ketl/engine/epoch_log.hpp"
#include "ketl/engine/rank_sync.hpp"
#include "ketl/engine/trainer.hpp"

namespace ketl::engine {

template <Network Net>
template <class F>
auto trainer<Net>::on_all_ranks(F&& f) {
  detail::rank_sync sync(*compiled_->parallel.group);
  struct unslice {
    Random& r;
    ~unslice() { r.set_slice(0, 0, 0); }
  } reset{net_.rng()};
  try {
    auto r = f();
    sync.header(false);  // the last sync point: a failure after the others' last
    return r;
  } catch (const distributed_error&) {
    throw;
  } catch (...) {
    sync.fail(std::current_exception());
  }
}

template <Network Net>
void trainer<Net>::use_ranks(compiled_state<T>& c) {
  c.paths.fit = [](void* self, const Arrays& x, const Arrays& y, const FitOptions<T>& o) {
    auto& t = *static_cast<trainer*>(self);
    return t.on_all_ranks([&] { return t.template fit_checked<true>(x, y, o); });
  };
  c.paths.evaluate = [](void* self, const Arrays& x, const Arrays& y, const EvaluateOptions<T>& o) {
    auto& t = *static_cast<trainer*>(self);
    return t.on_all_ranks([&] { return t.template evaluate_checked<true>(x, y, o); });
  };
  // One global step on every rank's batch: the rows before and after this one's.
  c.paths.train_batch = [](void* self, const Arrays& x, const Arrays& y, const Arrays& sw,
                           const ClassWeight& cw, std::string_view what) {
    auto& t = *static_cast<trainer*>(self);
    return t.on_all_ranks([&] {
      const dataset d = t.standardize(what, x, y, sw, cw);
      std::vector<double> out(t.compiled_->names.size());
      Collective& g = *t.compiled_->parallel.group;
      std::vector<double> rows(std::size_t(g.size()));
      rows[std::size_t(g.rank())] = double(d.n);
      detail::rank_sync(g).header(false);
      g.sum(rows.data(), rows.size());
      const auto mine = rows.begin() + g.rank();
      const auto before = std::size_t(std::accumulate(rows.begin(), mine, 0.0));
      const auto after = std::size_t(std::accumulate(mine + 1, rows.end(), 0.0));
      t.parallel_step(d, nullptr, 0, d.n, before, after, out.data());
      return out;
    });
  };
  c.paths.test_batch = [](void* self, const Arrays& x, const Arrays& y, const Arrays& sw,
                          std::string_view what) {
    auto& t = *static_cast<trainer*>(self);
    return t.on_all_ranks([&] {
      const dataset d = t.standardize(what, x, y, sw, {});
      return t.test_parallel(d, d.n, true);  // each rank's batch whole
    });
  };
  // Shard::split: each rank predicts its part of the rows, and every rank
  // gets them all; Shard::local: each rank its own arrays.
  c.paths.predict = [](void* self, const Arrays& x, const PredictOptions& o, void* result) {
    auto& t = *static_cast<trainer*>(self);
    auto& out = *static_cast<predict_result*>(result);
    const std::size_t n = t.check_x("predict", x);
    if (t.compiled_->parallel.data != Shard::split) return t.predict_part(x, o, 0, n, out);
    t.on_all_ranks([&] {
      Collective& g = *t.compiled_->parallel.group;
      const auto size = std::size_t(g.size());
      const auto [lo, hi] = detail::part_of(n, std::size_t(g.rank()), size);
      t.predict_part(x, {.batch_size = o.batch_size, .verbose = g.rank() == 0 ? o.verbose : 0}, lo,
                     hi, out);
      std::vector<std::size_t> counts(size);
      detail::rank_sync(g).header(false);
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (
            [&] {
              constexpr std::size_t row = output_shape_t<Net, K>::size * sizeof(T);
              for (std::size_t r = 0; r < size; ++r) {
                const auto [a, b] = detail::part_of(n, r, size);
                counts[r] = (b - a) * row;
              }
              g.gather(detail::result_part<K>(out).data(), counts.data());
            }(),
            ...);
      }
      (std::make_index_sequence<output_count>{});
      return 0;
    });
  };
  c.paths.fit_source = [](void* self, ketl::detail::source<T>& src,
                          const FitGeneratorOptions<T>& o) {
    auto& t = *static_cast<trainer*>(self);
    return t.on_all_ranks([&] { return t.template fit_source_checked<true>(src, o); });
  };
  c.paths.evaluate_source = [](void* self, ketl::detail::source<T>& src,
                               std::optional<std::size_t> steps, std::size_t workers,
                               std::size_t capacity, int verbose, const char* what) {
    auto& t = *static_cast<trainer*>(self);
    return t.on_all_ranks(
        [&] { return t.evaluate_source_checked(src, steps, workers, capacity, verbose, what); });
  };
}

template <Network Net>
void trainer<Net>::parallel_step(const dataset& d, const std::size_t* idx, std::size_t first,
                                 std::size_t m, std::size_t before, std::size_t after,
                                 double* out) {
  const ketl::detail::denormal_scope flush;
  auto& c = *compiled_;
  Collective& g = *c.parallel.group;
  detail::rank_sync sync(g);
  const std::size_t nv = c.names.size();
  const std::size_t nloss = output_count > 1 ? 1 + output_count : 1;
  const auto trainable = net_.trainable_weights();
  const auto all = net_.weights();
  // Sized first: nothing between a header and its payload may throw.
  std::size_t fused = 0;
  for (const auto& w : trainable) fused += w.grad.size();
  for (const auto& w : all) fused += detail::is_moving_state(w) ? w.value.size() : 0;
  if (fused_.size() < fused) fused_.resize(fused);
  refer_to_fused(trainable);
  auto& vals = sync_vals_;
  vals.assign(nv + 4, 0.0);  // the values, then: no step, rows, x not finite, divisor

  gathered b{};
  b.finite = true;
  if (m) b = gather(d, idx, first, m, true);
  net_.rng().set_slice(before, m, after);
  per_output share{};
  bool x_bad = false;
  // One output: its loss and gradient as sums (share = this rank's
  // divisor), divided by the global divisor when the gradients are packed,
  // so a step has no sync before (C) but (B). Several outputs: (A) each
  // output's divisor over the global batch, this rank's share of it.
  const auto agree = [&](std::size_t n, const target_ptrs& w, const per_output& denom,
                         bool finite) -> const per_output* {
    if constexpr (output_count == 1) {
      share[0] = n && finite ? divisor(0, n, w, denom) : 0.0;
      vals[nv + 2] = finite ? 0.0 : 1.0;
      vals[nv + 3] = share[0];
    } else {
      std::array<double, output_count + 1> a{};
      for (std::size_t k = 0; k < output_count; ++k)
        a[k] = n && finite ? divisor(k, n, w, denom) : 0.0;
      a[output_count] = finite ? 0.0 : 1.0;
      sync.header(false);
      g.sum(a.data(), a.size());
      for (std::size_t k = 0; k < output_count; ++k)
        share[k] = a[k] > 0 && n && finite ? divisor(k, n, w, denom) / a[k] : 0.0;
      x_bad = a[output_count] > 0;
    }
    return &share;
  };
  const bool ready = forward_backward(b.x, b.y, b.w, b.denom, m, out, b.finite, agree);

  // (B) the loss (in shares, or as a sum) and the metrics (weighed by rows).
  for (std::size_t k = 0; k < nv; ++k) vals[k] = k < nloss ? out[k] : out[k] * double(m);
  vals[nv] = ready ? 0.0 : 1.0;
  vals[nv + 1] = double(m);
  sync.header(false);
  g.sum(vals.data(), vals.size());
  const double rows = last_rows_ = vals[nv + 1];
  // One output: the global divisor; its loss and gradient were sums.
  const double total = output_count == 1 ? vals[nv + 3] : 1.0;
  const double per = total > 0 ? 1.0 / total : 0.0;
  if constexpr (output_count == 1) x_bad = vals[nv + 2] > 0;
  for (std::size_t k = 0; k < nv; ++k) out[k] = k < nloss ? vals[k] * per : vals[k] / rows;
  if (vals[nv] > 0) {  // a rank has no finite step: none steps, as one process would not
    const auto nan = std::numeric_limits<double>::quiet_NaN();
    if (x_bad)
      std::fill(out, out + nv, nan);
    else
      out[0] = nan;
    return;
  }

  // (C) the gradients and the moving state, in one buffer, one allreduce.
  // The optimizer then reads the gradients where the allreduce left them.
  T* p = fused_.data();
  const T scale = T(per);
  for (const auto& w : trainable) {
    if (!m)
      std::fill(p, p + w.grad.size(), T(0));
    else if (output_count == 1)
      std::transform(w.grad.begin(), w.grad.end(), p, [scale](T v) { return v * scale; });
    else
      std::copy(w.grad.begin(), w.grad.end(), p);
    p += w.grad.size();
  }
  T* const state = p;
  for (const auto& w : all)
    if (detail::is_moving_state(w)) p = std::copy(w.value.begin(), w.value.end(), p);
  g.sum(fused_.data(), fused);
  p = state;
  const T inv = T(1) / T(g.size());
  for (const auto& w : all)
    if (detail::is_moving_state(w))
      for (auto& v : w.value) v = *p++ * inv;
  c.optimizer->step(fused_refs_);
}

// The trainable weights with their gradients in the fusion buffer, for
// the optimizer; rebuilt only when the weights or the buffer move.
template <Network Net>
void trainer<Net>::refer_to_fused(std::span<const WeightRef<T>> trainable) {
  bool stale = fused_refs_.size() != trainable.size() ||
               (!fused_refs_.empty() && fused_refs_[0].grad.data() != fused_.data());
  for (std::size_t i = 0; !stale && i < trainable.size(); ++i)
    stale = fused_refs_[i].value.data() != trainable[i].value.data();
  if (!stale) return;
  fused_refs_.assign(trainable.begin(), trainable.end());
  T* p = fused_.data();
  for (auto& w : fused_refs_) {
    w.grad = std::span<T>(p, w.grad.size());
    p += w.grad.size();
  }
}

template <Network Net>
std::vector<double> trainer<Net>::test_parallel(const dataset& d, std::size_t batch_size,
                                                bool own) {
  auto& c = *compiled_;
  Collective& g = *c.parallel.group;
  const std::size_t nv = c.names.size();
  const bool split = c.parallel.data == Shard::split && !own;
  const auto [lo, hi] = split ? detail::part_of(d.n, std::size_t(g.rank()), std::size_t(g.size()))
                              : std::pair<std::size_t, std::size_t>{0, d.n};
  std::vector<double> vals(nv), sums(nv + 1);
  // Keras's test_loop: each batch's values weighed by its rows.
  for (std::size_t start = lo; start < hi; start += batch_size) {
    const std::size_t m = std::min(batch_size, hi - start);
    step_on(d, nullptr, start, m, false, vals.data());
    for (std::size_t k = 0; k < nv; ++k) sums[k] += vals[k] * double(m);
  }
  sums[nv] = double(hi - lo);
  detail::rank_sync(g).header(false);
  g.sum(sums.data(), sums.size());
  last_rows_ = sums[nv];
  for (std::size_t k = 0; k < nv; ++k) sums[k] /= sums[nv];
  sums.pop_back();
  return sums;
}

// Rank 0's model everywhere, before training: its weights, its
// optimizer's state (Horovod's broadcast_optimizer_state) and its random
// generator (one shuffle; the masks one process draws).
template <Network Net>
void trainer<Net>::broadcast_model() {
  auto& c = *compiled_;
  Collective& g = *c.parallel.group;
  detail::rank_sync sync(g);
  const auto all = net_.weights();
  std::size_t count = 0;
  for (const auto& w : all) count += w.value.size();
  auto state = c.optimizer->keras_weights();
  double sizes[2] = {0, 0};  // the optimizer state's, as -min and max over the ranks
  for (const auto& s : state) sizes[1] += double(s.values.size());
  sizes[0] = -sizes[1];
  std::vector<double> values(static_cast<std::size_t>(sizes[1]));
  if (fused_.size() < count) fused_.resize(count);
  sync.header(false);
  g.max(sizes, 2);
  if (-sizes[0] != sizes[1])
    throw value_error("ketl: DataParallel: the ranks' optimizers hold states of different sizes (" +
                      std::to_string(std::size_t(-sizes[0])) + " and " +
                      std::to_string(std::size_t(sizes[1])) +
                      " values): compile every rank's model alike");
  T* p = fused_.data();
  for (const auto& w : all) p = std::copy(w.value.begin(), w.value.end(), p);
  auto at = values.begin();
  for (const auto& s : state) at = std::copy(s.values.begin(), s.values.end(), at);
  auto st = net_.rng().state();
  g.broadcast(fused_.data(), count * sizeof(T), 0);
  g.broadcast(values.data(), values.size() * sizeof(double), 0);
  g.broadcast(&st, sizeof st, 0);
  p = fused_.data();
  for (const auto& w : all) {
    std::copy_n(p, w.value.size(), w.value.begin());
    p += w.value.size();
  }
  at = values.begin();
  for (auto& s : state) {
    std::copy_n(at, s.values.size(), s.values.begin());
    at += std::ptrdiff_t(s.values.size());
  }
  if (!state.empty())
    c.optimizer->set_keras_weights(state, c.optimizer->iterations(),
                                   "ketl: DataParallel: rank 0's optimizer state: ");
  net_.rng().set_state(st);
}

template <Network Net>
History trainer<Net>::fit_parallel(const dataset& d, const dataset& v, const FitOptions<T>& o,
                                   bool validate) {
  auto& c = *compiled_;
  Collective& g = *c.parallel.group;
  detail::rank_sync sync(g);
  const auto rank = std::size_t(g.rank()), size = std::size_t(g.size());
  const bool split = c.parallel.data == Shard::split;
  if (o.steps_per_epoch)
    throw value_error(
        "ketl: fit: steps_per_epoch is not supported with DataParallel; give "
        "batch_size (per rank)");
  const std::size_t bs = batch_or_default(o.batch_size);  // per rank

  // Every rank's rows, known to all; and whether any rank's callbacks have
  // batch hooks (a rank may have its own), so that all sync after each batch.
  std::vector<double> rows(2 * size + 1);
  rows[rank] = double(d.n);
  rows[size + rank] = double(v.n);
  rows[2 * size] = std::any_of(o.callbacks.begin(), o.callbacks.end(),
                               [](const CallbackRef& cb) { return cb.has_batch_hooks(); });
  sync.header(false);
  g.sum(rows.data(), rows.size());
  const bool sync_batches = rows[2 * size] > 0;
  std::vector<std::size_t> n_of(size);
  std::size_t total = 0, val_total = 0;
  for (std::size_t r = 0; r < size; ++r) {
    n_of[r] = std::size_t(rows[r]);
    total += n_of[r];
    val_total += std::size_t(rows[size + r]);
    if (split && (n_of[r] != d.n || std::size_t(rows[size + r]) != v.n))
      throw value_error(
          "ketl: fit: DataParallel with Shard::split needs the same arrays on "
          "every rank: rank " +
          std::to_string(r) + " has " + std::to_string(n_of[r]) + " training rows, rank " +
          std::to_string(rank) + " has " + std::to_string(d.n) +
          " (Shard::local trains on each rank's own)");
  }
  broadcast_model();
  // Batches an epoch: split cuts each global batch of bs * size rows over
  // the ranks; local has the steps of the smallest shard, on every rank.
  const std::size_t global_bs = bs * size;
  std::size_t batches = (d.n + global_bs - 1) / global_bs, target = d.n;
  if (!split) {
    batches = (d.n + bs - 1) / bs;
    for (std::size_t r = 0; r < size; ++r) batches = std::min(batches, (n_of[r] + bs - 1) / bs);
    target = 0;
    for (std::size_t r = 0; r < size; ++r) target += std::min(n_of[r], batches * bs);
  }

  handle model(*this);
  const auto callbacks = detail::rank_callbacks(o.callbacks, rank);
  for (const auto& cb : callbacks) cb.set_model(model);
  const int verbose = rank == 0 ? o.verbose : 0;
  std::ostream& os = model.out();
  if (rank == 0) ketl::detail::warn_if_slow_build(os);
  const auto& names = c.names;
  net_.reserve(bs);
  std::vector<double> batch_vals(names.size());
  std::vector<std::size_t> index(d.n);
  std::iota(index.begin(), index.end(), std::size_t{0});
  History h;
  Logs logs;
  const bool batch_hooks = std::any_of(callbacks.begin(), callbacks.end(),
                                       [](const CallbackRef& cb) { return cb.has_batch_hooks(); });
  for (const auto& cb : callbacks) cb.on_train_begin(logs);
  if (verbose && validate)
    os << "Train on " << (split ? d.n : total) << " samples, validate on "
       << (split ? v.n : val_total) << " samples\n";
  for (int epoch = o.initial_epoch; epoch < o.epochs && !model.stop_training; ++epoch) {
    Logs epoch_logs;
    for (const auto& cb : callbacks) cb.on_epoch_begin(epoch, epoch_logs);
    detail::epoch_log log(names, callbacks, batch_hooks, epoch, o.epochs, verbose, target, os);
    // Rank 0's generator everywhere: one shuffle, and the masks one process draws.
    auto st = net_.rng().state();
    if (sync.header(model.stop_training)) model.stop_training = true;
    g.broadcast(&st, sizeof st, 0);
    net_.rng().set_state(st);
    if (o.shuffle.mode == Shuffle::Mode::on)
      net_.rng().shuffle(index.begin(), index.end());
    else if (o.shuffle.mode == Shuffle::Mode::batch)
      batch_shuffle(index, split ? global_bs : bs);
    std::size_t seen = 0;
    bool epoch_done = true;
    for (std::size_t b = 0; b < batches; ++b) {
      std::size_t first, m, before, after, global;
      if (split) {
        const std::size_t start = b * global_bs;
        global = std::min(global_bs, d.n - start);
        const auto [lo, hi] = detail::part_of(global, rank, size);
        first = start + lo, m = hi - lo, before = lo, after = global - hi;
      } else {
        first = b * bs, m = std::min(bs, d.n - first), before = after = global = 0;
        for (std::size_t r = 0; r < size; ++r) {
          const std::size_t mr = std::min(bs, n_of[r] - b * bs);
          global += mr;
          (r < rank ? before : after) += r == rank ? 0 : mr;
        }
      }
      const int batch = static_cast<int>(b);
      log.begin_batch(batch, double(global));
      parallel_step(d, index.data() + first, 0, m, before, after, batch_vals.data());
      seen += global;
      log.end_batch(batch, double(global), batch_vals, seen);
      // A callback's stop, on any rank, stops every rank here.
      if (sync_batches && sync.header(model.stop_training)) model.stop_training = true;
      if (model.stop_training) {
        epoch_done = seen == target;
        break;
      }
    }
    if (validate && epoch_done) {
      const auto val = test_parallel(v, bs);
      for (std::size_t k = 0; k < names.size(); ++k) epoch_logs["val_" + names[k]] = val[k];
    }
    log.end_epoch(epoch, epoch_logs, seen, h);
    if (sync.header(model.stop_training)) model.stop_training = true;
  }
  for (const auto& cb : callbacks) cb.on_train_end(logs);
  return h;
}

}  // namespace ketl::engine
