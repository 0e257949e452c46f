// Compares the architecture in a Keras model file (its model_config) with
// the config ketl writes for a model type (io/keras_config.hpp), and says
// plainly where they first differ:
//   layer 1: file has Dense(units=64, activation='relu'), ketl model has
//   Dense(units=32, activation='relu')
// What is compared is what changes the computation: class names, shapes,
// units, activations, options such as return_sequences or reset_after.
// Names, initializers, regularizers, constraints, dtypes and trainable
// flags are not. Files of Keras 2.0-2.3 and tf.keras 2.x are read: a
// Sequential config that is a bare list (Keras <= 2.1) or that starts with
// an InputLayer (tf.keras), tf.keras's class names (LSTMV2, Functional),
// and options that an older file leaves out take Keras's defaults.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ketl/error.hpp"

namespace ketl::io::keras {

using json = nlohmann::ordered_json;  // keys in Keras's order

namespace detail {

// Keys that do not change what a layer computes.
inline bool ignored_key(const std::string& k) {
  static const std::set<std::string> keys = {
      "name",   "trainable",      "dtype",       "batch_input_shape", "seed",
      "unroll", "implementation", "noise_shape", "time_major",        "zero_output_for_mask",
      "sparse", "ragged",         "input_length"};
  if (keys.count(k)) return true;
  const auto ends = [&](const char* suffix) {
    const std::string s(suffix);
    return k.size() >= s.size() && k.compare(k.size() - s.size(), s.size(), s) == 0;
  };
  return ends("_initializer") || ends("_regularizer") || ends("_constraint");
}

// A key an older file may leave out, and Keras 2.2.4's default for it.
inline const json* keras_default(const std::string& k) {
  static const std::map<std::string, json> defaults = {
      {"reset_after", false}, {"return_state", false},   {"go_backwards", false},
      {"stateful", false},    {"dropout", 0.0},          {"recurrent_dropout", 0.0},
      {"mask_zero", false},   {"unit_forget_bias", true}};
  const auto it = defaults.find(k);
  return it == defaults.end() ? nullptr : &it->second;
}

inline std::string class_of(const json& layer) {
  std::string c = layer.value("class_name", "");
  if (c == "LSTMV2" || c == "UnifiedLSTM") return "LSTM";
  if (c == "GRUV2" || c == "UnifiedGRU") return "GRU";
  if (c == "Functional") return "Model";
  return c;
}

// Keras 2.2.4's CuDNNLSTM and CuDNNGRU, trained on a GPU, compute what an
// LSTM and a GRU with tanh, a sigmoid recurrent activation and biases
// compute (GRU with reset_after); their weights convert on loading
// (detail/cudnn_weights.hpp). Every such layer in a config, at any depth
// (a Bidirectional's, a nested Sequential's), is rewritten as that layer.
inline void cudnn_as_plain(json& v, int depth = 0) {
  if (depth > 64) return;  // a hostile file's nesting: the comparison refuses it later
  if (v.is_array()) {
    for (auto& x : v) cudnn_as_plain(x, depth + 1);
    return;
  }
  if (!v.is_object()) return;
  for (auto& [k, x] : v.items()) cudnn_as_plain(x, depth + 1);
  const auto cls = v.find("class_name");
  const auto cfg = v.find("config");
  if (cls == v.end() || !cls->is_string() || cfg == v.end() || !cfg->is_object()) return;
  const std::string c = cls->get<std::string>();
  if (c != "CuDNNLSTM" && c != "CuDNNGRU") return;
  *cls = c == "CuDNNLSTM" ? "LSTM" : "GRU";
  (*cfg)["activation"] = "tanh";
  (*cfg)["recurrent_activation"] = "sigmoid";
  (*cfg)["use_bias"] = true;
  (*cfg)["dropout"] = 0.0;
  (*cfg)["recurrent_dropout"] = 0.0;
  if (c == "CuDNNGRU") (*cfg)["reset_after"] = true;
}

// An activation given as a nested object (newer files) as its name.
inline json plain(const json& v) {
  if (v.is_object() && v.contains("config") && v.at("config").is_object() &&
      v.at("config").contains("activation"))
    return v.at("config").at("activation");
  if (v.is_object() && v.contains("class_name") && v.contains("config") &&
      v.at("class_name") == "function")
    return v.at("config");
  return v;
}

// An input shape (without the batch axis) that the file's fits: the same
// rank, each axis the same or free in the file (None: a variable length,
// which a ketl model fixes; ketl-import --length).
inline bool fits_shape(const json& mine, const json& file) {
  if (!mine.is_array() || !file.is_array() || mine.size() != file.size()) return false;
  for (std::size_t i = 0; i < mine.size(); ++i)
    if (!file.at(i).is_null() && file.at(i) != mine.at(i)) return false;
  return true;
}

inline bool same_value(const json& a, const json& b) {
  const json x = plain(a), y = plain(b);
  if (x.is_number() && y.is_number()) {
    const double p = x.get<double>(), q = y.get<double>();
    return std::abs(p - q) <= 1e-6 * std::max(1.0, std::abs(p));
  }
  if (x.is_array() && y.is_array()) {
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same_value(x.at(i), y.at(i))) return false;
    return true;
  }
  if (x.is_array() && x.size() == 1) return same_value(x.at(0), y);  // (3,) and 3
  if (y.is_array() && y.size() == 1) return same_value(x, y.at(0));
  return x == y;
}

// A value in Python's spelling, for messages. A file's values may nest
// without end: past a few levels, "...".
inline std::string show(const json& v, int depth = 0) {
  if (depth > 8) return "...";
  const json& x = v.is_object() ? plain(v) : v;
  if (x.is_string()) return "'" + x.get<std::string>() + "'";
  if (x.is_boolean()) return x.get<bool>() ? "True" : "False";
  if (x.is_null()) return "None";
  if (x.is_array()) {
    std::string s = "(";
    for (std::size_t i = 0; i < x.size() && i < 16; ++i)
      s += (i ? ", " : "") + show(x.at(i), depth + 1);
    return s + (x.size() > 16 ? ", ...)" : x.size() == 1 ? ",)" : ")");
  }
  if (x.is_object())
    return x.contains("class_name") ? show(x.at("class_name"), depth + 1) + "(...)" : "{...}";
  return x.dump();  // a number
}

}  // namespace detail

// "Dense(units=64, activation='relu')": the class and the compared keys.
inline std::string describe(const json& layer, int depth = 0) {
  std::string out = detail::class_of(layer) + "(";
  bool first = true;
  if (layer.contains("config") && layer.at("config").is_object())
    for (const auto& [k, v] : layer.at("config").items()) {
      if (detail::ignored_key(k)) continue;
      out += (first ? "" : ", ") + k + "=" +
             (k == "layer" && depth < 4 ? describe(v, depth + 1) : detail::show(v));
      first = false;
    }
  return out + ")";
}

// The first difference between two layers' configs ("" when they match):
// mine is what ketl writes for its layer; keys only the file has (newer
// Keras options ketl lacks) must hold Keras's defaults to be accepted.
inline std::string first_difference(const json& mine, const json& file);

inline bool same_layer(const json& mine, const json& file) {
  if (detail::class_of(mine) != detail::class_of(file)) return false;
  // A Sequential used as a layer: its own layers, compared as a model's.
  if (detail::class_of(mine) == "Sequential") return first_difference(mine, file).empty();
  const json& a = mine.at("config");
  const json& b = file.contains("config") ? file.at("config") : json::object();
  for (const auto& [k, v] : a.items()) {
    if (detail::ignored_key(k)) continue;
    if (!b.contains(k)) {
      const json* d = detail::keras_default(k);
      if (d && !detail::same_value(v, *d)) return false;
      continue;
    }
    if (k == "layer") {
      if (!same_layer(v, b.at(k))) return false;
    } else if (k == "axis" && detail::class_of(mine) == "BatchNormalization" &&
               detail::same_value(b.at(k), -1)) {
      continue;  // Keras 2.2.4's default, the last axis: ketl's, always
    } else if (!detail::same_value(v, b.at(k))) {
      return false;
    }
  }
  return true;
}

// A Sequential's layers and input shape from a model_config of any Keras
// 2.x: {"config": {"layers": [...]}}, a bare list, with or without a first
// InputLayer. Returns false for a config that is not a Sequential.
inline bool sequential_layers(const json& config, json& layers, json& input_shape) {
  if (detail::class_of(config) != "Sequential") return false;
  const json& c = config.at("config");
  layers = c.is_array() ? c : c.value("layers", json::array());
  input_shape = nullptr;
  if (!layers.empty() && detail::class_of(layers.at(0)) == "InputLayer") {
    input_shape = layers.at(0).at("config").value("batch_input_shape", json(nullptr));
    layers.erase(layers.begin());
  } else if (!layers.empty()) {
    input_shape = layers.at(0).at("config").value("batch_input_shape", json(nullptr));
  }
  return true;
}

// The first difference between the file's architecture and the model's, in
// words, or "" when they agree.
inline std::string first_difference(const json& mine, const json& file) {
  if (detail::class_of(mine) != detail::class_of(file))
    return "the file holds a " + detail::class_of(file) + ", the ketl model is a " +
           detail::class_of(mine);
  if (detail::class_of(mine) == "Sequential") {
    json a, b, sa, sb;
    sequential_layers(mine, a, sa);
    sequential_layers(file, b, sb);
    auto dims = [](const json& s) {  // without the batch axis
      return s.is_array() && !s.empty() ? json(std::vector<json>(s.begin() + 1, s.end())) : s;
    };
    if (!sb.is_null() && !detail::fits_shape(dims(sa), dims(sb)))
      return "the input: file has shape " + detail::show(dims(sb)) + ", ketl model has " +
             detail::show(dims(sa));
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
      if (!same_layer(a.at(i), b.at(i)))
        return "layer " + std::to_string(i) + ": file has " + describe(b.at(i)) +
               ", ketl model has " + describe(a.at(i));
    if (a.size() != b.size())
      return "the file has " + std::to_string(b.size()) + " layers, the ketl model " +
             std::to_string(a.size());
    return "";
  }
  // A functional Model: the layers in model.layers order, and each call's
  // inputs by their layers' positions (names may differ).
  const json& a = mine.at("config").at("layers");
  const json b = file.at("config").value("layers", json::array());
  std::map<std::string, std::size_t> pa, pb;
  for (std::size_t i = 0; i < a.size(); ++i) pa[a.at(i).value("name", "")] = i;
  for (std::size_t i = 0; i < b.size(); ++i) pb[b.at(i).value("name", "")] = i;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    const std::string where = "layer " + std::to_string(i) + " (" + b.at(i).value("name", "") + ")";
    if (detail::class_of(a.at(i)) == "InputLayer" && detail::class_of(b.at(i)) == "InputLayer") {
      const json& sa = a.at(i).at("config").at("batch_input_shape");
      const json sb = b.at(i).at("config").value("batch_input_shape", json(nullptr));
      if (!sb.is_array() || sb.size() != sa.size() ||
          !detail::fits_shape(json(std::vector<json>(sa.begin() + 1, sa.end())),
                              json(std::vector<json>(sb.begin() + 1, sb.end()))))
        return where + ": file has an Input of shape " + detail::show(sb) + ", ketl model has " +
               detail::show(sa);
      continue;
    }
    if (!same_layer(a.at(i), b.at(i))) {
      if (detail::class_of(a.at(i)) == "Sequential" && detail::class_of(b.at(i)) == "Sequential")
        return where + ", a Sequential: " + first_difference(a.at(i), b.at(i));
      return where + ": file has " + describe(b.at(i)) + ", ketl model has " + describe(a.at(i));
    }
    // Each call's inputs, as (position, node, tensor).
    auto calls = [](const json& l, const std::map<std::string, std::size_t>& pos) {
      std::vector<std::vector<std::array<std::size_t, 3>>> out;
      for (const auto& node : l.value("inbound_nodes", json::array())) {
        std::vector<std::array<std::size_t, 3>> ins;
        for (const auto& r : node) {
          if (!r.is_array() || r.size() < 3 || !r.at(0).is_string()) continue;
          const auto it = pos.find(r.at(0).get<std::string>());
          ins.push_back({it == pos.end() ? std::size_t(-1) : it->second,
                         r.at(1).is_number() ? r.at(1).get<std::size_t>() : 0,
                         r.at(2).is_number() ? r.at(2).get<std::size_t>() : 0});
        }
        out.push_back(std::move(ins));
      }
      return out;
    };
    if (calls(a.at(i), pa) != calls(b.at(i), pb))
      return where +
             ": its inputs differ (file: " + detail::show(b.at(i).value("inbound_nodes", json())) +
             ", ketl model: " + detail::show(a.at(i).at("inbound_nodes")) + ")";
  }
  if (a.size() != b.size())
    return "the file has " + std::to_string(b.size()) + " layers, the ketl model " +
           std::to_string(a.size());
  return "";
}

// A file's model_config text against a model's config: the first
// difference in words ("" when they agree). Text that is not JSON, or JSON
// that is not a Keras config, throws a ketl::io_error naming `where`.
inline std::string check_architecture(const json& mine, std::string_view text,
                                      const std::string& where) {
  try {
    json file = json::parse(text);
    detail::cudnn_as_plain(file);
    return first_difference(mine, file);
  } catch (const json::exception& e) {
    throw io_error(where + "its model_config is not a Keras model config (" + e.what() + ")");
  }
}

}  // namespace ketl::io::keras
