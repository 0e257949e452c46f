// What a Keras weight file holds, in any format: the Keras version and
// backend that wrote it, and each layer's weights in Keras's order (Keras
// 2.x's save_weights layout, keras/engine/saving.py). And the registry
// through which save_weights, load_weights, save_model and load_model reach
// a format by the file's extension: a format's header registers it, so its
// library is needed only by programs that include that header
// (io/keras_h5.hpp for .h5, io/tfjs.hpp for TensorFlow.js's model.json).
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ketl::io {

struct keras_weight {
  std::string name;  // Keras's variable name: "dense_1/kernel:0"
  std::vector<std::size_t> shape;
  std::vector<double> values;  // C order; a float32 file's values are exact here
  bool f64 = false;            // stored as float64
  bool integer = false;        // stored as int64 (an optimizer's iteration count)
};

struct keras_layer {
  std::string name;  // "dense_1"
  std::vector<keras_weight> weights;
};

struct keras_weights {
  std::string keras_version;  // empty: the file has none (Keras 1 wrote none)
  std::string backend;
  std::vector<keras_layer> layers;  // every layer, with weights or without
  // A whole-model file's (model.save) architecture and training JSON, as
  // written; empty in a weights-only file.
  std::string model_config, training_config;
  // Its optimizer_weights (Keras's optimizer.weights, in order); empty
  // when it has none.
  std::vector<keras_weight> optimizer_weights;
};

// A Keras file format: the extensions it owns, and how to read and write
// it. `what` names the operation for messages ("load_weights"). read gives
// whatever the file holds (a whole model's config too); write writes the
// weights alone (save_weights), write_model the whole model (save_model:
// w.model_config set, and for a compiled model its training_config and
// optimizer_weights).
struct weight_format {
  std::vector<std::string> extensions;  // ".h5"
  keras_weights (*read)(const std::string& path, std::string_view what);
  void (*write)(const std::string& path, const keras_weights& w, std::string_view what);
  void (*write_model)(const std::string& path, const keras_weights& w, std::string_view what);
};

namespace detail {
struct format_registry {
  std::mutex lock;
  std::vector<weight_format> formats;
};
inline format_registry& registry() {
  static format_registry r;
  return r;
}
inline std::string extension_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string e = path.substr(dot);
  std::transform(e.begin(), e.end(), e.begin(),
                 [](unsigned char ch) { return char(std::tolower(ch)); });
  return e;
}
}  // namespace detail

// Called once by a format's header (at static initialisation).
inline bool register_weight_format(const weight_format& f) {
  auto& r = detail::registry();
  std::lock_guard<std::mutex> g(r.lock);
  r.formats.push_back(f);
  return true;
}

// The registered format that owns the path's extension, or null.
inline const weight_format* weight_format_for(const std::string& path) {
  const std::string e = detail::extension_of(path);
  auto& r = detail::registry();
  std::lock_guard<std::mutex> g(r.lock);
  for (const auto& f : r.formats)
    if (std::find(f.extensions.begin(), f.extensions.end(), e) != f.extensions.end()) return &f;
  return nullptr;
}

// For an extension ketl knows but whose header this program does not
// include: which header to include. Empty for any other extension.
inline std::string_view weight_format_header(const std::string& path) {
  const std::string e = detail::extension_of(path);
  if (e == ".h5" || e == ".hdf5") return "ketl/io/keras_h5.hpp";
  if (e == ".json") return "ketl/io/tfjs.hpp";
  return {};
}

}  // namespace ketl::io
