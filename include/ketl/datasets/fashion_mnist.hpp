// keras.datasets.fashion_mnist.load_data(), from the gzipped IDX files that
// Debian's dataset-fashion-mnist installs:
//   auto [train, test] = ketl::datasets::fashion_mnist::load_data();
//   auto& [x_train, y_train] = train;   // uint8 (60000, 28, 28) and (60000,)
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "ketl/detail/idx.hpp"
#include "ketl/detail/xtensor.hpp"

namespace ketl::datasets {

// One split: images and their labels.
struct ImageSplit {
  xt::xtensor<std::uint8_t, 3> x;
  xt::xtensor<std::uint8_t, 1> y;
};

struct ImageDataset {
  ImageSplit train, test;
};

namespace fashion_mnist {

inline constexpr const char* default_directory = "/usr/share/datasets/fashion-mnist";

inline ImageSplit load_split(const std::string& dir, const std::string& prefix) {
  const auto images = detail::read_idx_u8(dir + "/" + prefix + "-images-idx3-ubyte.gz", 3);
  const auto labels = detail::read_idx_u8(dir + "/" + prefix + "-labels-idx1-ubyte.gz", 1);
  if (images.dims[0] != labels.dims[0])
    throw io_error("ketl: fashion_mnist: " + prefix + " has " + std::to_string(images.dims[0]) +
                   " images but " + std::to_string(labels.dims[0]) + " labels");
  ImageSplit s;
  s.x = xt::xtensor<std::uint8_t, 3>::from_shape({images.dims[0], images.dims[1], images.dims[2]});
  std::copy(images.data.begin(), images.data.end(), s.x.begin());
  s.y = xt::xtensor<std::uint8_t, 1>::from_shape({labels.dims[0]});
  std::copy(labels.data.begin(), labels.data.end(), s.y.begin());
  for (auto label : s.y)
    if (label > 9) throw io_error("ketl: fashion_mnist: " + prefix + " has a label above 9");
  return s;
}

// (x_train, y_train), (x_test, y_test); dir overrides Debian's location.
inline ImageDataset load_data(const std::string& dir = default_directory) {
  return {load_split(dir, "train"), load_split(dir, "t10k")};
}

}  // namespace fashion_mnist
}  // namespace ketl::datasets
