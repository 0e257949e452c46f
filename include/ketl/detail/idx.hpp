// Reader for the IDX files of MNIST and Fashion-MNIST, gzipped or not
// (zlib's gzread passes plain files through).
//
// The header's dimensions are never trusted: their product is checked for
// overflow and against what the file can hold (its exact length when plain;
// deflate's best ratio times its length when gzipped) before anything is
// allocated, and the data are then read in chunks, so a lying header costs
// at most one chunk before it is reported. The data must end where the
// header says: trailing bytes are an error too.
#pragma once

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
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
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw io_error("ketl: cannot open " + path + ": " + os_reason(errno));
  if (!S_ISREG(st.st_mode)) throw io_error("ketl: " + path + " is not a regular file");
  const auto file_size = static_cast<std::size_t>(st.st_size);

  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw io_error("ketl: cannot open " + path + ": " + os_reason(errno));
  struct closer {
    gzFile f;
    ~closer() { gzclose(f); }
  } guard{f};

  // Up to n bytes; fewer only at the end of the data.
  auto read_some = [&](void* dst, std::size_t n) {
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
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  };
  auto read_exact = [&](void* dst, std::size_t n, const char* what) {
    const std::size_t got = read_some(dst, n);
    if (got < n)
      throw io_error("ketl: " + path + " is truncated: expected " + std::to_string(n) +
                     " bytes of " + what + ", got " + std::to_string(got));
  };

  std::array<unsigned char, 4> magic{};
  read_exact(magic.data(), 4, "header");
  // Magic: two zero bytes, the type code (0x08 = unsigned byte), the rank.
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] != rank)
    throw io_error("ketl: " + path + " is not an unsigned-byte IDX file of rank " +
                   std::to_string(rank) + " (bad magic number)");
  idx_file out;
  std::size_t total = 1;
  bool overflow = false;
  for (std::size_t i = 0; i < rank; ++i) {
    std::array<unsigned char, 4> b{};
    read_exact(b.data(), 4, "header");
    const std::size_t d = (std::size_t{b[0]} << 24) | (std::size_t{b[1]} << 16) |
                          (std::size_t{b[2]} << 8) | std::size_t{b[3]};
    out.dims.push_back(d);
    if (d != 0 && total > SIZE_MAX / d) overflow = true;
    total *= d;
  }
  std::string dims;
  for (auto d : out.dims) dims += (dims.empty() ? "" : " x ") + std::to_string(d);
  if (overflow)
    throw io_error("ketl: " + path + " is corrupt: its header's dimensions (" + dims +
                   ") overflow the size of any array");
  // What the file can hold: its exact length after the header when plain,
  // deflate's best ratio (about 1032:1) times its length when gzipped.
  const bool gzipped = gzdirect(f) == 0;
  const std::size_t header = 4 + 4 * rank;
  const std::size_t room =
      gzipped ? file_size * 1032 + 1024 : (file_size > header ? file_size - header : 0);
  if (total > room || (!gzipped && total != room))
    throw io_error("ketl: " + path + " is corrupt: its header claims " + dims + " = " +
                   std::to_string(total) + " bytes of data, but the file (" +
                   std::to_string(file_size) + " bytes" + (gzipped ? ", gzipped" : "") + ") " +
                   (total > room ? "cannot hold that many" : "holds " + std::to_string(room)));
  // Grow as the data arrive: a header that lies costs one chunk at most.
  constexpr std::size_t chunk = std::size_t{16} << 20;
  while (out.data.size() < total) {
    const std::size_t have = out.data.size();
    const std::size_t want = std::min(chunk, total - have);
    out.data.resize(have + want);
    const std::size_t got = read_some(out.data.data() + have, want);
    if (got < want)
      throw io_error("ketl: " + path + " is truncated: its header claims " + dims + " = " +
                     std::to_string(total) + " bytes of data, but it holds " +
                     std::to_string(have + got));
  }
  unsigned char extra = 0;
  if (read_some(&extra, 1) != 0)
    throw io_error("ketl: " + path + " is corrupt: it holds more data than its header's " + dims);
  return out;
}

}  // namespace ketl::detail
