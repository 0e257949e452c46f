// ReduceLROnPlateau, as Keras 2.2.4: when the monitored value has not
// improved by min_delta for `patience` epochs, lr = max(lr * factor, min_lr),
// then wait `cooldown` epochs. "lr" goes into the epoch's logs.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>

#include "ketl/callbacks/monitor.hpp"

namespace ketl::callbacks {

struct ReduceLROnPlateau {
  std::string monitor = "val_loss";
  double factor = 0.1;
  int patience = 10;
  int verbose = 0;
  std::string mode = "auto";
  double min_delta = 1e-4;
  int cooldown = 0;
  double min_lr = 0.0;

  int wait = 0;
  int cooldown_counter = 0;
  double best = 0;

  void set_model(ModelHandle& m) { model_ = &m; }
  void on_train_begin(Logs&) {
    if (factor >= 1.0)
      throw value_error("ketl: ReduceLROnPlateau does not support a factor >= 1.0");
    // Keras's auto mode here: max only when 'acc' is in the name.
    maximise_ = mode == "auto" ? monitor.find("acc") != std::string::npos
                               : detail::maximises(monitor, mode, "ReduceLROnPlateau");
    best = detail::worst(maximise_);
    wait = 0;
    cooldown_counter = 0;
  }
  void on_epoch_end(int epoch, Logs& logs) {
    if (!model_) return;
    logs["lr"] = model_->learning_rate();
    const double current = detail::monitored(logs, monitor, model_, "Reduce LR on plateau");
    if (std::isnan(current)) return;
    if (cooldown_counter > 0) {
      --cooldown_counter;
      wait = 0;
    }
    const bool improved = maximise_ ? current > best + min_delta : current < best - min_delta;
    if (improved) {
      best = current;
      wait = 0;
    } else if (cooldown_counter <= 0) {
      if (++wait >= patience) {
        const double old_lr = model_->learning_rate();
        if (old_lr > min_lr) {
          const double new_lr = std::max(old_lr * factor, min_lr);
          model_->set_learning_rate(new_lr);
          if (verbose > 0) {
            char line[128];
            std::snprintf(line, sizeof line,
                          "\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %g.\n",
                          epoch + 1, new_lr);
            model_->out() << line;
          }
          cooldown_counter = cooldown;
          wait = 0;
        }
      }
    }
  }

  // Run-time state (public, so that the options stay an aggregate).
  ModelHandle* model_ = nullptr;
  bool maximise_ = false;
};

}  // namespace ketl::callbacks
