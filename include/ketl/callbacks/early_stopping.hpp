// EarlyStopping, as Keras 2.2.4: stop when the monitored value has not
// improved by more than min_delta for `patience` epochs; optionally restore
// the weights of the best epoch (at the stop, as 2.2.4 does).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "ketl/callbacks/monitor.hpp"

namespace ketl::callbacks {

struct EarlyStopping {
  std::string monitor = "val_loss";
  double min_delta = 0.0;
  int patience = 0;
  int verbose = 0;
  std::string mode = "auto";
  std::optional<double> baseline = std::nullopt;
  bool restore_best_weights = false;

  // State, readable after fit.
  int wait = 0;
  int stopped_epoch = 0;
  double best = 0;

  void set_model(ModelHandle& m) { model_ = &m; }
  void on_train_begin(Logs&) {
    maximise_ = detail::maximises(monitor, mode, "EarlyStopping");
    delta_ = maximise_ ? std::abs(min_delta) : -std::abs(min_delta);
    wait = 0;
    stopped_epoch = 0;
    best = baseline ? *baseline : detail::worst(maximise_);
    best_weights_.clear();
  }
  void on_epoch_end(int epoch, Logs& logs) {
    const double current = detail::monitored(logs, monitor, model_, "Early stopping");
    if (std::isnan(current)) return;
    if (better(current - delta_, best)) {
      best = current;
      wait = 0;
      if (restore_best_weights && model_) best_weights_ = model_->weight_snapshot();
      return;
    }
    if (++wait >= patience) {
      stopped_epoch = epoch;
      if (model_) {
        model_->stop_training = true;
        if (restore_best_weights && !best_weights_.empty()) {
          if (verbose > 0)
            model_->out() << "Restoring model weights from the end of the best epoch\n";
          model_->restore_weights(best_weights_);
        }
      }
    }
  }
  void on_train_end(Logs&) {
    if (stopped_epoch > 0 && verbose > 0 && model_) {
      char line[64];
      std::snprintf(line, sizeof line, "Epoch %05d: early stopping\n", stopped_epoch + 1);
      model_->out() << line;
    }
  }

  // Run-time state (public, so that the options stay an aggregate).
  bool better(double a, double b) const { return maximise_ ? a > b : a < b; }
  ModelHandle* model_ = nullptr;
  bool maximise_ = false;
  double delta_ = 0;
  std::vector<std::vector<double>> best_weights_ = {};
};

}  // namespace ketl::callbacks
