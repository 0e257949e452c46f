// libFuzzer target: TensorFlow.js's model.json and its shards
// (io/tfjs.hpp). The input is model.json's text, a NUL byte, and the bytes
// every shard path reads as; anything but keras_weights or a
// ketl::io_error is a finding: bad JSON, manifests whose sizes, shapes and
// dtypes lie about the shards, quantization without its numbers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <ketl/io/tfjs.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = in.find('\0');
  const std::string_view text = in.substr(0, nul);
  const std::string shard(nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1));
  try {
    (void)ketl::io::tfjs::parse(
        text, [&](const std::string&) { return shard; }, "fuzz/model.json");
  } catch (const ketl::io_error&) {
  }
  return 0;
}
