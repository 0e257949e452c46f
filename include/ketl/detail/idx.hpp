// Reader for the IDX files of MNIST and Fashion-MNIST, gzipped or not
// (zlib's gzread passes plain files through).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <zlib.h>

#include "ketl/error.hpp"

namespace ketl::detail {

struct idx_file {
  std::vector<std::size_t> dims;
  std::vector<std::uint8_t> data;
};

// Reads an unsigned-byte IDX file whose rank is `rank`.
inline idx_file read_idx_u8(const std::string& path, std::size_t rank) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw io_error("ketl: cannot open " + path + " (is the file there and readable?)");
  struct closer {
    gzFile f;
    ~closer() { gzclose(f); }
  } guard{f};

  auto read_exact = [&](void* dst, std::size_t n, const char* what) {
    std::size_t got = 0;
    auto* p = static_cast<unsigned char*>(dst);
    while (got < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 30));
      const int r = gzread(f, p + got, chunk);
      if (r < 0) {
        int err = 0;
        const char* msg = gzerror(f, &err);
        throw io_error("ketl: " + path + " is corrupt (" + (msg ? msg : "zlib error") + ")");
      }
      if (r == 0)
        throw io_error("ketl: " + path + " is truncated: expected " + std::to_string(n) +
                       " bytes of " + what + ", got " + std::to_string(got));
      got += static_cast<std::size_t>(r);
    }
  };

  std::array<unsigned char, 4> magic{};
  read_exact(magic.data(), 4, "header");
  // Magic: two zero bytes, the type code (0x08 = unsigned byte), the rank.
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] != rank)
    throw io_error("ketl: " + path + " is not an unsigned-byte IDX file of rank " +
                   std::to_string(rank) + " (bad magic number)");
  idx_file out;
  std::size_t total = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    std::array<unsigned char, 4> b{};
    read_exact(b.data(), 4, "header");
    const std::size_t d = (std::size_t{b[0]} << 24) | (std::size_t{b[1]} << 16) |
                          (std::size_t{b[2]} << 8) | std::size_t{b[3]};
    out.dims.push_back(d);
    total *= d;
  }
  out.data.resize(total);
  read_exact(out.data.data(), total, "data");
  return out;
}

}  // namespace ketl::detail
