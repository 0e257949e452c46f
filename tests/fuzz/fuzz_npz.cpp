// libFuzzer target: the .npz (zip) and .npy readers on any bytes, in
// memory. Input starting with .npy's magic goes to the .npy parser alone,
// so that the header parser is reached without a valid zip around it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <ketl/io/npz.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    if (bytes.substr(0, 6) == std::string_view("\x93NUMPY", 6)) {
      const auto a = ketl::io::detail::parse_npy(bytes, "fuzz");
      std::size_t n = 1;
      for (auto d : a.shape) n *= d;
      if (n != a.values.size()) std::abort();
    } else {
      for (const auto& [name, a] : ketl::io::parse_npz(bytes, "fuzz.npz")) {
        std::size_t n = 1;
        for (auto d : a.shape) n *= d;
        if (n != a.values.size()) std::abort();
      }
    }
  } catch (const ketl::io_error&) {
  }
  return 0;
}
