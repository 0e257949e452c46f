// ModelCheckpoint, as Keras 2.2.4: every `period` epochs, saves the weights
// (.npz) to filepath formatted with the epoch (1-based) and the logs:
// "weights.{epoch:02d}-{val_loss:.2f}.npz". With save_best_only, only when
// the monitored value improves. ketl models save weights only.
#pragma once

#include <cstdio>
#include <string>

#include "ketl/callbacks/monitor.hpp"

namespace ketl::callbacks {

namespace detail {
// Python's str.format for the fields Keras fills: {name} or {name:spec},
// with spec a printf-like conversion (02d, .2f, .4e, ...).
inline std::string format_path(const std::string& pattern, int epoch, const Logs& logs) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '{') {
      out += c;
      continue;
    }
    const auto close = pattern.find('}', i);
    if (close == std::string::npos)
      throw value_error("ketl: ModelCheckpoint: unbalanced '{' in filepath " + pattern);
    const std::string field = pattern.substr(i + 1, close - i - 1);
    const auto colon = field.find(':');
    const std::string name = field.substr(0, colon);
    const std::string spec = colon == std::string::npos ? "" : field.substr(colon + 1);
    double value = 0;
    if (name == "epoch") {
      value = epoch + 1;
    } else {
      const auto it = logs.find(name);
      if (it == logs.end())
        throw value_error("ketl: ModelCheckpoint: filepath " + pattern + " names {" + name +
                          "}, which is not in the logs");
      value = it->second;
    }
    char buf[64];
    const bool integral = spec.empty() ? name == "epoch" : spec.back() == 'd';
    if (integral)
      std::snprintf(buf, sizeof buf, ("%" + (spec.empty() ? std::string("d") : spec)).c_str(),
                    int(value));
    else
      std::snprintf(buf, sizeof buf, ("%" + (spec.empty() ? std::string("g") : spec)).c_str(),
                    value);
    out += buf;
    i = close;
  }
  return out;
}
}  // namespace detail

struct ModelCheckpoint {
  // Data-parallel training: rank 0 alone writes (callback.hpp).
  static constexpr bool rank_zero_only = true;
  std::string filepath = {};
  std::string monitor = "val_loss";
  int verbose = 0;
  bool save_best_only = false;
  bool save_weights_only = true;  // ketl saves weights; the model is its C++ type
  std::string mode = "auto";
  int period = 1;

  double best = 0;

  void set_model(ModelHandle& m) { model_ = &m; }
  void on_train_begin(Logs&) {
    if (period < 1) throw value_error("ketl: ModelCheckpoint: period must be >= 1");
    maximise_ = detail::maximises(monitor, mode, "ModelCheckpoint");
    best = detail::worst(maximise_);
    since_last_ = 0;
  }
  void on_epoch_end(int epoch, Logs& logs) {
    if (!model_ || ++since_last_ < period) return;
    since_last_ = 0;
    const std::string path = detail::format_path(filepath, epoch, logs);
    char line[512];
    if (!save_best_only) {
      if (verbose > 0) {
        std::snprintf(line, sizeof line, "\nEpoch %05d: saving model to %s\n", epoch + 1,
                      path.c_str());
        model_->out() << line;
      }
      model_->save_weights(path);
      return;
    }
    const auto it = logs.find(monitor);
    if (it == logs.end()) {
      model_->out() << "Can save best model only with " << monitor << " available, skipping.\n";
      return;
    }
    const double current = it->second;
    if (maximise_ ? current > best : current < best) {
      if (verbose > 0) {
        std::snprintf(line, sizeof line,
                      "\nEpoch %05d: %s improved from %0.5f to %0.5f, saving model to %s\n",
                      epoch + 1, monitor.c_str(), best, current, path.c_str());
        model_->out() << line;
      }
      best = current;
      model_->save_weights(path);
    } else if (verbose > 0) {
      std::snprintf(line, sizeof line, "\nEpoch %05d: %s did not improve from %0.5f\n", epoch + 1,
                    monitor.c_str(), best);
      model_->out() << line;
    }
  }

  // Run-time state (public, so that the options stay an aggregate).
  ModelHandle* model_ = nullptr;
  bool maximise_ = false;
  int since_last_ = 0;
};

}  // namespace ketl::callbacks
