// Whole Keras model files: ketl::save_model(model, "m.h5") writes what
// Keras 2.2.4's model.save writes for the architecture and the weights, so
// that keras.models.load_model("m.h5") in Python rebuilds the model and
// predicts what ketl predicts:
//   - root attributes keras_version, backend and model_config, the
//     Sequential's JSON ({"class_name": "Sequential", "config": {"name",
//     "layers"}}, each layer's config from io/keras_config.hpp, the first
//     with Keras's batch_input_shape and dtype);
//   - the weights in the group model_weights, as save_weights lays them out.
// Not yet: the functional Model, training_config and the optimizer's
// weights (docs/keras-files.md).
//
// Needs libhdf5 (io/keras_h5.hpp) and nlohmann-json (io/keras_config.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "ketl/io/file.hpp"
#include "ketl/io/keras_config.hpp"
#include "ketl/io/keras_h5.hpp"
#include "ketl/models/sequential.hpp"

namespace ketl {

namespace io::keras {

template <class E>
constexpr const char* dtype_name() {
  if constexpr (std::is_same_v<E, double>) return "float64";
  if constexpr (std::is_same_v<E, float>) return "float32";
  if constexpr (std::is_same_v<E, std::int64_t>) return "int64";
  if constexpr (std::is_same_v<E, std::int32_t>) return "int32";
  if constexpr (std::is_same_v<E, std::int16_t>) return "int16";
  if constexpr (std::is_same_v<E, std::uint8_t>) return "uint8";
  return "int32";
}

// A layer ketl has no Keras config for stops the build here, naming it.
template <class L>
inline constexpr bool has_keras_config = false;

template <class S, std::size_t I>
json sequential_layer(const S& m) {
  using L = typename S::template layer_type<I>;
  using In = typename S::template input_shape_of<I>;
  if constexpr (requires(const L& l) {
                  layer_config(l, std::string(), static_cast<In*>(nullptr));
                }) {
    return layer_config(m.template layer<I>(), m.layer_name(I), static_cast<In*>(nullptr));
  } else {
    static_assert(has_keras_config<L>,
                  "ketl::save_model: this layer has no Keras config in ketl yet (see "
                  "docs/keras-files.md for the layers save_model writes)");
    return nullptr;
  }
}

// Keras 2.2.4's Sequential.get_config, as model.save writes it.
template <Layer... L>
json model_config(const Sequential<L...>& m) {
  using S = Sequential<L...>;
  using First = typename S::template layer_type<0>;
  json layers = json::array();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (layers.push_back(sequential_layer<S, I + 1>(m)), ...);
  }
  (std::make_index_sequence<S::depth - 1>{});
  json shape = json::array();
  if constexpr (First::batch_size > 0)
    shape.push_back(First::batch_size);
  else
    shape.push_back(nullptr);
  for (auto d : S::input_shape::dims) shape.push_back(d);
  layers[0]["config"]["batch_input_shape"] = shape;
  // The layer's dtype (its weights'); Keras 2.2.4's Sequential has no
  // entry for an integer Input: an Embedding casts what it is given.
  layers[0]["config"]["dtype"] = dtype_name<typename S::value_type>();
  return {{"class_name", "Sequential"},
          {"config", {{"name", "sequential_1"}, {"layers", std::move(layers)}}}};
}

}  // namespace io::keras

// Keras's model.save for a Sequential: the architecture and the weights in
// one .h5 file, written atomically (a failed save leaves the old file).
template <Layer... L>
void save_model(const Sequential<L...>& model, const std::string& path) {
  const std::string config = io::keras::model_config(model).dump();
  const auto weights = engine::detail::keras_weights_of(model.network());
  io::write_file_atomically(path, io::keras_h5_model_bytes(weights, config, path), "save_model");
}

}  // namespace ketl
