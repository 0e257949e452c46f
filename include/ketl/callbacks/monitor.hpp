// What EarlyStopping, ModelCheckpoint and ReduceLROnPlateau share: a
// monitored log value and Keras's rule for which way is better.
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "ketl/callback.hpp"
#include "ketl/error.hpp"

namespace ketl::callbacks::detail {

// mode "auto": max for accuracies ('acc' in the name, or fmeasure), else min.
inline bool maximises(const std::string& monitor, const std::string& mode, const char* who) {
  if (mode == "max") return true;
  if (mode == "min") return false;
  if (mode != "auto")
    throw value_error(std::string("ketl: ") + who +
                      ": mode must be \"auto\", \"min\" or \"max\", got \"" + mode + "\"");
  return monitor.find("acc") != std::string::npos || monitor.rfind("fmeasure", 0) == 0;
}

inline double worst(bool maximise) {
  return maximise ? -std::numeric_limits<double>::infinity()
                  : std::numeric_limits<double>::infinity();
}

// The monitored value, or NaN (with Keras's warning) when the logs lack it.
inline double monitored(const Logs& logs, const std::string& monitor, ModelHandle* m,
                        const char* what) {
  const auto it = logs.find(monitor);
  if (it != logs.end()) return it->second;
  if (m) {
    std::string available;
    for (const auto& [k, v] : logs) available += (available.empty() ? "" : ",") + k;
    m->out() << what << " conditioned on metric `" << monitor
             << "` which is not available. Available metrics are: " << available << '\n';
  }
  return std::nan("");
}

}  // namespace ketl::callbacks::detail
