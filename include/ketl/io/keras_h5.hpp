// Keras's HDF5 weight files (.h5, .hdf5), as Keras 2.x's save_weights writes
// them and load_weights reads them (keras/engine/saving.py):
//   - root attributes layer_names (every layer of model.layers), backend
//     and keras_version;
//   - one group per layer, whose attribute weight_names lists its weights
//     ("dense_1/kernel:0"), each a dataset at that path inside the group;
//   - an attribute list whose bytes pass HDF5's 64 KB object-header limit
//     split into name0, name1, ... as Keras splits it.
// A whole-model file (model.save) keeps the same layout in its
// model_weights group, and is read from there.
//
// Including this header makes model.save_weights("w.h5") and
// model.load_weights("w.h5") use the format; it needs libhdf5 (meson:
// dependency('hdf5'); pkg-config: ketl-hdf5).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ketl/io/file.hpp"
#include "ketl/io/hdf5.hpp"
#include "ketl/io/isolated.hpp"
#include "ketl/io/keras_weights.hpp"

namespace ketl::io {

namespace detail {
// A group's weight_names attribute and the datasets it lists (a layer's
// weights, or the optimizer's).
inline std::vector<keras_weight> read_weight_list(const h5::context& c, hid_t g,
                                                  const std::string& of, std::size_t file_bytes) {
  bool listed = false;
  const auto names = h5::read_string_list(c, g, "weight_names", of, &listed);
  if (!listed) c.fail(of + " has no weight_names attribute");
  std::vector<keras_weight> out;
  for (const auto& w : names) {
    if (w.empty() || w.front() == '/') c.fail(of + " lists a weight named \"" + w + "\"");
    auto a = h5::read_floats(c, g, w, file_bytes);
    out.push_back({w, std::move(a.shape), std::move(a.values), a.f64, a.integer});
  }
  return out;
}
inline void write_weight_list(const h5::context& c, hid_t g, const std::vector<keras_weight>& ws) {
  std::vector<std::string> names;
  for (const auto& x : ws) names.push_back(x.name);
  h5::write_string_list(c, g, "weight_names", names);
  for (const auto& x : ws) h5::write_floats(c, g, x.name, x.shape, x.values, x.f64, x.integer);
}
}  // namespace detail

// Parses a Keras weight file's bytes in this process; `file` names it in
// messages. Every count, size and shape ketl reads is checked against the
// bytes there are, but libhdf5 trusts the file's metadata (see
// io/isolated.hpp): parse_keras_h5 below runs this in a child process.
inline keras_weights parse_keras_h5_here(std::string_view bytes, const std::string& file,
                                         std::string_view what = "load_weights") {
  const h5::context c{std::string(what), file};
  const h5::quiet q;
  const h5::memory_file f(c, bytes);
  hid_t root = f.root();
  h5::handle model_weights;
  keras_weights out;
  // A whole-model file: its architecture at the root, its weights one
  // group down.
  if (!h5::has_attribute(root, "layer_names") && h5::has_path(root, "model_weights")) {
    for (auto [name, to] : {std::pair{"model_config", &out.model_config},
                            std::pair{"training_config", &out.training_config}}) {
      const auto v = h5::read_string_list(c, root, name, "the file");
      if (v.size() > 1) c.fail("its " + std::string(name) + " attribute holds several strings");
      if (!v.empty()) *to = v[0];
    }
    if (h5::has_path(root, "optimizer_weights"))
      out.optimizer_weights = detail::read_weight_list(
          c, h5::open_group(c, root, "optimizer_weights").get(), "optimizer_weights", bytes.size());
    model_weights = h5::open_group(c, root, "model_weights");
    root = model_weights.get();
  }
  bool found = false;
  const auto names = h5::read_string_list(c, root, "layer_names", "the file", &found);
  if (!found) c.fail("it has no layer_names attribute, so it is not a Keras weight file");
  auto scalar = [&](const char* name) {
    const auto v = h5::read_string_list(c, root, name, "the file");
    if (v.size() > 1) c.fail("its " + std::string(name) + " attribute holds several strings");
    return v.empty() ? std::string() : v[0];
  };
  out.keras_version = scalar("keras_version");
  out.backend = scalar("backend");
  for (const auto& name : names) {
    if (name.empty() || name.front() == '/') c.fail("it lists a layer named \"" + name + "\"");
    const h5::handle g = h5::open_group(c, root, name);
    keras_layer layer{name, {}};
    layer.weights = detail::read_weight_list(c, g.get(), "layer " + name, bytes.size());
    out.layers.push_back(std::move(layer));
  }
  return out;
}

namespace detail {
// The child's reply: keras_weights as length-prefixed fields (one machine,
// so native byte order). decode checks every length against what arrived.
inline void put_u64(std::string& out, std::uint64_t v) {
  out.append(reinterpret_cast<const char*>(&v), 8);
}
inline void put_str(std::string& out, const std::string& s) { put_u64(out, s.size()), out += s; }
inline std::string encode_weights(const keras_weights& w) {
  std::string out;
  put_str(out, w.keras_version), put_str(out, w.backend);
  put_str(out, w.model_config), put_str(out, w.training_config);
  auto put_list = [&](const std::vector<keras_weight>& ws) {
    put_u64(out, ws.size());
    for (const auto& x : ws) {
      put_str(out, x.name), put_u64(out, x.f64 + 2 * x.integer), put_u64(out, x.shape.size());
      for (auto d : x.shape) put_u64(out, d);
      put_u64(out, x.values.size());
      out.append(reinterpret_cast<const char*>(x.values.data()), x.values.size() * sizeof(double));
    }
  };
  put_list(w.optimizer_weights);
  put_u64(out, w.layers.size());
  for (const auto& l : w.layers) put_str(out, l.name), put_list(l.weights);
  return out;
}
struct reply_reader {
  std::string_view in;
  const std::string& where;
  void need(std::uint64_t n) const {
    if (n > in.size()) throw io_error(where + ": the reader sent a malformed reply");
  }
  void need_items(std::uint64_t n, std::size_t size) const {  // n * size, without overflow
    if (n > in.size() / size) throw io_error(where + ": the reader sent a malformed reply");
  }
  std::uint64_t u64() {
    need(8);
    std::uint64_t v;
    std::memcpy(&v, in.data(), 8);
    in.remove_prefix(8);
    return v;
  }
  std::string str() {
    const auto n = u64();
    need(n);
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
};
inline keras_weights decode_weights(std::string_view in, const std::string& where) {
  reply_reader r{in, where};
  keras_weights w;
  w.keras_version = r.str(), w.backend = r.str();
  w.model_config = r.str(), w.training_config = r.str();
  auto list = [&] {
    std::vector<keras_weight> ws;
    for (auto k = r.u64(); k > 0; --k) {
      keras_weight x;
      x.name = r.str();
      const auto kind = r.u64();
      x.f64 = (kind & 1) != 0, x.integer = (kind & 2) != 0;
      const auto rank = r.u64();
      r.need_items(rank, 8);
      for (auto d = rank; d > 0; --d) x.shape.push_back(r.u64());
      const auto count = r.u64();
      r.need_items(count, sizeof(double));
      x.values.resize(count);
      // An empty dataset's vector has no buffer: memcpy may not see null.
      if (count > 0) std::memcpy(x.values.data(), r.in.data(), count * sizeof(double));
      r.in.remove_prefix(count * sizeof(double));
      ws.push_back(std::move(x));
    }
    return ws;
  };
  w.optimizer_weights = list();
  for (auto n = r.u64(); n > 0; --n) {
    keras_layer l{r.str(), {}};
    l.weights = list();
    w.layers.push_back(std::move(l));
  }
  return w;
}
}  // namespace detail

// Parses a Keras weight file's bytes: in a child process (io/isolated.hpp),
// so that a file that crashes libhdf5 gives an io_error, unless
// set_isolated_readers(false).
inline keras_weights parse_keras_h5(std::string_view bytes, const std::string& file,
                                    std::string_view what = "load_weights") {
  if (!isolated_readers()) return parse_keras_h5_here(bytes, file, what);
  const std::string where = "ketl: " + std::string(what) + ": " + file;
  const std::string reply = detail::run_isolated(
      [&] { return detail::encode_weights(parse_keras_h5_here(bytes, file, what)); }, where,
      isolated_reader_limit(bytes.size()));
  return detail::decode_weights(reply, where);
}

namespace detail {
// Keras's save_weights_to_hdf5_group: w's layout at root (a file's root, or
// a whole-model file's model_weights group).
inline void write_weights_group(const h5::context& c, hid_t root, const keras_weights& w) {
  std::vector<std::string> names;
  for (const auto& l : w.layers) {
    // HDF5 would read a '/' as a path, and "." as the group itself.
    if (l.name.empty() || l.name.find('/') != std::string::npos || l.name == ".")
      c.fail("a layer named \"" + l.name + "\" cannot be an HDF5 group; rename it");
    names.push_back(l.name);
  }
  h5::write_string_list(c, root, "layer_names", names);
  h5::write_strings(c, root, "backend", {w.backend}, true);
  h5::write_strings(c, root, "keras_version", {w.keras_version}, true);
  for (const auto& l : w.layers) {
    const h5::handle g = h5::make_group(c, root, l.name);
    write_weight_list(c, g.get(), l.weights);
  }
}
}  // namespace detail

// The bytes of a Keras weight file holding w.
inline std::string keras_h5_bytes(const keras_weights& w, const std::string& file,
                                  std::string_view what = "save_weights") {
  const h5::context c{std::string(what), file};
  const h5::quiet q;
  const h5::memory_file f(c);
  detail::write_weights_group(c, f.root(), w);
  return f.bytes();
}

// The bytes of a whole-model file (Keras's model.save): the root's
// keras_version, backend and model_config (the architecture's JSON), the
// weights in the group model_weights, and, for a compiled model,
// training_config and the group optimizer_weights.
inline std::string keras_h5_model_bytes(const keras_weights& w, const std::string& file,
                                        std::string_view what = "save_model") {
  const h5::context c{std::string(what), file};
  const h5::quiet q;
  const h5::memory_file f(c);
  h5::write_strings(c, f.root(), "keras_version", {w.keras_version}, true);
  h5::write_strings(c, f.root(), "backend", {w.backend}, true);
  // An attribute over 64 KB needs HDF5's dense attribute storage, which
  // HDF5 1.8's format has; a model whose JSON is that long is refused here.
  for (auto [name, json] : {std::pair{"model_config", &w.model_config},
                            std::pair{"training_config", &w.training_config}}) {
    if (json->size() > 64000)
      c.fail("the model's " + std::string(name) + " is " + std::to_string(json->size()) +
             " bytes, over HDF5's 64 KB attribute limit");
    if (!json->empty()) h5::write_strings(c, f.root(), name, {*json}, true);
  }
  const h5::handle g = h5::make_group(c, f.root(), "model_weights");
  detail::write_weights_group(c, g.get(), w);
  if (!w.optimizer_weights.empty()) {
    const h5::handle o = h5::make_group(c, f.root(), "optimizer_weights");
    detail::write_weight_list(c, o.get(), w.optimizer_weights);
  }
  return f.bytes();
}

inline keras_weights read_keras_h5(const std::string& path,
                                   std::string_view what = "load_weights") {
  return parse_keras_h5(read_file(path, what), path, what);
}

// Written whole in memory, then atomically (io/file.hpp): a failed save
// leaves the old file as it was.
inline void write_keras_h5(const std::string& path, const keras_weights& w,
                           std::string_view what = "save_weights") {
  write_file_atomically(path, keras_h5_bytes(w, path, what), what);
}

// A whole-model file, written likewise.
inline void write_keras_h5_model(const std::string& path, const keras_weights& w,
                                 std::string_view what = "save_model") {
  write_file_atomically(path, keras_h5_model_bytes(w, path, what), what);
}

namespace detail {
inline const bool keras_h5_registered = register_weight_format(
    {{".h5", ".hdf5"}, &read_keras_h5, &write_keras_h5, &write_keras_h5_model});
}  // namespace detail

}  // namespace ketl::io
