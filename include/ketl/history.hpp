// History: what fit() returns, as Keras's History callback records it.
//
//   ketl::History h = model.fit(...);
//   h.history["loss"], h.history.at("val_acc"), for (auto& [name, values] : h.history)
//
// history is a std::map whose at() throws ketl::value_error naming the
// missing key and the keys it has (std::map's would throw std::out_of_range
// with neither).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ketl/error.hpp"

namespace ketl {

class HistoryLog : public std::map<std::string, std::vector<double>> {
  using base = std::map<std::string, std::vector<double>>;

 public:
  using base::base;
  mapped_type& at(const key_type& key) { return const_cast<mapped_type&>(find_or_throw(key)); }
  const mapped_type& at(const key_type& key) const { return find_or_throw(key); }

 private:
  const mapped_type& find_or_throw(const key_type& key) const {
    if (const auto it = find(key); it != end()) return it->second;
    std::string have;
    for (const auto& [k, v] : *this) have += (have.empty() ? "" : ", ") + k;
    throw value_error("ketl: History has no \"" + key + "\" (it has: " + have +
                      "). Keras's names: \"acc\" for accuracy, a loss used as a metric by its "
                      "function's name (\"mean_absolute_error\" for \"mae\"), \"val_\" in front "
                      "for validation");
  }
};

struct History {
  std::vector<int> epoch;  // 0-based epoch indices
  HistoryLog history;      // "loss", "acc", "val_loss", ...
};

}  // namespace ketl
