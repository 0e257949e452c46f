// A small C++ layer over libhdf5's C API, for the Keras .h5 files: owned
// handles, HDF5's errors as ketl::io_error, and files that live in memory.
//
// The library never opens a path itself. A file is read whole with
// io::read_file (regular files only) and opened as an in-memory image, and a
// new file is built in memory and written with io::write_file_atomically,
// so a save is atomic and a reader sees exactly the bytes it checked.
//
// Needs libhdf5 (Debian's libhdf5-dev; pkg-config hdf5 or meson's
// dependency('hdf5')); nothing else in ketl includes it.
#pragma once

#include <hdf5.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ketl/error.hpp"

namespace ketl::io::h5 {

// One HDF5 identifier, closed with its own close function.
class handle {
 public:
  handle() = default;
  handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  handle(handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
  handle& operator=(handle&& o) noexcept {
    std::swap(id_, o.id_);
    std::swap(close_, o.close_);
    return *this;
  }
  handle(const handle&) = delete;
  handle& operator=(const handle&) = delete;
  ~handle() {
    if (id_ >= 0 && close_) close_(id_);
  }
  hid_t get() const { return id_; }

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

namespace detail {
// HDF5's deepest message on its error stack (the cause), then cleared.
inline std::string last_error() {
  std::string deepest;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        if (e && e->desc && *e->desc) *static_cast<std::string*>(out) = e->desc;
        return 0;
      },
      &deepest);
  H5Eclear2(H5E_DEFAULT);
  return deepest.empty() ? "HDF5 gave no reason" : deepest;
}
}  // namespace detail

// Turns off libhdf5's printing of its error stack to stderr while it lives
// (ketl reports the cause in the exception instead).
class quiet {
 public:
  quiet() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~quiet() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  quiet(const quiet&) = delete;
  quiet& operator=(const quiet&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// Where in which file: every failure names both.
struct context {
  std::string what;  // "load_weights"
  std::string file;
  [[noreturn]] void fail(const std::string& why) const {
    throw io_error("ketl: " + what + ": " + file + ": " + why);
  }
  // An identifier HDF5 returned, or the failure with HDF5's reason.
  hid_t check(hid_t id, const std::string& doing) const {
    if (id < 0) fail(doing + " failed (" + detail::last_error() + ")");
    return id;
  }
  void check_status(herr_t rc, const std::string& doing) const {
    if (rc < 0) fail(doing + " failed (" + detail::last_error() + ")");
  }
};

// An HDF5 file held in memory: opened from bytes, or made empty to be
// filled and then taken as bytes.
class memory_file {
 public:
  // Opens the image read-only (HDF5 copies the bytes).
  memory_file(const context& c, std::string_view bytes) : c_(c) {
    if (bytes.size() < 8 || bytes.substr(0, 8) != std::string_view("\x89HDF\r\n\x1a\n", 8))
      c_.fail("not an HDF5 file (it does not start with HDF5's signature)");
    handle fapl(c_.check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"), H5Pclose);
    c_.check_status(H5Pset_fapl_core(fapl.get(), 1 << 16, false), "opening a memory file");
    c_.check_status(H5Pset_file_image(fapl.get(), const_cast<char*>(bytes.data()), bytes.size()),
                    "opening a memory file");
    file_ = handle(
        c_.check(H5Fopen(image_name().c_str(), H5F_ACC_RDONLY, fapl.get()), "opening the file"),
        H5Fclose);
  }
  // A new, empty file (Keras's h5py defaults: the earliest file format).
  explicit memory_file(const context& c) : c_(c) {
    handle fapl(c_.check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"), H5Pclose);
    c_.check_status(H5Pset_fapl_core(fapl.get(), 1 << 16, false), "making a memory file");
    file_ = handle(c_.check(H5Fcreate(image_name().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                            "making the file"),
                   H5Fclose);
  }
  hid_t root() const { return file_.get(); }
  // The file's bytes as they stand.
  std::string bytes() const {
    c_.check_status(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "flushing the file");
    const ssize_t n = H5Fget_file_image(file_.get(), nullptr, 0);
    if (n < 0) c_.fail("taking the file's image failed (" + detail::last_error() + ")");
    std::string out(static_cast<std::size_t>(n), '\0');
    if (H5Fget_file_image(file_.get(), out.data(), out.size()) != n)
      c_.fail("taking the file's image failed (" + detail::last_error() + ")");
    return out;
  }

 private:
  // libhdf5 shares an open file with a later open of the same name, so
  // every image gets its own: a file left open by a failed open (libhdf5
  // does that on some corrupt files) is never reused.
  static std::string image_name() {
    static std::atomic<unsigned long long> next{0};
    return "ketl-image-" + std::to_string(next.fetch_add(1));
  }
  context c_;
  handle file_;
};

// Is there a link (group or dataset) at this path below loc? Checked one
// component at a time, as H5Lexists needs.
inline bool has_path(hid_t loc, const std::string& path) {
  std::size_t at = 0;
  while (true) {
    const std::size_t slash = path.find('/', at);
    const std::string prefix = path.substr(0, slash);
    if (prefix.empty() || H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    at = slash + 1;
  }
}

inline handle open_group(const context& c, hid_t loc, const std::string& name) {
  if (!has_path(loc, name)) c.fail("it has no group \"" + name + "\"");
  return handle(c.check(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), "opening group " + name),
                H5Gclose);
}

inline handle make_group(const context& c, hid_t loc, const std::string& name) {
  return handle(c.check(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        "making group " + name),
                H5Gclose);
}

// Elements of a dataspace (dims checked for overflow), or -1 for too many.
inline long long count_elements(const std::vector<hsize_t>& dims) {
  unsigned long long n = 1;
  for (hsize_t d : dims) {
    if (d != 0 && n > (1ull << 40) / d) return -1;
    n *= d;
  }
  return static_cast<long long>(n);
}

inline std::vector<hsize_t> extent(const context& c, hid_t space, const std::string& of) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) c.fail("reading the shape of " + of + " failed (" + detail::last_error() + ")");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0)
    c.fail("reading the shape of " + of + " failed (" + detail::last_error() + ")");
  return dims;
}

// A string attribute (scalar or 1-D; fixed-length or variable-length, as
// h5py writes bytes and str) as its strings. An empty array of any type
// (Keras writes np.asarray([]) for a layer without weights) is no strings.
inline std::vector<std::string> read_strings(const context& c, hid_t attr, const std::string& of) {
  handle space(c.check(H5Aget_space(attr), "reading " + of), H5Sclose);
  const H5S_class_t kind = H5Sget_simple_extent_type(space.get());
  if (kind == H5S_NULL) return {};
  const auto dims = extent(c, space.get(), of);
  if (dims.size() > 1) c.fail(of + " has " + std::to_string(dims.size()) + " dimensions, not 1");
  const long long n = count_elements(dims);
  if (n == 0) return {};
  if (n < 0 || n > (1 << 24)) c.fail(of + " claims too many strings");
  handle type(c.check(H5Aget_type(attr), "reading " + of), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) c.fail(of + " is not a string attribute");
  const auto count = static_cast<std::size_t>(n);
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.get()) > 0) {
    handle mem(c.check(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
    c.check_status(H5Tset_size(mem.get(), H5T_VARIABLE), "H5Tset_size");
    c.check_status(H5Tset_cset(mem.get(), H5Tget_cset(type.get())), "H5Tset_cset");
    std::vector<char*> ptrs(count, nullptr);
    c.check_status(H5Aread(attr, mem.get(), ptrs.data()), "reading " + of);
    for (char* p : ptrs) {
      out.emplace_back(p ? p : "");
      if (p) H5free_memory(p);
    }
    return out;
  }
  const std::size_t width = H5Tget_size(type.get());
  if (width == 0 || width > (1 << 20) || count * width > (std::size_t{1} << 28))
    c.fail(of + " has strings of an impossible size");
  handle mem(c.check(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
  c.check_status(H5Tset_size(mem.get(), width), "H5Tset_size");
  c.check_status(H5Tset_strpad(mem.get(), H5T_STR_NULLPAD), "H5Tset_strpad");
  std::string buf(count * width, '\0');
  c.check_status(H5Aread(attr, mem.get(), buf.data()), "reading " + of);
  for (std::size_t i = 0; i < count; ++i) {
    std::string_view s(buf.data() + i * width, width);
    out.emplace_back(s.substr(0, std::min(s.find('\0'), s.size())));
  }
  return out;
}

inline bool has_attribute(hid_t loc, const std::string& name) {
  return H5Aexists(loc, name.c_str()) > 0;
}

// A string attribute by name, or Keras's split form (name0, name1, ...,
// joined in order) when one would pass HDF5's 64 KB object-header limit.
// Absent: an empty list, and *found false.
inline std::vector<std::string> read_string_list(const context& c, hid_t loc,
                                                 const std::string& name, const std::string& where,
                                                 bool* found = nullptr) {
  auto one = [&](const std::string& n) {
    handle a(c.check(H5Aopen(loc, n.c_str(), H5P_DEFAULT), "opening attribute " + n), H5Aclose);
    return read_strings(c, a.get(), "attribute " + n + " of " + where);
  };
  if (found) *found = true;
  if (has_attribute(loc, name)) return one(name);
  std::vector<std::string> out;
  int chunk = 0;
  for (; has_attribute(loc, name + std::to_string(chunk)); ++chunk) {
    auto part = one(name + std::to_string(chunk));
    out.insert(out.end(), part.begin(), part.end());
  }
  if (chunk == 0 && found) *found = false;
  return out;
}

// Writes strings as a fixed-length, null-padded string attribute, as h5py
// writes a NumPy bytes array ('S' dtype): scalar for one value given as
// such, else 1-D. Every Keras and h5py version reads this form.
inline void write_strings(const context& c, hid_t loc, const std::string& name,
                          const std::vector<std::string>& values, bool scalar = false,
                          std::size_t width = 1) {
  for (const auto& v : values) width = std::max(width, v.size());
  handle type(c.check(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
  c.check_status(H5Tset_size(type.get(), width), "H5Tset_size");
  c.check_status(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), "H5Tset_strpad");
  const hsize_t n = values.size();
  handle space(
      c.check(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), "H5Screate"),
      H5Sclose);
  handle attr(
      c.check(H5Acreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              "writing attribute " + name),
      H5Aclose);
  std::string buf(values.size() * width, '\0');
  for (std::size_t i = 0; i < values.size(); ++i)
    std::memcpy(buf.data() + i * width, values[i].data(), values[i].size());
  if (!values.empty())
    c.check_status(H5Awrite(attr.get(), type.get(), buf.data()), "writing attribute " + name);
}

// Keras's save_attributes_to_hdf5_group: the list as one attribute, or, when
// its bytes (count x longest) pass HDF5_OBJECT_HEADER_LIMIT, as name0,
// name1, ... in the fewest chunks np.array_split makes small enough.
inline void write_string_list(const context& c, hid_t loc, const std::string& name,
                              const std::vector<std::string>& values) {
  constexpr std::size_t limit = 64512;
  std::size_t width = 1;
  for (const auto& v : values) {
    if (v.size() > limit)
      c.fail("the name " + v.substr(0, 64) + "... is longer than HDF5's " + std::to_string(limit) +
             "-byte attribute limit");
    width = std::max(width, v.size());
  }
  const std::size_t n = values.size();
  std::size_t chunks = 1;
  // np.array_split: the first n % k chunks hold one more.
  while ((n / chunks + (n % chunks ? 1 : 0)) * width > limit) ++chunks;
  if (chunks == 1) return write_strings(c, loc, name, values);
  for (std::size_t k = 0, at = 0; k < chunks; ++k) {
    const std::size_t len = n / chunks + (k < n % chunks ? 1 : 0);
    const std::vector<std::string> part(values.begin() + long(at), values.begin() + long(at + len));
    // Each chunk keeps the whole array's width, as NumPy's split does.
    write_strings(c, loc, name + std::to_string(k), part, false, width);
    at += len;
  }
}

// A float dataset's shape and values. The declared size is checked against
// the file's bytes before anything is allocated: HDF5 gives unwritten
// storage its fill value, so a forged header could ask for terabytes.
struct float_array {
  std::vector<std::size_t> shape;
  std::vector<double> values;
  bool f64 = false;      // stored as float64
  bool integer = false;  // stored as integers (an optimizer's iteration count)
};

inline float_array read_floats(const context& c, hid_t loc, const std::string& path,
                               std::size_t file_bytes) {
  const std::string of = "dataset " + path;
  if (!has_path(loc, path)) c.fail("it has no " + of);
  handle set(c.check(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), "opening " + of), H5Dclose);
  handle type(c.check(H5Dget_type(set.get()), "reading " + of), H5Tclose);
  const auto cls = H5Tget_class(type.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) c.fail(of + " does not hold numbers");
  const std::size_t width = H5Tget_size(type.get());
  handle space(c.check(H5Dget_space(set.get()), "reading " + of), H5Sclose);
  const auto dims = extent(c, space.get(), of);
  if (dims.size() > 8) c.fail(of + " has " + std::to_string(dims.size()) + " dimensions");
  const long long n = count_elements(dims);
  // Deflate's best ratio is about 1032:1; Keras writes weights unfiltered.
  handle plist(c.check(H5Dget_create_plist(set.get()), "reading " + of), H5Pclose);
  const std::size_t ratio = H5Pget_nfilters(plist.get()) > 0 ? 1032 : 1;
  if (n < 0 || static_cast<unsigned long long>(n) * width > file_bytes * ratio)
    c.fail(of + " claims more values than a file of " + std::to_string(file_bytes) +
           " bytes can hold");
  float_array out;
  out.shape.assign(dims.begin(), dims.end());
  out.integer = cls == H5T_INTEGER;
  out.f64 = !out.integer && width > 4;
  out.values.resize(static_cast<std::size_t>(n));
  if (n > 0)
    c.check_status(
        H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()),
        "reading " + of);
  return out;
}

// Writes a float32 (or float64, or int64) dataset at path below loc, making
// the groups on the way ("dense_1/kernel:0" is group dense_1, dataset kernel:0).
inline void write_floats(const context& c, hid_t loc, const std::string& path,
                         const std::vector<std::size_t>& shape, const std::vector<double>& values,
                         bool f64, bool integer = false) {
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  handle space(c.check(dims.empty() ? H5Screate(H5S_SCALAR)
                                    : H5Screate_simple(int(dims.size()), dims.data(), nullptr),
                       "H5Screate"),
               H5Sclose);
  handle lcpl(c.check(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate"), H5Pclose);
  c.check_status(H5Pset_create_intermediate_group(lcpl.get(), 1),
                 "H5Pset_create_intermediate_group");
  handle set(c.check(H5Dcreate2(loc, path.c_str(),
                                integer ? H5T_STD_I64LE
                                : f64   ? H5T_IEEE_F64LE
                                        : H5T_IEEE_F32LE,
                                space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                     "writing dataset " + path),
             H5Dclose);
  if (values.empty()) return;
  if (integer) {
    const std::vector<long long> v(values.begin(), values.end());
    c.check_status(H5Dwrite(set.get(), H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
                   "writing dataset " + path);
  } else if (f64) {
    c.check_status(
        H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
        "writing dataset " + path);
  } else {
    // Rounded here, once; a float model's values are exact floats already.
    const std::vector<float> f(values.begin(), values.end());
    c.check_status(H5Dwrite(set.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, f.data()),
                   "writing dataset " + path);
  }
}

}  // namespace ketl::io::h5
