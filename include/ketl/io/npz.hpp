// NumPy's .npz format: a zip archive of .npy arrays, so that numpy.load
// reads what save_weights writes, and load_weights reads np.savez and
// np.savez_compressed files. Only little-endian float32/float64 C-order
// arrays are read, which is what weights are.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "ketl/error.hpp"

namespace ketl::io {

struct NpyArray {
  std::vector<std::size_t> shape;
  std::vector<double> values;  // exact for float32 and float64
};

namespace detail {

inline void put16(std::string& s, std::uint16_t v) {
  s.push_back(char(v & 0xff));
  s.push_back(char(v >> 8));
}
inline void put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}
inline std::uint32_t get16(const std::string& s, std::size_t at) {
  if (at + 2 > s.size()) throw io_error("ketl: npz: truncated archive");
  return std::uint32_t(std::uint8_t(s[at])) | std::uint32_t(std::uint8_t(s[at + 1])) << 8;
}
inline std::uint32_t get32(const std::string& s, std::size_t at) {
  return get16(s, at) | get16(s, at + 2) << 16;
}

// One .npy file (format 1.0) holding a float32 or float64 array.
template <class F>
std::string npy_bytes(const std::vector<std::size_t>& shape, const F* data) {
  static_assert(std::is_same_v<F, float> || std::is_same_v<F, double>);
  std::string dims;
  std::size_t count = 1;
  for (auto d : shape) dims += (dims.empty() ? "" : ", ") + std::to_string(d), count *= d;
  if (shape.size() == 1) dims += ",";  // Python's one-tuple
  std::string header = std::string("{'descr': '") + (sizeof(F) == 4 ? "<f4" : "<f8") +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // The magic, version and length take 10 bytes; pad to a multiple of 64.
  while ((10 + header.size() + 1) % 64 != 0) header.push_back(' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  put16(out, std::uint16_t(header.size()));
  out += header;
  out.append(reinterpret_cast<const char*>(data), count * sizeof(F));
  return out;
}

inline NpyArray parse_npy(const std::string& b, const std::string& name) {
  auto bad = [&](const std::string& why) {
    return io_error("ketl: npz: array '" + name + "': " + why);
  };
  if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) throw bad("not a .npy array");
  const int major = std::uint8_t(b[6]);
  std::size_t hlen = 0, start = 0;
  if (major == 1) {
    hlen = get16(b, 8), start = 10;
  } else if (major == 2 || major == 3) {
    hlen = get32(b, 8), start = 12;
  } else {
    throw bad("unknown .npy version " + std::to_string(major));
  }
  if (start + hlen > b.size()) throw bad("truncated header");
  const std::string h = b.substr(start, hlen);
  std::size_t width = 0;
  if (h.find("'<f4'") != std::string::npos)
    width = 4;
  else if (h.find("'<f8'") != std::string::npos)
    width = 8;
  else
    throw bad("only little-endian float32 and float64 arrays can be read: " + h);
  if (h.find("'fortran_order': True") != std::string::npos)
    throw bad("Fortran-order arrays are not supported");
  const auto open = h.find('(', h.find("'shape'")), close = h.find(')', open);
  if (open == std::string::npos || close == std::string::npos) throw bad("no shape in the header");
  NpyArray a;
  std::stringstream dims(h.substr(open + 1, close - open - 1));
  std::string part;
  std::size_t count = 1;
  while (std::getline(dims, part, ',')) {
    if (part.find_first_not_of(' ') == std::string::npos) continue;
    a.shape.push_back(std::stoul(part));
    count *= a.shape.back();
  }
  const std::size_t at = start + hlen;
  if (b.size() - at != count * width)
    throw bad("holds " + std::to_string(b.size() - at) + " bytes of data for " +
              std::to_string(count) + " values");
  a.values.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (width == 4) {
      float f;
      std::memcpy(&f, b.data() + at + 4 * i, 4);
      a.values[i] = f;
    } else {
      std::memcpy(&a.values[i], b.data() + at + 8 * i, 8);
    }
  }
  return a;
}

inline std::string inflate_raw(const std::string& in, std::size_t out_size,
                               const std::string& name) {
  std::string out(out_size, '\0');
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw io_error("ketl: npz: zlib failed to start");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  const int rc = inflate(&z, Z_FINISH);
  inflateEnd(&z);
  if (rc != Z_STREAM_END || z.total_out != out_size)
    throw io_error("ketl: npz: array '" + name + "' is corrupt (deflate stream)");
  return out;
}

}  // namespace detail

// Writes arrays (name -> shape, float32 data) as an uncompressed .npz.
// The file is written whole to a temporary name and renamed, so a failed
// write leaves any earlier file as it was.
template <class F>
struct NpzEntry {
  std::string name;
  std::vector<std::size_t> shape;
  const F* data;
};

template <class F>
void save_npz(const std::string& path, const std::vector<NpzEntry<F>>& entries) {
  std::string zip, central;
  for (const auto& e : entries) {
    const std::string file = e.name + ".npy";
    const std::string body = detail::npy_bytes(e.shape, e.data);
    if (body.size() > 0xffffffffu || zip.size() > 0xffffffffu)
      throw io_error("ketl: npz: " + path + ": arrays over 4 GiB need zip64, not supported");
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

  const std::string tmp = path + ".ketl-tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw io_error("ketl: save_weights: cannot open " + path + " for writing");
    f.write(zip.data(), std::streamsize(zip.size()));
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw io_error("ketl: save_weights: writing " + path + " failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw io_error("ketl: save_weights: cannot write " + path);
  }
}

// Every array of an .npz file, by name (without ".npy").
inline std::map<std::string, NpyArray> load_npz(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw io_error("ketl: load_weights: cannot open " + path);
  const std::string z((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // The end-of-central-directory record, searched from the end.
  std::size_t eocd = std::string::npos;
  for (std::size_t i = z.size() >= 22 ? z.size() - 22 : 0; z.size() >= 22; --i) {
    if (detail::get32(z, i) == 0x06054b50) {
      eocd = i;
      break;
    }
    if (i == 0 || z.size() - i > 65557) break;
  }
  if (eocd == std::string::npos)
    throw io_error("ketl: load_weights: " + path + " is not an .npz (zip) file");
  const std::size_t count = detail::get16(z, eocd + 10);
  std::size_t at = detail::get32(z, eocd + 16);
  std::map<std::string, NpyArray> out;
  for (std::size_t k = 0; k < count; ++k) {
    if (detail::get32(z, at) != 0x02014b50)
      throw io_error("ketl: load_weights: " + path + ": corrupt central directory");
    const auto method = detail::get16(z, at + 10);
    const auto crc = detail::get32(z, at + 16);
    const std::size_t csize = detail::get32(z, at + 20), usize = detail::get32(z, at + 24);
    const std::size_t nlen = detail::get16(z, at + 28), xlen = detail::get16(z, at + 30),
                      clen = detail::get16(z, at + 32);
    const std::size_t local = detail::get32(z, at + 42);
    if (at + 46 + nlen > z.size()) throw io_error("ketl: load_weights: " + path + ": truncated");
    std::string name = z.substr(at + 46, nlen);
    at += 46 + nlen + xlen + clen;
    if (detail::get32(z, local) != 0x04034b50)
      throw io_error("ketl: load_weights: " + path + ": corrupt entry " + name);
    const std::size_t data =
        local + 30 + detail::get16(z, local + 26) + detail::get16(z, local + 28);
    if (data + csize > z.size())
      throw io_error("ketl: load_weights: " + path + ": truncated entry " + name);
    std::string body = z.substr(data, csize);
    if (method == 8)
      body = detail::inflate_raw(body, usize, name);
    else if (method != 0)
      throw io_error("ketl: load_weights: " + path + ": entry " + name +
                     " uses an unsupported compression method");
    if (std::uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))) !=
        crc)
      throw io_error("ketl: load_weights: " + path + ": entry " + name + " fails its CRC check");
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
      name.resize(name.size() - 4);
    out[name] = detail::parse_npy(body, name);
  }
  return out;
}

}  // namespace ketl::io
