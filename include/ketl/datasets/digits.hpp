// The UCI optdigits data as scikit-learn ships it (data/digits.csv in the
// repository, CC BY 4.0, E. Alpaydin and C. Kaynak): each line is 64 pixel
// values in 0..16, then the label 0..9.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ketl/detail/xtensor.hpp"
#include "ketl/error.hpp"

namespace ketl::datasets {

struct TabularSplit {
  xt::xtensor<float, 2> x;         // (N, features)
  xt::xtensor<std::uint8_t, 1> y;  // (N,)
};

namespace digits {

inline constexpr std::size_t features = 64;

inline TabularSplit load_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw io_error("ketl: cannot open " + path);
  std::vector<float> xs;
  std::vector<std::uint8_t> ys;
  std::string line;
  std::size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r") continue;
    std::stringstream ss(line);
    std::string cell;
    std::vector<float> row;
    while (std::getline(ss, cell, ',')) {
      std::size_t used = 0;
      float v = 0;
      try {
        v = std::stof(cell, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0)
        throw io_error("ketl: " + path + ":" + std::to_string(lineno) + ": '" + cell +
                       "' is not a number");
      row.push_back(v);
    }
    if (row.size() != features + 1)
      throw io_error("ketl: " + path + ":" + std::to_string(lineno) + ": expected " +
                     std::to_string(features + 1) + " columns, got " + std::to_string(row.size()));
    const float label = row.back();
    if (!(label >= 0 && label <= 9 && label == static_cast<float>(static_cast<int>(label))))
      throw io_error("ketl: " + path + ":" + std::to_string(lineno) + ": label must be 0..9");
    xs.insert(xs.end(), row.begin(), row.end() - 1);
    ys.push_back(static_cast<std::uint8_t>(label));
  }
  if (ys.empty()) throw io_error("ketl: " + path + " holds no rows");
  TabularSplit s;
  s.x = xt::xtensor<float, 2>::from_shape({ys.size(), features});
  std::copy(xs.begin(), xs.end(), s.x.begin());
  s.y = xt::xtensor<std::uint8_t, 1>::from_shape({ys.size()});
  std::copy(ys.begin(), ys.end(), s.y.begin());
  return s;
}

}  // namespace digits
}  // namespace ketl::datasets
