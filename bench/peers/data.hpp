// The peers' shared workload, read from make_data.py's files, and the
// Glorot-uniform scale every program initialises its kernels with.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace peers {

constexpr std::size_t kSamples = 60000, kIn = 784, kHidden = 128, kOut = 10;

struct Workload {
  std::vector<float> x;         // kSamples x kIn
  std::vector<std::uint8_t> y;  // kSamples
};

inline Workload load(const std::string& dir) {
  Workload w{std::vector<float>(kSamples * kIn), std::vector<std::uint8_t>(kSamples)};
  auto read = [&](const std::string& name, void* data, std::size_t bytes) {
    std::FILE* f = std::fopen((dir + "/" + name).c_str(), "rb");
    if (!f || std::fread(data, 1, bytes, f) != bytes) {
      std::fprintf(stderr, "cannot read %s/%s (run make_data.py)\n", dir.c_str(), name.c_str());
      std::exit(1);
    }
    std::fclose(f);
  };
  read("x.f32", w.x.data(), w.x.size() * sizeof(float));
  read("y.u8", w.y.data(), w.y.size());
  return w;
}

// Keras's glorot_uniform limit, sqrt(6 / (fan_in + fan_out)).
inline float glorot_limit(std::size_t fan_in, std::size_t fan_out) {
  return std::sqrt(6.0f / float(fan_in + fan_out));
}

}  // namespace peers
