// NumPy's .npz format: a zip archive of .npy arrays, so that numpy.load
// reads what save_weights writes, and load_weights reads np.savez and
// np.savez_compressed files. Only little-endian float32/float64 C-order
// arrays are read, which is what weights are.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ketl/error.hpp"
#include "ketl/io/file.hpp"
#include "ketl/io/npy.hpp"

namespace ketl::io {

namespace detail {

// Deflate's best ratio is about 1032:1; no honest entry inflates further.
inline constexpr std::size_t max_inflate_ratio = 1032;

// Inflates a raw deflate stream that must give exactly out_size bytes.
inline std::string inflate_raw(std::string_view in, std::size_t out_size, const std::string& name) {
  std::string out = ketl::detail::as_ketl_error("npz: inflating " + name,
                                                [&] { return std::string(out_size, '\0'); });
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw io_error("zlib failed to start");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  const int rc = inflate(&z, Z_FINISH);
  inflateEnd(&z);
  if (rc != Z_STREAM_END || z.total_out != out_size)
    throw io_error("entry " + name + " is corrupt (its deflate stream does not give the " +
                   std::to_string(out_size) + " bytes the directory promises)");
  return out;
}

}  // namespace detail

// Writes arrays (name -> shape, float data) as an uncompressed .npz,
// atomically and durably (io/file.hpp): a failed save leaves any earlier
// file as it was.
template <class F>
struct NpzEntry {
  std::string name;
  std::vector<std::size_t> shape;
  const F* data;
};

template <class F>
void save_npz(const std::string& path, const std::vector<NpzEntry<F>>& entries,
              std::string_view what = "save_weights") {
  std::string zip, central;
  if (entries.size() > 0xffff)
    throw io_error("ketl: " + std::string(what) + ": " + path +
                   ": more than 65535 arrays need zip64, which is not supported");
  for (const auto& e : entries) {
    const std::string file = e.name + ".npy";
    const std::string body = detail::npy_bytes(e.shape, e.data);
    if (body.size() > 0xffffffffu || zip.size() > 0xffffffffu || file.size() > 0xffff)
      throw io_error("ketl: " + std::string(what) + ": " + path +
                     ": arrays over 4 GiB need zip64, which is not supported");
    const auto crc =
        std::uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size())));
    const auto offset = std::uint32_t(zip.size());
    auto common = [&](std::string& s) {
      detail::put16(s, 20);  // version needed: 2.0
      detail::put16(s, 0);   // flags
      detail::put16(s, 0);   // stored
      detail::put16(s, 0);   // time
      detail::put16(s, 33);  // date: 1980-01-01
      detail::put32(s, crc);
      detail::put32(s, std::uint32_t(body.size()));
      detail::put32(s, std::uint32_t(body.size()));
      detail::put16(s, std::uint16_t(file.size()));
      detail::put16(s, 0);  // extra
    };
    detail::put32(zip, 0x04034b50);
    common(zip);
    zip += file;
    zip += body;
    detail::put32(central, 0x02014b50);
    detail::put16(central, 20);  // made by
    common(central);
    detail::put16(central, 0);  // comment
    detail::put16(central, 0);  // disk
    detail::put16(central, 0);  // internal attributes
    detail::put32(central, 0);  // external attributes
    detail::put32(central, offset);
    central += file;
  }
  const auto cd_offset = std::uint32_t(zip.size());
  zip += central;
  detail::put32(zip, 0x06054b50);
  detail::put16(zip, 0);
  detail::put16(zip, 0);
  detail::put16(zip, std::uint16_t(entries.size()));
  detail::put16(zip, std::uint16_t(entries.size()));
  detail::put32(zip, std::uint32_t(central.size()));
  detail::put32(zip, cd_offset);
  detail::put16(zip, 0);
  write_file_atomically(path, zip, what);
}

// Every array of an .npz held in memory, by name (without ".npy"). Every
// offset and size in the archive is checked against its real length, and
// an entry's uncompressed size against deflate's best ratio, before any
// allocation; `file` names the archive in messages.
inline std::map<std::string, NpyArray> parse_npz(std::string_view z, const std::string& file,
                                                 std::string_view what = "load_weights") {
  const std::string where = "ketl: " + std::string(what) + ": " + file + ": ";
  auto bad = [&](const std::string& why) { return io_error(where + why); };
  try {
    // The end-of-central-directory record, searched from the end (its
    // comment is at most 65535 bytes).
    std::size_t eocd = std::string_view::npos;
    if (z.size() >= 22)
      for (std::size_t i = z.size() - 22;; --i) {
        if (detail::get32(z, i) == 0x06054b50) {
          eocd = i;
          break;
        }
        if (i == 0 || z.size() - i > 22 + 0xffff) break;
      }
    if (eocd == std::string_view::npos) {
      if (z.size() >= 4 && detail::get32(z, 0) == 0x04034b50)
        throw bad("truncated: a zip archive without its end-of-central-directory record");
      throw bad("not an .npz (zip) archive");
    }
    const std::size_t count = detail::get16(z, eocd + 10);
    const std::size_t cd_size = detail::get32(z, eocd + 12);
    std::size_t at = detail::get32(z, eocd + 16);
    if (count == 0xffff || cd_size == 0xffffffff || at == 0xffffffff)
      throw bad("zip64 archives are not supported");
    if (at > eocd || cd_size > eocd - at) throw bad("the central directory lies outside the file");
    std::map<std::string, NpyArray> out;
    for (std::size_t k = 0; k < count; ++k) {
      if (at + 46 > eocd || detail::get32(z, at) != 0x02014b50)
        throw bad("corrupt central directory (entry " + std::to_string(k) + ")");
      const auto flags = detail::get16(z, at + 8);
      const auto method = detail::get16(z, at + 10);
      const auto crc = detail::get32(z, at + 16);
      const std::size_t csize = detail::get32(z, at + 20), usize = detail::get32(z, at + 24);
      const std::size_t nlen = detail::get16(z, at + 28), xlen = detail::get16(z, at + 30),
                        clen = detail::get16(z, at + 32);
      const std::size_t local = detail::get32(z, at + 42);
      if (nlen > eocd - at - 46) throw bad("corrupt central directory (a name runs past it)");
      std::string name(z.substr(at + 46, nlen));
      at += 46 + nlen + xlen + clen;
      if (flags & 1) throw bad("entry " + name + " is encrypted");
      if (csize == 0xffffffff || usize == 0xffffffff || local == 0xffffffff)
        throw bad("entry " + name + " needs zip64, which is not supported");
      if (local + 30 > z.size() || detail::get32(z, local) != 0x04034b50)
        throw bad("corrupt entry " + name + " (no local header where the directory points)");
      const std::size_t data =
          local + 30 + detail::get16(z, local + 26) + detail::get16(z, local + 28);
      if (data > z.size() || csize > z.size() - data)
        throw bad("truncated: entry " + name + " runs past the end of the file");
      const std::string_view stored = z.substr(data, csize);
      std::string inflated;
      std::string_view body;
      if (method == 0) {
        if (usize != csize) throw bad("corrupt entry " + name + " (stored, but sizes differ)");
        body = stored;
      } else if (method == 8) {
        if (usize / detail::max_inflate_ratio > csize + 1)
          throw bad("entry " + name + " claims " + std::to_string(usize) + " bytes from " +
                    std::to_string(csize) + " compressed, beyond deflate's ratio");
        inflated = detail::inflate_raw(stored, usize, name);
        body = inflated;
      } else {
        throw bad("entry " + name + " uses compression method " + std::to_string(method) +
                  " (only stored and deflate are read)");
      }
      if (std::uint32_t(
              crc32(0L, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))) != crc)
        throw bad("entry " + name + " fails its CRC check");
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
        name.resize(name.size() - 4);
      if (out.count(name)) throw bad("array '" + name + "' appears twice");
      out[name] = detail::parse_npy(body, name);
    }
    return out;
  } catch (const io_error& e) {
    if (std::string_view(e.what()).substr(0, where.size()) == where) throw;
    throw bad(e.what());
  }
}

// Every array of an .npz file, by name (without ".npy").
inline std::map<std::string, NpyArray> load_npz(const std::string& path,
                                                std::string_view what = "load_weights") {
  return parse_npz(read_file(path, what), path, what);
}

}  // namespace ketl::io
