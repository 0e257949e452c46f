// Keras's BaseLogger, ProgbarLogger and History around one epoch of fit or
// fit_generator: the batch hooks, the batch-size-weighted epoch means, the
// progress bar (counting samples or steps), and the epoch's end.
#pragma once

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ketl/callback.hpp"
#include "ketl/history.hpp"
#include "ketl/progbar.hpp"

namespace ketl::engine::detail {

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

}  // namespace ketl::engine::detail
