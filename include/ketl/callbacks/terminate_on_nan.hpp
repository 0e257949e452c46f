// TerminateOnNaN, as Keras: stops training on a batch whose loss is NaN or
// infinite. ketl skips that batch's update, so the weights stay finite.
#pragma once

#include <cmath>

#include "ketl/callback.hpp"

namespace ketl::callbacks {

struct TerminateOnNaN {
  void set_model(ModelHandle& m) { model_ = &m; }
  void on_batch_end(int batch, Logs& logs) {
    const auto it = logs.find("loss");
    if (it == logs.end() || std::isfinite(it->second) || !model_) return;
    model_->out() << "Batch " << batch << ": Invalid loss, terminating training\n";
    model_->stop_training = true;
  }

  // Run-time state (public, so that the options stay an aggregate).
  ModelHandle* model_ = nullptr;
};

}  // namespace ketl::callbacks
