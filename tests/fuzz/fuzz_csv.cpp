// libFuzzer target: the digits CSV parser on any text, in memory.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <ketl/datasets/digits.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto s = ketl::datasets::digits::parse_csv(text, "fuzz.csv");
    if (s.x.shape()[0] != s.y.shape()[0] || s.x.shape()[1] != 64) std::abort();
    for (float v : s.x)
      if (!(v >= 0.0f && v <= 16.0f)) std::abort();
    for (auto l : s.y)
      if (l > 9) std::abort();
  } catch (const ketl::io_error&) {
  }
  return 0;
}
