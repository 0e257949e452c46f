// LearningRateScheduler, as Keras 2.2.4: at each epoch's start the learning
// rate becomes schedule(epoch, lr); "lr" goes into the epoch's logs.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

#include "ketl/callback.hpp"
#include "ketl/error.hpp"

namespace ketl::callbacks {

struct LearningRateScheduler {
  std::function<double(int epoch, double lr)> schedule = {};
  int verbose = 0;

  void set_model(ModelHandle& m) { model_ = &m; }
  void on_epoch_begin(int epoch, Logs&) {
    if (!model_ || !schedule) return;
    const double lr = schedule(epoch, model_->learning_rate());
    if (!std::isfinite(lr) || lr < 0)
      throw value_error("ketl: LearningRateScheduler: the schedule gave " + std::to_string(lr) +
                        " for epoch " + std::to_string(epoch) +
                        "; a learning rate must be finite and >= 0");
    model_->set_learning_rate(lr);
    if (verbose > 0) {
      char line[128];
      std::snprintf(line, sizeof line,
                    "\nEpoch %05d: LearningRateScheduler setting learning rate to %g.\n", epoch + 1,
                    lr);
      model_->out() << line;
    }
  }
  void on_epoch_end(int, Logs& logs) {
    if (model_) logs["lr"] = model_->learning_rate();
  }

  // Run-time state (public, so that the options stay an aggregate).
  ModelHandle* model_ = nullptr;
};

}  // namespace ketl::callbacks
