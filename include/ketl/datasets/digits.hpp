// The UCI optdigits data as scikit-learn ships it (data/digits.csv in the
// repository, CC BY 4.0, E. Alpaydin and C. Kaynak): each line is 64 pixel
// values in 0..16, then the label 0..9.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ketl/detail/xtensor.hpp"
#include "ketl/error.hpp"
#include "ketl/io/file.hpp"

namespace ketl::datasets {

struct TabularSplit {
  xt::xtensor<float, 2> x;         // (N, features)
  xt::xtensor<std::uint8_t, 1> y;  // (N,)
};

namespace digits {

inline constexpr std::size_t features = 64;

// Rows of text: 64 pixels in 0..16, then a label 0..9, comma-separated.
// Each cell must be a whole number (std::from_chars, nothing left over);
// `file` names the source in messages, which give the row and column.
inline TabularSplit parse_csv(std::string_view text, const std::string& file = "digits.csv") {
  std::vector<float> xs;
  std::vector<std::uint8_t> ys;
  std::size_t lineno = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    // file:row: as a compiler names a line; cells also name their column.
    const std::string where = "ketl: " + file + ":" + std::to_string(lineno);
    std::size_t column = 0, at = 0;
    float label = 0;
    for (;;) {
      std::size_t comma = line.find(',', at);
      if (comma == std::string_view::npos) comma = line.size();
      const std::string_view cell = line.substr(at, comma - at);
      ++column;
      if (column > features + 1)
        throw io_error(where + ": more than " + std::to_string(features + 1) + " columns");
      float v = 0;
      const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (ec != std::errc() || ptr != cell.data() + cell.size() || cell.empty())
        throw io_error(where + ": column " + std::to_string(column) + ": '" + std::string(cell) +
                       "' is not a number");
      const bool is_label = column == features + 1;
      const float top = is_label ? 9.0f : 16.0f;
      if (!(v >= 0.0f && v <= top) || (is_label && v != float(int(v))))
        throw io_error(where + ": column " + std::to_string(column) + ": " + std::string(cell) +
                       (is_label ? " is not a label in 0..9" : " is not a pixel value in 0..16"));
      if (is_label)
        label = v;
      else
        xs.push_back(v);
      if (comma == line.size()) break;
      at = comma + 1;
    }
    if (column != features + 1)
      throw io_error(where + ": expected " + std::to_string(features + 1) + " columns, got " +
                     std::to_string(column));
    ys.push_back(static_cast<std::uint8_t>(label));
  }
  if (ys.empty()) throw io_error("ketl: " + file + " holds no rows");
  TabularSplit s;
  s.x = xt::xtensor<float, 2>::from_shape({ys.size(), features});
  std::copy(xs.begin(), xs.end(), s.x.begin());
  s.y = xt::xtensor<std::uint8_t, 1>::from_shape({ys.size()});
  std::copy(ys.begin(), ys.end(), s.y.begin());
  return s;
}

inline TabularSplit load_csv(const std::string& path) {
  return parse_csv(io::read_file(path, "digits::load_csv"), path);
}

}  // namespace digits
}  // namespace ketl::datasets
