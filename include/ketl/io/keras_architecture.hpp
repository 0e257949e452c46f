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

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

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

// An activation given as a nested object (newer files) as its name.
inline json plain(const json& v) {
  if (v.is_object() && v.contains("config") && v["config"].is_object() &&
      v["config"].contains("activation"))
    return v["config"]["activation"];
  if (v.is_object() && v.contains("class_name") && v.contains("config") &&
      v["class_name"] == "function")
    return v["config"];
  return v;
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
      if (!same_value(x[i], y[i])) return false;
    return true;
  }
  if (x.is_array() && x.size() == 1) return same_value(x[0], y);  // (3,) and 3
  if (y.is_array() && y.size() == 1) return same_value(x, y[0]);
  return x == y;
}

inline std::string show(const json& v) {
  const json x = plain(v);
  if (x.is_string()) return "'" + x.get<std::string>() + "'";
  if (x.is_boolean()) return x.get<bool>() ? "True" : "False";
  if (x.is_null()) return "None";
  if (x.is_array()) {
    std::string s = "(";
    for (std::size_t i = 0; i < x.size(); ++i) s += (i ? ", " : "") + show(x[i]);
    return s + (x.size() == 1 ? ",)" : ")");
  }
  if (x.is_object() && x.contains("class_name"))
    return x["class_name"].get<std::string>() + "(...)";
  return x.dump();
}

}  // namespace detail

// "Dense(units=64, activation='relu')": the class and the compared keys.
inline std::string describe(const json& layer) {
  std::string out = detail::class_of(layer) + "(";
  bool first = true;
  if (layer.contains("config") && layer["config"].is_object())
    for (const auto& [k, v] : layer["config"].items()) {
      if (detail::ignored_key(k)) continue;
      out += (first ? "" : ", ") + k + "=" + (k == "layer" ? describe(v) : detail::show(v));
      first = false;
    }
  return out + ")";
}

// The first difference between two layers' configs ("" when they match):
// mine is what ketl writes for its layer; keys only the file has (newer
// Keras options ketl lacks) must hold Keras's defaults to be accepted.
inline bool same_layer(const json& mine, const json& file) {
  if (detail::class_of(mine) != detail::class_of(file)) return false;
  const json& a = mine["config"];
  const json& b = file.contains("config") ? file["config"] : json::object();
  for (const auto& [k, v] : a.items()) {
    if (detail::ignored_key(k)) continue;
    if (!b.contains(k)) {
      const json* d = detail::keras_default(k);
      if (d && !detail::same_value(v, *d)) return false;
      continue;
    }
    if (k == "layer") {
      if (!same_layer(v, b[k])) return false;
    } else if (k == "axis" && detail::class_of(mine) == "BatchNormalization" &&
               detail::same_value(b[k], -1)) {
      continue;  // Keras 2.2.4's default, the last axis: ketl's, always
    } else if (!detail::same_value(v, b[k])) {
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
  const json& c = config["config"];
  layers = c.is_array() ? c : c.value("layers", json::array());
  input_shape = nullptr;
  if (!layers.empty() && detail::class_of(layers[0]) == "InputLayer") {
    input_shape = layers[0]["config"].value("batch_input_shape", json(nullptr));
    layers.erase(layers.begin());
  } else if (!layers.empty()) {
    input_shape = layers[0]["config"].value("batch_input_shape", json(nullptr));
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
    if (!sb.is_null() && !detail::same_value(dims(sa), dims(sb)))
      return "the input: file has shape " + detail::show(dims(sb)) + ", ketl model has " +
             detail::show(dims(sa));
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
      if (!same_layer(a[i], b[i]))
        return "layer " + std::to_string(i) + ": file has " + describe(b[i]) + ", ketl model has " +
               describe(a[i]);
    if (a.size() != b.size())
      return "the file has " + std::to_string(b.size()) + " layers, the ketl model " +
             std::to_string(a.size());
    return "";
  }
  // A functional Model: the layers in model.layers order, and each call's
  // inputs by their layers' positions (names may differ).
  const json& a = mine["config"]["layers"];
  const json b = file["config"].value("layers", json::array());
  std::map<std::string, std::size_t> pa, pb;
  for (std::size_t i = 0; i < a.size(); ++i) pa[a[i].value("name", "")] = i;
  for (std::size_t i = 0; i < b.size(); ++i) pb[b[i].value("name", "")] = i;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    const std::string where = "layer " + std::to_string(i) + " (" + b[i].value("name", "") + ")";
    if (detail::class_of(a[i]) == "InputLayer" && detail::class_of(b[i]) == "InputLayer") {
      const json& sa = a[i]["config"]["batch_input_shape"];
      const json sb = b[i]["config"].value("batch_input_shape", json(nullptr));
      if (!sb.is_array() || sb.size() != sa.size() ||
          !detail::same_value(json(std::vector<json>(sa.begin() + 1, sa.end())),
                              json(std::vector<json>(sb.begin() + 1, sb.end()))))
        return where + ": file has an Input of shape " + detail::show(sb) + ", ketl model has " +
               detail::show(sa);
      continue;
    }
    if (!same_layer(a[i], b[i]))
      return where + ": file has " + describe(b[i]) + ", ketl model has " + describe(a[i]);
    // Each call's inputs, as (position, node, tensor).
    auto calls = [](const json& l, const std::map<std::string, std::size_t>& pos) {
      std::vector<std::vector<std::array<std::size_t, 3>>> out;
      for (const auto& node : l.value("inbound_nodes", json::array())) {
        std::vector<std::array<std::size_t, 3>> ins;
        for (const auto& r : node) {
          if (!r.is_array() || r.size() < 3 || !r[0].is_string()) continue;
          const auto it = pos.find(r[0].get<std::string>());
          ins.push_back({it == pos.end() ? std::size_t(-1) : it->second,
                         r[1].is_number() ? r[1].get<std::size_t>() : 0,
                         r[2].is_number() ? r[2].get<std::size_t>() : 0});
        }
        out.push_back(std::move(ins));
      }
      return out;
    };
    if (calls(a[i], pa) != calls(b[i], pb))
      return where + ": its inputs differ (file: " + b[i].value("inbound_nodes", json()).dump() +
             ", ketl model: " + a[i]["inbound_nodes"].dump() + ")";
  }
  if (a.size() != b.size())
    return "the file has " + std::to_string(b.size()) + " layers, the ketl model " +
           std::to_string(a.size());
  return "";
}

}  // namespace ketl::io::keras
