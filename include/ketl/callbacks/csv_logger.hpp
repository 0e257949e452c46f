// CSVLogger, as Keras 2.2.4: one row per epoch; the columns are "epoch"
// then the sorted log keys of the first epoch; flushed every epoch.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ketl/callback.hpp"
#include "ketl/error.hpp"

namespace ketl::callbacks {

struct CSVLogger {
  // Data-parallel training: rank 0 alone writes (callback.hpp).
  static constexpr bool rank_zero_only = true;
  std::string filename = {};
  char separator = ',';
  bool append = false;

  void on_train_begin(Logs&) {
    const bool had_rows =
        append && std::ifstream(filename).peek() != std::ifstream::traits_type::eof();
    file_.open(filename, append ? std::ios::app : std::ios::trunc);
    if (!file_) throw io_error("ketl: CSVLogger: cannot open " + filename + " for writing");
    keys_.clear();
    header_written_ = had_rows;
  }
  void on_epoch_end(int epoch, Logs& logs) {
    if (keys_.empty())
      for (const auto& [k, v] : logs) keys_.push_back(k);  // std::map: sorted, as Keras
    std::ostringstream row;
    if (!header_written_) {
      row << "epoch";
      for (const auto& k : keys_) row << separator << k;
      row << '\n';
      header_written_ = true;
    }
    row << epoch;
    row.precision(17);
    for (const auto& k : keys_) {
      const auto it = logs.find(k);
      row << separator;
      if (it == logs.end())
        row << "NA";
      else
        row << it->second;
    }
    row << '\n';
    file_ << row.str();
    file_.flush();
    if (!file_) throw io_error("ketl: CSVLogger: writing " + filename + " failed");
  }
  void on_train_end(Logs&) { file_.close(); }

  // Run-time state (public, so that the options stay an aggregate).
  std::ofstream file_ = {};
  std::vector<std::string> keys_ = {};
  bool header_written_ = false;
};

}  // namespace ketl::callbacks
