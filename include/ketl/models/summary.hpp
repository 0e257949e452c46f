// The table of Keras's Model.summary() (keras/utils/layer_utils.py,
// print_summary): fields cut and padded to column positions, rules of '_'
// and '=', and the parameter totals with Python's thousands separators.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace ketl::detail {

// Python's '{:,}'.
inline std::string with_commas(std::size_t v) {
  const std::string digits = std::to_string(v);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

class summary_table {
 public:
  // positions: where each column ends, the last one the line's length.
  summary_table(std::ostream& os, std::vector<std::size_t> positions)
      : os_(os), positions_(std::move(positions)) {}

  void header(const std::vector<std::string>& fields) {
    rule('_');
    line(fields);
    rule('=');
  }
  // One layer's row; a rule of '_' after it, or '=' after the last layer.
  void row(const std::vector<std::string>& fields, bool last) {
    line(fields);
    rule(last ? '=' : '_');
  }
  // Rows without a rule after them (a layer's further connections).
  void line(const std::vector<std::string>& fields) {
    std::string s;
    for (std::size_t i = 0; i < positions_.size(); ++i) {
      if (i > 0) s = s.substr(0, s.size() - 1) + ' ';
      s += i < fields.size() ? fields[i] : std::string();
      s = s.substr(0, positions_[i]);
      s += std::string(positions_[i] - s.size(), ' ');
    }
    os_ << s << '\n';
  }
  void rule(char c) { os_ << std::string(positions_.back(), c) << '\n'; }
  void totals(std::size_t total, std::size_t trainable, std::size_t non_trainable, bool empty) {
    if (empty) rule('=');
    os_ << "Total params: " << with_commas(total) << '\n';
    os_ << "Trainable params: " << with_commas(trainable) << '\n';
    os_ << "Non-trainable params: " << with_commas(non_trainable) << '\n';
    rule('_');
  }

 private:
  std::ostream& os_;
  std::vector<std::size_t> positions_;
};

}  // namespace ketl::detail
