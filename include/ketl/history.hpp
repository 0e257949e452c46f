// History: what fit() returns, as Keras's History callback records it.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ketl {

struct History {
  std::vector<int> epoch;                              // 0-based epoch indices
  std::map<std::string, std::vector<double>> history;  // "loss", "acc", "val_loss", ...
};

}  // namespace ketl
