// NumPy's .npy format (versions 1.0 to 3.0): write float32/float64 C-order
// arrays, and read them back from bytes that may be hostile.
//
// The header is a Python dict literal, parsed as one ({'descr': '<f4',
// 'fortran_order': False, 'shape': (3, 4), }): exactly those three keys, as
// numpy.load demands. Sizes are checked against overflow and against the
// bytes that are really there before anything is allocated.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
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
// Little-endian reads that never go past the end of s.
inline std::uint32_t get16(std::string_view s, std::size_t at) {
  if (at > s.size() || s.size() - at < 2) throw io_error("truncated");
  return std::uint32_t(std::uint8_t(s[at])) | std::uint32_t(std::uint8_t(s[at + 1])) << 8;
}
inline std::uint32_t get32(std::string_view s, std::size_t at) {
  if (at > s.size() || s.size() - at < 4) throw io_error("truncated");
  return get16(s, at) | get16(s, at + 2) << 16;
}

// a * b, or false when it does not fit in a size_t.
inline bool checked_mul(std::size_t a, std::size_t b, std::size_t& out) {
  if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) return false;
  out = a * b;
  return true;
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

// The three fields of an .npy header, parsed from its dict literal.
struct npy_header {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
};

// A recursive-descent parser for the literals numpy writes: a dict of
// string keys to strings, True/False and tuples of non-negative integers.
class py_literal_parser {
 public:
  explicit py_literal_parser(std::string_view s) : s_(s) {}

  npy_header header() {
    npy_header h;
    bool seen[3] = {false, false, false};
    expect('{');
    while (!peek('}')) {
      const std::string key = string_literal();
      expect(':');
      int k = key == "descr" ? 0 : key == "fortran_order" ? 1 : key == "shape" ? 2 : -1;
      if (k < 0) fail("unexpected key '" + key + "' (numpy writes descr, fortran_order, shape)");
      if (seen[k]) fail("key '" + key + "' appears twice");
      seen[k] = true;
      if (k == 0) h.descr = string_literal();
      if (k == 1) h.fortran_order = boolean();
      if (k == 2) h.shape = int_tuple();
      if (!peek(',')) break;
      expect(',');
    }
    expect('}');
    skip_space();
    if (pos_ != s_.size()) fail("text after the dict");
    if (!seen[0] || !seen[1] || !seen[2])
      fail("the header needs the keys descr, fortran_order and shape");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw io_error("bad .npy header at offset " + std::to_string(pos_) + ": " + why);
  }
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) fail("expected a string");
    const char q = s_[pos_++];
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (s_[pos_] == '\\') fail("escapes are not expected in an .npy header");
      ++pos_;
    }
    if (pos_ >= s_.size()) fail("unterminated string");
    return std::string(s_.substr(start, pos_++ - start));
  }
  bool boolean() {
    skip_space();
    if (s_.substr(pos_, 4) == "True") return pos_ += 4, true;
    if (s_.substr(pos_, 5) == "False") return pos_ += 5, false;
    fail("expected True or False");
  }
  std::size_t integer() {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '-') fail("a dimension is negative");
    std::size_t v = 0;
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (!checked_mul(v, 10, v) || v > std::numeric_limits<std::size_t>::max() - 9)
        fail("a dimension is too large");
      v += std::size_t(s_[pos_++] - '0');
    }
    if (pos_ == start) fail("expected a non-negative integer");
    if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2's long
    return v;
  }
  std::vector<std::size_t> int_tuple() {
    std::vector<std::size_t> out;
    expect('(');
    while (!peek(')')) {
      if (out.size() == 64) fail("more than 64 dimensions");
      out.push_back(integer());
      if (!peek(',')) break;
      expect(',');
    }
    expect(')');
    return out;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// The array in b, a whole .npy file; `name` is used in messages only.
inline NpyArray parse_npy(std::string_view b, const std::string& name) {
  auto bad = [&](const std::string& why) { return io_error("array '" + name + "': " + why); };
  if (b.size() < 10 || b.substr(0, 6) != std::string_view("\x93NUMPY", 6))
    throw bad("not a .npy array (no \\x93NUMPY magic)");
  const int major = std::uint8_t(b[6]);
  std::size_t hlen = 0, start = 0;
  if (major == 1) {
    hlen = get16(b, 8), start = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) throw bad("truncated header");
    hlen = get32(b, 8), start = 12;
  } else {
    throw bad("unknown .npy version " + std::to_string(major));
  }
  if (hlen > b.size() - start) throw bad("truncated header");
  npy_header h;
  try {
    h = py_literal_parser(b.substr(start, hlen)).header();
  } catch (const io_error& e) {
    throw bad(e.what());
  }
  std::size_t width = 0;
  if (h.descr == "<f4")
    width = 4;
  else if (h.descr == "<f8")
    width = 8;
  else
    throw bad("dtype '" + h.descr +
              "' cannot be read: weights are little-endian float32 ('<f4') or float64 ('<f8')");
  if (h.fortran_order) throw bad("Fortran-order arrays are not supported");
  std::size_t count = 1, bytes = 0;
  for (auto d : h.shape)
    if (!checked_mul(count, d, count)) throw bad("the shape's element count overflows");
  const std::size_t at = start + hlen;
  if (!checked_mul(count, width, bytes) || bytes != b.size() - at)
    throw bad("holds " + std::to_string(b.size() - at) + " bytes of data, but its shape needs " +
              std::to_string(count) + " values of " + std::to_string(width) + " bytes");
  NpyArray a;
  a.shape = std::move(h.shape);
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

}  // namespace detail
}  // namespace ketl::io
