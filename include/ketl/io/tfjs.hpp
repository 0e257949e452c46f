// TensorFlow.js's layers-model format: model.json and its binary weight
// shards (group1-shard1of1.bin, ...), as tensorflowjs_converter writes a
// Keras model and tf.loadLayersModel reads one. Including this header makes
// save_model, load_model, save_weights and load_weights take a ".json"
// path. It needs nlohmann-json and no HDF5.
//
// model.json:
//   {"format": "layers-model", "generatedBy", "convertedBy",
//    "modelTopology": {"keras_version", "backend", "model_config": <Keras's
//                      model config>, "training_config": <Keras's>},
//    "weightsManifest": [{"paths": ["group1-shard1of1.bin", ...],
//                         "weights": [{"name": "dense/kernel", "shape": [4, 3],
//                                      "dtype": "float32"}, ...]}, ...]}
// Each group's shards, concatenated, hold its weights in order, little-endian,
// C order. TensorFlow.js's own model.save writes the model config itself as
// modelTopology and the training config as "trainingConfig"; both are read.
// Quantized weights (uint8 and uint16 with scale and min, float16) are
// read; ketl writes float32, and a compiled model's optimizer state as a
// group whose entries say "group": "optimizer", as TensorFlow.js does.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ketl/detail/layer_names.hpp"
#include "ketl/io/file.hpp"
#include "ketl/io/keras_weights.hpp"

namespace ketl::io {

namespace tfjs {
using json = nlohmann::ordered_json;

// TensorFlow.js's default shard size, 4 MB.
inline constexpr std::size_t shard_bytes = 4 * 1024 * 1024;

// A shard's bytes by its path in the manifest (relative to model.json).
using shard_reader = std::function<std::string(const std::string& path)>;

namespace detail {
struct reader {
  std::string where;  // "ketl: load_model: out/model.json: "
  [[noreturn]] void fail(const std::string& why) const { throw io_error(where + why); }

  const json& at(const json& o, const char* key, const std::string& of) const {
    if (!o.is_object() || !o.contains(key)) fail(of + " has no \"" + key + "\"");
    return o.at(key);
  }
  std::string str(const json& o, const char* key, const std::string& of) const {
    const json& v = at(o, key, of);
    if (!v.is_string()) fail(of + "'s \"" + key + "\" is not a string");
    return v.get<std::string>();
  }
};

inline float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
  const int exp = (h >> 10) & 0x1f;
  const std::uint32_t mant = h & 0x3ffu;
  if (exp == 0) return (sign ? -1.0f : 1.0f) * std::ldexp(float(mant), -24);  // subnormal
  if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  return std::bit_cast<float>(sign | (std::uint32_t(exp + 112) << 23) | (mant << 13));
}

// Little-endian, whatever the machine's order.
template <class U>
U load_le(const char* p) {
  U v = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) v |= U(U(std::uint8_t(p[i])) << (8 * i));
  return v;
}
inline void store_le(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += char((v >> (8 * i)) & 0xffu);
}

struct entry {
  keras_weight weight;
  bool optimizer = false;  // "group": "optimizer"
};

// One group's weights out of its shards' bytes; every size is checked
// against the bytes there are before anything is allocated.
inline std::vector<entry> decode_group(const reader& r, const json& group,
                                       const shard_reader& shards, std::size_t index) {
  const std::string of = "weightsManifest[" + std::to_string(index) + "]";
  const json& paths = r.at(group, "paths", of);
  const json& specs = r.at(group, "weights", of);
  if (!paths.is_array() || !specs.is_array()) r.fail(of + "'s paths or weights is not a list");
  std::string data;
  for (const auto& p : paths) {
    if (!p.is_string()) r.fail(of + " lists a path that is not a string");
    const auto path = p.get<std::string>();
    // A shard lies beside model.json: no absolute path, no "..".
    if (path.empty() || path.front() == '/' || path.find("..") != std::string::npos ||
        path.find('\\') != std::string::npos)
      r.fail(of + " names the shard \"" + path + "\", which is not a file beside model.json");
    data += shards(path);
  }
  std::vector<entry> out;
  std::size_t at = 0;
  for (const auto& spec : specs) {
    keras_weight w;
    w.name = r.str(spec, "name", of + "'s weight");
    const std::string wof = "weight " + w.name;
    const json& shape = r.at(spec, "shape", wof);
    if (!shape.is_array() || shape.size() > 8) r.fail(wof + " has a bad shape");
    std::size_t count = 1;
    for (const auto& d : shape) {
      if (!d.is_number_unsigned()) r.fail(wof + " has a dimension that is not a count");
      const auto v = d.get<std::uint64_t>();
      if (v != 0 && count > data.size() / v + 1)
        r.fail(wof + " claims more values than its shards hold");
      count *= std::size_t(v);
      w.shape.push_back(std::size_t(v));
    }
    const std::string dtype = r.str(spec, "dtype", wof);
    std::string stored = dtype;
    double scale = 1, min = 0;
    if (spec.contains("quantization")) {
      const json& q = spec.at("quantization");
      stored = r.str(q, "dtype", wof + "'s quantization");
      if (stored != "float16") {
        const json& s = r.at(q, "scale", wof + "'s quantization");
        const json& m = r.at(q, "min", wof + "'s quantization");
        if (!s.is_number() || !m.is_number()) r.fail(wof + "'s quantization is not numbers");
        scale = s.get<double>(), min = m.get<double>();
      }
    }
    const std::size_t width = stored == "float32" || stored == "int32"    ? 4
                              : stored == "uint16" || stored == "float16" ? 2
                              : stored == "uint8"                         ? 1
                                                                          : 0;
    if (width == 0 || (dtype != "float32" && dtype != "int32"))
      r.fail(wof + " is stored as " + stored +
             ", which ketl does not read (float32, int32, "
             "and uint8, uint16 or float16 quantization)");
    if (count > (data.size() - at) / width)
      r.fail(wof + " needs " + std::to_string(count) + " values, past the end of its shards");
    w.values.resize(count);
    const char* p = data.data() + at;
    for (std::size_t i = 0; i < count; ++i, p += width) {
      double v = 0;
      if (stored == "float32")
        v = std::bit_cast<float>(load_le<std::uint32_t>(p));
      else if (stored == "int32")
        v = double(std::int32_t(load_le<std::uint32_t>(p)));
      else if (stored == "float16")
        v = half_to_float(load_le<std::uint16_t>(p));
      else
        v = (width == 1 ? double(std::uint8_t(*p)) : double(load_le<std::uint16_t>(p))) * scale +
            min;
      w.values[i] = dtype == "int32" ? std::round(v) : double(float(v));
    }
    at += count * width;
    w.integer = dtype == "int32";
    const bool optimizer = spec.contains("group") && spec.at("group") == "optimizer";
    out.push_back({std::move(w), optimizer});
  }
  if (at != data.size())
    r.fail(of + "'s shards hold " + std::to_string(data.size()) + " bytes, its weights " +
           std::to_string(at));
  return out;
}

// A Keras model config's layer entries (a Sequential's may be a bare list,
// Keras <= 2.1), or null.
inline const json* layer_list(const json& config) {
  if (!config.is_object() || !config.contains("config")) return nullptr;
  const json& c = config.at("config");
  const json* layers = c.is_array()                              ? &c
                       : (c.is_object() && c.contains("layers")) ? &c.at("layers")
                                                                 : nullptr;
  return layers && layers->is_array() ? layers : nullptr;
}
inline std::string entry_name(const json& l) {
  if (!l.is_object()) return "";
  if (l.contains("name") && l.at("name").is_string()) return l.at("name").get<std::string>();
  if (l.contains("config") && l.at("config").is_object() && l.at("config").contains("name") &&
      l.at("config").at("name").is_string())
    return l.at("config").at("name").get<std::string>();
  return "";
}

// The layer names of a Keras model config, in order; empty when it lists
// none. `owner` maps each name a weight may start with to its layer: the
// layer's own, and a nested Sequential's layers' (Keras names their weights
// "dense_3/kernel", not "encoder/dense_3/kernel").
inline std::vector<std::string> layer_names(const json& config,
                                            std::map<std::string, std::string>& owner) {
  std::vector<std::string> out;
  const json* layers = layer_list(config);
  if (!layers) return out;
  for (const auto& l : *layers) {
    const std::string name = entry_name(l);
    if (name.empty()) continue;
    out.push_back(name);
    owner.emplace(name, name);
    if (l.contains("class_name") && l.at("class_name") == "Sequential")
      if (const json* inner = layer_list(l))
        for (const auto& e : *inner)
          if (const std::string n = entry_name(e); !n.empty()) owner.emplace(n, name);
  }
  return out;
}
}  // namespace detail

// Parses model.json's text; shards gives each shard's bytes. `file` names
// model.json in messages. Nothing in the file is trusted: every key is
// checked, every size against the bytes read.
inline keras_weights parse(std::string_view text, const shard_reader& shards,
                           const std::string& file, std::string_view what = "load_model") {
  const detail::reader r{"ketl: " + std::string(what) + ": " + file + ": "};
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    r.fail(std::string("it is not JSON (") + e.what() + ")");
  }
  if (!doc.is_object()) r.fail("it is not a TensorFlow.js model.json (not a JSON object)");
  if (doc.contains("format") && doc.at("format") != "layers-model")
    r.fail("its format is " + doc.at("format").dump() +
           "; ketl reads TensorFlow.js layers models (\"layers-model\"): a graph model, "
           "converted from a SavedModel, has no Keras layers");
  keras_weights out;
  out.keras_version = "tfjs", out.backend = "tensorflow";
  const json topology = doc.contains("modelTopology") ? doc.at("modelTopology") : json(nullptr);
  json config = nullptr;
  if (topology.is_object()) {
    if (topology.contains("keras_version") && topology.at("keras_version").is_string() &&
        !topology.at("keras_version").get<std::string>().empty())
      out.keras_version = topology.at("keras_version").get<std::string>();
    config = topology.contains("model_config") ? topology.at("model_config") : topology;
    if (!config.is_object() || !config.contains("class_name"))
      r.fail("its modelTopology holds no Keras model config");
    if (config.contains("keras_version")) config.erase("keras_version");
    if (config.contains("backend")) config.erase("backend");
    out.model_config = config.dump();
    if (topology.contains("training_config") && !topology.at("training_config").is_null())
      out.training_config = topology.at("training_config").dump();
  } else if (!topology.is_null()) {
    r.fail("its modelTopology is not an object");
  }
  if (doc.contains("trainingConfig") && !doc.at("trainingConfig").is_null())
    out.training_config = doc.at("trainingConfig").dump();
  const json& manifest = r.at(doc, "weightsManifest", "it");
  if (!manifest.is_array()) r.fail("its weightsManifest is not a list");
  std::vector<detail::entry> all;
  for (std::size_t g = 0; g < manifest.size(); ++g)
    for (auto& e : detail::decode_group(r, manifest[g], shards, g)) all.push_back(std::move(e));
  // Each weight goes to the layer its name starts with, in the config's
  // layer order (without a config, in the order they come).
  std::map<std::string, std::string> owner;
  for (const auto& name : detail::layer_names(config, owner)) out.layers.push_back({name, {}});
  for (auto& [w, optimizer] : all) {
    if (optimizer) {
      out.optimizer_weights.push_back(std::move(w));
      continue;
    }
    std::string layer = w.name.substr(0, w.name.find('/'));
    if (const auto o = owner.find(layer); o != owner.end()) layer = o->second;
    auto it = std::find_if(out.layers.begin(), out.layers.end(),
                           [&](const keras_layer& l) { return l.name == layer; });
    if (it == out.layers.end()) {
      if (!config.is_null())
        r.fail("weight " + w.name + " belongs to no layer of its model config");
      out.layers.push_back({layer, {}});
      it = out.layers.end() - 1;
    }
    w.name += ":0";
    it->weights.push_back(std::move(w));
  }
  return out;
}

// model.json and its shards' bytes for w: the model config, when w has one,
// and the weights in one group, then the optimizer's in a second.
struct files {
  std::string model_json;
  std::vector<std::pair<std::string, std::string>> shards;  // name, bytes
};

inline files write(const keras_weights& w, const std::string& file, std::string_view what) {
  const detail::reader r{"ketl: " + std::string(what) + ": " + file + ": "};
  json topology = nullptr;
  if (!w.model_config.empty()) {
    topology = {{"keras_version", w.keras_version},
                {"backend", w.backend},
                {"model_config", json::parse(w.model_config)}};
    if (!w.training_config.empty()) topology["training_config"] = json::parse(w.training_config);
  }
  // A nested Sequential's weights under its layers' names, as its config
  // names them (detail::nested_layer_name: "encoder/dense_1/kernel" is
  // "encoder_dense_1/kernel"): TensorFlow.js's readers find weights by name.
  std::set<std::string> nested;
  if (topology.is_object())
    if (const json* layers = detail::layer_list(topology.at("model_config")))
      for (const auto& l : *layers)
        if (l.is_object() && l.contains("class_name") && l.at("class_name") == "Sequential")
          nested.insert(detail::entry_name(l));
  files out;
  json manifest = json::array();
  auto group = [&](const std::vector<const keras_weight*>& ws, bool optimizer) {
    std::string data;
    json specs = json::array();
    for (const auto* x : ws) {
      std::string name = x->name;
      if (name.size() > 2 && name.compare(name.size() - 2, 2, ":0") == 0)
        name.resize(name.size() - 2);
      json spec = {
          {"name", name}, {"shape", x->shape}, {"dtype", x->integer ? "int32" : "float32"}};
      if (optimizer) spec["group"] = "optimizer";
      specs.push_back(std::move(spec));
      for (double v : x->values) {
        if (x->integer && !(v >= 0 && v <= double(std::numeric_limits<std::int32_t>::max())))
          r.fail(x->name + " does not fit TensorFlow.js's int32");
        // A float64 model's weights round to float32 here.
        detail::store_le(data, x->integer ? std::uint32_t(std::int32_t(v))
                                          : std::bit_cast<std::uint32_t>(float(v)));
      }
    }
    const std::size_t n = std::max<std::size_t>(1, (data.size() + shard_bytes - 1) / shard_bytes);
    const std::size_t g = manifest.size() + 1;
    json paths = json::array();
    for (std::size_t k = 0; k < n; ++k) {
      std::string name = "group" + std::to_string(g) + "-shard" + std::to_string(k + 1) + "of" +
                         std::to_string(n) + ".bin";
      out.shards.push_back({name, data.substr(k * shard_bytes, shard_bytes)});
      paths.push_back(std::move(name));
    }
    manifest.push_back({{"paths", std::move(paths)}, {"weights", std::move(specs)}});
  };
  std::vector<const keras_weight*> model, optimizer;
  std::size_t count = 0;
  for (const auto& l : w.layers) count += l.weights.size();
  std::vector<keras_weight> renamed;
  renamed.reserve(count);  // no reallocation: model keeps pointers into it
  for (const auto& l : w.layers)
    for (const auto& x : l.weights) {
      const std::string prefix = l.name + "/";
      if (nested.count(l.name) && x.name.rfind(prefix, 0) == 0 &&
          x.name.find('/', prefix.size()) != std::string::npos) {
        renamed.push_back(x);
        renamed.back().name =
            ketl::detail::nested_layer_name(l.name, std::string_view(x.name).substr(prefix.size()));
        model.push_back(&renamed.back());
      } else {
        model.push_back(&x);
      }
    }
  for (const auto& x : w.optimizer_weights) optimizer.push_back(&x);
  group(model, false);
  if (!optimizer.empty()) group(optimizer, true);
  const json doc = {{"format", "layers-model"},
                    {"generatedBy", "ketl"},
                    {"convertedBy", nullptr},
                    {"modelTopology", std::move(topology)},
                    {"weightsManifest", std::move(manifest)}};
  out.model_json = doc.dump();
  return out;
}

// The directory of model.json, for its shards.
inline std::string directory_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

inline keras_weights read(const std::string& path, std::string_view what) {
  const std::string dir = directory_of(path);
  // A shard's failure names model.json too.
  auto shard = [&](const std::string& name) {
    try {
      return read_file(dir + name, what);
    } catch (const io_error& e) {
      throw io_error("ketl: " + std::string(what) + ": " + path + ": its shard " + name + ": " +
                     e.what());
    }
  };
  return parse(read_file(path, what), shard, path, what);
}

// The shards first, then model.json, each atomically: a reader never sees
// a model.json whose shards are not written yet.
inline void write_model(const std::string& path, const keras_weights& w, std::string_view what) {
  const files f = write(w, path, what);
  const std::string dir = directory_of(path);
  for (const auto& [name, bytes] : f.shards) write_file_atomically(dir + name, bytes, what);
  write_file_atomically(path, f.model_json, what);
}
}  // namespace tfjs

namespace detail {
// save_weights to model.json writes the weights without a topology
// (TensorFlow.js's loadLayersModel needs one: use save_model for it).
inline const bool tfjs_registered =
    register_weight_format({{".json"}, &tfjs::read, &tfjs::write_model, &tfjs::write_model});
}  // namespace detail

}  // namespace ketl::io
